"""The header and footer name the town a page is for: a member of staff's own town (or
territory), the town chosen in the guide, else the installation, never the first town of
an installation that has several."""

import pytest
from django.test import Client

from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

ISTRES_NETWORK = "Réseau Parcours numérique de Istres"  # TownFactory's default


def header(html):
    """The brand line and the footer's network line."""
    brand = html.split('<a class="brand"', 1)[1].split("</a>", 1)[0]
    footer = html.split('<footer class="site-footer"', 1)[1].split("</ul>", 1)[0]
    return brand, footer


def signed_in(user):
    return sign_in(Client(), user)


def test_a_second_towns_staff_see_their_town(towns):
    for user, url in [(towns.mediator_i, "/sessions/"), (towns.admin_i, "/journal/")]:
        response = signed_in(user).get(url)
        assert response.status_code == 200, url
        brand, footer = header(response.content.decode())
        assert '<span class="brand-town">Istres</span>' in brand
        assert ISTRES_NETWORK in footer.replace("&#x27;", "'")
        assert "Miramas" not in brand + footer
    # And the first town's, theirs.
    brand, footer = header(signed_in(towns.mediator_m).get("/sessions/").content.decode())
    assert '<span class="brand-town">Miramas</span>' in brand
    assert "Réseau Parcours numérique de Miramas" in footer


def test_a_territory_coordinator_sees_their_territory(towns):
    brand, footer = header(signed_in(towns.coordinator).get("/stats/").content.decode())
    assert '<span class="brand-town">Métropole Aix-Marseille-Provence</span>' in brand
    assert "Métropole Aix-Marseille-Provence" in footer
    assert "Miramas" not in brand + footer


def test_the_header_costs_a_towns_staff_no_query(towns, django_assert_num_queries):
    client = signed_in(towns.admin_i)
    client.get("/journal/")
    # session, user (with their town), the admin's authenticator (second factor), count
    # (nothing journaled: no rows to read), the count of new referrals (navigation)
    with django_assert_num_queries(5):
        client.get("/journal/")


def test_with_several_towns_the_pages_about_none_name_the_installation(towns, settings):
    for url in ["/login/", "/guide/", "/privacy/"]:
        brand, footer = header(Client().get(url).content.decode())
        assert "brand-town" not in brand, url
        assert "Miramas" not in footer and "Parcours numérique" in footer, url
    settings.INSTALLATION_NAME = "Métropole Aix-Marseille-Provence"
    html = Client().get("/login/").content.decode()
    brand, footer = header(html)
    assert '<span class="brand-town">Métropole Aix-Marseille-Provence</span>' in brand
    assert "Métropole Aix-Marseille-Provence" in footer
    assert "— Parcours numérique Métropole Aix-Marseille-Provence</title>" in html


def test_the_superuser_sees_the_installation(towns, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 16)
    brand, footer = header(signed_in(root).get("/sessions/").content.decode())
    assert "brand-town" not in brand and "Miramas" not in footer


def test_the_chosen_town_of_the_guide_is_named(towns):
    brand, footer = header(Client().get("/guide/?ville=istres").content.decode())
    assert '<span class="brand-town">Istres</span>' in brand
    assert ISTRES_NETWORK in footer.replace("&#x27;", "'")


def test_with_one_town_every_page_names_it(cast):
    for client, url in [
        (Client(), "/login/"),
        (Client(), "/guide/"),
        (cast.client("mediator_a"), "/sessions/"),
        (cast.client("official"), "/stats/"),
    ]:
        html = client.get(url).content.decode()
        brand, footer = header(html)
        assert '<span class="brand-town">Miramas</span>' in brand, url
        assert "Réseau Parcours numérique de Miramas" in footer, url
