"""Files go through Django's STORAGES, never through MEDIA_ROOT directly: with another
storage configured (here Django's in-memory one, in production an object store shared by
every app server), certificate PDFs and import files live there and nothing is written under
MEDIA_ROOT."""

import json
import os
import subprocess
import sys

import pytest
from django.core.files.storage import InMemoryStorage, storages
from django.core.files.uploadedfile import SimpleUploadedFile

from certificates.services import certificate_issue
from learners.models import ImportJob
from stats.demo.factories import completed_module

pytestmark = pytest.mark.django_db


class PrivateMemory(InMemoryStorage):
    def url(self, name):
        raise ValueError("private")


@pytest.fixture
def memory_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.PrivateMemory"},
    }
    storages._storages.pop("default", None)
    yield storages["default"]
    storages._storages.pop("default", None)


def test_certificates_and_imports_use_the_configured_storage(cast, memory_storage, settings):
    module = completed_module(cast.resident, mediator=cast.mediator_a)
    certificate = certificate_issue(
        resident=cast.resident, module=module, issued_by=cast.mediator_a
    )
    assert memory_storage.exists(certificate.pdf.name)
    client = cast.client("mediator_a")
    response = client.get(f"/certificates/{certificate.code}/pdf/")
    assert response.status_code == 200
    assert (
        b"".join(response.streaming_content if response.streaming else [response.content])[:5]
        == b"%PDF-"
    )

    content = "nom,prénom\nHaddad,Karim\n".encode()
    client.post(
        "/imports/", {"kind": "residents", "file": SimpleUploadedFile("habitants.csv", content)}
    )
    job = ImportJob.objects.get()
    assert job.status == "checked"
    assert memory_storage.exists(job.file.name)
    # Nothing of it on this server's disk.
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*.*"))


def test_an_s3_bucket_in_the_environment_selects_the_object_store():
    environment = {
        **os.environ,
        "DEBUG": "true",
        "STORAGE_S3_BUCKET": "parcours-fichiers",
        "STORAGE_S3_ENDPOINT_URL": "https://s3.example.fr",
        "STORAGE_S3_PREFIX": "miramas",
    }
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps(settings.STORAGES['default']))"
    )
    output = subprocess.run(
        [sys.executable, "-c", script],
        env={**environment, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    default = json.loads(output)
    assert default["BACKEND"] == "learners.storage_s3.PrivateS3Storage"
    assert default["OPTIONS"]["bucket_name"] == "parcours-fichiers"
    assert default["OPTIONS"]["endpoint_url"] == "https://s3.example.fr"
    assert default["OPTIONS"]["default_acl"] == "private"
