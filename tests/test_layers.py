"""The apps depend one way, and no app imports the tests (issue 14): `make lint` runs
import-linter with the contracts of pyproject.toml. These tests run the same command, with
the same contracts, on a copy of the code, and check that it fails, naming the import, as
soon as a lower app imports a higher one or an app imports the tests."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_settings import ROOT

PACKAGES = ["config", "pathway", "learners", "certificates", "network", "stats", "tests"]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


@pytest.fixture
def copy(tmp_path):
    """The Python files of every package the contracts name, as they are in the checkout."""
    for package in PACKAGES:
        for source in (ROOT / package).rglob("*.py"):
            if "node_modules" in source.parts:
                continue
            target = tmp_path / source.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    return tmp_path


def lint_imports(folder):
    """make lint's import check (the contracts of the real pyproject.toml) on `folder`."""
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_code_keeps_both_contracts(copy):
    result = lint_imports(copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "named"),
    [
        # The network's offer reading a resident: the bottom layer pointing up.
        ("pathway/probe.py", "from learners.models import Resident\n", "pathway.probe -> learners"),
        # learners calling the statistics directly instead of sending its signal.
        ("learners/probe.py", "from stats import services\n", "learners.probe -> stats"),
        # learners reading certificates, even inside a function.
        (
            "learners/probe.py",
            "def f():\n    from certificates.models import Certificate\n",
            "learners.probe -> certificates",
        ),
    ],
)
def test_a_lower_app_importing_a_higher_one_fails_the_lint(copy, module, line, named):
    (copy / module).write_text(line)
    result = lint_imports(copy)
    assert result.returncode != 0
    assert (
        "The apps depend one way: stats > network > certificates > learners > pathway BROKEN"
        in (result.stdout)
    )
    assert named in result.stdout


def test_an_indirect_path_up_fails_the_lint_too(copy):
    """pathway -> a learners module that itself imports certificates: broken twice over,
    and the chain is named."""
    (copy / "pathway" / "probe.py").write_text("import learners.journeys\n")
    (copy / "learners" / "journeys.py").write_text(
        (copy / "learners" / "journeys.py").read_text() + "\nimport certificates.models\n"
    )
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "pathway.probe -> learners.journeys" in result.stdout
    assert "learners.journeys -> certificates.models" in result.stdout


def test_an_app_importing_the_tests_fails_the_lint(copy):
    (copy / "stats" / "demo" / "probe.py").write_text("from tests.conftest import cast\n")
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "No app imports the tests BROKEN" in result.stdout
    assert "stats.demo.probe -> tests.conftest" in result.stdout
