"""Runtime and development dependencies apart (issue 14): a production install
(`make install`, the README's production steps) takes requirements.lock, which holds only
what the running product needs; `make test`, `lint`, `audit`, `bench` and `screenshots` add
requirements-dev.lock, which pins the same runtime versions plus the tools. `.ci/smoke`
checks the production virtualenv itself."""

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.test_settings import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
# What the issue names as test and development tools.
TOOLS = [
    "pytest",
    "playwright",
    "hypothesis",
    "schemathesis",
    "ruff",
    "import-linter",
    "frictionless",
    "pypdf",
    "polib",
    "openapi-spec-validator",
]


def pins(name):
    """{package: version} of a lock file, each line `package==version` (comments aside)."""
    found = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        assert match, f"{name}: {line!r} is not pinned with =="
        found[canonicalize_name(match[1])] = match[2]
    return found


def direct(requirements):
    return [Requirement(text) for text in requirements]


def test_the_runtime_lock_holds_no_test_or_development_tool():
    runtime = pins("requirements.lock")
    assert not {canonicalize_name(tool) for tool in TOOLS} & runtime.keys()
    development_only = {
        canonicalize_name(r.name) for r in direct(PYPROJECT["optional-dependencies"]["dev"])
    }
    assert not development_only & runtime.keys()


def test_every_direct_dependency_is_pinned_in_its_lock():
    for lock, requirements in [
        ("requirements.lock", PYPROJECT["dependencies"]),
        ("requirements-dev.lock", PYPROJECT["dependencies"]),
        ("requirements-dev.lock", PYPROJECT["optional-dependencies"]["dev"]),
    ]:
        pinned = pins(lock)
        for requirement in direct(requirements):
            version = pinned.get(canonicalize_name(requirement.name))
            assert version is not None, f"{requirement.name} is missing from {lock}"
            assert requirement.specifier.contains(version, prereleases=True), (
                f"{lock} pins {requirement.name}=={version}, outside {requirement.specifier}"
            )


def test_the_development_lock_pins_the_runtime_packages_at_the_same_versions():
    """So that the tests run what production runs."""
    runtime, development = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {name: development.get(name) for name in runtime} == runtime
    assert {canonicalize_name(tool) for tool in TOOLS} <= development.keys()
