"""Imports and exports of files: upload a file, follow its check, confirm or cancel the
import; download the records one may see."""

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from learners import imports
from learners.forms import ImportForm
from learners.models import ImportJob
from pathway.permissions import working_with_residents


@working_with_residents
def import_start(request):
    """Upload a file to import: it is checked first, and imported only once confirmed."""
    kinds = imports.kinds_for(request.user, "import")
    form = ImportForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.job_start(
                user=request.user,
                kind=imports.KINDS[form.cleaned_data["kind"]],
                uploaded=form.cleaned_data["file"],
            )
        except imports.FileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("import_detail", pk=job.pk)
    jobs = ImportJob.objects.visible_to(request.user).select_related("created_by")[:20]
    return render(
        request,
        "learners/import_start.html",
        {"form": form, "jobs": jobs, "kinds": {k.name: k.label for k in imports.KINDS.values()}},
    )


def visible_job(request, pk):
    return get_object_or_404(
        ImportJob.objects.visible_to(request.user).select_related("created_by"), pk=pk
    )


@working_with_residents
@require_safe
def import_detail(request, pk):
    """Where an import is: its progress while it runs, then its report."""
    job = visible_job(request, pk)
    if job.is_running:
        imports.job_recover(job)  # its worker may have stopped
    done, total = imports.read_progress(job) if job.is_running else (job.done_rows, job.total_rows)
    if request.GET.get("progress"):
        return JsonResponse(
            {"status": job.status, "running": job.is_running, "done": done, "total": total}
        )
    return render(
        request,
        "learners/import_detail.html",
        {
            "job": job,
            "kind": imports.KINDS[job.resource],
            "done": done,
            "total": total,
            "report": job.report,
        },
    )


@working_with_residents
@require_POST
def import_confirm(request, pk):
    job = visible_job(request, pk)
    try:
        imports.job_confirm(job)
    except imports.FileError as error:
        messages.error(request, str(error))
    return redirect("import_detail", pk=job.pk)


@working_with_residents
@require_POST
def import_cancel(request, pk):
    job = visible_job(request, pk)
    try:
        imports.job_cancel(job)
    except imports.FileError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Import abandonné : le fichier est supprimé."))
    return redirect("import_start")


@working_with_residents
@require_safe
def export_list(request):
    return render(
        request,
        "learners/export_list.html",
        {"kinds": imports.kinds_for(request.user, "export"), "formats": imports.EXPORT_FORMATS},
    )


@working_with_residents
@require_safe
def export_download(request, kind, file_format):
    """A file of the records of `kind` this user may see."""
    found = imports.KINDS.get(kind)
    if found is None or not found.may_export(request.user):
        raise Http404
    if file_format not in imports.EXPORT_FORMATS:
        raise Http404
    content_type, extension = imports.EXPORT_FORMATS[file_format]
    content = imports.export(found, user=request.user, file_format=file_format)
    name = f"{kind}-{timezone.localdate():%Y-%m-%d}.{extension}"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
