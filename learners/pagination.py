"""Pages of long lists whose cost does not grow with the data."""

from contextlib import suppress

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class LookAheadPaginator(Paginator):
    """A Paginator that counts the rows only up to a few pages beyond the one asked for.

    Counting every row of a list that grows for years (a mediator's sessions) reads them
    all at each visit of the first page; this one reads at most `ahead` pages more than the
    page shown, whatever the size of the list. `more` tells whether rows remain beyond
    those counted: the page then says "Page 1 sur plus de 11" rather than a total."""

    # A page number past this is read as this one: the count's LIMIT stays a number the
    # database takes (a number typed in the address bar overflowed PostgreSQL's bigint).
    MAX_PAGE = 100_000

    def __init__(self, object_list, per_page, *, ahead=10, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.ahead = ahead
        self.wanted = 1
        self.more = False

    def get_page(self, number):
        try:
            self.wanted = min(max(1, int(number)), self.MAX_PAGE)
        except (TypeError, ValueError, OverflowError):
            self.wanted = 1
        return super().get_page(number)

    def page(self, number):
        # A wrong number is left to validate_number(), which says what is wrong with it.
        with suppress(TypeError, ValueError, OverflowError):
            self.wanted = min(max(self.wanted, int(number)), self.MAX_PAGE)
        return super().page(number)

    @cached_property
    def count(self):
        limit = (self.wanted + self.ahead) * self.per_page
        rows = self.object_list
        # In the list's own order: the database walks the index that serves the page
        # (PostgreSQL, left free, combined whole indexes of the author and the actor).
        sliced = rows[: limit + 1]
        counted = sliced.count() if hasattr(sliced, "query") else len(sliced)
        self.more = counted > limit
        return min(counted, limit)
