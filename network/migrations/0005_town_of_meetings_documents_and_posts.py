"""The town of each date of the calendar, document and news item: a town's staff read
their town's (and what is for every town, with no town).

Those written before are their author's town's (the town of their account, or the one town
of their actors), else the installation's first town's, the only one there was when most
were written; none (every town) when neither exists."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def field():
    return models.ForeignKey(
        blank=True,
        help_text="Vide : pour toutes les villes.",
        null=True,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="pathway.town",
        verbose_name="ville",
    )


def existing_records_in_their_authors_town(apps, schema_editor):
    Town = apps.get_model("pathway", "Town")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    first = Town.objects.filter(insee_code=settings.TOWN_INSEE_CODE).first()
    towns_of = {}

    def town_of(user_id):
        if user_id not in towns_of:
            user = User.objects.filter(pk=user_id).first()
            towns = set()
            if user is not None:
                towns = {user.town_id} if user.town_id else set()
                towns = towns or set(user.actors.values_list("town_id", flat=True))
            towns_of[user_id] = towns.pop() if len(towns) == 1 else None
        return towns_of[user_id] or (first.pk if first else None)

    models_and_authors = [
        ("Meeting", "created_by_id"),
        ("Post", "author_id"),
    ]
    for name, author in models_and_authors:
        Model = apps.get_model("network", name)
        for pk, user_id in Model.objects.values_list("pk", author):
            Model.objects.filter(pk=pk).update(town_id=town_of(user_id))
    Document = apps.get_model("network", "Document")
    DocumentVersion = apps.get_model("network", "DocumentVersion")
    for document in Document.objects.all():
        first_version = (
            DocumentVersion.objects.filter(document=document).order_by("uploaded_at", "pk").first()
        )
        uploader = first_version.uploaded_by_id if first_version else None
        Document.objects.filter(pk=document.pk).update(town_id=town_of(uploader))


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0004_news_documents"),
        ("pathway", "0009_town_required"),
        ("learners", "0023_staff_town_and_territory"),
    ]

    operations = [
        migrations.AddField(model_name="document", name="town", field=field()),
        migrations.AddField(model_name="meeting", name="town", field=field()),
        migrations.AddField(model_name="post", name="town", field=field()),
        migrations.RunPython(existing_records_in_their_authors_town, migrations.RunPython.noop),
    ]
