from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from certificates import credentials, signing
from certificates.forms import (
    MAX_PDF_BYTES,
    CertificateSearchForm,
    EligibleFilterForm,
    IssueForm,
    PdfCheckForm,
    RevokeForm,
    VerifyCodeForm,
    normalize_code,
)
from certificates.models import Certificate, CertificateStatus, earned_modules
from certificates.pdf import level_meaning, level_words
from certificates.services import (
    certificate_check_pdf,
    certificate_issue_many,
    certificate_revoke,
)
from learners.models import AccessAction, AccessLog, Resident, Role
from learners.permissions import (
    rate_limit_exceeded,
    resident_required,
    staff_required,
    working_with_residents,
)
from pathway.models import Module


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


def claims(certificate, *, today):
    """Every claim of a certificate, for its pages and its JSON. Never any contact data."""
    status = certificate.status(today=today)
    key = None
    if certificate.key_id:
        try:
            key = signing.load_key(certificate.key_id)
        except signing.IssuerKeysMissing:
            key = None
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
            "network": settings.NETWORK_NAME,
            "town": settings.TOWN_NAME,
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
        "issuer_key": {
            "id": certificate.key_id,
            "pdf_certificate_sha256": key.fingerprint if key else "",
            "public_key_multibase": key.public_key_multibase if key else "",
            "verification_method": (
                credentials.verification_method(certificate.key_id) if certificate.key_id else ""
            ),
        },
        "verification_url": certificate.verify_url,
        "pdf_url": certificate.pdf_url,
        "pdf_sha256": certificate.pdf_sha256,
        "credential_url": certificate.credential_url,
        "status_list_credential": (certificate.credential or {})
        .get("credentialStatus", {})
        .get("statusListCredential", ""),
    }


def public_certificate(code):
    return Certificate.objects.with_claims().filter(code=normalize_code(code)).first()


# The public check ---------------------------------------------------------------------------


def certificate_verify_index(request):
    """Where an employer types a code or hands in a PDF."""
    form = VerifyCodeForm(request.GET or None)
    if request.GET and form.is_valid():
        return redirect("certificate_verify", form.cleaned_data["code"])
    return render(
        request,
        "certificates/certificate_verify_index.html",
        {"form": form, "check_form": PdfCheckForm()},
    )


@lookup_limited
def certificate_verify(request, code):
    certificate = public_certificate(code)
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
            {"certificate": certificate, "claims": data},
        )
    response["Vary"] = "Accept"
    # Revocation must show at once: no cache keeps an old answer.
    response["Cache-Control"] = "no-cache"
    return response


def stored_pdf(certificate, *, as_attachment):
    """The signed PDF exactly as stored at issuance: never made again. Read whole (some
    fifty kilobytes) rather than streamed, so no file stays open after the response."""
    if not certificate.pdf:
        raise Http404
    try:
        with certificate.pdf.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "attachment" if as_attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{certificate.pdf_filename}"'
    return response


@lookup_limited
def certificate_verify_pdf(request, code):
    certificate = public_certificate(code)
    if certificate is None:
        raise Http404
    if certificate.revoked_at:
        # A revoked certificate is no longer handed out; its page says why.
        return render(
            request,
            "certificates/certificate_verify.html",
            {
                "certificate": certificate,
                "claims": claims(certificate, today=timezone.localdate(current_time())),
            },
            status=410,
        )
    return stored_pdf(certificate, as_attachment=False)


@lookup_limited
def certificate_verify_credential(request, code):
    certificate = public_certificate(code)
    if certificate is None or not certificate.credential:
        raise Http404
    response = JsonResponse(
        certificate.credential, json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
    response["Content-Disposition"] = f'inline; filename="attestation-{certificate.code}.json"'
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


def issuer_profile(request):
    """The network as the issuer of every certificate, with the keys it signs with."""
    profile = credentials.issuer_document(
        [credentials.verification_method(k.key_id) for k in signing.all_keys()]
    )
    return JsonResponse(profile, json_dumps_params={"ensure_ascii": False, "indent": 1})


def issuer_key(request, key_id):
    """What a proof's verificationMethod URL answers: the Multikey document of that key
    (current or retired: old certificates stay checkable)."""
    try:
        key = signing.load_key(key_id)
    except signing.IssuerKeysMissing:
        raise Http404 from None
    document = credentials.multikey_document(
        key.credential_public,
        id=credentials.verification_method(key.key_id),
        controller=credentials.issuer_profile()["id"],
    )
    return JsonResponse(document)


# Index positions of the largest status_index a PositiveIntegerField holds.
MAX_STATUS_LIST = 2**31 // credentials.STATUS_LIST_SIZE


def status_list(request, number):
    """Bitstring Status List credential `number`: bit n is 1 when the certificate at index
    number × 131,072 + n is revoked. Made and signed on each request: always current."""
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
        credentials.status_list_credential(number, [i - number * size for i in revoked], now=now),
        private_key=key.credential_private,
        verification_method=credentials.verification_method(key.key_id),
        created=credentials.xsd_datetime(now),
    )
    response = JsonResponse(document)
    response["Cache-Control"] = "no-cache"
    return response


