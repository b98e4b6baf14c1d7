"""Residents' records: finding a resident, creating, editing, reading their journey,
exporting or erasing their data, and merging duplicates."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from learners import services
from learners.forms import EraseForm, MergeForm, ResidentForm
from learners.journeys import journey_of, resident_data, resident_data_pdf
from learners.models import AccessAction, AccessLog, Resident
from learners.permissions import require_management, working_with_residents
from learners.views.access import network_admin_only
from learners.writing import NewPerson, SessionChoices, new_person_problems
from pathway.models import Neighbourhood, has_neighbours

SEARCH_LIMIT = 10


def find_residents(user, text, *, limit=SEARCH_LIMIT):
    """Residents this user may see matching `text`, best-known first: (list, more?)."""
    neighbourhoods = list(Neighbourhood.objects.only("pk", "name"))
    found = list(
        Resident.objects.visible_to(user)
        .search_first(text, limit=limit + 1, neighbourhoods=neighbourhoods)
        .select_related("neighbourhood", "created_by_actor__town")
    )
    return found[:limit], len(found) > limit


def visible_resident(request, reference):
    """A resident this user may see (404 otherwise), with `manageable`: whether they may
    also manage the record, and `town_has_neighbours`: whether the record's town shares a
    territory with other towns (following there is offered)."""
    return get_object_or_404(
        Resident.objects.visible_to(request.user)
        .with_rights(request.user)
        .annotate(town_has_neighbours=has_neighbours("created_by_actor__town"))
        .select_related("neighbourhood", "created_by_actor__town"),
        reference=reference.upper(),
    )


def managed_resident(request, reference):
    """A resident whose record this user may manage: 404 if they may not see it, 403 if
    they see it through the person's consent to sharing but it belongs to another actor."""
    return require_management(visible_resident(request, reference))


@working_with_residents
def resident_list(request):
    """Find a resident; without a search, the people seen lately at the user's actors."""
    text = request.GET.get("q", "").strip()
    more = False
    if text:
        residents, more = find_residents(request.user, text, limit=50)
    else:
        residents = list(
            Resident.objects.visible_to(request.user)
            .filter(
                last_session_on__isnull=False,
                **(
                    {}
                    if request.user.is_network_admin
                    else {"created_by_actor__in": request.user.actor_ids}
                ),
            )
            .select_related("neighbourhood", "created_by_actor__town")
            .order_by("-last_session_on", "id")[:20]
        )
    AccessLog.record(request, residents=residents)
    return render(
        request,
        "learners/resident_list.html",
        {"residents": residents, "q": text, "more": more},
    )


@working_with_residents
def resident_search(request):
    """As-you-type search of the session page: an HTML fragment of matching residents."""
    text = request.GET.get("q", "").strip()
    residents, more = find_residents(request.user, text)
    AccessLog.record(request, residents=residents)
    return render(
        request,
        "learners/resident_search.html",
        {"residents": residents, "more": more, "q": text, "too_short": len(text) < 2},
    )


