"""`manage.py bench --growth-from`: the growth figures of issue 20 (1,000,000 against
5,000,000 sessions), on two small databases."""

import json
import subprocess
import sys

from tests.test_settings import ROOT


def bench(tmp_path, *arguments):
    return subprocess.run(
        [sys.executable, "manage.py", "bench", *arguments],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DEBUG": "true",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_growth_ratios_compare_the_two_sizes_asked_for(tmp_path):
    """`bench --growth-from N`: the statistics page measured on both databases, and its
    ratio printed (issue 20's growth figures: 1,000,000 against 5,000,000 sessions). Sizes
    of their own, so that no other test shares their scratch databases."""
    result = bench(tmp_path, "--only", "dashboard", "--sessions", "1300", "--growth-from", "1200")
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    figures = output["figures"]
    assert output["growth_from_sessions"] == 1200
    small, large = figures["dashboard_ms_p95_at_1200"], figures["dashboard_ms_p95_at_1300"]
    assert small > 0 and large > 0
    assert figures["dashboard_growth_ratio"] == round(large / small, 2)
    assert figures["dashboard_ms_p95"] == large


def test_a_small_database_larger_than_the_large_one_is_refused(tmp_path):
    result = bench(tmp_path, "--only", "dashboard", "--sessions", "1000", "--growth-from", "5000")
    assert result.returncode != 0
    assert "--growth-from : un nombre de séances entre 1 et --sessions (1 000)" in result.stderr
