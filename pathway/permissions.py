"""Staff roles, and the guard of staff pages. Here, at the bottom of the house, because
pathway's own pages (places, workshops, the processing register) need them as much as
learners' do; the staff User model itself is learners.User, whose `role` takes these values:
pathway code only reads attributes of `request.user` (role, is_network_admin, actor_ids…)."""

from functools import wraps

from django import forms
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    NETWORK_ADMIN = "network_admin", _("Coordination du réseau")
    COORDINATOR = "coordinator", _("Responsable de structure")
    MEDIATOR = "mediator", _("Médiateur ou médiatrice")
    OFFICIAL = "official", _("Élu ou service de la ville")
    # A volunteer parent who refers families (network.ambassadors): signs in by a link sent
    # by email, sees only their own referrals' status; no staff page, no resident.
    AMBASSADOR = "ambassador", _("Parent ambassadeur")
    # Coordinates the networks of several towns (an intercommunality, a department, a hub):
    # sees their statistics and directory, never a resident.
    TERRITORY_COORDINATOR = "territory_coordinator", _("Coordination de territoire")


def staff_required(*roles):
    """Signed-in staff with one of `roles` (any staff role when none given, never the parent
    ambassador, who is not staff; the network admin always passes). Anonymous visitors go to
    the login page; other staff get a 404."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                # Imported here, as Django's own decorators do: the auth views module loads
                # the user model, and pathway's models read Role before it exists.
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            allowed = roles or STAFF_ROLES
            if not (user.is_network_admin or user.role in allowed):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


STAFF_ROLES = frozenset(Role) - {Role.AMBASSADOR}

working_with_residents = staff_required(Role.MEDIATOR, Role.COORDINATOR)


def town_actors(user):
    """The actors of the towns `user` may see (user.town_ids), as a subquery, or None for
    every actor: how the network admin's "everything" stays within their town, and the
    territory coordinator's within their territory. A subquery, not a list: it costs no
    query of its own."""
    from pathway.models import Actor

    if user.town_ids is None:
        return None
    return Actor.objects.filter(town__in=user.town_ids).values("pk")


def neighbour_actors(user):
    """The actors of the other towns that share a territory with `user`'s towns, as a
    subquery (None: every actor): their residents who agreed to be followed across towns
    are seen by `user` too."""
    from pathway.models import Actor

    if user.town_ids is None:
        return None
    return (
        Actor.objects.filter(town__territories__towns__in=user.town_ids)
        .exclude(town__in=user.town_ids)
        .values("pk")
    )


def in_their_towns(queryset, user, path="actor"):
    """`queryset` cut to the records of the towns `user` may see, reached through `path`
    to an actor."""
    actors = town_actors(user)
    return queryset if actors is None else queryset.filter(**{f"{path}__in": actors})


def in_town_of(user, actor_id):
    """Whether the actor `actor_id` is in a town `user` may see."""
    from pathway.models import Actor

    if user.town_ids is None:
        return True
    return Actor.objects.filter(pk=actor_id, town__in=user.town_ids).exists()


def towns_meet(user, other):
    """Whether `other` (a member of staff) works in a town `user` may see."""
    if user.town_ids is None:
        return True
    return bool(set(other.town_ids or ()) & user.town_ids)


class InTheirTowns:
    """A Django admin page of records that belong to a town: the network admin of a town
    lists and opens their town's only (the superuser, every town's). `town_path` leads
    from the record to an actor, or to the town itself when it ends with "town". Its
    forms, and those of the lines inside it (inlines), choose within the user's towns
    (choices_in_their_towns)."""

    town_path = "actor"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        user = request.user
        if user.town_ids is None or self.town_path is None:  # None: the page's own rule
            return queryset
        if self.town_path.endswith("town"):
            return queryset.filter(**{f"{self.town_path}__in": user.town_ids})
        return in_their_towns(queryset, user, self.town_path)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        held = None if obj is None else type(obj)._default_manager.filter(pk=obj.pk)
        single_choices_in_their_towns(form, request.user, held)
        return form

    def get_formsets_with_inlines(self, request, obj=None):
        """The lines inside the page (a place of an actor, an assessment of a resident)
        choose as the page does: Django builds their forms with the inline's own hooks,
        which know nothing of towns."""
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            held = None
            if obj is not None:
                held = inline.get_queryset(request).filter(**{formset.fk.name: obj})
            single_choices_in_their_towns(formset.form, request.user, held)
            yield formset, inline

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        choices = choices_in_their_towns(db_field.related_model, request.user)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        """A many-to-many field offers only what the user's towns hold, and saving it sets
        the relation to what was ticked: the record's links to another town's (a mediator
        working in two towns, their actors there) would go. They are kept, untouched: the
        user may neither see nor change them."""
        record = form.instance
        for field in record._meta.many_to_many if change else ():
            choices = choices_in_their_towns(field.related_model, request.user)
            if choices is None or field.name not in form.cleaned_data:
                continue
            hidden = getattr(record, field.name).exclude(pk__in=choices.values("pk"))
            if hidden := list(hidden):  # read before the form saves the relation
                form.cleaned_data[field.name] = [*form.cleaned_data[field.name], *hidden]
        super().save_related(request, form, formsets, change)


def single_choices_in_their_towns(form, user, held=None):
    """The single choices (foreign keys) of `form`, a model form class, narrowed to what
    `user`'s towns hold (choices_in_their_towns): a town's network admin cannot point a
    record at another town's. The value the records `held` (a queryset: those the form
    changes) already point at stays a choice, even in another town: a referral sent to a
    neighbouring town's actor, an assessment made there, is saved as it is (as
    InTheirTowns.save_related keeps many-to-many links). Here rather than in
    formfield_for_foreignkey, which neither sees the record nor reaches the inlines."""
    for field in form._meta.model._meta.concrete_fields:
        formfield = form.base_fields.get(field.name)
        if not (field.many_to_one and isinstance(formfield, forms.ModelChoiceField)):
            continue  # not a single choice the form offers (an inline's parent, say)
        choices = choices_in_their_towns(field.related_model, user)
        if choices is None:
            continue
        if held is not None:
            choices = field.related_model._default_manager.filter(
                models.Q(pk__in=choices.values("pk")) | models.Q(pk__in=held.values(field.attname))
            )
        formfield.queryset = choices


def choices_in_their_towns(model, user):
    """The towns, territories, actors or neighbourhoods a form of the Django admin offers
    `user` (None: the field's own choices): a town's network admin cannot put a record,
    or a colleague's account, in another town."""
    from pathway.models import Actor, Neighbourhood, Place, Territory, Town

    if user.town_ids is None:
        return None
    # The records of higher apps, by their label (this module may not import them): people
    # and sessions as the pages show them, accounts of the town.
    label = model._meta.label
    if label in {"learners.Resident", "learners.Session"}:
        return model.objects.visible_to(user)
    if label == "learners.User":
        return model.objects.of_towns(user.town_ids)
    if model is Place:
        return in_their_towns(Place.objects.all(), user)
    if model not in {Town, Territory, Actor, Neighbourhood}:
        return None
    if model is Town:
        return Town.objects.filter(pk__in=user.town_ids)
    if model is Territory:
        return Territory.objects.none()  # the superuser's
    return model.objects.filter(town__in=user.town_ids)


class WholeNetwork:
    """The reader of what a management command produces for the network (the annual
    report, the coordination export): the network admin's view, without a user."""

    is_authenticated = is_active = is_network_admin = True
    is_official = False
    role = Role.NETWORK_ADMIN
    actor_ids = frozenset()
    town_ids = None  # every town
