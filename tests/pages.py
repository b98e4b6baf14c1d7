"""Reading a page as a test needs: its elements with their ancestors, and the links of its
error summary with the element each leads to."""

from django.test.html import Element, parse_html


class Page:
    """The page's elements, each with its ancestors, found by a test of their own."""

    def __init__(self, response):
        self.found = []
        self._walk(parse_html(response.content.decode()), ())

    def _walk(self, element, ancestors):
        for child in element.children:
            if isinstance(child, Element):
                self.found.append((child, ancestors))
                self._walk(child, (*ancestors, child))

    def all(self, test, within=None):
        return [e for e, above in self.found if test(e) and (within is None or within in above)]

    def by_id(self, id_):
        found = self.all(lambda e: attr(e, "id") == id_)
        return found[0] if found else None

    def ancestors(self, element):
        return next(above for e, above in self.found if e is element)


def attr(element, name):
    return dict(element.attributes).get(name)


def text(element):
    words = []
    for child in element.children:
        words.append(text(child) if isinstance(child, Element) else child)
    return " ".join(" ".join(words).split())


def summary_links(response, *, focusable=True):
    """(text, target element) of each link of the error summary; `focusable`: the summary
    takes the focus when the page opens (the session page's script)."""
    page = Page(response)
    summary = page.by_id("form-errors")
    assert summary is not None, "no error summary"
    assert attr(summary, "role") == "alert"
    if focusable:
        assert attr(summary, "tabindex") == "-1"
    links = []
    for link in page.all(lambda e: e.name == "a", within=summary):
        target = page.by_id(attr(link, "href")[1:])
        assert target is not None, f"{attr(link, 'href')} leads nowhere"
        links.append((text(link), target))
    return page, links
