"""The resident's own space, opened by a personal link rather than an account, and the
personal links that mediators manage for a resident."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learners import services
from learners.carnet import carnet_pdf
from learners.forms import ConsentForm, EraseForm, MagicLinkForm
from learners.journeys import resident_data, resident_data_pdf
from learners.models import (
    CONSENT_TEXTS,
    CURRENT_CONSENT_VERSION,
    AccessAction,
    AccessLog,
    Resident,
    ResidentLink,
)
from learners.next_step import next_step
from learners.permissions import (
    RESIDENT_LINK_SESSION_KEY,
    RESIDENT_SESSION_KEY,
    rate_limit_exceeded,
    require_management,
    resident_required,
    too_many_requests,
)
from learners.services import personal_url, resident_link_email
from pathway.models import Town
from pathway.permissions import working_with_residents


def me_access(request):
    """How a resident opens their own space: the carnet's QR code, or a link sent to the
    email address the network has for them. The answer is the same whether the address is
    known or not, so that nobody learns who is followed by the network."""
    form = MagicLinkForm(request.POST or None)
    if request.method == "POST":
        if rate_limit_exceeded(request, "me_access", limit=5):
            return too_many_requests(request)
        if form.is_valid():
            email = form.cleaned_data["email"].lower()
            # Never more than three emails an hour to one address, whoever asks.
            if not rate_limit_exceeded(request, "me_access_email", limit=3, who=email):
                residents = Resident.objects.active().filter(email__iexact=email)
                for resident in residents.select_related("created_by_actor__town")[:5]:
                    resident_link_email(resident=resident)
            messages.success(
                request,
                _(
                    "Si cette adresse est celle que vous avez donnée à un médiateur, un lien "
                    "vient de vous être envoyé. Regardez vos courriels (et les indésirables)."
                ),
            )
            return redirect("me_access")
    return render(request, "learners/me_access.html", {"form": form})


def me_open(request, token):
    """A resident's personal link: opens their space in this browser."""
    if rate_limit_exceeded(request, "me_open", limit=settings.RESIDENT_LINK_RATE_LIMIT):
        return too_many_requests(request)
    link = get_object_or_404(
        ResidentLink.objects.usable().select_related("resident"),
        token_hash__in=ResidentLink.hashes(token),
        resident__merged_into__isnull=True,
        resident__erased_at__isnull=True,
    )
    request.session.cycle_key()
    request.session[RESIDENT_SESSION_KEY] = link.resident_id
    request.session[RESIDENT_LINK_SESSION_KEY] = link.pk
    ResidentLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    return redirect("me")


@resident_required
def me(request):
    certificates = list(request.resident.certificates.with_list_data())
    for certificate in certificates:
        certificate.current_status = certificate.status()
    return render(
        request,
        "learners/me.html",
        {
            "resident": request.resident,
            "certificates": certificates,
            "next_step": next_step(request.resident, has_certificate=bool(certificates)),
        },
    )


@resident_required
def me_data(request):
    """My data: download it, choose whether other actors (and the neighbouring towns) may
    see it, or erase it."""
    resident = request.resident
    if request.method == "POST":
        form = ConsentForm(request.POST)
        if form.is_valid():
            if form.cleaned_data["towns"] == ConsentForm.STOP:
                # Stop being followed in the neighbouring towns; sharing stays as it is.
                services.resident_set_consent(
                    resident=resident,
                    consent=resident.sharing_consent,
                    across_towns=False,
                    request=request,
                )
                messages.success(
                    request,
                    _(
                        "C'est noté : les villes voisines ne voient plus votre parcours. "
                        "Les structures de votre ville le voient toujours."
                    ),
                )
                return redirect("me_data")
            following = resident.shared_across_towns
            services.resident_set_consent(
                resident=resident, consent=form.cleaned_data["consent"], request=request
            )
            if resident.sharing_consent:
                message = _("C'est noté : les autres structures du réseau voient votre parcours.")
            elif following:
                message = _(
                    "C'est noté : seule la structure qui vous a reçu voit votre parcours. Les "
                    "villes voisines ne le voient plus non plus."
                )
            else:
                message = _("C'est noté : seule la structure qui vous a reçu voit votre parcours.")
            messages.success(request, message)
            return redirect("me_data")
    town = resident.created_by_actor.town
    return render(
        request,
        "learners/me_data.html",
        {
            "resident": resident,
            "consent_text": CONSENT_TEXTS[CURRENT_CONSENT_VERSION],
            "town": town,
            # The towns where the person is, or could be, followed too: none in a
            # single-town installation, where the page looks as it always did.
            "neighbour_towns": list(Town.objects.neighbours_of([town.pk]).order_by("name")),
        },
    )


