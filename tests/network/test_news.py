"""News and shared documents: posts by publishers, safe formatting, versions of documents
served to staff only, and the weekly digest."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from network.models import DigestSubscription, Document, Folder, Post
from network.news import digest_send, document_upload, post_publish

pytestmark = pytest.mark.django_db


def upload(cast, name="charte-v1.pdf", **fields):
    return document_upload(
        by=cast.network_admin, file=SimpleUploadedFile(name, b"%PDF-1.4 " + name.encode()), **fields
    )


def test_publishers_post_and_everyone_reads_safely(cast):
    cast.client("coordinator_a").post(
        "/reseau/actualites/",
        {
            "action": "publish",
            "title": "Nouveau créneau",
            "body": "Le samedi matin.\n\n<script>alert(1)</script> Voir https://example.fr/agenda",
        },
    )
    post = Post.objects.get()
    page = cast.client("mediator_b").get("/reseau/actualites/").content.decode()
    assert "Nouveau créneau" in page and "<script>alert" not in page
    assert '<a href="https://example.fr/agenda"' in page
    # Mediators read, and may not publish.
    cast.client("mediator_b").post(
        "/reseau/actualites/", {"action": "publish", "title": "X", "body": "Y"}
    )
    assert list(Post.objects.all()) == [post]


def test_documents_keep_their_versions_and_are_served_to_staff_only(cast, client):
    folder = Folder.objects.create(name="Comités de pilotage")
    first = upload(cast, folder=folder, title="Compte rendu du copil")
    second = document_upload(
        by=cast.coordinator_a,
        file=SimpleUploadedFile("copil-v2.pdf", b"%PDF-1.4 v2"),
        document=first.document,
    )
    assert Document.objects.count() == 1 and first.document.versions.count() == 2
    page = cast.client("mediator_b").get("/reseau/documents/").content.decode()
    assert "copil-v2.pdf" in page and "charte-v1.pdf" in page
    assert page.index("copil-v2.pdf") < page.index("charte-v1.pdf")  # newest first
    response = cast.client("mediator_b").get(f"/reseau/documents/versions/{second.pk}/")
    assert response.content == b"%PDF-1.4 v2"
    assert response["Content-Disposition"] == 'attachment; filename="copil-v2.pdf"'
    assert client.get(f"/reseau/documents/versions/{second.pk}/").status_code == 302
    assert (
        cast.client("ambassador").get(f"/reseau/documents/versions/{second.pk}/").status_code == 404
    )
    with pytest.raises(Exception, match="Seuls"):
        document_upload(
            by=cast.mediator_a, file=SimpleUploadedFile("x.pdf", b"x"), document=first.document
        )


def test_the_weekly_digest_goes_once_to_subscribers_and_not_in_a_week_without_news(cast):
    now = timezone.now()
    DigestSubscription.objects.create(user=cast.mediator_a)
    cast.client("mediator_b").post("/reseau/actualites/", {"action": "digest", "on": "1"})
    assert DigestSubscription.objects.count() == 2
    assert digest_send(now=now) == 0  # no news
    post_publish(by=cast.network_admin, title="Assises : les dates", body="Le 12 mars.")
    old = post_publish(by=cast.network_admin, title="Vieille nouvelle", body="…")
    Post.objects.filter(pk=old.pk).update(published_at=now - datetime.timedelta(days=10))
    assert digest_send(now=now + datetime.timedelta(minutes=1)) == 2
    body = mail.outbox[0].body
    assert "Assises : les dates" in body and "Vieille nouvelle" not in body
    assert digest_send(now=now + datetime.timedelta(minutes=2)) == 0  # already sent
    cast.client("mediator_b").post("/reseau/actualites/", {"action": "digest"})
    assert DigestSubscription.objects.count() == 1


def test_news_and_documents_read_in_constant_queries(cast):
    folder = Folder.objects.create(name="Charte")
    reader = cast.client("mediator_a")
    upload(cast, folder=folder, title="Doc 0")
    post_publish(by=cast.network_admin, title="N 0", body="…", documents=Document.objects.all())
    reader.get("/reseau/actualites/")
    with CaptureQueriesContext(connection) as news_one:
        reader.get("/reseau/actualites/")
    with CaptureQueriesContext(connection) as documents_one:
        reader.get("/reseau/documents/")
    for n in range(1, 5):
        upload(cast, name=f"f{n}.pdf", folder=Folder.objects.create(name=f"D{n}"), title=f"Doc {n}")
        post_publish(
            by=cast.network_admin, title=f"N {n}", body="…", documents=Document.objects.all()
        )
    with CaptureQueriesContext(connection) as news_five:
        reader.get("/reseau/actualites/")
    with CaptureQueriesContext(connection) as documents_five:
        reader.get("/reseau/documents/")
    assert len(news_five) == len(news_one)
    assert len(documents_five) == len(documents_one)