@working_with_residents
def resident_create(request):
    user = request.user
    actor = SessionChoices(user).default_actor()
    form = ResidentForm(
        request.POST or None,
        # The record to be: at this actor, in one of its town's neighbourhoods.
        instance=Resident(created_by_actor=actor),
        across_towns=actor is not None and actor.town_has_neighbours,
    )
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = NewPerson(
            first_name=data["first_name"],
            last_name=data["last_name"],
            birth_year=data["birth_year"],
            confirm_new=data["same_as"] == "new",
        )
        duplicates = new_person_problems(person, user=user, add=form.add_error)
        if actor is None:
            form.add_error(None, _("Votre compte n'est rattaché à aucune structure."))
        elif not duplicates and not form.errors:
            fields = {name: data[name] for name in ResidentForm.Meta.fields}
            try:
                resident = services.resident_create(
                    by=user, actor=actor, **form.consent_answers(), **fields
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Fiche créée."))
                return redirect("resident_journey", reference=resident.reference)
    AccessLog.record(request, residents=duplicates)  # the records proposed instead
    return render(request, "learners/resident_form.html", {"form": form, "duplicates": duplicates})


@working_with_residents
def resident_export(request, reference, fmt):
    """The resident's right of access: all their data, as JSON or as a readable PDF."""
    if fmt not in {"json", "pdf"}:
        raise Http404
    resident = managed_resident(request, reference)
    AccessLog.record(request, resident, AccessAction.EXPORT)
    filename = f"donnees-{resident.reference}"
    if fmt == "pdf":
        response = HttpResponse(resident_data_pdf(resident), content_type="application/pdf")
    else:
        response = JsonResponse(
            resident_data(resident), json_dumps_params={"ensure_ascii": False, "indent": 2}
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@working_with_residents
def resident_erase(request, reference):
    """Erase a resident's data at their request (right to erasure)."""
    resident = managed_resident(request, reference)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.resident_erase(
            resident=resident,
            by=request.user,
            revoke_certificates=form.cleaned_data["certificates"] == EraseForm.REVOKE,
        )
        messages.success(request, _("Les données de la personne ont été effacées."))
        return redirect("resident_list")
    AccessLog.record(request, resident, AccessAction.VIEW_RECORD)
    return render(request, "learners/resident_erase.html", {"resident": resident, "form": form})


@working_with_residents
def resident_journey(request, reference):
    """The journey page: printable, and journaled as a read of the record."""
    resident = visible_resident(request, reference)
    journey = journey_of(resident)
    duplicates = []
    if request.user.is_network_admin and resident.manageable:
        # The records they could merge with it: a person followed from a neighbouring
        # town is that town's to merge.
        duplicates = list(
            Resident.objects.editable_by(request.user)
            .likely_duplicates(
                first_name=resident.first_name,
                last_name=resident.last_name,
                birth_year=resident.birth_year,
            )
            .exclude(pk=resident.pk)[:5]
        )
    # One row: the journey read, and the look-alike records shown beside it.
    AccessLog.record(request, resident, AccessAction.VIEW_JOURNEY, residents=duplicates)
    return render(
        request,
        "learners/resident_journey.html",
        {
            "resident": resident,
            "journey": journey,
            "chart": journey.autonomy_chart(),
            "duplicates": duplicates,
            "flag_days": settings.REFERRAL_FLAG_DAYS,
        },
    )


@working_with_residents
def resident_update(request, reference):
    resident = managed_resident(request, reference)
    form = ResidentForm(
        request.POST or None, instance=resident, across_towns=resident.town_has_neighbours
    )
    if request.method == "POST" and form.is_valid():
        try:
            resident = services.resident_update(
                resident=form.save(commit=False),
                by=request.user,
                path=request.path,
                **form.consent_answers(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            AccessLog.record(request, resident, AccessAction.EDIT_RECORD)
            messages.success(request, _("Fiche enregistrée."))
            return redirect("resident_journey", reference=resident.reference)
    AccessLog.record(request, resident, AccessAction.VIEW_RECORD)
    return render(request, "learners/resident_form.html", {"form": form, "resident": resident})


@network_admin_only
def resident_merge(request):
    """The network admin merges a duplicate record into the one to keep."""
    form = MergeForm(
        request.POST or None,
        initial={"survivor": request.GET.get("survivor", "")},
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        survivor, duplicate = form.cleaned_data["survivor"], form.cleaned_data["duplicate"]
        if form.cleaned_data["confirm"]:
            try:
                services.resident_merge(survivor=survivor, duplicate=duplicate, by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Fiches fusionnées : %(duplicate)s est maintenant dans %(survivor)s.")
                    % {"duplicate": duplicate.reference, "survivor": survivor.reference},
                )
                return redirect("resident_journey", reference=survivor.reference)
        AccessLog.record(request, residents=[survivor, duplicate])
        return render(
            request,
            "learners/resident_merge.html",
            {"form": form, "records": [survivor, duplicate], "confirming": True},
        )
    return render(request, "learners/resident_merge.html", {"form": form})
