"""Walk every URL of the project with every member of the cast and check who gets in.

Every named URL must appear in ROUTES: adding a page without saying who may open it fails
this test. 200 = the page, 302 = sent elsewhere (login, or the person's own space),
404 = not for this person (an object one may not see does not exist). 403 only refuses an
action on a record the person does see (tests/learners/test_resident_permissions.py).
The API answers 401 to a request without credentials, as DRF does, and 404 likewise.
"""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from certificates.services import certificate_issue
from learners.models import ApiToken, ImportJob
from pathway.models import Competence
from stats.demo.factories import (
    CompetenceAssessmentFactory,
    ModuleFactory,
    NeighbourhoodFactory,
    OperatorFactory,
    ReferralFactory,
    SessionFactory,
    TopicFactory,
    completed_module,
)

ROLES = [
    "anonymous",
    "resident",
    "mediator_a",
    "colleague_a",
    "mediator_b",
    "coordinator_a",
    "official",
    "network_admin",
    "ambassador",
    "territory_coordinator",
]
EVERYONE = dict.fromkeys(ROLES, 200)
WITH_RESIDENTS = ["mediator_a", "colleague_a", "mediator_b", "coordinator_a", "network_admin"]
# Parent ambassadors are not staff: the API does not exist for them.
API_STAFF = {**EVERYONE, "anonymous": 401, "resident": 401, "ambassador": 404}
API_WITH_RESIDENTS = {**API_STAFF, "official": 404, "territory_coordinator": 404}


def expect(default, **overrides):
    """`default` for every role but those named. A parent ambassador is not staff: unless
    named, they get what the official gets (no page about residents, a 302 where everybody
    gets one), and the statistics are not theirs either (see below)."""
    overrides.setdefault("ambassador", overrides.get("official", default))
    # The territory coordinator sees no resident either, and reads the statistics.
    overrides.setdefault("territory_coordinator", overrides.get("official", default))
    return {role: overrides.get(role, default) for role in EVERYONE}


def certificate(cast):
    """A real, signed certificate of the cast's resident (made once per test)."""
    if not hasattr(cast, "certificate"):
        module = completed_module(cast.resident, mediator=cast.mediator_a)
        cast.certificate = certificate_issue(resident=cast.resident, module=module)
    return cast.certificate


def endorsement(cast):
    """A partner's endorsement of the cast's certificate (made once per test)."""
    from certificates.models import Endorser, EndorserKind
    from certificates.services import endorsement_issue

    if not hasattr(cast, "endorsement"):
        partner = Endorser.objects.create(
            name="Mission locale", kind=EndorserKind.MISSION_LOCALE, slug="mission-locale"
        )
        cast.endorsement = endorsement_issue(
            endorser=partner,
            certificate=certificate(cast),
            comment="Utile.",
            issued_by=cast.network_admin,
        )
    return cast.endorsement


def second_town(cast):
    """The INSEE code of a second town of the installation (Istres)."""
    from stats.demo.factories import TownFactory

    return TownFactory().insee_code


def signup_token(cast):
    """The personal link's token of a sign-up to the cast's workshop (made once per test)."""
    from learners.signups import signup_create

    if not hasattr(cast, "signup_token"):
        _signup, cast.signup_token = signup_create(
            workshop_id=cast.workshop_a.pk,
            first_name="Nadia",
            last_name="Benali",
            phone="0612345678",
        )
    return cast.signup_token


def stats_share_token(cast):
    """A share link of mediator_a's own statistics (made once per test)."""
    from stats.models import StatsShareLink

    if not hasattr(cast, "stats_share_token"):
        _link, cast.stats_share_token = StatsShareLink.create_for(cast.mediator_a)
    return cast.stats_share_token


def learner_record(cast):
    from certificates.services import learner_record_issue

    certificate(cast)
    return learner_record_issue(resident=cast.resident)


