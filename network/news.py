"""News and shared documents: posts by the network admin and coordinators, a document
library by folder with its versions, and the weekly digest by email."""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from network.models import DigestSubscription, Document, DocumentVersion, Post, writing_town
from pathway.areas import installation_names
from pathway.models import Actor
from pathway.permissions import Role

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def can_publish(user):
    return user.is_authenticated and (user.is_network_admin or user.role == Role.COORDINATOR)


def post_publish(*, by, title, body, documents=(), town=None):
    """A news item for the staff of `town` (network.models.writing_town: the author's own
    town when not given; None from the superuser: every town)."""
    if not can_publish(by):
        raise ValidationError(_("Seuls les responsables et la coordination publient."))
    town = writing_town(by, town)
    post = Post.objects.create(title=title.strip(), body=body.strip(), author=by, town=town)
    post.documents.set(documents)
    return post


@transaction.atomic
def document_upload(*, by, file, folder=None, title="", document=None, town=None):
    """A new document of `town` (as for post_publish), or a new version of `document`
    (one `by` sees, in its own town): who uploaded what, when."""
    if not can_publish(by):
        raise ValidationError(
            _("Seuls les responsables et la coordination déposent des documents.")
        )
    if file.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("Fichier trop gros : 20 Mo au plus."))
    if document is not None and not Document.objects.visible_to(by).filter(pk=document.pk).exists():
        raise ValidationError(_("Ce document n'est pas un document de votre ville."))
    if document is None:
        if folder is None or not title.strip():
            raise ValidationError(_("Choisissez un dossier et donnez un titre."))
        document = Document.objects.create(
            folder=folder, title=title.strip(), town=writing_town(by, town)
        )
    return DocumentVersion.objects.create(
        document=document,
        file=file,
        name=Path(file.name).name[:200],
        size=file.size,
        uploaded_by=by,
    )


def digest_send(*, now=None, days=7):
    """The weekly email: the news of the last `days` days of their towns to each subscriber
    who has not had them (nothing is sent in a week without news), signed by their town's
    network. Returns the number of emails. The subscribers' towns are read with them:
    the queries do not grow with their number (a territory's, one each)."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=days)
    posts = list(Post.objects.filter(published_at__gt=since).order_by("-published_at"))
    if not posts:
        return 0
    sent = 0
    installation = None
    subscriptions = (
        DigestSubscription.objects.filter(user__is_active=True)
        .select_related("user__town", "user__territory")
        .prefetch_related(Prefetch("user__actors", queryset=Actor.objects.select_related("town")))
    )
    for subscription in subscriptions:
        user = subscription.user
        town_ids = user.town_ids
        fresh = [
            p
            for p in posts
            if (subscription.last_sent_at is None or p.published_at > subscription.last_sent_at)
            and (town_ids is None or p.town_id is None or p.town_id in town_ids)
        ]
        if not fresh or not user.email:
            continue
        names = user.home_town_names
        if names is None:
            installation = installation or installation_names()
            names = installation
        body = render_to_string(
            "network/digest_email.txt",
            {
                "user": user,
                "posts": fresh,
                "url": settings.SITE_URL + reverse("news"),
                "NETWORK_NAME": names[1],
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
