"""Towns and territories. The actors and neighbourhoods already here belong to the town
the environment describes (TOWN_NAME, TOWN_INSEE_CODE, NETWORK_NAME,
CERTIFICATE_CODE_PREFIX): it is created here when there is anything to put in it, else
on first need (Town.objects.default())."""

from django.conf import settings
from django.db import migrations
from django.utils.text import slugify


def existing_records_in_the_default_town(apps, schema_editor):
    Town = apps.get_model("pathway", "Town")
    Actor = apps.get_model("pathway", "Actor")
    Neighbourhood = apps.get_model("pathway", "Neighbourhood")
    if not (Actor.objects.exists() or Neighbourhood.objects.exists()):
        return
    town, _created = Town.objects.get_or_create(
        insee_code=settings.TOWN_INSEE_CODE,
        defaults={
            "name": settings.TOWN_NAME,
            "slug": slugify(settings.TOWN_NAME),
            "postcode": settings.TOWN_POSTCODE,
            "network_name": settings.NETWORK_NAME,
            "certificate_prefix": settings.CERTIFICATE_CODE_PREFIX.upper(),
        },
    )
    Actor.objects.update(town=town)
    Neighbourhood.objects.update(town=town)


class Migration(migrations.Migration):
    dependencies = [("pathway", "0007_towns_and_territories")]

    operations = [
        migrations.RunPython(existing_records_in_the_default_town, migrations.RunPython.noop),
    ]
