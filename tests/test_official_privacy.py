"""Officials never see a resident: no page, export, download or API answer they can reach
names anybody or gives a contact (DESIGN.md §2). Every URL of the permission walk that opens
for an official is read, then every link and form-less download found on those pages,
binary files included (spreadsheets are unzipped, PDFs read as text)."""

import io
import re
import zipfile
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from pypdf import PdfReader

from certificates.services import certificate_issue
from learners.services import participations_changed
from pathway.models import Pole
from stats.demo.factories import (
    ParticipationFactory,
    ReferralFactory,
    ResidentFactory,
    SessionFactory,
    completed_module,
)
from tests.test_permission_walk import ROUTES

pytestmark = pytest.mark.django_db

# Names no town, street or actor of the factories carries.
PEOPLE = [
    ("Zéphyrine", "Quenouillard", "zephyrine.q@exemple.fr", "06 12 34 56 78"),
    ("Barnabé", "Tirelangue", "barnabe.t@exemple.fr", "07 98 76 54 32"),
    ("Philomène", "Cassegrain", "philo.c@exemple.fr", "04 90 11 22 33"),
]
NOTE = "Confidentiel : dossier de surendettement en cours"
SKIPPED = ("/logout/", "/i18n/", "/static/", "/admin/", "/me/")
# A certificate's verification page names its holder to whoever has its code, which the
# resident gives to an employer: that is its purpose, for any visitor, not an official's view.
VERIFICATION = re.compile(r"^/verify/[A-Z0-9-]+/")


def known_town(cast):
    """Residents with contacts and notes, sessions at both actors, a referral and a
    certificate: everything that could leak into a statistic or a list."""
    cast.resident.first_name, cast.resident.last_name = "Eudoxie", "Brindaveine"
    cast.resident.email, cast.resident.phone = "eudoxie.b@exemple.fr", "06 55 44 33 22"
    cast.resident.save()
    residents = [cast.resident]
    for i, (first, last, email, phone) in enumerate(PEOPLE):
        actor = cast.actor_a if i % 2 == 0 else cast.actor_b
        resident = ResidentFactory(
            first_name=first, last_name=last, email=email, phone=phone, created_by_actor=actor
        )
        for pole in Pole:
            ParticipationFactory(
                session=SessionFactory(actor=actor, pole=pole, notes=NOTE), resident=resident
            )
        residents.append(resident)
    ReferralFactory(
        resident=residents[1], from_actor=cast.actor_a, to_actor=cast.actor_b, reason=NOTE
    )
    module = completed_module(cast.resident, mediator=cast.mediator_a)
    certificate_issue(resident=cast.resident, module=module)
    participations_changed([r.pk for r in residents])
    return residents


def secrets_of(residents):
    secrets = {NOTE}
    for resident in residents:
        secrets |= {
            resident.first_name,
            resident.last_name,
            resident.email,
            resident.phone,
            resident.phone.replace(" ", ""),
            resident.reference,
        }
    return secrets


def readable(response):
    """The text a person could read in this answer, whatever its format."""
    content = b"".join(response) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if content.startswith(b"PK"):  # XLSX, ODS and other zipped files
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            files = archive.namelist()
            return " ".join(archive.read(name).decode("utf-8", "replace") for name in files)
    if content.startswith(b"%PDF"):
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    text = content.decode("utf-8", "replace")
    return unescape(text) if "html" in kind or "xml" in kind else text


def links(page_text, base):
    for href in re.findall(r'href="([^"#]+)', page_text):
        if re.match(r"^[a-z]+:(?!//)", href):  # tel:, mailto:, geo:
            continue
        url = urljoin(base, unescape(href))
        parts = urlsplit(url)
        if parts.netloc in ("", "testserver") and not parts.path.startswith(SKIPPED):
            yield parts.path + (f"?{parts.query}" if parts.query else "")


def test_nothing_an_official_can_open_names_a_resident(cast):
    secrets = secrets_of(known_town(cast))
    client = cast.client("official")
    to_read = [
        path(cast) if callable(path) else path
        for path, expected in ROUTES.values()
        if expected.get("official") == 200
    ]
    # The dashboard with filters narrowing down to the few people above, and every export.
    to_read += [
        f"/stats/?year={cast.resident.created_at.year}&actor={cast.actor_b.pk}",
        "/stats/export/tout.xlsx?period=month&month=1",
        f"/api/v1/statistics/?actor={cast.actor_a.pk}&pole=leisure",
    ]
    read, leaks = set(), []
    while to_read and len(read) < 400:
        path = to_read.pop()
        if path in read:
            continue
        read.add(path)
        response = client.get(path)
        if response.status_code != 200:
            continue
        text = readable(response)
        if not VERIFICATION.match(path):
            leaks += [(path, secret) for secret in secrets if secret and secret in text]
        if "html" in response.get("Content-Type", ""):
            to_read += [link for link in links(text, path) if link not in read]
    assert len(read) > 60, sorted(read)
    assert {"/stats/", "/api/v1/statistics/", "/guide/"} <= {p.split("?")[0] for p in read}
    assert any(p.startswith("/stats/export/") for p in read)
    assert not leaks, leaks


def test_the_walk_would_see_a_name(cast):
    """The same reading finds a name where one is shown (the mediator's list)."""
    secrets = secrets_of(known_town(cast))
    text = readable(cast.client("mediator_a").get("/residents/"))
    assert "Quenouillard" in secrets and "Quenouillard" in text
