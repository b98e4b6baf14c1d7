"""Pages of the Coop: the mapping of our values to its codes, its file in and out."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from learners.models import AccessAction, AccessLog
from pathway.models import Actor
from pathway.permissions import Role, in_their_towns, staff_required
from stats.coop.export import CoopExport, Scope
from stats.coop.importer import CoopFileError, CoopImport
from stats.coop.mapping import TARGETS, Mapping, save_codes
from stats.models import CoopMappingKind

coordinating = staff_required(Role.COORDINATOR)


@coordinating
def coop_mapping(request):
    """Every value of ours and the Coop code it is exported as; coordinators change them."""
    mapping = Mapping()
    entries = mapping.entries()
    if request.method == "POST":
        changes = {}
        for entry in entries:
            posted = request.POST.get(f"m-{entry.kind}-{entry.value}")
            if posted is not None and posted.strip() != entry.code:
                changes[(entry.kind, entry.value)] = posted.strip()[:150]
        try:
            save_codes(changes, by=request.user)
        except ValueError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(count)s correspondance(s) enregistrée(s).") % {"count": len(changes)},
            )
            return redirect("coop_mapping")
    groups = []
    for kind in CoopMappingKind:
        target = TARGETS[kind]
        groups.append(
            {
                "kind": kind,
                "free_text": target is None,
                "choices": sorted(target.items(), key=lambda item: item[1]) if target else [],
                "entries": [e for e in entries if e.kind == kind],
            }
        )
    return render(
        request,
        "stats/coop_mapping.html",
        {"groups": groups, "unmapped": [e for e in entries if not e.code]},
    )


working = staff_required(Role.MEDIATOR, Role.COORDINATOR)


class ExportForm(forms.Form):
    start = forms.DateField(label=_("Du"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Au"), widget=forms.DateInput(attrs={"type": "date"}))
    scope = forms.ChoiceField(label=_("Accompagnements"), required=False)
    file_format = forms.ChoiceField(
        label=_("Format"), choices=[("xlsx", "XLSX"), ("csv", "CSV")], initial="xlsx"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Les miens"))]
        if user.is_network_admin:
            choices.append(("network", _("Tout le réseau")))
        if user.is_network_admin or user.role == Role.COORDINATOR:
            actors = Actor.objects.active().order_by("name")
            if user.is_network_admin:
                actors = in_their_towns(actors, user, "pk")
            else:
                actors = actors.filter(pk__in=user.actor_ids)
            choices += [(f"actor-{a.pk}", a.name) for a in actors]
        self.fields["scope"].choices = choices

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("La date de début est après la date de fin."))
        if start and end and (end - start).days > 366 * 5:
            raise forms.ValidationError(_("Choisissez une période de cinq ans au plus."))
        return data

    def scope_for(self, user):
        value = self.cleaned_data.get("scope") or ""
        if value == "network":
            return Scope(user)
        if value.startswith("actor-"):
            return Scope.parse(user, actor=value.removeprefix("actor-"))
        return Scope(user, mediator=user)


def export_response(export, file_format):
    if file_format == "csv":
        response = HttpResponse(export.csv(), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            export.xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{export.filename(file_format)}"'
    if export.unmapped:
        response["X-Coop-Unmapped"] = str(len(export.unmapped))
    return response


@working
def coop_export(request):
    """The Coop's accompaniments file of a period: one's own, an actor's, the network's."""
    form = ExportForm(request.GET or None, user=request.user)
    if request.GET and form.is_valid():
        scope = form.scope_for(request.user)
        export = CoopExport(scope, form.cleaned_data["start"], form.cleaned_data["end"])
        response = export_response(export, form.cleaned_data["file_format"])
        AccessLog.record(request, action=AccessAction.EXPORT, residents=export.references)
        return response
    return render(
        request, "stats/coop_export.html", {"form": form, "unmapped": Mapping().unmapped()}
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier exporté de la Coop (XLSX ou CSV)"),
        help_text=_(
            "Tel qu'il sort de la Coop : les lignes de titre et de filtres au-dessus du "
            "tableau sont lues sans souci."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Vérifier seulement, sans rien enregistrer"), required=False, initial=True
    )


@working
def coop_import(request):
    """A Coop accompaniments file brought in: checked row by row, written all or nothing."""
    form = ImportForm(request.POST or None, request.FILES or None)
    report = error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 50 * 1024 * 1024:
            error = _("Fichier trop lourd (50 Mo au plus).")
        else:
            importer = CoopImport(request.user)
            try:
                report = importer.check(upload.read(), upload.name)
            except CoopFileError as problem:
                error = str(problem)
            else:
                if not form.cleaned_data["dry_run"] and not report.errors:
                    importer.write()
    return render(
        request, "stats/coop_import.html", {"form": form, "report": report, "error": error}
    )
