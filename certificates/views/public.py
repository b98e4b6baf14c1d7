"""The public side: checking a certificate or a learner record by its code or its PDF,
the badge images, and the issuer's documents (profile, keys, status lists, partners)."""

from functools import wraps

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates import badges, credentials, signing
from certificates.forms import (
    MAX_PDF_BYTES,
    PdfCheckForm,
    VerifyCodeForm,
    normalize_code,
)
from certificates.models import (
    Certificate,
    CertificateStatus,
    Endorsement,
    Endorser,
    LearnerRecord,
)
from certificates.pdf import level_meaning, level_words
from certificates.responses import stored_pdf
from certificates.services import (
    certificate_check_pdf,
)
from learners.permissions import (
    rate_limit_exceeded,
)
from pathway.models import Town


def current_time():
    return timezone.now()


def too_many_requests(request):
    message = _(
        "Trop de vérifications depuis votre connexion en une heure. Réessayez dans une heure."
    )
    if wants_json(request):
        response = JsonResponse({"error": "rate_limited", "detail": message}, status=429)
    else:
        response = render(request, "certificates/rate_limited.html", status=429)
    response["Retry-After"] = "3600"
    return response


def lookup_limited(view):
    """Public certificate lookups: a client may make VERIFY_RATE_LIMIT an hour, so that
    nobody can try codes until one exists (59 random bits each)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if rate_limit_exceeded(
            request, "verify", limit=settings.VERIFY_RATE_LIMIT, now=current_time()
        ):
            return too_many_requests(request)
        return view(request, *args, **kwargs)

    return wrapped


def wants_json(request):
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


# What a certificate states ------------------------------------------------------------------


def issuer_key_claims(key_id, credential=None):
    """The key set that signed a document, as its check page and JSON show it: with the
    verificationMethod its credential's proof names (its town's issuer's key URL)."""
    key = None
    if key_id:
        try:
            key = signing.load_key(key_id)
        except signing.IssuerKeysMissing:
            key = None
    return {
        "id": key_id,
        "pdf_certificate_sha256": key.fingerprint if key else "",
        "public_key_multibase": key.public_key_multibase if key else "",
        "verification_method": (
            ((credential or {}).get("proof") or {}).get("verificationMethod")
            or (credentials.verification_method(key_id) if key_id else "")
        ),
    }


def endorsement_claims(endorsements):
    """What partners said, for the check pages and their JSON: who, about what, when, and
    where their signed EndorsementCredential is."""
    return [
        {
            "endorser": endorsement.endorser.name,
            "endorser_kind": endorsement.endorser.get_kind_display(),
            "endorser_profile": endorsement.endorser.profile_url,
            "about": "module" if endorsement.module_id else "certificate",
            "module": endorsement.module.name if endorsement.module_id else "",
            "comment": endorsement.comment,
            "issued_on": timezone.localdate(endorsement.issued_at).isoformat(),
            "credential_url": endorsement.credential_url,
        }
        for endorsement in endorsements
    ]


def claims(certificate, *, today, endorsements=None):
    """Every claim of a certificate, for its pages and its JSON. Never any contact data.
    `endorsements`: those about it or its module (read here when not given)."""
    status = certificate.status(today=today)
    if endorsements is None:
        endorsements = Endorsement.objects.about([certificate])
    return {
        "code": certificate.code,
        "status": status.value,
        "status_label": str(status.label),
        "holder": str(certificate.resident.display_name),
        "module": certificate.module.name,
        "language": certificate.language,
        "competences": [
            {
                "crcn_code": line.competence.code,
                "digcomp_code": line.competence.digcomp_code,
                "name": line.competence.name_fr,
                "name_en": line.competence.name_en,
                "digcomp_name": line.competence.digcomp_name,
                "domain": (
                    line.competence.domain_en
                    if certificate.language == "en"
                    else line.competence.domain_fr
                ),
                "level": line.level,
                "level_words": level_words(line.level, certificate.language),
                "level_meaning": level_meaning(line.level, certificate.language),
            }
            for line in certificate.competences.all()
        ],
        "hours": str(certificate.hours),
        "period_start": certificate.period_start.isoformat(),
        "period_end": certificate.period_end.isoformat(),
        "issued_on": timezone.localdate(certificate.issued_at).isoformat(),
        "expires_on": certificate.expires_on.isoformat() if certificate.expires_on else None,
        "revoked_on": (
            timezone.localdate(certificate.revoked_at).isoformat()
            if certificate.revoked_at
            else None
        ),
        "revocation_reason": certificate.revocation_reason if certificate.revoked_at else "",
        "issuer": {
            "network": certificate.town.network_name,
            "town": certificate.town.name,
            "actor": certificate.actor.name,
            "actor_address": ", ".join(
                part
                for part in [
                    certificate.actor.address,
                    f"{certificate.actor.postcode} {certificate.actor.city}".strip(),
                ]
                if part
            ),
            "signatory_name": certificate.signatory_name,
            "signatory_role": certificate.signatory_role,
        },
        "issuer_key": issuer_key_claims(certificate.key_id, certificate.credential),
        "verification_url": certificate.verify_url,
        "pdf_url": certificate.pdf_url,
        "pdf_sha256": certificate.pdf_sha256,
        "credential_url": certificate.credential_url,
        "badge_png_url": certificate.badge_png_url,
        "badge_svg_url": certificate.badge_svg_url,
        "status_list_credential": (certificate.credential or {})
        .get("credentialStatus", {})
        .get("statusListCredential", ""),
        "endorsements": endorsement_claims(endorsements),
    }


