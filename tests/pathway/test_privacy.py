import pytest
from django.test import Client

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
