"""La Coop de la médiation numérique, the national activity-report tool: its vocabulary,
how ours maps to it, and its accompaniments file in and out (issue 16). Facts from
shared/standards/coop-activites.md (tests parse that file against this package)."""
