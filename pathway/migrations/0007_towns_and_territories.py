"""Towns and territories, and the town of each actor and neighbourhood (filled by the
next migration, required by the one after)."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

import pathway.models.territories


class Migration(migrations.Migration):
    dependencies = [
        ("pathway", "0006_place_reports"),
    ]

    operations = [
        migrations.CreateModel(
            name="Territory",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=150, unique=True, verbose_name="nom")),
                ("slug", models.SlugField(max_length=160, unique=True, verbose_name="identifiant")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("epci", "Intercommunalité"),
                            ("department", "Département"),
                            ("hub", "Hub territorial"),
                        ],
                        max_length=12,
                        verbose_name="type",
                    ),
                ),
                (
                    "code",
                    models.CharField(
                        blank=True,
                        help_text="SIREN de l'intercommunalité ou numéro du département.",
                        max_length=9,
                        verbose_name="code officiel",
                    ),
                ),
            ],
            options={
                "verbose_name": "territoire",
                "verbose_name_plural": "territoires",
                "ordering": ["name"],
            },
        ),
        migrations.AlterField(
            model_name="actor",
            name="name",
            field=models.CharField(max_length=150, verbose_name="nom"),
        ),
        migrations.AlterField(
            model_name="neighbourhood",
            name="name",
            field=models.CharField(max_length=100, verbose_name="nom"),
        ),
        migrations.CreateModel(
            name="Town",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "insee_code",
                    models.CharField(
                        max_length=5,
                        unique=True,
                        validators=[pathway.models.territories.validate_insee_commune],
                        verbose_name="code INSEE",
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="nom")),
                ("slug", models.SlugField(max_length=110, unique=True, verbose_name="identifiant")),
                (
                    "postcode",
                    models.CharField(blank=True, max_length=5, verbose_name="code postal"),
                ),
                ("network_name", models.CharField(max_length=150, verbose_name="nom du réseau")),
                (
                    "certificate_prefix",
                    models.CharField(
                        help_text="Les codes des attestations de la ville commencent par ces lettres.",
                        max_length=6,
                        unique=True,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[A-Z]{2,6}$",
                                "De 2 à 6 lettres majuscules sans accent, par exemple MRM.",
                            )
                        ],
                        verbose_name="préfixe des codes d'attestation",
                    ),
                ),
                (
                    "logo",
                    models.FileField(
                        blank=True,
                        help_text="PNG ou JPEG imprimé sur les attestations (celui de TOWN_LOGO sinon).",
                        upload_to="towns/",
                        validators=[
                            django.core.validators.FileExtensionValidator(["png", "jpg", "jpeg"])
                        ],
                        verbose_name="logo",
                    ),
                ),
                (
                    "map_latitude",
                    models.DecimalField(
                        blank=True,
                        decimal_places=5,
                        max_digits=8,
                        null=True,
                        verbose_name="latitude du centre de la carte",
                    ),
                ),
                (
                    "map_longitude",
                    models.DecimalField(
                        blank=True,
                        decimal_places=5,
                        max_digits=8,
                        null=True,
                        verbose_name="longitude du centre de la carte",
                    ),
                ),
                (
                    "territories",
                    models.ManyToManyField(
                        blank=True,
                        related_name="towns",
                        to="pathway.territory",
                        verbose_name="territoires",
                    ),
                ),
            ],
            options={
                "verbose_name": "ville",
                "verbose_name_plural": "villes",
                "ordering": ["name"],
            },
        ),
        migrations.AddField(
            model_name="actor",
            name="town",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="actors",
                to="pathway.town",
                verbose_name="ville",
            ),
        ),
        migrations.AddField(
            model_name="neighbourhood",
            name="town",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="neighbourhoods",
                to="pathway.town",
                verbose_name="ville",
            ),
        ),
    ]
