"""Team management by coordinators (their actors) and the network admin (every actor):
invitations by a one-time link with a role and an expiry, role changes, accounts switched
off, and the warning before an inactive account is switched off. Everything is journaled in
the admin's history (LogEntry), as the rest of the accounts' changes."""

import datetime

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from network.models import Invitation
from pathway.areas import names_for, names_of
from pathway.models import Actor
from pathway.permissions import Role, in_their_towns
from pathway.tokens import hashed, new_token

# The roles a team member can have within an actor.
TEAM_ROLES = [Role.MEDIATOR, Role.COORDINATOR]


_hash = hashed


def _journal(by, obj, flag, message):
    """In the admin's history; what no one did by hand (an account switched off after months
    without a sign-in) is written under the account itself."""
    LogEntry.objects.log_actions(
        user_id=(by or obj).pk, queryset=[obj], action_flag=flag, change_message=message
    )


def managed_actors(user):
    if not user.is_authenticated or not user.is_active:
        return Actor.objects.none()
    if user.is_network_admin:
        return in_their_towns(Actor.objects.active(), user, "pk")
    if user.role == Role.COORDINATOR:
        return Actor.objects.filter(pk__in=user.actor_ids)
    return Actor.objects.none()


def team_of(user):
    """The staff accounts of the actors `user` manages (never ambassadors, never the
    network admin's own colleagues' admin accounts for a coordinator)."""
    User = get_user_model()
    members = User.objects.filter(actors__in=managed_actors(user), role__in=TEAM_ROLES)
    return members.distinct().prefetch_related("actors").order_by("last_name", "first_name", "pk")


def invitation_url(token):
    return settings.SITE_URL + reverse("invitation_accept", args=[token])


@transaction.atomic
def invitation_send(*, by, email, actor, role, now=None):
    """Invite `email` to `actor`'s team as `role`: a link valid INVITATION_DAYS days, once."""
    now = now or timezone.now()
    email = email.strip().lower()
    if not managed_actors(by).filter(pk=actor.pk).exists():
        raise ValidationError(_("Vous ne gérez pas l'équipe de cette structure."))
    if role not in TEAM_ROLES:
        raise ValidationError(_("Choisissez un rôle : médiateur ou responsable."))
    if get_user_model().objects.filter(email__iexact=email).exists():
        raise ValidationError(_("Cette adresse a déjà un compte : un compte par personne."))
    token = new_token(32)
    invitation = Invitation.objects.create(
        email=email,
        actor=actor,
        role=role,
        token_hash=_hash(token),
        created_by=by,
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.INVITATION_DAYS),
    )
    _journal(by, actor, CHANGE, f"Invitation envoyée à {email} ({Role(role).label}).")
    body = render_to_string(
        "network/invitation_email.txt",
        {
            "invitation": invitation,
            "role": Role(role).label,
            "url": invitation_url(token),
            "by": by,
            # The network of the town of the team the person is invited into.
            "NETWORK_NAME": names_of(actor.town)[1],
        },
    )
    EmailMessage(
        subject=_("Invitation à rejoindre l'équipe de %(actor)s") % {"actor": actor.name},
        body=body,
        to=[email],
    ).send()
    return invitation, token


def invitation_for_token(token, *, now=None):
    """The usable invitation of this token, or None (unknown, expired or already used)."""
    return (
        Invitation.objects.usable(now=now)
        .select_related("actor")
        .filter(token_hash=_hash(token))
        .first()
    )


@transaction.atomic
def invitation_accept(*, token, username, first_name, last_name, password, now=None):
    """Create the invited person's account; the link is spent. Refused if it expired, was
    used (twice in a row: the second is refused), or the username is taken."""
    now = now or timezone.now()
    invitation = (
        Invitation.objects.usable(now=now)
        .select_for_update()
        .filter(token_hash=_hash(token))
        .first()
    )
    if invitation is None:
        raise ValidationError(_("Cette invitation ne marche plus : elle a expiré ou a déjà servi."))
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("Cet identifiant est déjà pris : choisissez-en un autre."))
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=invitation.email,
        role=invitation.role,
    )
    validate_password(password, user)
    user.set_password(password)
    user.save()
    user.actors.set([invitation.actor])
    invitation.used_at, invitation.user = now, user
    invitation.save(update_fields=["used_at", "user"])
    _journal(
        invitation.created_by, user, ADDITION, f"Compte créé par invitation ({invitation.actor})."
    )
    return user


def member_set_role(*, by, member, role):
    if not team_of(by).filter(pk=member.pk).exists() or role not in TEAM_ROLES:
        raise ValidationError(_("Vous ne pouvez pas changer ce compte."))
    member.role = role
    member.save(update_fields=["role", "is_staff"])
    _journal(by, member, CHANGE, f"Rôle changé : {Role(role).label}.")


def member_switch(*, by, member, active):
    if by.pk == member.pk or not team_of(by).filter(pk=member.pk).exists():
        raise ValidationError(_("Vous ne pouvez pas changer ce compte."))
    member.is_active = active
    member.save(update_fields=["is_active"])
    _journal(by, member, CHANGE, "Compte réactivé." if active else "Compte désactivé.")


def inactive_accounts(*, now=None, dry_run=False):
    """Daily: warn staff who have not signed in for STAFF_INACTIVE_DAYS minus
    STAFF_INACTIVE_WARNING_DAYS days (the day they cross it), and switch off those past
    STAFF_INACTIVE_DAYS. Returns (warned, switched off)."""
    now = now or timezone.now()
    User = get_user_model()
    staff = User.objects.filter(is_active=True, is_superuser=False).exclude(role=Role.AMBASSADOR)
    limit = now - datetime.timedelta(days=settings.STAFF_INACTIVE_DAYS)
    warn_from = limit + datetime.timedelta(days=settings.STAFF_INACTIVE_WARNING_DAYS)
    # last_login, or the account's creation for someone who never signed in.
    to_warn = [
        u
        for u in staff.filter(date_joined__lt=warn_from).select_related("town", "territory")
        if warn_from - datetime.timedelta(days=1) <= (u.last_login or u.date_joined) < warn_from
    ]
    # Each warning names the person's town (names_for): their actors' towns in one query.
    prefetch_related_objects(
        to_warn, Prefetch("actors", queryset=Actor.objects.select_related("town"))
    )
    to_switch = [
        u for u in staff.filter(date_joined__lt=limit) if (u.last_login or u.date_joined) < limit
    ]
    if dry_run:
        return to_warn, to_switch
    for user in to_warn:
        if not user.email:
            continue
        EmailMessage(
            subject=_("Votre compte Parcours numérique sera désactivé dans %(n)s jours")
            % {"n": settings.STAFF_INACTIVE_WARNING_DAYS},
            body=render_to_string(
                "network/inactive_warning_email.txt",
                {
                    "user": user,
                    "days": settings.STAFF_INACTIVE_WARNING_DAYS,
                    "url": settings.SITE_URL + reverse("login"),
                    "NETWORK_NAME": names_for(user)[1],
                },
            ),
            to=[user.email],
        ).send()
    for user in to_switch:
        user.is_active = False
        user.save(update_fields=["is_active"])
        _journal(None, user, CHANGE, "Compte désactivé : aucune connexion depuis longtemps.")
    return to_warn, to_switch
