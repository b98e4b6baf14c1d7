"""The report of make loadtest (stats/bench/loadtest.py), from Locust's own statistics."""

from stats.bench import loadtest


def test_percentiles_come_from_locusts_histogram():
    histogram = {"10": 50, "20": 45, "300": 5}  # ms → requests
    assert loadtest.percentile(histogram, 0.50) == 10
    assert loadtest.percentile(histogram, 0.95) == 20
    assert loadtest.percentile(histogram, 0.99) == 300
    assert loadtest.percentile({}, 0.5) is None


def test_a_phase_reports_errors_and_lost_sessions():
    stats = [
        {
            "name": "session_log",
            "num_requests": 200,
            "num_failures": 2,
            "response_times": {"40": 180, "250": 20},
            "start_time": 100.0,
            "last_request_timestamp": 110.0,
        },
        {
            "name": "guide",
            "num_requests": 100,
            "num_failures": 0,
            "response_times": {"15": 100},
            "start_time": 100.0,
            "last_request_timestamp": 110.0,
        },
    ]
    phase = loadtest.summary(
        "failover",
        stats,
        elapsed=61.0,
        acknowledged=list(range(198)),
        stored=197,
        failures=["app2 (SIGKILL)"],
        failure_at=30,
    )
    assert phase["error_rate"] == round(2 / 300, 4)
    assert phase["kinds"]["session_log"] == {
        "requests": 200,
        "failures": 2,
        "requests_per_s": 20.0,
        "p50_ms": 40,
        "p95_ms": 250,
    }
    assert (phase["sessions_acknowledged"], phase["sessions_stored"]) == (198, 197)
