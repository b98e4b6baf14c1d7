"""The network's directory: the actors (their places, opening hours, contacts) and the staff
who chose to appear, searchable by name, actor, topic, organisation or language."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch

from network.models import DirectoryEntry
from pathway.models import Actor, ActorKind, Operator, Place, Topic
from pathway.text import normalise


def refresh_search(entry):
    """Rebuild the entry's search text from its person, actors, topics, operators, languages."""
    user = entry.user
    parts = [
        user.first_name,
        user.last_name,
        entry.job_title,
        entry.languages,
        user.get_role_display(),
        *(a.name for a in user.actors.all()),
        *(t.name for t in entry.topics.all()),
        *(o.name for o in entry.operators.all()),
    ]
    entry.search_text = " " + normalise(" ".join(str(p) for p in parts if p)) + " "
    DirectoryEntry.objects.filter(pk=entry.pk).update(search_text=entry.search_text)


def _words(text):
    return [w for w in normalise(text or "").split() if len(w) >= 2]


def in_towns(reader, town):
    """The town ids a directory search covers: `town` when one is chosen, else those of
    `reader` (None: every town, the superuser's; none without a reader, as for the
    benchmark, which reads the whole directory)."""
    if town is not None:
        return frozenset([town.pk])
    return reader.town_ids if reader is not None else None


def search_people(text="", *, reader=None, town=None):
    """Listed, active staff of the reader's towns (or of `town`); every word typed must
    start a word of their search text."""
    entries = DirectoryEntry.objects.filter(listed=True, user__is_active=True)
    town_ids = in_towns(reader, town)
    if town_ids is not None:
        staff = get_user_model().objects.of_towns(town_ids)
        entries = entries.filter(user__in=staff.values("pk"))
    for word in _words(text):
        entries = entries.filter(search_text__contains=f" {word}")
    # Lists of names only, in attributes (to_attr): Django then builds no related manager
    # and no queryset per person, which was most of a search's time.
    return (
        entries.select_related("user")
        .prefetch_related(
            Prefetch("user__actors", queryset=Actor.objects.only("name"), to_attr="actor_list"),
            Prefetch("topics", queryset=Topic.objects.only("name"), to_attr="topic_list"),
            Prefetch("operators", queryset=Operator.objects.only("name"), to_attr="operator_list"),
        )
        .order_by("user__last_name", "user__first_name", "pk")
    )


def search_actors(text="", *, reader=None, town=None):
    """Active actors of the reader's towns or of `town` (a few dozen: filtered here,
    accent-free) with their places."""
    words = _words(text)
    actors = (
        Actor.objects.active()
        .select_related("town")
        .prefetch_related(
            Prefetch("places", queryset=Place.objects.order_by("name"), to_attr="listed_places")
        )
    )
    town_ids = in_towns(reader, town)
    if town_ids is not None:
        actors = actors.filter(town__in=town_ids)
    # The kinds' labels read once: get_kind_display() hashes every lazy label at each call.
    kinds = {value: str(label) for value, label in ActorKind.choices}
    found = []
    for actor in actors.order_by("name"):
        actor.kind_label = kinds.get(actor.kind, actor.kind)
        haystack = " " + normalise(f"{actor.name} {actor.kind_label} {actor.city}")
        if all(f" {word}" in haystack for word in words):
            found.append(actor)
    return found
