import pytest
from django.test import Client

from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_the_privacy_notice_states_the_configured_periods(settings):
    settings.RESIDENT_INACTIVITY_DAYS = 2 * 365
    settings.JOURNAL_RETENTION_DAYS = 180
    content = Client().get("/privacy/").content.decode()
    assert "pendant 2 ans, votre nom et vos coordonnées sont effacés" in content
    assert "gardé 180 jours" in content
    assert "CNIL" in content


def test_every_page_links_to_the_privacy_notice():
    for path in ["/", "/guide/", "/login/", "/me/access/"]:
        assert 'href="/privacy/"' in Client().get(path).content.decode()


def test_the_network_admin_reads_the_processing_register(cast, settings):
    settings.STATS_MIN_COUNT = 7
    content = cast.client("network_admin").get("/privacy/register/").content.decode()
    assert "Registre des traitements" in content
    assert "inférieur à 7 est masqué" in content
    assert "Suivi des parcours des habitants" in content


# Several towns: each is responsible for its network's data -------------------------------


def lead(html):
    return html.split('<p class="lead">', 1)[1].split("<h2>", 1)[0].replace("&#x27;", "'")


def test_with_one_town_the_notice_names_it(db):
    assert "La ville de Miramas est responsable de ce service." in lead(
        Client().get("/privacy/").content.decode()
    )


def test_with_several_towns_the_notice_names_each_towns_network(towns):
    text = lead(Client().get("/privacy/").content.decode())
    assert "Chaque ville est responsable de ce service pour son réseau" in text
    for town in (towns.miramas, towns.istres, towns.arles):
        assert f"{town.name} — {town.network_name}" in text


def test_the_notice_of_a_chosen_town_names_it_alone(towns):
    html = Client().get("/privacy/?ville=istres").content.decode()
    text = lead(html)
    assert "La ville d'Istres est responsable de ce service." in text
    assert "Miramas" not in text
    assert '<span class="brand-town">Istres</span>' in html
    # The guide's pages of a town lead to its notice.
    assert 'href="/privacy/?ville=istres"' in Client().get("/guide/?ville=istres").content.decode()
    territory = lead(
        Client().get("/privacy/?territoire=metropole-aix-marseille-provence").content.decode()
    )
    assert "Istres" in territory and "Miramas" in territory and "Arles" not in territory


def test_a_second_towns_staff_read_their_towns_notice(towns):
    text = lead(sign_in(Client(), towns.mediator_i).get("/privacy/").content.decode())
    assert "La ville d'Istres est responsable de ce service." in text
    assert "Miramas" not in text


def register_lead(client):
    html = client.get("/privacy/register/").content.decode()
    return html.split('<p class="lead">', 1)[1].split("<table", 1)[0].replace("&#x27;", "'")


def test_the_register_names_the_admins_town(towns):
    text = register_lead(sign_in(Client(), towns.admin_i))
    assert "Responsable : la ville d'Istres." in text and "Miramas" not in text
    assert "Responsable : la ville de Miramas." in register_lead(sign_in(Client(), towns.admin_m))


def test_the_superusers_register_names_every_town(towns, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 16)
    text = register_lead(sign_in(Client(), root))
    assert "Responsables : chaque ville, pour les données de son réseau." in text
    for town in (towns.miramas, towns.istres, towns.arles):
        assert f"{town.name} — {town.network_name}" in text