# Mediators: who earned what, issuing, revoking ----------------------------------------------


@working_with_residents
def certificate_list(request):
    form = CertificateSearchForm(request.GET or None)
    certificates = Certificate.objects.visible_to(request.user).with_list_data()
    if form.is_valid() and (q := form.cleaned_data["q"].strip()):
        certificates = certificates.filter(
            Q(code=normalize_code(q))
            | Q(resident__last_name__icontains=q)
            | Q(resident__first_name__icontains=q)
        )
    page = Paginator(certificates, 25).get_page(request.GET.get("page"))
    today = timezone.localdate(current_time())
    for certificate in page:
        certificate.current_status = certificate.status(today=today)
    AccessLog.record(request, residents=[c.resident for c in page])
    query = urlencode({"q": request.GET.get("q", "")})
    return render(
        request,
        "certificates/certificate_list.html",
        {"page": page, "form": form, "query": query},
    )


@working_with_residents
def certificate_eligible(request):
    """Residents of the user's actors who earned a module's certificate and do not have it
    yet, by module or for one workshop group, to issue one by one or all at once."""
    filters = EligibleFilterForm(request.GET or None, user=request.user)
    residents = Resident.objects.visible_to(request.user)
    if not request.user.is_network_admin:
        # Those the user's actors welcomed or trained, not everyone who shares their record.
        actors = request.user.actor_ids
        residents = residents.filter(
            Q(created_by_actor__in=actors) | Q(participations__actor__in=actors)
        )
    modules = group = None
    if filters.is_valid():
        if filters.cleaned_data["module"]:
            modules = [filters.cleaned_data["module"]]
        if group := filters.cleaned_data["session"]:
            residents = residents.filter(participations__session=group)
            modules = [group.module_id]
    page = Paginator(earned_modules(residents, modules=modules), 50).get_page(
        request.GET.get("page")
    )
    people = Resident.objects.in_bulk({resident_id for resident_id, _m in page})
    module_of = Module.objects.in_bulk({module_id for _r, module_id in page})
    rows = [(people[r], module_of[m]) for r, m in page]
    AccessLog.record(request, residents=[person for person, _module in rows])
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "certificates/certificate_eligible.html",
        {
            "filters": filters,
            "group": group,
            "page": page,
            "rows": rows,
            "issue_form": IssueForm(user=request.user),
            "query": urlencode(query),
            "back": request.get_full_path(),
        },
    )


