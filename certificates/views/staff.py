"""Mediators and the coordination: who earned what, issuing, revoking, and the partners'
endorsements."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from certificates.forms import (
    CertificateSearchForm,
    EligibleFilterForm,
    EndorsementForm,
    IssueForm,
    RevokeForm,
    normalize_code,
)
from certificates.models import (
    Certificate,
    Endorsement,
    earned_modules,
)
from certificates.services import (
    certificate_issue_many,
    certificate_revoke,
    endorsement_issue,
)
from certificates.views import public
from certificates.views.public import claims, stored_pdf
from learners.models import AccessAction, AccessLog, Resident
from pathway.models import Module
from pathway.permissions import Role, staff_required, working_with_residents

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
    today = timezone.localdate(public.current_time())
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
            now=public.current_time(),
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
            "claims": claims(certificate, today=timezone.localdate(public.current_time())),
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
            now=public.current_time(),
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


# Partners' endorsements ----------------------------------------------------------------------


@staff_required(Role.NETWORK_ADMIN)
def endorsement_list(request):
    """The coordination records what partners (Mission locale, France Travail, employers)
    said of a module or a certificate, and sees every endorsement published in its towns."""
    form = EndorsementForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            endorsement = endorsement_issue(
                endorser=form.cleaned_data["endorser"],
                module=form.cleaned_data["module"],
                certificate=form.cleaned_data["certificate"],
                comment=form.cleaned_data["comment"],
                issued_by=request.user,
                now=public.current_time(),
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Recommandation de %(endorser)s publiée et signée.")
                % {"endorser": endorsement.endorser.name},
            )
            return redirect("endorsement_list")
    endorsements = Paginator(
        Endorsement.objects.in_their_towns(request.user).select_related(
            "endorser", "module", "certificate__module"
        ),
        25,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "certificates/endorsement_list.html",
        {"form": form, "page": endorsements},
    )
