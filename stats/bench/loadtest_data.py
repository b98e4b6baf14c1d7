"""What the simulated people of `make loadtest` need, taken from the demo town: an API key
per mediator (with their actor and some of its residents), search prefixes, the official's
login, places of the guide, certificate codes."""

import json

from certificates.models import Certificate
from learners.models import ApiToken, Resident, User
from learners.models.access import TokenScope
from pathway.models import Place
from stats.demo.factories import DEMO_PASSWORD


def write(path):
    admin = User.objects.get(username="coordination")
    mediators = []
    for user in User.objects.filter(username__startswith="mediat").order_by("pk"):
        actor = user.actors.order_by("pk").first()
        if actor is None:
            continue
        residents = list(
            Resident.objects.filter(created_by_actor=actor).values_list("reference", flat=True)[
                :200
            ]
        )
        if not residents:
            continue
        _token, key = ApiToken.issue(
            user=user, name="loadtest", scope=TokenScope.READ_WRITE, created_by=admin
        )
        mediators.append({"key": key, "actor": actor.pk, "residents": residents})
    names = Resident.objects.exclude(last_name="").values_list("last_name", flat=True)[:300]
    data = {
        "mediators": mediators,
        "searches": sorted({name[:3] for name in names}),
        "official": "elu",
        "password": DEMO_PASSWORD,
        "places": list(Place.objects.in_guide().values_list("pk", flat=True)),
        "certificates": list(Certificate.objects.values_list("code", flat=True)[:100]),
    }
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
