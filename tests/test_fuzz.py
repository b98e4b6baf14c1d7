"""Fuzzing: random and hostile input on every form, on the search and filter parameters
of list pages, and in the files given to the import, never makes the server fail (no 500):
every input gets a page with a clear error, a redirect, or a 404; an import file with an
error writes nothing.

The fields are read from each form as the browser receives it, so a field added later is
fuzzed too. Hypothesis draws the values; the number of examples run is counted for
`make audit`.
"""

import csv
import io
import re
from collections import Counter

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learners import imports
from learners.models import CompetenceAssessment, Participation, Resident, Session
from pathway.models import Actor, Module, Place
from stats.demo.factories import ParticipationFactory, ReferralFactory, SessionFactory
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

FIELD = re.compile(r'<(?:input|select|textarea|button)[^>]*\sname="([^"]+)"', re.S)
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
    ("mediator_a", lambda cast: f"/sessions/{session_of(cast).pk}/edit/"),
    ("mediator_a", lambda cast: f"/sessions/{session_of(cast).pk}/delete/"),
    ("mediator_a", lambda cast: f"/residents/{cast.resident.reference}/erase/"),
    ("mediator_a", lambda cast: "/imports/"),
    ("network_admin", lambda cast: "/api-keys/"),
    ("mediator_b", lambda cast: f"/referrals/{referral_of(cast).pk}/"),
    ("resident", lambda cast: "/me/data/"),
    ("resident", lambda cast: "/me/data/erase/"),
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
    if role == "resident":
        return cast.client("resident")
    client = Client()
    if role != "anonymous":
        sign_in(client, getattr(cast, role))
    return client


def session_of(cast):
    """A session of the cast's mediator, with the cast's resident (made once per test)."""
    if not hasattr(cast, "session"):
        cast.session = SessionFactory(actor=cast.actor_a, created_by=cast.mediator_a)
        ParticipationFactory(session=cast.session, resident=cast.resident)
    return cast.session


def referral_of(cast):
    if not hasattr(cast, "referral"):
        cast.resident.give_consent()  # so that actor B's mediators see it
        cast.resident.save()
        cast.referral = ReferralFactory(
            resident=cast.resident,
            from_actor=cast.actor_a,
            to_actor=cast.actor_b,
            created_by=cast.mediator_a,
        )
    return cast.referral


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


def written(kind):
    """How many records of each table an import of this kind may write."""
    tables = [Actor, Place, Module, Resident, Session, Participation, CompetenceAssessment]
    return [table.objects.count() for table in tables]


@pytest.mark.parametrize("kind", sorted(imports.KINDS))
def test_no_import_file_fails_or_half_writes(cast, kind):
    """Files made of the kind's real columns (some dropped, some unknown ones added) and
    random cells, in the separators and encodings of French spreadsheets: each is either
    imported whole or refused with its errors and nothing written."""
    user = cast.network_admin
    session_of(cast)  # something in every export
    exported = imports.export(imports.KINDS[kind], user=user, file_format="csv")
    columns = next(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    header = st.lists(
        st.one_of(st.sampled_from(columns), st.text(max_size=12)), min_size=1, max_size=12
    )
    rows = st.lists(st.lists(value, max_size=14), max_size=6)
    outcomes = Counter()

    @settings(
        max_examples=EXAMPLES * 2,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(
        header=st.one_of(st.just(columns), header),
        rows=rows,
        delimiter=st.sampled_from([",", ";", "\t"]),
        encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    )
    def import_file(header, rows, delimiter, encoding):
        FUZZ_COUNTS[f"import:{kind}"] += 1
        text = io.StringIO()
        csv.writer(text, delimiter=delimiter).writerows([header, *rows])
        content = text.getvalue().encode(encoding, errors="replace")
        try:
            dataset = imports.read_dataset(content, "fichier.csv")
        except imports.FileError:
            outcomes["refused"] += 1
            return
        before = written(kind)
        report = imports.run_import(imports.KINDS[kind], dataset, user=user, dry_run=False)
        if report["errors"]:
            outcomes["errors"] += 1
            assert written(kind) == before, report["errors"][:3]
            assert all(error["message"] for error in report["errors"])
        else:
            outcomes["imported"] += 1

    import_file()
    assert outcomes["errors"], outcomes  # the hostile files were read and refused


def test_no_uploaded_file_makes_the_import_page_fail(cast):
    """Random bytes under the names of the accepted kinds of file, through the page."""
    client = client_for(cast, "mediator_a")

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(
        content=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)),
        name=st.sampled_from(["a.csv", "a.xlsx", "a.CSV", "a.txt", "a"]),
        kind=st.sampled_from(["residents", "sessions", "assessments", "nope"]),
    )
    def upload(content, name, kind):
        FUZZ_COUNTS["/imports/ (file)"] += 1
        file = io.BytesIO(content)
        file.name = name
        response = client.post("/imports/", {"kind": kind, "file": file})
        assert response.status_code in {200, 302}, (name, kind)
        if response.status_code == 302:
            assert client.get(response["Location"]).status_code == 200

    upload()
