"""Shared fixtures, among them the fixed cast used by every permission test:
a mediator of actor A, a colleague at A, a mediator of actor B, an official, a resident and
an anonymous visitor — plus the coordinator of A and the network admin."""

import uuid
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from certificates import signing
from learners.middleware import NEEDS_SECOND_FACTOR
from learners.models import ResidentLink
from pathway.models import ActorKind, Town
from stats.demo.factories import (
    ActorFactory,
    NeighbourhoodFactory,
    PlaceFactory,
    PlannedWorkshopFactory,
    ResidentFactory,
    TerritoryFactory,
    TownFactory,
    UserFactory,
)


def pytest_addoption(parser):
    parser.addoption(
        "--audit", action="store_true", help="print the audit figures (make audit) as JSON"
    )


# What `make audit` runs: the permission walk, the fuzzing, the browser tests, and every
# regression test of the security and reliability review wherever it lives.
AUDIT_PATHS = ("tests/test_permission_walk.py", "tests/test_fuzz.py", "tests/browser/")


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--audit"):
        return
    kept, dropped = [], []
    for item in items:
        wanted = item.nodeid.startswith(AUDIT_PATHS) or item.get_closest_marker("security_review")
        (kept if wanted else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _review_results(terminalreporter):
    """Passed and failed regression tests of the security review (marker security_review)."""
    outcomes = {"passed": 0, "failed": 0}
    for name in ("passed", "failed", "error"):
        for report in terminalreporter.stats.get(name, []):
            if "security_review" in getattr(report, "keywords", {}) and (
                report.when == "call" or report.outcome != "passed"
            ):
                outcomes["passed" if report.outcome == "passed" else "failed"] += 1
    return outcomes


def pytest_terminal_summary(terminalreporter, config):
    """`make audit`: URL x role pairs walked, fuzz examples run, axe violations by impact,
    the seconds the browser tests took, and the figures browser tests measured (FIGURES:
    the workshop of 6 logged on a phone, its interactions and scrolling)."""
    if not config.getoption("--audit"):
        return
    import json

    from tests.browser.conftest import AXE_RULES, AXE_TOTALS, FIGURES
    from tests.test_fuzz import FUZZ_COUNTS
    from tests.test_permission_walk import WALKED

    browser_seconds = sum(
        report.duration
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "call" and "/browser/" in report.nodeid
    )
    review = _review_results(terminalreporter)
    figures = {
        "url_role_checks": sum(WALKED.values()),
        "urls_walked": len(WALKED),
        "fuzz_examples": sum(FUZZ_COUNTS.values()),
        "fuzz_targets": len(FUZZ_COUNTS),
        "axe_violations_by_impact": dict(AXE_TOTALS),
        "axe_violations_by_rule": {rule: dict(pages) for rule, pages in AXE_RULES.items()},
        "browser_tests_seconds": round(browser_seconds, 1),
        **FIGURES,
        "security_review_tests": review["passed"] + review["failed"],
        "security_review_failures": review["failed"],
        "failed": len(terminalreporter.stats.get("failed", [])),
    }
    terminalreporter.write_line(json.dumps(figures, ensure_ascii=False, indent=2))


@pytest.fixture(autouse=True)
def _statistics_refreshed_at_once(settings):
    # Tests compare the summaries with the raw rows right after a change; production leaves
    # the refresh to the worker (tests/stats/test_stats_worker.py covers that path).
    settings.STATS_REFRESH_IN_WORKER = False


@pytest.fixture(autouse=True)
def _french_by_default():
    """Each test starts in the default language: a request in English (LocaleMiddleware)
    leaves English active in the thread that served it."""
    translation.activate("fr")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _sms_in_memory(settings):
    """Text messages are kept in learners.sms.outbox, emptied for each test."""
    from learners import sms

    settings.SMS_BACKEND = "learners.sms.LocmemBackend"
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def sign_in(client, user):
    """Sign `user` in, second factor included when their role requires one."""
    client.force_login(user)
    if client.session.get(NEEDS_SECOND_FACTOR):
        device, _created = TOTPDevice.objects.get_or_create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture(scope="session")
def issuer_keys_dir(tmp_path_factory):
    """One set of issuer keys for the whole run (tests of rotation make their own)."""
    directory = tmp_path_factory.mktemp("issuer-keys")
    signing.create_key_set(directory=directory)
    return directory


@pytest.fixture(autouse=True)
def _issuer_keys(settings, issuer_keys_dir):
    settings.ISSUER_KEYS_DIR = issuer_keys_dir


# Every API request counts in the shared cache (rest_framework's throttle; a table of the
# database unless REDIS_URL is set): the count read, then written (the rows counted,
# savepoint, the row found, written, release).
API_THROTTLE_QUERIES = 6


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Rate limits count in the shared cache: each test starts with none used. The cache is
    a database table unless REDIS_URL is set; each test counts under keys of its own rather
    than emptying it, which a test without the database could not do."""
    default = settings.CACHES["default"]
    settings.CACHES = {**settings.CACHES, "default": {**default, "KEY_PREFIX": uuid.uuid4().hex}}


@dataclass
class Cast:
    actor_a: object
    actor_b: object
    mediator_a: object
    colleague_a: object
    mediator_b: object
    coordinator_a: object
    official: object
    network_admin: object
    resident: object  # a resident of actor A, who did not consent to network sharing
    resident_token: str
    place_a: object  # a published place of actor A, in the public guide
    workshop_a: object  # a workshop planned by actor A at place_a
    school: object = None  # a school of the network (an actor of kind school)
    ambassador: object = None  # a parent ambassador of that school (not staff)
    # Coordinates a territory (here the cast's one town): statistics and directory only.
    territory_coordinator: object = None

    STAFF = [
        "mediator_a",
        "colleague_a",
        "mediator_b",
        "coordinator_a",
        "official",
        "network_admin",
    ]
    ROLES = ["anonymous", "resident", *STAFF, "ambassador", "territory_coordinator"]

    def client(self, role):
        """A browser signed in as `role` (one of ROLES)."""
        client = Client()
        if role == "resident":
            client.get(f"/me/link/{self.resident_token}/")
        elif role != "anonymous":
            sign_in(client, getattr(self, role))
        return client


@pytest.fixture
def cast(db):
    actor_a = ActorFactory(name="France services de Miramas")
    actor_b = ActorFactory(name="Médiathèque de Miramas")
    resident = ResidentFactory(first_name="Éloïse", last_name="Garnier", created_by_actor=actor_a)
    _link, token = ResidentLink.create_for(resident)
    place_a = PlaceFactory(actor=actor_a)
    school = ActorFactory(name="École Jean Moulin", kind=ActorKind.SCHOOL)
    return Cast(
        actor_a=actor_a,
        actor_b=actor_b,
        mediator_a=UserFactory(username="mediator_a", mediator=True, actors=[actor_a]),
        colleague_a=UserFactory(username="colleague_a", mediator=True, actors=[actor_a]),
        mediator_b=UserFactory(username="mediator_b", mediator=True, actors=[actor_b]),
        coordinator_a=UserFactory(username="coordinator_a", coordinator=True, actors=[actor_a]),
        official=UserFactory(username="official", official=True),
        network_admin=UserFactory(username="network_admin", network_admin=True),
        resident=resident,
        resident_token=token,
        place_a=place_a,
        workshop_a=PlannedWorkshopFactory(place=place_a),
        school=school,
        ambassador=UserFactory(username="ambassador", ambassador=True, actors=[school]),
        territory_coordinator=UserFactory(
            username="territory_coordinator",
            territory_coordinator=True,
            territory=territory_of(actor_a.town),
        ),
    )


def territory_of(town):
    territory = TerritoryFactory(name="Métropole Aix-Marseille-Provence", code="200054807")
    town.territories.add(territory)
    return territory


@pytest.fixture
def towns(db, django_user_model):
    """Miramas (the installation's default town) and Istres in one intercommunality, Arles
    outside it; an actor, a mediator and a network admin in each of the first two."""
    metropole = TerritoryFactory(name="Métropole Aix-Marseille-Provence", code="200054807")
    miramas = Town.objects.default()
    miramas.territories.add(metropole)
    istres = TownFactory(territories=[metropole])
    arles = TownFactory(insee_code="13004", name="Arles", postcode="13200")

    class Towns:
        pass

    t = Towns()
    t.miramas, t.istres, t.arles = miramas, istres, arles
    t.actor_m = ActorFactory(name="France services de Miramas")
    t.actor_i = ActorFactory(name="France services d'Istres", town=istres)
    t.actor_a = ActorFactory(name="Médiathèque d'Arles", town=arles)
    t.mediator_m = UserFactory(username="med_miramas", mediator=True, actors=[t.actor_m])
    t.mediator_i = UserFactory(username="med_istres", mediator=True, actors=[t.actor_i])
    t.mediator_a = UserFactory(username="med_arles", mediator=True, actors=[t.actor_a])
    t.admin_m = UserFactory(username="admin_miramas", network_admin=True, town=miramas)
    t.admin_i = UserFactory(username="admin_istres", network_admin=True, town=istres)
    t.coordinator = UserFactory(
        username="coord_metropole", territory_coordinator=True, territory=metropole
    )
    return t


@dataclass
class TwoTowns:
    territory: object  # the intercommunality holding both towns
    miramas: object  # the installation's default town (certificate prefix MRM)
    istres: object  # the second town (prefix IST)
    actor_m: object
    actor_i: object
    place_m: object  # in the guide, in Miramas' "Centre-ville"
    place_i: object  # in the guide, in Istres' "Centre-ville"


@pytest.fixture
def two_towns(db):
    """Miramas, the town a single-town installation starts with, and Istres, added beside
    it in one intercommunality: each with its actor and a place in the guide, in a
    neighbourhood of the same name."""
    territory = TerritoryFactory(name="Métropole Aix-Marseille-Provence", code="200054807")
    miramas = Town.objects.default()
    miramas.territories.add(territory)
    istres = TownFactory(territories=[territory], network_name="Réseau Parcours numérique d'Istres")
    actor_m = ActorFactory(name="France services de Miramas")
    actor_i = ActorFactory(
        name="France services d'Istres", town=istres, city="Istres", postcode="13800"
    )
    return TwoTowns(
        territory=territory,
        miramas=miramas,
        istres=istres,
        actor_m=actor_m,
        actor_i=actor_i,
        place_m=PlaceFactory(
            actor=actor_m,
            neighbourhood=NeighbourhoodFactory(name="Centre-ville", slug="centre-ville-miramas"),
        ),
        place_i=PlaceFactory(
            actor=actor_i,
            neighbourhood=NeighbourhoodFactory(
                name="Centre-ville", slug="centre-ville-istres", town=istres
            ),
            city="Istres",
            postcode="13800",
            insee_code="13047",
            latitude=43.5151,
            longitude=4.9895,
        ),
    )