def record_claims(record, *, today):
    """What a learner record states, for its check page and JSON: whose it is, when it was
    made, each certificate it gathers with its state today, the endorsements."""
    certificates = list(record.certificates.with_claims().order_by("issued_at", "pk"))
    endorsements = list(Endorsement.objects.about(certificates))
    newer = (
        LearnerRecord.objects.filter(resident_id=record.resident_id, issued_at__gt=record.issued_at)
        .order_by("-issued_at")
        .values_list("code", flat=True)
        .first()
    )
    return {
        "code": record.code,
        "kind": "learner_record",
        "status": CertificateStatus.VALID.value,
        "holder": str(record.resident.display_name),
        "issued_on": timezone.localdate(record.issued_at).isoformat(),
        "newer_record": newer or "",
        "certificates": [
            {
                "code": certificate.code,
                "module": certificate.module.name,
                "status": certificate.status(today=today).value,
                "status_label": str(certificate.status(today=today).label),
                "issued_on": timezone.localdate(certificate.issued_at).isoformat(),
                "actor": certificate.actor.name,
                "verification_url": certificate.verify_url,
                "competences": [
                    {
                        "crcn_code": line.competence.code,
                        "digcomp_code": line.competence.digcomp_code,
                        "name": line.competence.name_fr,
                        "level": line.level,
                        "level_words": level_words(line.level, "fr"),
                    }
                    for line in certificate.competences.all()
                ],
            }
            for certificate in certificates
        ],
        "issuer": {"network": record.town.network_name, "town": record.town.name},
        "issuer_key": issuer_key_claims(record.key_id, record.credential),
        "verification_url": record.verify_url,
        "pdf_url": record.pdf_url,
        "pdf_sha256": record.pdf_sha256,
        "credential_url": record.credential_url,
        "endorsements": endorsement_claims(endorsements),
    }


def public_certificate(code):
    return Certificate.objects.with_claims().filter(code=normalize_code(code)).first()


def public_record(code):
    return (
        LearnerRecord.objects.select_related("resident__created_by_actor__town")
        .filter(code=normalize_code(code))
        .first()
    )


def issued_in(town, **context):
    """A check page's context: its header and footer name the town whose network issued
    the document, not the installation's first town."""
    return {"TOWN_NAME": town.name, "NETWORK_NAME": town.network_name, **context}


# The public check ---------------------------------------------------------------------------


def certificate_verify_index(request):
    """Where an employer types a code or hands in a PDF."""
    form = VerifyCodeForm(request.GET or None)
    if request.GET and form.is_valid():
        return redirect("certificate_verify", form.cleaned_data["code"])
    # Several towns: the page names every network whose certificates it checks.
    networks = list(Town.objects.order_by("network_name").values_list("network_name", flat=True))
    return render(
        request,
        "certificates/certificate_verify_index.html",
        {
            "form": form,
            "check_form": PdfCheckForm(),
            "networks": networks if len(networks) > 1 else [],
        },
    )


def record_verify(request, record):
    """The check page of a learner record (same URL as a certificate's)."""
    data = record_claims(record, today=timezone.localdate(current_time()))
    if wants_json(request):
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})
    else:
        response = render(
            request,
            "certificates/record_verify.html",
            issued_in(record.town, record=record, claims=data),
        )
    response["Vary"] = "Accept"
    response["Cache-Control"] = "no-cache"
    return response


