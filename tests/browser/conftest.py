"""End-to-end tests in headless Chromium (Debian's package), driven by Playwright.

Without Chromium these tests are skipped with a message, so that `make test` works on a
fresh machine; CI sets REQUIRE_BROWSER_TESTS=1 and installs Chromium, so there they run
or fail. Every page visited is checked for Content Security Policy violations and, where a
test asks, for accessibility with axe-core.
"""

import os
import shutil
import threading
from collections import Counter

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

from tests.conftest import sign_in as sign_in_client

CHROMIUM = (
    os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = os.environ.get("SCREENSHOTS_DIR")  # set by `make screenshots`


class OneRequestAtATime(ThreadedWSGIServer):
    """The live server, its requests' Django work one at a time. On SQLite its threads share
    the test's in-memory connection, and two requests at once on one sqlite3 connection fail
    ("bad parameter or other API misuse": a page and its /jsi18n/ script, seen once on CI).
    Connections stay concurrent (the browser's keep-alive ones never wait on each other);
    each response is read whole inside the lock."""

    lock = threading.Lock()

    def set_app(self, application):
        def one_at_a_time(environ, start_response):
            with self.lock:
                response = application(environ, start_response)
                try:
                    return [b"".join(response)]
                finally:
                    if hasattr(response, "close"):
                        response.close()

        super().set_app(one_at_a_time)


LiveServerThread.server_class = OneRequestAtATime

# Axe violations seen during the run, by impact and by rule: reported by `make audit`.
AXE_TOTALS = Counter()
AXE_RULES = {}  # "impact: rule" -> Counter of pages
# Other figures measured by browser tests (name -> dict), reported by `make audit`.
FIGURES = {}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        if os.environ.get("REQUIRE_BROWSER_TESTS"):
            pytest.fail("Chromium is required here (apt-get install chromium).")
        pytest.skip("Chromium n'est pas installé (apt-get install chromium) : tests ignorés.")
    from playwright.sync_api import sync_playwright

    # Playwright's synchronous API runs an event loop in this thread; the ORM calls made by
    # the tests themselves are ordinary synchronous calls, so Django's guard is relaxed.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    yield page
    context.close()
    assert not problems, f"Browser reported: {problems}"


@pytest.fixture
def phone(browser, live_server):
    """A phone of 390 × 844 (an iPhone 12 to 15), touch screen, in French. Besides CSP
    violations and script errors, it fails on any console error but a resource that did
    not load (the map's tiles come from a server the tests cannot reach): an SVG attribute
    the browser cannot read ("156,0") is one."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems = []
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if "Content Security Policy" in m.text
            or (m.type == "error" and not m.text.startswith("Failed to load resource"))
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    yield page
    context.close()
    assert not problems, f"Browser reported: {problems}"


def scrolls_sideways(page):
    """Whether the page is wider than the screen (a table or a long word pushing it)."""
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def staff_page(page, live_server, user):
    """Open `page` signed in as `user` (second factor included), without typing."""
    from django.test import Client

    client = sign_in_client(Client(), user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return page


def check_accessibility(page, name):
    """axe-core on the current page: no serious or critical violation. Takes a screenshot
    for the README when SCREENSHOTS_DIR is set."""
    results = Axe().run(page)
    violations = results.response["violations"]
    for violation in violations:
        AXE_TOTALS[violation["impact"]] += len(violation["nodes"])
        pages = AXE_RULES.setdefault(f"{violation['impact']}: {violation['id']}", Counter())
        pages[name] += len(violation["nodes"])
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=False)
    blocking = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in {"serious", "critical"}
    ]
    assert not blocking, f"{name}: " + "; ".join(blocking)
    return violations
