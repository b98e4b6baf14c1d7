"""A mediator brings a spreadsheet in: checks it, reads the preview, confirms; the network
admin issues an API key. Every page is checked for accessibility and CSP violations."""

import pytest
from playwright.sync_api import expect

from learners.models import ApiToken, Resident
from tests.browser.conftest import check_accessibility, staff_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mediator_imports_residents_after_checking_the_file(page, live_server, cast, tmp_path):
    path = tmp_path / "habitants.csv"
    path.write_text("nom;prénom;année de naissance\nHaddad;Karim;1967\n", encoding="utf-8")
    staff_page(page, live_server, cast.mediator_a)
    page.goto("/imports/")
    check_accessibility(page, "import-start")
    page.get_by_label("Habitants").check()
    page.get_by_label("Fichier").set_input_files(str(path))
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.get_by_text("Le fichier est correct").wait_for()
    check_accessibility(page, "import-checked")
    assert "Haddad" in page.locator("main").inner_text()
    assert not Resident.objects.filter(last_name="Haddad").exists()

    page.get_by_role("button", name="Confirmer l'import").click()
    page.get_by_text("Import terminé").wait_for()
    assert Resident.objects.filter(last_name="Haddad", created_by_actor=cast.actor_a).exists()

    page.goto("/exports/")
    check_accessibility(page, "exports")


def test_the_network_admin_issues_a_key_shown_once(page, live_server, cast):
    staff_page(page, live_server, cast.network_admin)
    page.goto("/api-keys/")
    check_accessibility(page, "api-keys")
    page.get_by_label("Pour qui").select_option(str(cast.mediator_a.pk))
    page.get_by_label("Usage").fill("Logiciel France services")
    page.get_by_label("Lecture et écriture").check()
    page.get_by_role("button", name="Créer la clé").click()
    key = page.get_by_label("Clé", exact=True).input_value()
    assert key.startswith("pn_")
    assert ApiToken.objects.get().key_hash == ApiToken.hash(key)
    check_accessibility(page, "api-key-issued")


def test_the_progress_bar_follows_a_running_import(page, live_server, cast):
    from learners import imports
    from learners.models import ImportJob

    job = ImportJob.objects.create(
        resource="sessions", created_by=cast.mediator_a, file_name="gros.csv", total_rows=10
    )
    imports.write_progress(job.pk, 3, 10)
    staff_page(page, live_server, cast.mediator_a)
    page.goto(f"/imports/{job.pk}/")
    check_accessibility(page, "import-running")
    bar = page.locator("progress.import-progress")
    assert bar.get_attribute("value") == "3"
    imports.write_progress(job.pk, 7, 10)
    # (<progress> reflects its value in the attribute; a string predicate would need eval,
    # which the CSP forbids.)
    expect(bar).to_have_attribute("value", "7")
    # Done: the page shows the report.
    job.status, job.report = "checked", {"new": 10, "update": 0, "skip": 0, "errors": []}
    job.save()
    page.get_by_text("Le fichier est correct").wait_for()
