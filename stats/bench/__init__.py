"""The groups of `manage.py bench` (stats/management/commands/bench.py, which holds the
harness), one module per family: sessions.py (seeding, the mediator's pages, the API,
imports), guide.py (the public guide), dashboard.py (the officials' statistics),
certificates.py. The command loads every module of this package; a group registers itself
with @group."""