@lookup_limited
def certificate_verify(request, code):
    certificate = public_certificate(code)
    if certificate is None and (record := public_record(code)) is not None:
        return record_verify(request, record)
    if certificate is None:
        # The same plain answer whatever the code looks like: nothing to learn from it.
        if wants_json(request):
            response = JsonResponse({"error": "not_found"}, status=404)
        else:
            response = render(request, "certificates/certificate_not_found.html", status=404)
        response["Vary"] = "Accept"
        return response
    data = claims(certificate, today=timezone.localdate(current_time()))
    if wants_json(request):
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})
    else:
        response = render(
            request,
            "certificates/certificate_verify.html",
            issued_in(certificate.town, certificate=certificate, claims=data),
        )
    response["Vary"] = "Accept"
    # Revocation must show at once: no cache keeps an old answer.
    response["Cache-Control"] = "no-cache"
    return response


@lookup_limited
def certificate_verify_pdf(request, code):
    certificate = public_certificate(code)
    if certificate is None and (record := public_record(code)) is not None:
        return stored_pdf(record, as_attachment=False)
    if certificate is None:
        raise Http404
    if certificate.revoked_at:
        # A revoked certificate is no longer handed out; its page says why.
        return render(
            request,
            "certificates/certificate_verify.html",
            issued_in(
                certificate.town,
                certificate=certificate,
                claims=claims(certificate, today=timezone.localdate(current_time())),
            ),
            status=410,
        )
    return stored_pdf(certificate, as_attachment=False)


def disposition(request, filename):
    """Shown in the browser, or saved as a file with ?download=1 (the "télécharger" links)."""
    kind = "attachment" if request.GET.get("download") == "1" else "inline"
    return f'{kind}; filename="{filename}"'


@lookup_limited
def certificate_verify_credential(request, code):
    """The signed credential: a certificate's Open Badges 3.0 one, or a learner record's
    Comprehensive Learner Record 2.0 one. This is also what a wallet imports."""
    document = public_certificate(code) or public_record(code)
    if document is None or not document.credential:
        raise Http404
    response = JsonResponse(
        document.credential, json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
    prefix = "attestation" if isinstance(document, Certificate) else "passeport-numerique"
    response["Content-Disposition"] = disposition(request, f"{prefix}-{document.code}.json")
    return response


def badge_certificate(code):
    """The certificate of a badge image: none for a revoked one (410), as for its PDF."""
    certificate = (
        Certificate.objects.select_related("module", "actor__town")
        .filter(code=normalize_code(code))
        .first()
    )
    if certificate is None or not certificate.credential:
        raise Http404
    return certificate


GONE = _("Cette attestation a été révoquée : son image n'est plus délivrée.")


@lookup_limited
def certificate_badge_png(request, code):
    """The badge as a PNG image with the signed credential baked in (Open Badges 3.0)."""
    certificate = badge_certificate(code)
    if certificate.revoked_at:
        return HttpResponse(GONE, status=410, content_type="text/plain; charset=utf-8")
    response = HttpResponse(badges.badge_png(certificate), content_type="image/png")
    response["Content-Disposition"] = disposition(request, f"badge-{certificate.code}.png")
    return response


@lookup_limited
def certificate_badge_svg(request, code):
    """The badge as an SVG image with the signed credential baked in (Open Badges 3.0)."""
    certificate = badge_certificate(code)
    if certificate.revoked_at:
        return HttpResponse(GONE, status=410, content_type="text/plain; charset=utf-8")
    response = HttpResponse(badges.badge_svg(certificate), content_type="image/svg+xml")
    response["Content-Disposition"] = disposition(request, f"badge-{certificate.code}.svg")
    # Opened on its own, an SVG is a document: it may not run or load anything.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def certificate_check(request):
    """Hand in a PDF: is its signature ours and intact, and is the credential inside the one
    we recorded?"""
    if request.method == "POST":
        if rate_limit_exceeded(
            request, "verify", limit=settings.VERIFY_RATE_LIMIT, now=current_time()
        ):
            return too_many_requests(request)
        # Refused before reading the body: a certificate is some fifty kilobytes.
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_PDF_BYTES + 100_000:
            refused = _("Ce fichier est trop gros (plus de 5 Mo) : ce n'est pas une attestation.")
            return render(
                request,
                "certificates/certificate_check.html",
                {"form": PdfCheckForm(), "refused": refused},
                status=413,
            )
    form = PdfCheckForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = certificate_check_pdf(data=form.cleaned_data["file"])
    status = None
    if report and report.certificate:
        status = report.certificate.status(today=timezone.localdate(current_time()))
    return render(
        request,
        "certificates/certificate_check.html",
        {"form": form, "report": report, "status": status},
    )


# The issuer: profile, keys and status lists -------------------------------------------------


def issuer_town(insee_code):
    """The town of an issuer's URL: the first town (None before it is recorded) at the
    installation's /issuer/; another town at /issuer/towns/<its INSEE code>/ (the first
    town has no such second address: 404)."""
    if insee_code is None:
        return Town.objects.filter(insee_code=settings.TOWN_INSEE_CODE).first()
    town = get_object_or_404(Town, insee_code=insee_code)
    if credentials.first_town(town):
        raise Http404
    return town


def issuer_profile(request, insee_code=None):
    """A town's network as the issuer of its certificates, with the keys it signs with."""
    town = issuer_town(insee_code)
    profile = credentials.issuer_document(
        [credentials.verification_method(k.key_id, town) for k in signing.all_keys()], town
    )
    return JsonResponse(profile, json_dumps_params={"ensure_ascii": False, "indent": 1})


def issuer_key(request, key_id, insee_code=None):
    """What a proof's verificationMethod URL answers: the Multikey document of that key
    (current or retired: old certificates stay checkable), controlled by the issuer of the
    town whose URL it is."""
    town = issuer_town(insee_code) if insee_code is not None else None
    try:
        key = signing.load_key(key_id)
    except signing.IssuerKeysMissing:
        raise Http404 from None
    document = credentials.multikey_document(
        key.credential_public,
        id=credentials.verification_method(key.key_id, town),
        controller=credentials.issuer_url("issuer_profile", town),
    )
    return JsonResponse(document)


def endorser_profile(request, slug):
    """A partner's Open Badges profile (the issuer of its endorsements) and the controller
    document of the keys the network signs them with on its behalf."""
    endorser = get_object_or_404(Endorser, slug=slug)
    document = credentials.endorser_document(endorser, [k.key_id for k in signing.all_keys()])
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 1})