# The resident's own pages: their personal link opens them; staff are sent to /me/access/.
RESIDENT_ONLY = expect(302, resident=200)
# A certificate of actor A's resident, who did not consent to sharing: not for actor B.
CERTIFICATE_STAFF = expect(200, anonymous=302, resident=302, official=404, mediator_b=404)


# url name -> (path, or a function of the cast giving the path; expected status per role)
ROUTES = {
    "home": (
        "/",
        # Each person is sent to their own first page; visitors get the welcome page.
        expect(302, anonymous=200),
    ),
    "privacy": ("/privacy/", EVERYONE),
    "processing_register": (
        "/privacy/register/",
        expect(404, anonymous=302, resident=302, network_admin=200),
    ),
    "login": ("/login/", expect(302, anonymous=200, resident=200)),
    "logout": ("/logout/", expect(405)),  # POST only
    # The second step of signing in: only for signed-in staff (the admin of the cast has
    # already given the code, so they are sent on). Pairing an app: a first one, or a new
    # one in place of the app whose code the session gave (the admin of the cast).
    "otp_verify": ("/login/code/", expect(302, network_admin=302)),
    "otp_setup": ("/login/authenticator/", expect(200, anonymous=302, resident=302)),
    "session_list": (
        "/sessions/",
        expect(200, anonymous=302, resident=302, official=404),
    ),
    # Staff who work with residents; officials never do.
    "session_create": ("/sessions/new/", expect(200, anonymous=302, resident=302, official=404)),
    # Only the mediator who logged it (and the network admin) may change a session.
    "session_update": (
        lambda cast: f"/sessions/{own_session(cast).pk}/edit/",
        expect(404, anonymous=302, resident=302, mediator_a=200, network_admin=200),
    ),
    "session_delete": (
        lambda cast: f"/sessions/{own_session(cast).pk}/delete/",
        expect(404, anonymous=302, resident=302, mediator_a=200, network_admin=200),
    ),
    "resident_list": ("/residents/", expect(200, anonymous=302, resident=302, official=404)),
    "resident_search": (
        "/residents/search/?q=gar",
        expect(200, anonymous=302, resident=302, official=404),
    ),
    "resident_create": ("/residents/new/", expect(200, anonymous=302, resident=302, official=404)),
    # The cast's resident belongs to actor A and did not consent to sharing: actor B's
    # mediator does not see them.
    "resident_journey": (
        lambda cast: f"/residents/{cast.resident.reference}/",
        expect(200, anonymous=302, resident=302, mediator_b=404, official=404),
    ),
    "resident_export": (
        lambda cast: f"/residents/{cast.resident.reference}/export.pdf",
        expect(200, anonymous=302, resident=302, mediator_b=404, official=404),
    ),
    "resident_erase": (
        lambda cast: f"/residents/{cast.resident.reference}/erase/",
        expect(200, anonymous=302, resident=302, mediator_b=404, official=404),
    ),
    "me_data": ("/me/data/", expect(302, resident=200)),
    "me_export": ("/me/data/export.pdf", expect(302, resident=200)),
    "me_erase": ("/me/data/erase/", expect(302, resident=200)),
    "resident_update": (
        lambda cast: f"/residents/{cast.resident.reference}/edit/",
        expect(200, anonymous=302, resident=302, mediator_b=404, official=404),
    ),
    "referral_create": (
        lambda cast: f"/residents/{cast.resident.reference}/refer/",
        expect(200, anonymous=302, resident=302, mediator_b=404, official=404),
    ),
    "resident_merge": (
        "/residents/merge/",
        expect(404, anonymous=302, resident=302, network_admin=200),
    ),
    "referral_list": ("/referrals/", expect(200, anonymous=302, resident=302, official=404)),
    "referral_notifications": (
        "/referrals/notifications/",
        expect(405, anonymous=302, resident=302, official=404),  # POST only
    ),
    # Addressed to actor B, but B sees it only once the resident consents.
    "referral_detail": (
        lambda cast: f"/referrals/{referral_to_b(cast).pk}/",
        expect(200, anonymous=302, resident=302, mediator_b=404, official=404),
    ),
    "accesslog_list": ("/journal/", expect(404, anonymous=302, resident=302, network_admin=200)),
    "stats": (
        "/stats/",
        expect(
            404,
            anonymous=302,
            resident=302,
            official=200,
            coordinator_a=200,
            network_admin=200,
            ambassador=404,
        ),
    ),
    "stats_export": (
        "/stats/export/chiffres-cles.csv",
        expect(
            404,
            anonymous=302,
            resident=302,
            official=200,
            coordinator_a=200,
            network_admin=200,
            ambassador=404,
        ),
    ),
    # The yearly report (web and PDF): those who read the statistics.
    "stats_annual_report": (
        "/stats/rapport/2026/",
        expect(
            404,
            anonymous=302,
            resident=302,
            official=200,
            coordinator_a=200,
            network_admin=200,
            ambassador=404,
        ),
    ),
    "stats_annual_report_pdf": (
        "/stats/rapport/2026/rapport.pdf",
        expect(
            404,
            anonymous=302,
            resident=302,
            official=200,
            coordinator_a=200,
            network_admin=200,
            ambassador=404,
        ),
    ),
    # The towns side by side: whoever reads several towns' statistics; the cast has one.
    "stats_territory": ("/stats/territoire/", expect(404, anonymous=302, resident=302)),
    # What parent ambassadors bring: those who read the statistics (officials: no names).
    "stats_ambassadors": (
        "/stats/ambassadeurs/",
        expect(
            404,
            anonymous=302,
            resident=302,
            official=200,
            coordinator_a=200,
            network_admin=200,
            ambassador=404,
        ),
    ),
    "coop_mapping": (
        "/coop/correspondances/",
        expect(404, anonymous=302, resident=302, coordinator_a=200, network_admin=200),
    ),
    "coop_export": (
        "/coop/export/",
        expect(200, anonymous=302, resident=302, official=404),
    ),
    "coop_import": (
        "/coop/import/",
        expect(200, anonymous=302, resident=302, official=404),
    ),
    # A mediator's own statistics: mediators and coordinators (the network admin too);
    # their share link: anyone who has it.
    "my_stats": (
        "/mes-statistiques/",
        expect(200, anonymous=302, resident=302, official=404, ambassador=404),
    ),
    "my_stats_share": (  # POST only
        "/mes-statistiques/partager/",
        expect(405, anonymous=302, resident=302, official=404, ambassador=404),
    ),
    "my_stats_share_revoke": (  # POST only
        "/mes-statistiques/partager/1/desactiver/",
        expect(405, anonymous=302, resident=302, official=404, ambassador=404),
    ),
    "my_stats_shared": (
        lambda cast: f"/statistiques-partagees/{stats_share_token(cast)}/",
        EVERYONE,
    ),
    "me": ("/me/", expect(302, resident=200)),
    "me_access": ("/me/access/", EVERYONE),
    "me_open": (lambda cast: f"/me/link/{cast.resident_token}/", expect(302)),
    "me_leave": ("/me/leave/", expect(405)),  # POST only
    "set_language": ("/i18n/setlang/", expect(302)),
    "javascript_catalog": ("/jsi18n/", EVERYONE),
    # The public guide: open to everyone, no login.
    "place_list": ("/guide/", EVERYONE),
    "place_map": ("/guide/carte/", EVERYONE),
    "place_detail": (lambda cast: f"/guide/lieux/{cast.place_a.pk}/", EVERYONE),
    "workshop_list": ("/guide/ateliers/", EVERYONE),
    "place_report": (lambda cast: f"/guide/lieux/{cast.place_a.pk}/signaler/", EVERYONE),
    "place_reports": (
        "/lieux/signalements/",
        expect(404, anonymous=302, resident=302, coordinator_a=200, network_admin=200),
    ),
    "place_report_resolve": ("/lieux/signalements/1/traite/", expect(405)),  # POST only
    "orientation": ("/guide/orientation/", EVERYONE),
    "widget": ("/widget/", EVERYONE),
    "consent_notice": ("/consentement/2026-01/en/", EVERYONE),
    "text_size": ("/guide/taille-du-texte/", expect(405)),  # POST only
    "guide_pdf": ("/guide.pdf", EVERYONE),
    "open_data_csv": ("/open-data/places.csv", EVERYONE),
    "open_data_json": ("/open-data/places.json", EVERYONE),
    # Places behind the guide: their actor's coordinator and the network admin.
    "place_manage": (
        "/lieux/",
        expect(404, anonymous=302, resident=302, coordinator_a=200, network_admin=200),
    ),
    "place_edit": (
        lambda cast: f"/lieux/{cast.place_a.pk}/modifier/",
        expect(404, anonymous=302, resident=302, coordinator_a=200, network_admin=200),
    ),
    # Planned workshops: the mediators and coordinator of the actor, and the network admin.
    "workshop_manage": (
        "/ateliers/",
        expect(200, anonymous=302, resident=302, official=404),
    ),
    "workshop_create": (
        "/ateliers/nouveau/",
        expect(200, anonymous=302, resident=302, official=404),
    ),
    "workshop_edit": (
        lambda cast: f"/ateliers/{cast.workshop_a.pk}/modifier/",
        expect(200, anonymous=302, resident=302, official=404, mediator_b=404),
    ),
    "workshop_delete": (
        lambda cast: f"/ateliers/{cast.workshop_a.pk}/supprimer/",
        expect(405),  # POST only
    ),
    # Sign-ups: the workshop's public page and form, the person's own link (anyone holding
    # it), and the staff page of the workshop's sign-ups.
    "workshop_detail": (lambda cast: f"/guide/ateliers/{cast.workshop_a.pk}/", EVERYONE),
    "workshop_signup": (
        lambda cast: f"/guide/ateliers/{cast.workshop_a.pk}/inscription/",
        expect(302),  # the form is posted; a GET goes back to the page
    ),
    "signup_detail": (lambda cast: f"/guide/inscription/{signup_token(cast)}/", EVERYONE),
    "signup_cancel": (
        lambda cast: f"/guide/inscription/{signup_token(cast)}/annuler/",
        expect(405),  # POST only
    ),
    "workshop_signups": (
        lambda cast: f"/ateliers/{cast.workshop_a.pk}/inscrits/",
        expect(200, anonymous=302, resident=302, official=404, mediator_b=404),
    ),
    "workshop_attendance": (
        lambda cast: f"/ateliers/{cast.workshop_a.pk}/presence/",
        expect(200, anonymous=302, resident=302, official=404, mediator_b=404),
    ),
    "workshop_signup_cancel": (
        lambda cast: f"/ateliers/{cast.workshop_a.pk}/inscrits/1/annuler/",
        expect(405),  # POST only
    ),
    "admin:index": ("/admin/", expect(302, network_admin=200)),
    # Imports and exports: staff who work with residents; an import is its author's (and the
    # network admin's).
    "import_start": ("/imports/", expect(200, anonymous=302, resident=302, official=404)),
    "import_detail": (
        lambda cast: f"/imports/{job_of(cast).pk}/",
        expect(404, anonymous=302, resident=302, mediator_a=200, network_admin=200),
    ),
    "import_confirm": (
        lambda cast: f"/imports/{job_of(cast).pk}/confirm/",
        expect(405, anonymous=302, resident=302, official=404),  # POST only
    ),
    "import_cancel": (
        lambda cast: f"/imports/{job_of(cast).pk}/cancel/",
        expect(405, anonymous=302, resident=302, official=404),  # POST only
    ),
    "export_list": ("/exports/", expect(200, anonymous=302, resident=302, official=404)),
    "export_download": (
        "/exports/residents.csv",
        expect(200, anonymous=302, resident=302, official=404),
    ),
    # API keys: the network admin issues and revokes them.
    "apitoken_list": ("/api-keys/", expect(404, anonymous=302, resident=302, network_admin=200)),
    "apitoken_revoke": (
        lambda cast: f"/api-keys/{ApiToken.issue(**token_of(cast))[0].pk}/revoke/",
        expect(404, anonymous=302, resident=302, network_admin=405),  # POST only
    ),
    # The API: without a staff session or key, 401 (as DRF answers, with WWW-Authenticate);
    # the schema and its documentation are public.
    "api_schema": ("/api/schema/", EVERYONE),
    "api_docs": ("/api/docs/", EVERYONE),
    "v1:api-root": ("/api/v1/", API_STAFF),
    # The network's offer: every member of staff reads it.
    "v1:actor-list": ("/api/v1/actors/", API_STAFF),
    # The statistics: those who read the dashboard.
    "v1:statistics-list": (
        "/api/v1/statistics/",
        {**API_STAFF, "mediator_a": 404, "colleague_a": 404, "mediator_b": 404},
    ),
    # The Coop's file: one's own sessions (the network for its admin).
    "v1:coop-export-list": (
        "/api/v1/coop/export/?start=2026-01-01&end=2026-12-31&file_format=csv",
        API_WITH_RESIDENTS,
    ),
    "v1:actor-detail": (lambda cast: f"/api/v1/actors/{cast.actor_b.pk}/", API_STAFF),
    "v1:place-list": ("/api/v1/places/", API_STAFF),
    "v1:place-detail": (lambda cast: f"/api/v1/places/{cast.place_a.pk}/", API_STAFF),
    "v1:operator-list": ("/api/v1/operators/", API_STAFF),
    "v1:operator-detail": (lambda cast: f"/api/v1/operators/{OperatorFactory().pk}/", API_STAFF),
    "v1:topic-list": ("/api/v1/topics/", API_STAFF),
    "v1:topic-detail": (lambda cast: f"/api/v1/topics/{TopicFactory().pk}/", API_STAFF),
    "v1:neighbourhood-list": ("/api/v1/neighbourhoods/", API_STAFF),
    "v1:neighbourhood-detail": (
        lambda cast: f"/api/v1/neighbourhoods/{NeighbourhoodFactory().pk}/",
        API_STAFF,
    ),
    "v1:competence-list": ("/api/v1/competences/", API_STAFF),
    "v1:competence-detail": (
        lambda cast: f"/api/v1/competences/{Competence.objects.get(code='1.1').pk}/",
        API_STAFF,
    ),
    "v1:module-list": ("/api/v1/modules/", API_STAFF),
    "v1:module-detail": (lambda cast: f"/api/v1/modules/{ModuleFactory().pk}/", API_STAFF),
    # Residents' records: officials get a 404 as on the pages; a record of actor A without
    # consent does not exist for actor B.
    "v1:resident-list": ("/api/v1/residents/", API_WITH_RESIDENTS),
    "v1:resident-detail": (
        lambda cast: f"/api/v1/residents/{cast.resident.reference}/",
        {**API_WITH_RESIDENTS, "mediator_b": 404},
    ),
    "v1:session-list": ("/api/v1/sessions/", API_WITH_RESIDENTS),
    "v1:session-detail": (
        lambda cast: f"/api/v1/sessions/{own_session(cast).pk}/",
        {**API_WITH_RESIDENTS, "mediator_b": 404},
    ),
    "v1:referral-list": ("/api/v1/referrals/", API_WITH_RESIDENTS),
    "v1:referral-detail": (
        lambda cast: f"/api/v1/referrals/{referral_to_b(cast).pk}/",
        {**API_WITH_RESIDENTS, "mediator_b": 404},
    ),
    # POST only: whoever may reach it gets 405 for a GET.
    "v1:referral-step": (
        lambda cast: f"/api/v1/referrals/{referral_to_b(cast).pk}/status/",
        {**API_WITH_RESIDENTS, **dict.fromkeys(WITH_RESIDENTS, 405)},
    ),
    "v1:assessment-list": ("/api/v1/assessments/", API_WITH_RESIDENTS),
    "v1:assessment-detail": (
        lambda cast: f"/api/v1/assessments/{assessment_of(cast).pk}/",
        {**API_WITH_RESIDENTS, "mediator_b": 404},
    ),
    # Certificates in the API: those of residents one follows (not actor B's, here).
    "v1:certificate-list": ("/api/v1/certificates/", API_WITH_RESIDENTS),
    "v1:certificate-detail": (
        lambda cast: f"/api/v1/certificates/{certificate(cast).code}/",
        {**API_WITH_RESIDENTS, "mediator_b": 404},
    ),
    "v1:certificate-pdf": (
        lambda cast: f"/api/v1/certificates/{certificate(cast).code}/pdf/",
        {**API_WITH_RESIDENTS, "mediator_b": 404},
    ),
    "v1:certificate-credential": (
        lambda cast: f"/api/v1/certificates/{certificate(cast).code}/credential/",
        {**API_WITH_RESIDENTS, "mediator_b": 404},
    ),
    # Certificates: the public check, rate limited but open to everyone.
    "certificate_verify_index": ("/verify/", EVERYONE),
    "certificate_check": ("/verify/check/", EVERYONE),
    "certificate_verify": (lambda cast: f"/verify/{certificate(cast).code}/", EVERYONE),
    "certificate_verify_pdf": (lambda cast: f"/verify/{certificate(cast).code}/pdf/", EVERYONE),
    "certificate_verify_credential": (
        lambda cast: f"/verify/{certificate(cast).code}/credential.json",
        EVERYONE,
    ),
    "issuer_profile": ("/issuer/", EVERYONE),
    "issuer_key": (lambda cast: f"/issuer/keys/{certificate(cast).key_id}/", EVERYONE),
    "status_list": ("/issuer/status/0/", EVERYONE),
    # A second town's network is the issuer of its certificates, at its own address.
    "town_issuer_profile": (lambda cast: f"/issuer/towns/{second_town(cast)}/", EVERYONE),
    "town_issuer_key": (
        lambda cast: f"/issuer/towns/{second_town(cast)}/keys/{certificate(cast).key_id}/",
        EVERYONE,
    ),
    "town_status_list": (lambda cast: f"/issuer/towns/{second_town(cast)}/status/0/", EVERYONE),
    "certificate_badge_png": (lambda cast: f"/verify/{certificate(cast).code}/badge.png", EVERYONE),
    "certificate_badge_svg": (lambda cast: f"/verify/{certificate(cast).code}/badge.svg", EVERYONE),
    "endorser_profile": (
        lambda cast: f"/issuer/endorsers/{endorsement(cast).endorser.slug}/",
        EVERYONE,
    ),
    "endorser_key": (
        lambda cast: (
            endorsement(cast)
            .credential["proof"]["verificationMethod"]
            .removeprefix("http://127.0.0.1:8000")
        ),
        EVERYONE,
    ),
    "endorsement_credential": (
        lambda cast: f"/issuer/endorsements/{endorsement(cast).public_id}/",
        EVERYONE,
    ),
    # Partners' endorsements are published by the coordination; Pix results imported by
    # those who follow residents.
    "endorsement_list": (
        "/certificates/endorsements/",
        expect(404, anonymous=302, resident=302, network_admin=200),
    ),
    "pix_import": ("/pix/", expect(200, anonymous=302, resident=302, official=404)),
    "pix_import_confirm": ("/pix/1/confirm/", expect(405)),  # POST only
    # Certificates: mediators and the network admin.
    "certificate_list": ("/certificates/", expect(200, anonymous=302, resident=302, official=404)),
    "certificate_eligible": (
        "/certificates/eligible/",
        expect(200, anonymous=302, resident=302, official=404),
    ),
    "certificate_issue": ("/certificates/issue/", expect(405)),  # POST only
    "certificate_detail": (
        lambda cast: f"/certificates/{certificate(cast).code}/",
        CERTIFICATE_STAFF,
    ),
    "certificate_download": (
        lambda cast: f"/certificates/{certificate(cast).code}/pdf/",
        CERTIFICATE_STAFF,
    ),
    "certificate_revoke": (
        lambda cast: f"/certificates/{certificate(cast).code}/revoke/",
        expect(405),  # POST only, network admin only
    ),
    # The resident's own certificates.
    "me_certificates": ("/me/certificates/", RESIDENT_ONLY),
    "me_certificate": (lambda cast: f"/me/certificates/{certificate(cast).code}/", RESIDENT_ONLY),
    "me_certificate_pdf": (
        lambda cast: f"/me/certificates/{certificate(cast).code}/pdf/",
        RESIDENT_ONLY,
    ),
    "me_record": ("/me/passeport/", RESIDENT_ONLY),
    "me_record_pdf": (lambda cast: learner_record(cast) and "/me/passeport/pdf/", RESIDENT_ONLY),
    "me_record_credential": (
        lambda cast: learner_record(cast) and "/me/passeport/credential.json",
        RESIDENT_ONLY,
    ),
    # A resident's personal links, managed by mediators who follow them.
    "resident_links": (
        lambda cast: f"/residents/{cast.resident.reference}/links/",
        CERTIFICATE_STAFF,
    ),
    "resident_carnet": (
        lambda cast: f"/residents/{cast.resident.reference}/links/carnet/",
        expect(405),  # POST only
    ),
    "resident_link_send": (
        lambda cast: f"/residents/{cast.resident.reference}/links/email/",
        expect(405),  # POST only
    ),
    # Parent ambassadors' own pages (their referrals, the form, the workshops, the card):
    # theirs only; visitors are sent to the ambassadors' sign-in page.
    "ambassador_home": ("/ambassadeurs/", expect(404, anonymous=302, resident=302, ambassador=200)),
    "ambassador_refer": (
        "/ambassadeurs/orienter/",
        expect(404, anonymous=302, resident=302, ambassador=200),
    ),
    "ambassador_workshops": (
        "/ambassadeurs/ateliers/",
        expect(404, anonymous=302, resident=302, ambassador=200),
    ),
    "ambassador_card_pdf": (
        "/ambassadeurs/carte.pdf",
        expect(404, anonymous=302, resident=302, ambassador=200),
    ),
    # Asking for a link, and a link (a used or false one answers a page saying so).
    "ambassador_sign_in": ("/ambassadeurs/connexion/", EVERYONE),
    "ambassador_link": ("/ambassadeurs/lien/faux/", EVERYONE),
    # Inviting ambassadors: the network admin, and the coordinators of schools (A is none).
    "ambassador_team": (
        "/reseau/ambassadeurs/",
        expect(404, anonymous=302, resident=302, network_admin=200),
    ),
    "ambassador_account": (
        lambda cast: f"/reseau/ambassadeurs/{cast.ambassador.pk}/compte/",
        expect(405),  # POST only
    ),
    # The extranet: every member of staff reads the directory and writes their own entry;
    # teams are managed by coordinators (their actors) and the network admin.
    "directory": (
        "/reseau/annuaire/?q=mira",
        expect(200, anonymous=302, resident=302, ambassador=404),
    ),
    "directory_me": (
        "/reseau/annuaire/ma-fiche/",
        expect(200, anonymous=302, resident=302, ambassador=404),
    ),
    "team": (
        "/reseau/equipe/",
        expect(404, anonymous=302, resident=302, coordinator_a=200, network_admin=200),
    ),
    "team_member": (
        lambda cast: f"/reseau/equipe/{cast.mediator_a.pk}/",
        expect(405),  # POST only
    ),
    # An invitation link: anyone may open it (a false one says it does not work).
    "invitation_accept": ("/reseau/invitation/faux/", EVERYONE),
    # The network calendar: staff read it and register; coordinators and the network admin
    # add dates. A person's .ics feed opens by its token; an event with public registration
    # (the assises) is open to everyone, another date does not exist for the public.
    "calendar": ("/reseau/agenda/", expect(200, anonymous=302, resident=302, ambassador=404)),
    "meeting_create": (
        "/reseau/agenda/nouveau/",
        expect(404, anonymous=302, resident=302, coordinator_a=200, network_admin=200),
    ),
    "meeting_detail": (
        lambda cast: f"/reseau/agenda/{meeting_of(cast).pk}/",
        expect(200, anonymous=302, resident=302, ambassador=404),
    ),
    # The coordination work in the Coop's vocabulary: the network admin and coordinators
    # (an actor's part); the form page, and a file for a period.
    "coordination_export": (
        "/reseau/agenda/export/",
        expect(404, anonymous=302, resident=302, coordinator_a=200, network_admin=200),
    ),
    "calendar_ics": (
        lambda cast: f"/reseau/agenda/flux/{feed_token(cast.mediator_a)}.ics",
        EVERYONE,
    ),
    "event_public": (lambda cast: f"/evenements/{meeting_of(cast, public=True).pk}/", EVERYONE),
    # News and the document library: every member of staff; files only through the view.
    "news": ("/reseau/actualites/", expect(200, anonymous=302, resident=302, ambassador=404)),
    "documents": ("/reseau/documents/", expect(200, anonymous=302, resident=302, ambassador=404)),
    "document_download": (
        lambda cast: f"/reseau/documents/versions/{document_of(cast).pk}/",
        expect(200, anonymous=302, resident=302, ambassador=404),
    ),
    "resident_link_revoke": (
        lambda cast: f"/residents/{cast.resident.reference}/links/1/revoke/",
        expect(405),  # POST only
    ),
}


