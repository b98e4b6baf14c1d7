"""Where uploaded and generated files are kept (MEDIA_ROOT): signed certificate PDFs and import
files waiting to be confirmed. They name residents, so they are private: no URL serves the
folder and a stored file has no address to print. The views that check who asks hand each
file out (certificates.responses.stored_pdf behind the certificate pages)."""

from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    def url(self, name):
        # Fails loudly (a 500 in tests) rather than print a /media/ link in a page.
        raise ValueError(
            "Stored files are private and have no URL: link to the view that checks "
            "permission instead (e.g. certificate_download)."
        )
