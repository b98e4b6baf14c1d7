"""Staff members have a town (network admins and officials) or a territory (territory
coordinators)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("learners", "0022_composite_indexes_serve_foreign_keys"),
        ("pathway", "0009_town_required"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="territory",
            field=models.ForeignKey(
                blank=True,
                help_text="Pour la coordination de territoire : les villes dont elle voit les chiffres.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="pathway.territory",
                verbose_name="territoire",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="town",
            field=models.ForeignKey(
                blank=True,
                help_text="La ville dont la coordination du réseau ou l'élu voit les données ; les autres rôles ont la ville de leurs structures.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="pathway.town",
                verbose_name="ville",
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="role",
            field=models.CharField(
                choices=[
                    ("network_admin", "Coordination du réseau"),
                    ("coordinator", "Responsable de structure"),
                    ("mediator", "Médiateur ou médiatrice"),
                    ("official", "Élu ou service de la ville"),
                    ("ambassador", "Parent ambassadeur"),
                    ("territory_coordinator", "Coordination de territoire"),
                ],
                default="mediator",
                max_length=24,
                verbose_name="rôle",
            ),
        ),
    ]
