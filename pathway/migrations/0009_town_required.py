"""Every actor and neighbourhood belongs to a town; names are unique within a town.

The database gets no default: the field's default (pathway.models.territories.default_town)
is the current model's, which a migration must not call."""

import django.db.models.deletion
from django.db import migrations, models

import pathway.models.territories


class Migration(migrations.Migration):
    dependencies = [
        ("pathway", "0008_existing_records_in_the_default_town"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="actor",
                    name="town",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="actors",
                        to="pathway.town",
                        verbose_name="ville",
                    ),
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="actor",
                    name="town",
                    field=models.ForeignKey(
                        default=pathway.models.territories.default_town,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="actors",
                        to="pathway.town",
                        verbose_name="ville",
                    ),
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="neighbourhood",
                    name="town",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="neighbourhoods",
                        to="pathway.town",
                        verbose_name="ville",
                    ),
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="neighbourhood",
                    name="town",
                    field=models.ForeignKey(
                        default=pathway.models.territories.default_town,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="neighbourhoods",
                        to="pathway.town",
                        verbose_name="ville",
                    ),
                ),
            ],
        ),
        migrations.AddConstraint(
            model_name="actor",
            constraint=models.UniqueConstraint(
                fields=("town", "name"), name="actor_name_unique_in_town"
            ),
        ),
        migrations.AddConstraint(
            model_name="neighbourhood",
            constraint=models.UniqueConstraint(
                fields=("town", "name"), name="neighbourhood_name_unique_in_town"
            ),
        ),
    ]