def endorser_key(request, slug, key_id):
    """The network's key `key_id` as a verification method controlled by a partner."""
    endorser = get_object_or_404(Endorser, slug=slug)
    try:
        key = signing.load_key(key_id)
    except signing.IssuerKeysMissing:
        raise Http404 from None
    document = credentials.multikey_document(
        key.credential_public,
        id=credentials.endorser_verification_method(endorser, key.key_id),
        controller=endorser.profile_url,
    )
    return JsonResponse(document)


def endorsement_credential(request, public_id):
    """A partner's signed EndorsementCredential."""
    endorsement = get_object_or_404(Endorsement, public_id=public_id)
    response = JsonResponse(
        endorsement.credential, json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
    response["Content-Disposition"] = disposition(
        request, f"recommandation-{endorsement.public_id}.json"
    )
    return response


# Index positions of the largest status_index a PositiveIntegerField holds.
MAX_STATUS_LIST = 2**31 // credentials.STATUS_LIST_SIZE


def status_list(request, number, insee_code=None):
    """Bitstring Status List credential `number` of a town's issuer: bit n is 1 when the
    certificate at index number × 131,072 + n is revoked. Made and signed on each request:
    always current."""
    town = issuer_town(insee_code) if insee_code is not None else None
    if number > MAX_STATUS_LIST:
        raise Http404
    size = credentials.STATUS_LIST_SIZE
    revoked = Certificate.objects.filter(
        revoked_at__isnull=False,
        status_index__gte=number * size,
        status_index__lt=(number + 1) * size,
    ).values_list("status_index", flat=True)
    try:
        key = signing.current_key()
    except signing.IssuerKeysMissing:
        raise Http404 from None
    now = current_time()
    document = credentials.sign(
        credentials.status_list_credential(
            number, [i - number * size for i in revoked], now=now, town=town
        ),
        private_key=key.credential_private,
        verification_method=credentials.verification_method(key.key_id, town),
        created=credentials.xsd_datetime(now),
    )
    response = JsonResponse(document)
    response["Cache-Control"] = "no-cache"
    return response
