"""Fuzzing: random and hostile input on every form, and on the search and filter
parameters of list pages, never makes the server fail (no 500): every input gets a page
with a clear error, a redirect, or a 404.

The fields are read from each form as the browser receives it, so a field added later is
fuzzed too. Hypothesis draws the values; the number of examples run is counted for
`make audit`.
"""

import re
from collections import Counter

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

EXAMPLES = 15
FUZZ_COUNTS = Counter()

HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "1.5",
    "99999999999999999999",
    "2026-13-45",
    "31/02/2026",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\x00",
    "é" * 300,
    "../../etc/passwd",
    "NaN",
    "true",
    "[]",
    "{}",
]
value = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
)

FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"', re.S)
SKIP = {"csrfmiddlewaretoken"}

# (who, the form's page) for every form of the project. Pages with a path parameter use
# the cast's own records.
FORMS = [
    ("anonymous", lambda cast: "/login/"),
    ("mediator_a", lambda cast: "/login/authenticator/"),
    ("mediator_a", lambda cast: "/sessions/new/"),
    ("mediator_a", lambda cast: "/residents/new/"),
    ("mediator_a", lambda cast: f"/residents/{cast.resident.reference}/edit/"),
    ("mediator_a", lambda cast: f"/residents/{cast.resident.reference}/refer/"),
    ("network_admin", lambda cast: "/residents/merge/"),
    ("mediator_a", lambda cast: "/ateliers/nouveau/"),
    ("coordinator_a", lambda cast: f"/lieux/{cast.place_a.pk}/modifier/"),
    ("anonymous", lambda cast: "/verify/"),
    ("anonymous", lambda cast: "/me/access/"),
    ("mediator_a", lambda cast: "/certificates/eligible/"),
    ("mediator_a", lambda cast: f"/residents/{cast.resident.reference}/links/"),
]
# List pages whose query string filters or searches.
QUERIES = [
    ("anonymous", "/guide/"),
    ("anonymous", "/guide/carte/"),
    ("anonymous", "/guide/ateliers/"),
    ("mediator_a", "/sessions/"),
    ("mediator_a", "/residents/"),
    ("mediator_a", "/residents/search/"),
    ("mediator_a", "/referrals/"),
    ("network_admin", "/journal/"),
    ("official", "/stats/"),
    ("mediator_a", "/certificates/"),
    ("mediator_a", "/certificates/eligible/"),
]


def client_for(cast, role):
    client = Client()
    if role != "anonymous":
        sign_in(client, getattr(cast, role))
    return client


def field_names(html):
    return sorted(set(FIELD.findall(html)) - SKIP)


@pytest.mark.parametrize("role, page", FORMS, ids=[f"{r}:{i}" for i, (r, _p) in enumerate(FORMS)])
def test_no_form_fails_on_any_input(cast, role, page):
    client = client_for(cast, role)
    path = page(cast)
    form = client.get(path)
    assert form.status_code == 200, path
    names = field_names(form.content.decode())
    assert names, f"no field found on {path}"

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(data=st.fixed_dictionaries({}, optional=dict.fromkeys(names, value)))
    def post(data):
        FUZZ_COUNTS[path] += 1
        response = client.post(path, data)
        assert response.status_code in {200, 302, 400, 404, 429}, (path, data)

    post()


@pytest.mark.parametrize("role, path", QUERIES)
def test_no_list_fails_on_any_query(cast, role, path):
    client = client_for(cast, role)
    names = field_names(client.get(path).content.decode()) + ["q", "page", "sort"]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(params=st.fixed_dictionaries({}, optional=dict.fromkeys(names, value)))
    def get(params):
        FUZZ_COUNTS[path] += 1
        response = client.get(path, params)
        assert response.status_code in {200, 302, 400, 404}, (path, params)

    get()
