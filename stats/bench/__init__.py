"""The groups of `manage.py bench` (stats/management/commands/bench.py, which holds the
harness), one module per family: sessions.py (seeding, the mediator's pages, the API,
imports), guide.py (the public guide and the statistics dashboard), certificates.py.
Every module of this package is loaded by the command; a group registers itself with
@group."""