@resident_required
def me_export(request, fmt):
    if fmt not in {"json", "pdf"}:
        raise Http404
    resident = request.resident
    AccessLog.record(request, resident, AccessAction.EXPORT)
    if fmt == "pdf":
        response = HttpResponse(resident_data_pdf(resident), content_type="application/pdf")
    else:
        response = JsonResponse(
            resident_data(resident), json_dumps_params={"ensure_ascii": False, "indent": 2}
        )
    response["Content-Disposition"] = f'attachment; filename="mes-donnees.{fmt}"'
    return response


@resident_required
def me_erase(request):
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.resident_erase(
            resident=request.resident,
            revoke_certificates=form.cleaned_data["certificates"] == EraseForm.REVOKE,
        )
        request.session.flush()
        return render(request, "learners/me_erased.html")
    return render(request, "learners/me_erase.html", {"resident": request.resident, "form": form})


@require_POST
def me_leave(request):
    request.session.flush()
    return redirect("home")


# A resident's personal links, managed by mediators -------------------------------------------


def followed_resident(request, reference):
    """A resident whose personal links this user may manage (404 if they may not see the
    record, 403 if it belongs to another actor)."""
    resident = get_object_or_404(
        Resident.objects.visible_to(request.user)
        .active()
        .with_rights(request.user)
        .select_related("created_by_actor__town"),
        reference=reference,
    )
    return require_management(resident)


@working_with_residents
def resident_links(request, reference):
    """The personal links of a resident: print a carnet, send a link, block a lost one."""
    resident = followed_resident(request, reference)
    AccessLog.record(request, resident, AccessAction.VIEW_RECORD)
    links = list(resident.links.select_related("created_by")[:30])
    now = timezone.now()
    for link in links:
        link.works = link.revoked_at is None and link.expires_at > now
    return render(
        request,
        "learners/resident_links.html",
        {
            "resident": resident,
            "links": links,
            "link_days": settings.RESIDENT_LINK_DAYS,
            "email_days": settings.RESIDENT_EMAIL_LINK_DAYS,
        },
    )


@require_POST
@working_with_residents
def resident_carnet(request, reference):
    """A new personal link, printed on the one-page carnet (the token is never stored)."""
    resident = followed_resident(request, reference)
    link, token = ResidentLink.create_for(
        resident, created_by=request.user, days=settings.RESIDENT_LINK_DAYS
    )
    step = next_step(resident, has_certificate=resident.certificates.exists())
    for workshop in step.workshops:
        workshop.signup_url = settings.SITE_URL + reverse("workshop_detail", args=[workshop.pk])
    document = carnet_pdf(
        resident, url=personal_url(token), expires_at=link.expires_at, next_step=step
    )
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="carnet-{resident.reference}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@working_with_residents
def resident_link_send(request, reference):
    resident = followed_resident(request, reference)
    if not resident.email:
        messages.error(
            request,
            _("Cette personne n'a pas d'adresse électronique : imprimez-lui plutôt un carnet."),
        )
    else:
        resident_link_email(resident=resident, created_by=request.user)
        messages.success(
            request,
            _("Un lien valable %(days)s jours est parti à %(email)s.")
            % {"days": settings.RESIDENT_EMAIL_LINK_DAYS, "email": resident.email},
        )
    return redirect("resident_links", resident.reference)


@require_POST
@working_with_residents
def resident_link_revoke(request, reference, pk):
    resident = followed_resident(request, reference)
    link = get_object_or_404(resident.links, pk=pk)
    if link.revoked_at is None:
        link.revoke()
        messages.success(
            request,
            _("Ce lien ne marche plus : l'espace qu'il ouvrait est fermé sur tous les appareils."),
        )
    return redirect("resident_links", resident.reference)
