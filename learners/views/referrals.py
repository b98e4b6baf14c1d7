"""Referrals: the inbox and the sent ones, sending one, and answering it step by step."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learners import services
from learners.forms import ReferralForm
from learners.models import AccessAction, AccessLog, Referral, ReferralStatus
from learners.views.residents import visible_resident
from pathway.permissions import working_with_residents


@working_with_residents
def referral_list(request):
    """The inbox of referrals addressed to the user's actors, or those they sent."""
    box = "sent" if request.GET.get("box") == "sent" else "received"
    referrals = Referral.objects.visible_to(request.user)
    referrals = (
        referrals.sent_by(request.user) if box == "sent" else referrals.received_by(request.user)
    )
    if request.GET.get("open", "1") == "1":
        referrals = referrals.exclude(status=ReferralStatus.CLOSED)
    page = Paginator(referrals.with_list_data(), 25).get_page(request.GET.get("page"))
    now = timezone.now()
    for referral in page.object_list:
        referral.flagged = referral.is_flagged(now=now)
    AccessLog.record(request, residents=[r.resident for r in page.object_list])
    return render(
        request,
        "learners/referral_list.html",
        {
            "page": page,
            "box": box,
            "only_open": request.GET.get("open", "1") == "1",
            "page_query": "&" + urlencode({"box": box, "open": request.GET.get("open", "1")}),
            "flag_days": settings.REFERRAL_FLAG_DAYS,
        },
    )


@working_with_residents
@require_POST
def referral_notifications(request):
    """The user's own choice: an email at each referral to one of their structures."""
    wanted = request.POST.get("notify") == "on"
    user = request.user
    user.notify_referrals = wanted
    user.save(update_fields=["notify_referrals"])
    if not wanted:
        messages.success(request, _("Vous ne recevrez plus d'e-mail pour les orientations."))
    elif user.email:
        messages.success(
            request,
            _("Vous recevrez un e-mail à %(email)s à chaque orientation reçue.")
            % {"email": user.email},
        )
    else:
        messages.warning(
            request,
            _(
                "C'est noté, mais aucune adresse e-mail n'est enregistrée pour vous : "
                "demandez à la coordination du réseau de l'ajouter."
            ),
        )
    return redirect("referral_list")


@working_with_residents
def referral_create(request, reference):
    resident = visible_resident(request, reference)
    form = ReferralForm(
        request.POST or None,
        user=request.user,
        resident=resident,
        across_towns=resident.town_has_neighbours,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.referral_send(
                resident=resident,
                from_actor=data["from_actor"],
                to_actor=data["to_actor"],
                to_pole=data["to_pole"],
                reason=data["reason"],
                consent=data["consent"],
                across_towns=data.get("across_towns", False),
                by=request.user,
                path=request.path,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Orientation envoyée."))
            return redirect("resident_journey", reference=resident.reference)
    AccessLog.record(request, resident, AccessAction.VIEW_RECORD)
    return render(request, "learners/referral_form.html", {"form": form, "resident": resident})


STEPS = {
    ReferralStatus.RECEIVED: "mark_received",
    ReferralStatus.SEEN: "mark_seen",
    ReferralStatus.CLOSED: "close",
}


@working_with_residents
def referral_detail(request, pk):
    referral = get_object_or_404(Referral.objects.visible_to(request.user).with_list_data(), pk=pk)
    if request.method == "POST":
        step = request.POST.get("step")
        if step not in STEPS:
            messages.error(request, _("Action inconnue : rechargez la page."))
        else:
            try:
                getattr(referral, STEPS[step])(by=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("Orientation : %(status)s.") % {"status": referral.get_status_display()},
                )
        return redirect(reverse("referral_detail", args=[referral.pk]))
    AccessLog.record(request, referral.resident, AccessAction.VIEW_RECORD)
    return render(
        request,
        "learners/referral_detail.html",
        {
            "referral": referral,
            "steps": [(s, s.label) for s in referral.next_steps(request.user)],
            "flagged": referral.is_flagged(),
            "flag_days": settings.REFERRAL_FLAG_DAYS,
        },
    )
