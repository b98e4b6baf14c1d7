"""Importing a Pix Orga campaign's results: the file is checked first (a dry run with a
report line by line), then imported all at once when its uploader confirms."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certificates.forms import PixImportForm
from certificates.models import PixImport
from certificates.pix import pix_import as run_pix_import
from certificates.views import public
from learners.models import AccessLog
from learners.sheets import FileError, LargeFile
from pathway.permissions import working_with_residents

# Lines a request reads: a campaign of a town's residents has tens of participants; a file
# larger than this is split (the check of 10,000 lines takes a few seconds, see bench).
PIX_MAX_ROWS = 20_000
REPORT_LINES_SHOWN = 300


def forget_stale_files(user, *, now):
    """Files of unconfirmed imports are kept a day at most."""
    for stale in PixImport.objects.filter(
        created_by=user, created_at__lt=now - timezone.timedelta(days=1)
    ).exclude(file=""):
        stale.file.delete(save=False)
        stale.file = ""
        stale.save(update_fields=["file"])


def checked(request, pix_import, report):
    """Show the dry run's report, and journal the residents it names."""
    AccessLog.record(request, residents=report.residents)
    data = report.as_json()
    return render(
        request,
        "certificates/pix_import.html",
        {
            "form": PixImportForm(),
            "pix_import": pix_import,
            "report": data,
            "shown": [line for line in data["lines"] if line["outcome"] == "error"][
                :REPORT_LINES_SHOWN
            ]
            or data["lines"][:REPORT_LINES_SHOWN],
            "only_errors": bool(data["errors"]),
        },
    )


@working_with_residents
def pix_import(request):
    """Upload a results file: it is checked, nothing is written yet."""
    form = PixImportForm(request.POST or None, request.FILES or None)
    now = public.current_time()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = run_pix_import(
                source=upload,
                file_name=upload.name,
                user=request.user,
                dry_run=True,
                max_rows=PIX_MAX_ROWS,
            )
        except LargeFile:
            form.add_error(
                "file",
                _("Ce fichier a plus de %(max)s lignes : découpez-le en plusieurs fichiers.")
                % {"max": PIX_MAX_ROWS},
            )
        except FileError as error:
            form.add_error("file", str(error))
        else:
            forget_stale_files(request.user, now=now)
            upload.seek(0)
            pending = PixImport(
                file_name=upload.name[:255],
                created_by=request.user,
                created_at=now,
                report=report.as_json(),
            )
            if not report.errors:
                pending.file.save(
                    f"{now:%Y%m%d%H%M%S}.{upload.name.rsplit('.', 1)[-1].lower()}",
                    upload,
                    save=False,
                )
            pending.save()
            return checked(request, pending, report)
    return render(request, "certificates/pix_import.html", {"form": form})


@require_POST
@working_with_residents
def pix_import_confirm(request, pk):
    """Import a checked file: again checked against the records as they are now, then
    written all at once, or not at all."""
    pending = get_object_or_404(PixImport, pk=pk, created_by=request.user, imported_at__isnull=True)
    if not pending.file:
        messages.error(
            request, _("Ce fichier n'est plus gardé (plus d'un jour) : envoyez-le à nouveau.")
        )
        return redirect("pix_import")
    now = public.current_time()
    with pending.file.open("rb") as handle:
        try:
            report = run_pix_import(
                source=handle.read(),
                file_name=pending.file.name,
                user=request.user,
                dry_run=False,
                now=now,
                max_rows=PIX_MAX_ROWS,
            )
        except (FileError, LargeFile):
            report = None
    if report is None or not report.imported:
        messages.error(
            request,
            _("Rien n'a été importé : le fichier ne passe plus la vérification. Voici pourquoi."),
        )
        if report is None:
            return redirect("pix_import")
        return checked(request, pending, report)
    pending.file.delete(save=False)
    pending.imported_at = now
    pending.report = report.as_json()
    pending.save(update_fields=["file", "imported_at", "report"])
    counts = pending.report["counts"]
    messages.success(
        request,
        _(
            "Résultats Pix importés : %(new)s nouveaux, %(update)s mis à jour, %(unchanged)s "
            "déjà connus, %(skip)s sans résultats envoyés."
        )
        % counts,
    )
    return redirect("pix_import")