def meeting_of(cast, public=False):
    from network.models import Meeting, MeetingKind

    start = timezone.now() + datetime.timedelta(days=10)
    return Meeting.objects.create(
        kind=MeetingKind.ASSISES if public else MeetingKind.COORDINATION,
        title="Assises du numérique" if public else "Réunion de coordination",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        public_registration=public,
        capacity=100,
    )


def document_of(cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from network.models import Folder
    from network.news import document_upload

    return document_upload(
        by=cast.network_admin,
        file=SimpleUploadedFile("charte.txt", b"Charte du reseau"),
        folder=Folder.objects.get_or_create(name="Charte")[0],
        title="Charte du réseau",
    )


def feed_token(user):
    from network.calendar import feed_token

    return feed_token(user)


def job_of(cast):
    return ImportJob.objects.create(
        resource="residents", created_by=cast.mediator_a, file_name="habitants.csv"
    )


def token_of(cast):
    return {"user": cast.mediator_a, "name": "Test", "scope": "read", "created_by": None}


def assessment_of(cast):
    return CompetenceAssessmentFactory(resident=cast.resident, assessed_by=cast.mediator_a)


def own_session(cast):
    return SessionFactory(actor=cast.actor_a, created_by=cast.mediator_a)


def referral_to_b(cast):
    return ReferralFactory(
        resident=cast.resident,
        from_actor=cast.actor_a,
        to_actor=cast.actor_b,
        created_by=cast.mediator_a,
    )


# Django admin pages other than the index are the admin's own business (its permission
# system); the walk checks the entrance.
IGNORED_NAMESPACES = {"admin"}


# URL x role pairs checked in this run, for `make audit`.
WALKED = {}


def named_urls(resolver=None, namespace=None):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            yield from named_urls(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_named_url_is_walked():
    names = {
        name
        for name in named_urls()
        if name.split(":")[0] not in IGNORED_NAMESPACES or name == "admin:index"
    }
    missing = names - set(ROUTES)
    assert not missing, f"Say who may open these pages in ROUTES: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_who_gets_in(cast, name):
    path, expected = ROUTES[name]
    if callable(path):
        path = path(cast)
    got = {role: cast.client(role).get(path).status_code for role in expected}
    WALKED[name] = len(got)
    assert got == expected
