"""The API's interactive documentation runs under the site's Content Security Policy, with
its assets served by the site."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_list_the_operations_without_csp_violation(page):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto("/api/docs/")
    # The page says its language (the documentation is in French): axe-core's html-has-lang.
    assert page.locator("html").get_attribute("lang") == "fr"
    # Swagger UI's script ran: it fetched the schema and drew one block per operation.
    page.locator(".opblock").first.wait_for()
    text = page.locator("#swagger-ui").inner_text()
    assert "/api/v1/sessions/" in text and "/api/v1/residents/{reference}/" in text
    assert page.locator(".opblock").count() >= 30
    base = page.url.split("/api/")[0]
    assert all(url.startswith(base) or url.startswith("data:") for url in requests), requests
