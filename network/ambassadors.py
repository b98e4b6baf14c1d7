"""Parent ambassadors: who may invite them, their sign-in link, the families they refer,
and "venu par un ambassadeur" when a referred family's first session is logged. Every entry
path (the pages, the admin, the demo) goes through these functions."""

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from learners.services import referral_send, resident_create
from network.models import CURRENT_FAMILY_CONSENT, AmbassadorReferral, Need
from pathway.areas import names_for
from pathway.models import Actor, ActorKind
from pathway.permissions import Role, in_their_towns

SIGN_IN_SALT = "network.ambassadors.sign-in"


def _account_state(user):
    """Changes when the link is used (the last sign-in time) or the account switched off."""
    last = "" if user.last_login is None else user.last_login.isoformat()
    state = f"{user.pk}|{user.is_active}|{user.role}|{last}"
    return salted_hmac(SIGN_IN_SALT, state, algorithm="sha256").hexdigest()[:24]


def sign_in_token(user):
    return signing.dumps({"u": user.pk, "s": _account_state(user)}, salt=SIGN_IN_SALT)


def ambassador_for_token(token):
    """The ambassador a sign-in link opens, or None: a link works once, for
    AMBASSADOR_LINK_DAYS days, and only for an active ambassador's account."""
    User = get_user_model()
    try:
        data = signing.loads(
            token, salt=SIGN_IN_SALT, max_age=settings.AMBASSADOR_LINK_DAYS * 24 * 3600
        )
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data.get("u"), role=Role.AMBASSADOR, is_active=True).first()
    if user is None or not constant_time_compare(data.get("s", ""), _account_state(user)):
        return None
    return user


def sign_in_url(user):
    return settings.SITE_URL + reverse("ambassador_link", args=[sign_in_token(user)])


def send_sign_in_link(user):
    """Email an ambassador a fresh sign-in link (the token travels only in the email)."""
    body = render_to_string(
        "network/ambassador_link_email.txt",
        {
            "user": user,
            "url": sign_in_url(user),
            "days": settings.AMBASSADOR_LINK_DAYS,
            "NETWORK_NAME": names_for(user)[1],
        },
    )
    EmailMessage(
        subject=_("Votre lien pour ouvrir l'espace des parents ambassadeurs"),
        body=body,
        to=[user.email],
    ).send()


def schools_managed_by(user):
    """The schools whose ambassadors `user` may invite and see: every school for the
    network admin, their own schools for a coordinator, none otherwise."""
    schools = Actor.objects.filter(kind=ActorKind.SCHOOL, is_active=True)
    if not user.is_authenticated or not user.is_active:
        return schools.none()
    if user.is_network_admin:
        return in_their_towns(schools, user, "pk")
    if user.role == Role.COORDINATOR:
        return schools.filter(pk__in=user.actor_ids)
    return schools.none()


def ambassadors_seen_by(user):
    User = get_user_model()
    schools = schools_managed_by(user)
    return (
        User.objects.filter(role=Role.AMBASSADOR, actors__in=schools)
        .distinct()
        .prefetch_related("actors")
        .order_by("last_name", "first_name", "pk")
    )


@transaction.atomic
def ambassador_invite(*, by, first_name, last_name, email, schools):
    """Create a parent ambassador linked to `schools` and email them a sign-in link. A known
    address is refused (one account per person); journaled in the admin's history."""
    User = get_user_model()
    allowed = set(schools_managed_by(by).values_list("pk", flat=True))
    if not schools or any(school.pk not in allowed for school in schools):
        raise ValidationError(_("Choisissez un ou plusieurs de vos établissements scolaires."))
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("Cette adresse a déjà un compte : un compte par personne."))
    user = User(
        username=f"ambassadeur-{email}"[:150],
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        role=Role.AMBASSADOR,
    )
    user.set_unusable_password()
    user.save()
    user.actors.set(schools)
    LogEntry.objects.log_actions(
        user_id=by.pk,
        queryset=[user],
        action_flag=ADDITION,
        change_message="Parent ambassadeur invité ({}).".format(", ".join(s.name for s in schools)),
    )
    send_sign_in_link(user)
    return user


def destinations():
    """The actors an ambassador may refer a family to: active ones that are not schools."""
    return Actor.objects.active().exclude(kind=ActorKind.SCHOOL).order_by("name")


@transaction.atomic
def ambassador_refer(
    *, ambassador, school, to_actor, first_name, phone="", email="", need, details="", consent
):
    """A family referred by `ambassador`: the family becomes a resident of the chosen actor
    (their record, which the actor completes), with a referral in its inbox like any other,
    and the ambassador keeps only what they typed and the referral's status."""
    errors = []
    if ambassador.role != Role.AMBASSADOR or school.pk not in ambassador.actor_ids:
        errors.append(_("Choisissez l'un de vos établissements scolaires."))
    if not first_name.strip():
        errors.append(_("Indiquez le prénom de la personne."))
    if not (phone.strip() or email.strip()):
        errors.append(_("Indiquez un téléphone ou un courriel pour que la structure rappelle."))
    if need not in Need.values:
        errors.append(_("Choisissez le besoin de la famille."))
    if not destinations().filter(pk=to_actor.pk).exists():
        errors.append(_("Choisissez une structure du réseau."))
    if not consent:
        errors.append(
            _("La famille doit être d'accord : lisez-lui le texte et cochez la case avec elle.")
        )
    if errors:
        raise ValidationError(errors)
    resident = resident_create(
        by=ambassador,
        actor=to_actor,
        first_name=first_name.strip(),
        phone=phone.strip(),
        email=email.strip(),
    )
    reason = _("Orientée par un parent ambassadeur (%(school)s) : %(need)s.") % {
        "school": school.name,
        "need": Need(need).label,
    }
    if details.strip():
        reason += " " + details.strip()
    referral = referral_send(
        resident=resident, from_actor=school, by=ambassador, reason=reason, to_actor=to_actor
    )
    return AmbassadorReferral.objects.create(
        referral=referral,
        ambassador=ambassador,
        school=school,
        first_name=first_name.strip(),
        need=need,
        consent_version=CURRENT_FAMILY_CONSENT,
        consent_at=timezone.now(),
    )


def families_came(sender, *, resident_ids, **kwargs):
    """learners.signals.participations_changed: the residents' journeys are up to date; a
    referred family with a first session is recorded as come through an ambassador, on that
    day (and not undone if the session is later removed: the family came)."""
    # Every session logged asks (and usually finds none): only the columns used, in no
    # particular order, which costs less to build than whole records in the list's order.
    pending = (
        AmbassadorReferral.objects.filter(
            came_on__isnull=True,
            referral__resident__in=resident_ids,
            referral__resident__first_session_on__isnull=False,
        )
        .select_related("referral__resident")
        .only("came_on", "referral__resident__first_session_on")
        .order_by()
    )
    for item in pending:
        item.came_on = item.referral.resident.first_session_on
        item.save(update_fields=["came_on"])


def ambassador_switch(*, person, active, by):
    """Switch an ambassador's account off (their links stop working) or back on; journaled."""
    person.is_active = active
    person.save(update_fields=["is_active"])
    LogEntry.objects.log_actions(
        user_id=by.pk,
        queryset=[person],
        action_flag=CHANGE,
        change_message="Compte réactivé." if active else "Compte désactivé.",
    )
