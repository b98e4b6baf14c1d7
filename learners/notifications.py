"""What tells the staff of a structure that a referral arrived: the count of new ones in the
navigation and on their first page (`new_referrals`, a context processor), and an email to
those who asked for it (`referral_sent`, on every new referral, whatever the way it was
sent: page, API)."""

import functools
import logging

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models.signals import post_save
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from learners.models import Referral, ReferralStatus, User
from pathway.areas import names_of
from pathway.permissions import Role

logger = logging.getLogger(__name__)


def new_referrals_of(user):
    """Referrals addressed to the user's structures that nobody there has answered yet (not
    even "reçue"): one query."""
    return (
        Referral.objects.visible_to(user)
        .received_by(user)
        .filter(status=ReferralStatus.SENT)
        .count()
    )


def new_referrals(request):
    """Context processor: `new_referrals`, counted only when a page shows it (the navigation
    of a member of staff who works with residents), in one query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.works_with_residents:
        return {}
    # A callable: templates call it where they show it, once (cached) per page.
    return {"new_referrals": functools.cache(lambda: new_referrals_of(user))}


def recipients(referral):
    """The staff of the receiving structure who asked to be told by email (for a referral to
    a pole, the staff of the other structures), the sender aside."""
    staff = User.objects.filter(
        is_active=True,
        notify_referrals=True,
        role__in=[Role.MEDIATOR, Role.COORDINATOR, Role.NETWORK_ADMIN],
    ).exclude(email="")
    if referral.to_actor_id is not None:
        staff = staff.filter(actors=referral.to_actor_id)
    else:
        staff = staff.filter(actors__isnull=False).exclude(actors=referral.from_actor_id)
    return list(staff.exclude(pk=referral.created_by_id).distinct().order_by("pk"))


def send_referral_emails(referral_pk):
    referral = (
        Referral.objects.select_related("from_actor__town", "to_actor")
        .filter(pk=referral_pk)
        .first()
    )
    if referral is None:
        return 0
    people = recipients(referral)
    if not people:
        return 0
    body = render_to_string(
        "learners/referral_email.txt",
        {
            "referral": referral,
            "sent_on": timezone.localdate(referral.sent_at),
            "url": settings.SITE_URL + reverse("referral_detail", args=[referral.pk]),
            "settings_url": settings.SITE_URL + reverse("referral_list"),
            # The network of the town the referral comes from (its actor's).
            "NETWORK_NAME": names_of(referral.from_actor.town)[1],
        },
    )
    subject = _("Nouvelle orientation reçue : %(destination)s") % {
        "destination": referral.destination
    }
    # One message each: nobody sees the others' addresses.
    messages = [EmailMessage(subject=subject, body=body, to=[person.email]) for person in people]
    try:
        return mailers["default"].send_messages(messages) or 0
    except OSError:
        # The referral is sent and shows in the inbox and the navigation's count: a mail
        # server that does not answer must not undo it.
        logger.exception("Referral %s: the emails could not be sent", referral.pk)
        return 0


def referral_sent(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        transaction.on_commit(lambda: send_referral_emails(instance.pk))


def connect():
    post_save.connect(referral_sent, sender=Referral, dispatch_uid="referral_sent_email")
