"""The network admins and officials already here see the town the installation had until
now (the one the previous migrations put every actor in); the other roles have their
actors' towns."""

from django.db import migrations


def existing_admins_and_officials_in_the_default_town(apps, schema_editor):
    Town = apps.get_model("pathway", "Town")
    User = apps.get_model("learners", "User")
    town = Town.objects.order_by("pk").first()
    if town is not None:
        User.objects.filter(role__in=["network_admin", "official"], town=None).update(town=town)


class Migration(migrations.Migration):
    dependencies = [("learners", "0023_staff_town_and_territory")]

    operations = [
        migrations.RunPython(
            existing_admins_and_officials_in_the_default_town, migrations.RunPython.noop
        ),
    ]
