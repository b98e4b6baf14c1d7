"""The resident's own certificates and learner record, and where they show them."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates import credentials
from certificates.forms import (
    normalize_code,
)
from certificates.models import (
    Certificate,
    CertificateStatus,
)
from certificates.services import (
    learner_record_issue,
    record_contents,
)
from certificates.views import public
from certificates.views.public import claims, stored_pdf
from learners.permissions import (
    resident_required,
)

# The resident's own certificates ------------------------------------------------------------


@resident_required
def me_certificates(request):
    certificates = list(request.resident.certificates.with_list_data())
    today = timezone.localdate(public.current_time())
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
        # The organisation's LinkedIn page when its id is configured (LinkedIn then shows
        # its logo and links the page); its name as plain text otherwise. The id is the
        # installation's first town's network's page: another town's network is named.
        **(
            {"organizationId": settings.LINKEDIN_ORGANIZATION_ID}
            if settings.LINKEDIN_ORGANIZATION_ID
            and certificate.town.insee_code == settings.TOWN_INSEE_CODE
            else {"organizationName": certificate.town.network_name}
        ),
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
    data = claims(certificate, today=timezone.localdate(public.current_time()))
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


# The resident's learner record ---------------------------------------------------------------


@resident_required
def me_record(request):
    """The "passeport numérique": what it gathers, made (POST) when the latest one is not
    up to date, then downloaded as a PDF or as a credential for a wallet."""
    resident = request.resident
    now = public.current_time()
    if request.method == "POST":
        try:
            learner_record_issue(resident=resident, now=now)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Votre passeport numérique est prêt."))
        return redirect("me_record")
    certificates, endorsements = record_contents(resident, today=timezone.localdate(now))
    record = resident.learner_records.exclude(pdf="").order_by("-issued_at").first()
    up_to_date = (
        record is not None
        and set(record.certificates.values_list("pk", flat=True)) == {c.pk for c in certificates}
        and not any(e.issued_at > record.issued_at for e in endorsements)
    )
    return render(
        request,
        "certificates/me_record.html",
        {
            "certificates": certificates,
            "endorsements": endorsements,
            "record": record,
            "up_to_date": up_to_date,
        },
    )


def own_record(request):
    record = request.resident.learner_records.exclude(pdf="").order_by("-issued_at").first()
    if record is None:
        raise Http404
    return record


@resident_required
def me_record_pdf(request):
    return stored_pdf(own_record(request), as_attachment=True)


@resident_required
def me_record_credential(request):
    """The record's credential as a file, for a wallet."""
    record = own_record(request)
    response = JsonResponse(
        record.credential, json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
    response["Content-Disposition"] = (
        f'attachment; filename="passeport-numerique-{record.code}.json"'
    )
    return response
