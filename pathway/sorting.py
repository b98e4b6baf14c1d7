"""Names in the order a French reader looks for them: "École" among the E, "Médiathèque"
before "Mission locale", capitals and small letters together.

Databases compare bytes unless told otherwise (SQLite always, PostgreSQL in a "C"
database), which puts "École" and "Éoliennes" after "Z" and "Médiathèque" after "Mission".
One mechanism wherever names are listed, whatever the database:

- in queries, `order_by(Alphabetical("name"))`: the names compared through the collation
  "alphabetical", which this module gives every SQLite connection (it compares sort_key()
  below), and through ICU's root collation on PostgreSQL ("und-x-icu", in every
  PostgreSQL built with ICU, as Debian's and the PostgreSQL project's packages are);
- in Python, `sorted(names, key=sort_key)`, for lists already read.
"""

import functools
import unicodedata

from django.db.models import Func

# Letters NFKD does not split into a base letter and an accent.
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d"})


@functools.lru_cache(maxsize=65536)
def sort_key(text):
    """ "École" → ("ecole", "École"): accents and capitals set aside first, so that they
    only break ties."""
    text = str(text or "")
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)), text


def compare(first, second):
    """The SQLite collation "alphabetical": sort_key() order."""
    first, second = sort_key(first), sort_key(second)
    return (first > second) - (first < second)


class Alphabetical(Func):
    """A text column ordered alphabetically: `order_by(Alphabetical("actor__name"))`."""

    template = "%(expressions)s COLLATE alphabetical"

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template='%(expressions)s COLLATE "und-x-icu"', **extra_context
        )


def install_collation(sender, connection, **kwargs):
    """connection_created receiver: SQLite learns the collation on each new connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation("alphabetical", compare)
