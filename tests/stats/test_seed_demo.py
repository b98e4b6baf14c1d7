import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F

from learners.models import Participation, Referral, Resident, Role, Session, User
from pathway.models import Actor, Neighbourhood

pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_the_demo_town_is_a_realistic_network():
    output = seed("--residents", "300", "--sessions", "1200")

    assert Actor.objects.count() >= 30
    assert Neighbourhood.objects.count() == 12
    assert Neighbourhood.objects.filter(is_priority=True).count() >= 3
    assert Resident.objects.count() == 300
    assert Session.objects.count() == 1200
    roles = dict(User.objects.values_list("role").annotate(n=Count("id")))
    assert (
        roles[Role.MEDIATOR] >= 40 and roles[Role.OFFICIAL] >= 1 and roles[Role.NETWORK_ADMIN] == 1
    )
    # All three poles, individual and collective sessions, within the last year.
    assert set(Session.objects.values_list("pole", flat=True)) == {
        "necessity",
        "achievement",
        "leisure",
    }
    assert set(Session.objects.values_list("format", flat=True)) == {"individual", "collective"}
    oldest = Session.objects.order_by("date").first().date
    assert (Session.objects.order_by("-date").first().date - oldest) <= datetime.timedelta(days=366)
    # Some journeys move on from necessity to achievement to leisure, others stall.
    movers = Resident.objects.filter(
        achievement_on__gt=F("necessity_on"), leisure_on__gt=F("achievement_on")
    )
    stallers = Resident.objects.filter(
        first_pole="necessity", achievement_on__isnull=True, leisure_on__isnull=True
    )
    assert movers.exists() and stallers.count() > movers.count()
    # Denormalised counters agree with the rows.
    for session in Session.objects.annotate(n=Count("participations"))[:50]:
        assert session.participant_count == session.n
    assert Participation.objects.filter(
        date=F("session__date"), pole=F("session__pole")
    ).count() == (Participation.objects.count())
    assert Referral.objects.exists()
    assert "mediatrice.fs" in output and "elu" in output and "/me/link/" in output


def test_seeding_again_refuses_clearly_or_does_nothing():
    seed("--residents", "50", "--sessions", "100")
    with pytest.raises(CommandError, match="contient déjà des données"):
        seed("--residents", "50", "--sessions", "100")
    output = seed("--if-empty")
    assert "rien n'a été créé" in output
    assert Resident.objects.count() == 50


def test_reset_builds_the_town_again():
    seed("--residents", "50", "--sessions", "100")
    seed("--residents", "60", "--sessions", "120", "--reset")
    assert Resident.objects.count() == 60
    assert Session.objects.count() == 120
    assert Actor.objects.count() == 32


def test_the_same_seed_builds_the_same_town():
    seed("--residents", "40", "--sessions", "90", "--seed", "7")
    first = list(
        Resident.objects.order_by("id").values_list("last_name", "first_pole", "session_count")
    )
    seed("--residents", "40", "--sessions", "90", "--seed", "7", "--reset")
    again = list(
        Resident.objects.order_by("id").values_list("last_name", "first_pole", "session_count")
    )
    assert first == again


def test_first_visits_are_the_earliest_at_each_actor():
    seed("--residents", "60", "--sessions", "240")
    firsts = {}
    for pk, resident, actor in Participation.objects.order_by("date", "id").values_list(
        "pk", "resident", "actor"
    ):
        firsts.setdefault((resident, actor), pk)
    marked = set(Participation.objects.filter(is_first_visit=True).values_list("pk", flat=True))
    assert marked == set(firsts.values())
