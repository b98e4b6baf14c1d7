"""News and shared documents: posts by the network admin and coordinators, a document
library by folder with its versions, and the weekly digest by email."""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from network.models import DigestSubscription, Document, DocumentVersion, Post
from pathway.permissions import Role

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def can_publish(user):
    return user.is_authenticated and (user.is_network_admin or user.role == Role.COORDINATOR)


def post_publish(*, by, title, body, documents=()):
    if not can_publish(by):
        raise ValidationError(_("Seuls les responsables et la coordination publient."))
    post = Post.objects.create(title=title.strip(), body=body.strip(), author=by)
    post.documents.set(documents)
    return post


@transaction.atomic
def document_upload(*, by, file, folder=None, title="", document=None):
    """A new document, or a new version of `document`: who uploaded what, when."""
    if not can_publish(by):
        raise ValidationError(
            _("Seuls les responsables et la coordination déposent des documents.")
        )
    if file.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("Fichier trop gros : 20 Mo au plus."))
    if document is None:
        if folder is None or not title.strip():
            raise ValidationError(_("Choisissez un dossier et donnez un titre."))
        document = Document.objects.create(folder=folder, title=title.strip())
    return DocumentVersion.objects.create(
        document=document,
        file=file,
        name=Path(file.name).name[:200],
        size=file.size,
        uploaded_by=by,
    )


def digest_send(*, now=None, days=7):
    """The weekly email: the news of the last `days` days to each subscriber who has not had
    them (nothing is sent in a week without news). Returns the number of emails."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=days)
    posts = list(Post.objects.filter(published_at__gt=since).order_by("-published_at"))
    if not posts:
        return 0
    sent = 0
    subscriptions = DigestSubscription.objects.select_related("user").filter(user__is_active=True)
    for subscription in subscriptions:
        fresh = [
            p
            for p in posts
            if subscription.last_sent_at is None or p.published_at > subscription.last_sent_at
        ]
        if not fresh or not subscription.user.email:
            continue
        body = render_to_string(
            "network/digest_email.txt",
            {
                "user": subscription.user,
                "posts": fresh,
                "url": settings.SITE_URL + reverse("news"),
                "NETWORK_NAME": settings.NETWORK_NAME,
            },
        )
        EmailMessage(
            subject=_("Les nouvelles du réseau de la semaine"),
            body=body,
            to=[subscription.user.email],
        ).send()
        subscription.last_sent_at = now
        subscription.save(update_fields=["last_sent_at"])
        sent += 1
    return sent
