# Following a resident across towns goes with their consent to sharing in the network.

from django.db import migrations, models


def unfollow_those_not_sharing(apps, schema_editor):
    # Nobody could record it yet; a record written by hand (the admin) is put right first.
    Resident = apps.get_model("learners", "Resident")
    Resident.objects.filter(shared_across_towns=True, sharing_consent=False).update(
        shared_across_towns=False
    )


class Migration(migrations.Migration):
    dependencies = [
        ("learners", "0025_resident_shared_across_towns"),
    ]

    operations = [
        migrations.RunPython(unfollow_those_not_sharing, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="resident",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("shared_across_towns", False), ("sharing_consent", True), _connector="OR"
                ),
                name="resident_followed_across_towns_shares",
                violation_error_message="Le suivi dans les villes voisines va avec le partage dans le réseau : cochez aussi le partage, ou décochez le suivi.",
            ),
        ),
    ]
