"""What a town's server runs with production settings (DEBUG off): the static files collect
into their manifest and pages render with it (issue 13, finding 2). `.ci/smoke` runs the
README's whole production install on a clean clone."""

import json
import re

import pytest
from django.test import Client

from tests.test_settings import PRODUCTION_ENV, run_manage

pytestmark = pytest.mark.security_review

PRODUCTION_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic run exactly as in production, into a temporary STATIC_ROOT."""
    static_root = tmp_path_factory.mktemp("staticfiles")
    result = run_manage(
        "collectstatic", "--noinput", env=PRODUCTION_ENV | {"STATIC_ROOT": str(static_root)}
    )
    return static_root, result


def test_collectstatic_succeeds_with_debug_off(collected):
    static_root, result = collected
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    # Every file the pages name has its hashed copy, the vendored map and its source map too.
    for name in [
        "css/app.css",
        "css/guide.css",
        "js/place-map.js",
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet/leaflet.js.map",
        "vendor/leaflet/leaflet.css",
        "vendor/leaflet/images/marker-icon.png",
    ]:
        assert re.fullmatch(
            re.escape(name[: name.rindex(".")]) + r"\.[0-9a-f]{12}\..+", manifest[name]
        ), name
        assert (static_root / manifest[name]).is_file(), name


@pytest.mark.django_db
def test_pages_render_and_serve_their_files_with_the_manifest(collected, settings, cast):
    static_root, result = collected
    assert result.returncode == 0, result.stdout + result.stderr
    settings.STATIC_ROOT = static_root
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}
    settings.WHITENOISE_USE_FINDERS = settings.WHITENOISE_AUTOREFRESH = False
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    client = Client()  # a new client, so WhiteNoise reads the collected folder
    files = set()
    for url in ["/", "/guide/", "/guide/carte/", cast.place_a.get_absolute_url(), "/verify/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        names = re.findall(r'(?:href|src|data-[a-z-]+)="/static/([^"]+)"', page)
        assert names, url
        assert set(names) <= set(manifest.values()), url  # hashed names only
        files.update(names)
    # The stylesheet, the map's scripts and its marker images, as the browser asks for them.
    assert {manifest["css/app.css"], manifest["vendor/leaflet/leaflet.js"]} <= files
    assert manifest["vendor/leaflet/images/marker-icon.png"] in files
    for name in files:
        response = client.get(f"/static/{name}")
        assert response.status_code == 200, name
        b"".join(response.streaming_content)
        response.close()