@require_POST
@working_with_residents
def certificate_issue(request):
    """Issue what was chosen on the list, in two steps: the choice is shown back first
    (who gets which module, signed by whom, in which language), and signed only once
    confirmed."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("certificate_eligible")
    back = back or reverse("certificate_eligible")
    form = IssueForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    ids = list(dict.fromkeys(form.cleaned_data["pairs"]))
    residents = Resident.objects.visible_to(request.user).in_bulk({r for r, _m in ids})
    modules = Module.objects.in_bulk({m for _r, m in ids})
    if any(r not in residents or m not in modules for r, m in ids):
        raise Http404
    pairs = [(residents[r], modules[m]) for r, m in ids]
    if request.POST.get("confirmed") != "yes":
        # A signed certificate cannot be taken back, only revoked: first say who gets what.
        AccessLog.record(request, residents=[resident for resident, _module in pairs])
        return render(
            request,
            "certificates/certificate_issue_confirm.html",
            {
                "pairs": pairs,
                "ids": [f"{r}:{m}" for r, m in ids],
                "form": form,
                "language": dict(form.fields["language"].choices)[form.cleaned_data["language"]],
                "back": back,
            },
        )
    try:
        issued = certificate_issue_many(
            pairs=pairs,
            issued_by=request.user,
            signatory=form.cleaned_data["signatory"],
            language=form.cleaned_data["language"],
            expires_on=form.cleaned_data["expires_on"],
            now=current_time(),
        )
    except ValidationError as error:
        messages.error(request, _("Aucune attestation n'a été délivrée :"))
        for message in error.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(
        request,
        ngettext(
            "%(n)s attestation délivrée et signée.",
            "%(n)s attestations délivrées et signées.",
            len(issued),
        )
        % {"n": len(issued)},
    )
    if len(issued) == 1:
        return redirect(issued[0])
    return redirect(back)


def staff_certificate(request, code):
    return get_object_or_404(
        Certificate.objects.visible_to(request.user).with_claims(), code=normalize_code(code)
    )


@working_with_residents
def certificate_detail(request, code):
    certificate = staff_certificate(request, code)
    AccessLog.record(request, certificate.resident, AccessAction.VIEW_RECORD)
    return render(
        request,
        "certificates/certificate_detail.html",
        {
            "certificate": certificate,
            # The person's links are handled by the actor whose record it is.
            "manages_links": Resident.objects.editable_by(request.user)
            .filter(pk=certificate.resident_id)
            .exists(),
            "claims": claims(certificate, today=timezone.localdate(current_time())),
            "revoke_form": RevokeForm() if request.user.is_network_admin else None,
        },
    )


@working_with_residents
def certificate_download(request, code):
    certificate = staff_certificate(request, code)
    response = stored_pdf(certificate, as_attachment=True)
    AccessLog.record(request, certificate.resident, AccessAction.VIEW_RECORD)
    return response


@require_POST
@staff_required(Role.NETWORK_ADMIN)
def certificate_revoke_view(request, code):
    certificate = staff_certificate(request, code)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("reason", []):
            messages.error(request, error)
        return redirect(certificate)
    try:
        certificate_revoke(
            certificate=certificate,
            reason=form.cleaned_data["reason"],
            revoked_by=request.user,
            now=current_time(),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("L'attestation %(code)s est révoquée : sa page publique le dit désormais.")
            % {"code": certificate.code},
        )
    return redirect(certificate)


# The resident's own certificates ------------------------------------------------------------


@resident_required
def me_certificates(request):
    certificates = list(request.resident.certificates.with_list_data())
    today = timezone.localdate(current_time())
    for certificate in certificates:
        certificate.current_status = certificate.status(today=today)
    return render(request, "certificates/me_certificate_list.html", {"certificates": certificates})


def own_certificate(request, code):
    """One of this resident's certificates; another resident's code does not exist here."""
    return get_object_or_404(
        Certificate.objects.with_claims(), resident=request.resident, code=normalize_code(code)
    )


def linkedin_url(certificate):
    """LinkedIn's "add to profile" form, filled in with this certificate."""
    issued = timezone.localdate(certificate.issued_at)
    fields = {
        "startTask": "CERTIFICATION_NAME",
        "name": f"{credentials.TITLES[certificate.language]} — {certificate.module.name}",
        "organizationName": settings.NETWORK_NAME,
        "issueYear": issued.year,
        "issueMonth": issued.month,
        "certUrl": certificate.verify_url,
        "certId": certificate.code,
    }
    if certificate.expires_on:
        fields["expirationYear"] = certificate.expires_on.year
        fields["expirationMonth"] = certificate.expires_on.month
    return "https://www.linkedin.com/profile/add?" + urlencode(fields)


@resident_required
def me_certificate(request, code):
    """The accessible HTML version of the certificate, and what to do with it."""
    certificate = own_certificate(request, code)
    data = claims(certificate, today=timezone.localdate(current_time()))
    return render(
        request,
        "certificates/me_certificate_detail.html",
        {
            "certificate": certificate,
            "claims": data,
            "shareable": data["status"] == CertificateStatus.VALID,
            "linkedin_url": linkedin_url(certificate),
        },
    )


@resident_required
def me_certificate_pdf(request, code):
    certificate = own_certificate(request, code)
    if certificate.revoked_at:
        raise Http404
    return stored_pdf(certificate, as_attachment=True)
