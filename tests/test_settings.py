"""Production settings pass Django's deployment checklist."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x9!k2-very-long-random-production-secret-key-with-enough-entropy-1234567890",
    "ALLOWED_HOSTS": "parcours.example.fr",
    "SITE_URL": "https://parcours.example.fr",
    "EMAIL_HOST": "smtp.example.fr",
}


def run_manage(*args, env):
    unset = {"DEBUG", "SECRET_KEY", "EMAIL_HOST", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        # collectstatic compresses every file with gzip, and with brotli where it is installed:
        # the development set has it (Locust's geventhttpclient), production's has not, and
        # brotli at its best quality takes most of a minute on a busy 2-core machine.
        timeout=300,
    )


def test_check_deploy_is_clean_with_production_variables():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
