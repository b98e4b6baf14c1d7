"""What the pages (views.py) and the API (api.py) both answer: the API does not import the
pages."""

from django.http import Http404, HttpResponse


def stored_pdf(certificate, *, as_attachment):
    """The signed PDF exactly as stored at issuance (of a certificate or a learner record):
    never made again. Read whole (some fifty kilobytes) rather than streamed, so no file
    stays open after the response."""
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
