"""The statistics summaries, taken over from pathway (pathway/migrations/0005): their tables
were made there and keep their names, so this migration changes only Django's record of the
models (no table is made, no row copied). The content types follow, so that permissions
given on the summaries stay attached to them."""

import django.db.models.deletion
from django.db import migrations, models

SUMMARIES = [
    "statsactivity",
    "statsmodulecompletion",
    "statspaperwork",
    "statsperiodreach",
    "statsreach",
    "statsresident",
]


def content_types_follow(apps, schema_editor, *, source="pathway", target="stats"):
    """The summaries' content types (made when they were pathway's) now name this app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    database = schema_editor.connection.alias
    taken = ContentType.objects.using(database).filter(app_label=target, model__in=SUMMARIES)
    ContentType.objects.using(database).filter(app_label=source, model__in=SUMMARIES).exclude(
        model__in=taken.values("model")
    ).update(app_label=target)


def content_types_go_back(apps, schema_editor):
    content_types_follow(apps, schema_editor, source="stats", target="pathway")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("learners", "0010_shared_cache_table"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("pathway", "0005_stats_summaries_moved_to_stats"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="StatsActivity",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("month", models.DateField(help_text="First day of the month.")),
                        (
                            "pole",
                            models.CharField(
                                choices=[
                                    ("necessity", "Numérique nécessité"),
                                    ("achievement", "Numérique accomplissement"),
                                    ("leisure", "Numérique loisir et médiation"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("format", models.CharField(max_length=12)),
                        ("sessions", models.PositiveIntegerField()),
                        ("minutes", models.PositiveBigIntegerField()),
                        (
                            "attendees",
                            models.PositiveIntegerField(
                                help_text="Registered and unregistered people."
                            ),
                        ),
                        (
                            "actor",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="pathway.actor",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "pathway_statsactivity",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("month", "actor", "pole", "format"),
                                name="stats_activity_unique",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="StatsModuleCompletion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("completed_on", models.DateField()),
                        ("birth_year", models.PositiveSmallIntegerField(null=True)),
                        ("social_status", models.CharField(max_length=20)),
                        (
                            "actor",
                            models.ForeignKey(
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="pathway.actor",
                            ),
                        ),
                        (
                            "module",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="pathway.module",
                            ),
                        ),
                        (
                            "neighbourhood",
                            models.ForeignKey(
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="pathway.neighbourhood",
                            ),
                        ),
                        (
                            "resident",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="learners.resident",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "pathway_statsmodulecompletion",
                        "indexes": [
                            models.Index(fields=["completed_on"], name="stats_completion_date_idx")
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("resident", "module"),
                                name="stats_completion_once_per_module",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="StatsPaperwork",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("month", models.DateField(help_text="First day of the month.")),
                        ("result", models.CharField(max_length=12)),
                        ("blocked_reason", models.CharField(blank=True, max_length=20)),
                        ("count", models.PositiveIntegerField()),
                        (
                            "actor",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="pathway.actor",
                            ),
                        ),
                        (
                            "operator",
                            models.ForeignKey(
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="pathway.operator",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "pathway_statspaperwork",
                        "indexes": [
                            models.Index(
                                fields=[
                                    "month",
                                    "actor",
                                    "operator",
                                    "result",
                                    "blocked_reason",
                                    "count",
                                ],
                                name="stats_paperwork_month_idx",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="StatsPeriodReach",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("start", models.DateField(help_text="First day of the period.")),
                        ("span", models.PositiveSmallIntegerField(help_text="Months: 1, 3 or 12.")),
                        (
                            "kind",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("france_services", "France services"),
                                    ("ccas", "CCAS"),
                                    ("media_library", "Médiathèque"),
                                    ("social_centre", "Centre social"),
                                    ("micro_folie", "Micro-Folie"),
                                    ("association", "Association"),
                                    ("mission_locale", "Mission locale"),
                                    ("school", "Établissement scolaire"),
                                    ("town_service", "Service municipal"),
                                    ("other", "Autre"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "pole",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("necessity", "Numérique nécessité"),
                                    ("achievement", "Numérique accomplissement"),
                                    ("leisure", "Numérique loisir et médiation"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("age_band", models.CharField(max_length=10)),
                        ("social_status", models.CharField(max_length=20)),
                        ("residents", models.PositiveIntegerField()),
                        ("new_residents", models.PositiveIntegerField()),
                        (
                            "actor",
                            models.ForeignKey(
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="pathway.actor",
                            ),
                        ),
                        (
                            "neighbourhood",
                            models.ForeignKey(
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="pathway.neighbourhood",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "pathway_statsperiodreach",
                        "indexes": [
                            models.Index(
                                fields=[
                                    "span",
                                    "kind",
                                    "actor",
                                    "pole",
                                    "start",
                                    "neighbourhood",
                                    "age_band",
                                    "social_status",
                                    "residents",
                                    "new_residents",
                                ],
                                name="stats_period_scope_idx",
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("span__in", [1, 3, 12])),
                                name="stats_period_span",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="StatsReach",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("year", models.PositiveSmallIntegerField()),
                        (
                            "kind",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("france_services", "France services"),
                                    ("ccas", "CCAS"),
                                    ("media_library", "Médiathèque"),
                                    ("social_centre", "Centre social"),
                                    ("micro_folie", "Micro-Folie"),
                                    ("association", "Association"),
                                    ("mission_locale", "Mission locale"),
                                    ("school", "Établissement scolaire"),
                                    ("town_service", "Service municipal"),
                                    ("other", "Autre"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("months", models.PositiveIntegerField()),
                        ("necessity_months", models.PositiveIntegerField(default=0)),
                        ("achievement_months", models.PositiveIntegerField(default=0)),
                        ("leisure_months", models.PositiveIntegerField(default=0)),
                        ("first_on", models.DateField()),
                        ("necessity_first_on", models.DateField(null=True)),
                        ("achievement_first_on", models.DateField(null=True)),
                        ("leisure_first_on", models.DateField(null=True)),
                        ("birth_year", models.PositiveSmallIntegerField(null=True)),
                        ("social_status", models.CharField(max_length=20)),
                        ("digest", models.JSONField(default=dict)),
                        (
                            "actor",
                            models.ForeignKey(
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="pathway.actor",
                            ),
                        ),
                        (
                            "neighbourhood",
                            models.ForeignKey(
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="pathway.neighbourhood",
                            ),
                        ),
                        (
                            "resident",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="learners.resident",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "pathway_statsreach",
                        "indexes": [
                            models.Index(
                                fields=[
                                    "year",
                                    "kind",
                                    "actor",
                                    "neighbourhood",
                                    "birth_year",
                                    "social_status",
                                    "months",
                                    "first_on",
                                    "resident",
                                ],
                                name="stats_reach_scope_idx",
                            ),
                            models.Index(fields=["resident"], name="stats_reach_resident_idx"),
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("actor__isnull", False)),
                                fields=("resident", "year", "actor"),
                                name="stats_reach_once_per_actor",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("actor__isnull", True)),
                                fields=("resident", "year", "kind"),
                                name="stats_reach_once_per_kind",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("actor__isnull", True), ("kind", ""), _connector="OR"
                                ),
                                name="stats_reach_actor_or_kind",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="StatsResident",
                    fields=[
                        (
                            "resident",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="+",
                                serialize=False,
                                to="learners.resident",
                            ),
                        ),
                        ("birth_year", models.PositiveSmallIntegerField(null=True)),
                        ("social_status", models.CharField(max_length=20)),
                        ("first_on", models.DateField(null=True)),
                        (
                            "cohort",
                            models.DateField(
                                help_text="First day of the month of first_on.", null=True
                            ),
                        ),
                        (
                            "first_pole",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("necessity", "Numérique nécessité"),
                                    ("achievement", "Numérique accomplissement"),
                                    ("leisure", "Numérique loisir et médiation"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("achievement_on", models.DateField(null=True)),
                        ("leisure_on", models.DateField(null=True)),
                        ("days_to_achievement", models.PositiveIntegerField(null=True)),
                        ("days_to_leisure", models.PositiveIntegerField(null=True)),
                        ("paperwork_first_on", models.DateField(null=True)),
                        ("paperwork_sessions", models.PositiveIntegerField(default=0)),
                        ("autonomy_first", models.PositiveSmallIntegerField(null=True)),
                        ("autonomy_last", models.PositiveSmallIntegerField(null=True)),
                        (
                            "first_actor",
                            models.ForeignKey(
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="pathway.actor",
                            ),
                        ),
                        (
                            "neighbourhood",
                            models.ForeignKey(
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="pathway.neighbourhood",
                            ),
                        ),
                        (
                            "paperwork_actor",
                            models.ForeignKey(
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="pathway.actor",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "pathway_statsresident",
                        "indexes": [
                            models.Index(
                                fields=[
                                    "first_pole",
                                    "cohort",
                                    "days_to_achievement",
                                    "days_to_leisure",
                                    "first_actor",
                                    "neighbourhood",
                                    "birth_year",
                                    "social_status",
                                ],
                                name="stats_resident_funnel_idx",
                            ),
                            models.Index(
                                fields=[
                                    "paperwork_first_on",
                                    "paperwork_sessions",
                                    "autonomy_first",
                                    "autonomy_last",
                                    "paperwork_actor",
                                    "neighbourhood",
                                    "birth_year",
                                    "social_status",
                                ],
                                name="stats_resident_autonomy_idx",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_follow, content_types_go_back),
    ]
