"""`make run` warns that the demo's links (personal spaces, certificate checks, the address
printed on certificates) only work on this machine, and points them at the server it
starts."""

import shutil
import subprocess

import pytest
from django.conf import settings


@pytest.mark.skipif(not shutil.which("make"), reason="make is needed")
def test_make_run_says_the_demo_links_only_work_here():
    commands = subprocess.run(
        ["make", "-n", "run", "PORT=8123"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "ne marchent que sur cet ordinateur" in commands
    assert "runserver 127.0.0.1:8123" in commands
    makefile = (settings.BASE_DIR / "Makefile").read_text()
    assert "run: export SITE_URL ?= http://$(HOST):$(PORT)" in makefile
