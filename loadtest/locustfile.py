"""Who `make loadtest` plays (stats/bench/loadtest.py starts Locust on this file):
mediators logging sessions through the API and searching residents, officials reading the
statistics, the public browsing the guide and checking certificates. The data it needs
(API keys, references) comes from LOADTEST_DATA, a JSON file the harness writes; every
session the servers acknowledged (201 and an id) is appended to LOADTEST_ACKS."""

import datetime
import json
import os
import random
import re
import uuid

from locust import HttpUser, between, events, task

DATA = json.loads(open(os.environ["LOADTEST_DATA"], encoding="utf-8").read())  # noqa: SIM115
ACKS = []


@events.test_stop.add_listener
def _write_acks(**_kwargs):
    with open(os.environ["LOADTEST_ACKS"], "a", encoding="utf-8") as handle:
        for pk in ACKS:
            handle.write(f"{pk}\n")


class Mediator(HttpUser):
    weight = 4
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.account = random.choice(DATA["mediators"])
        self.client.headers["Authorization"] = f"Bearer {self.account['key']}"

    @task(3)
    def log_session(self):
        body = {
            "date": datetime.date.today().isoformat(),
            "duration_minutes": random.choice([30, 45, 60]),
            "actor": self.account["actor"],
            "pole": random.choice(["necessity", "achievement", "leisure"]),
            "participants": [{"resident": random.choice(self.account["residents"])}],
        }
        # The same key on a retry (by the proxy or here) can only save the session once.
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        with self.client.post(
            "/api/v1/sessions/",
            json=body,
            headers=headers,
            name="session_log",
            catch_response=True,
        ) as response:
            if response.status_code in (200, 201) and "id" in response.json():
                ACKS.append(response.json()["id"])
                response.success()
            else:
                response.failure(f"{response.status_code} {response.text[:200]}")

    @task(2)
    def search_residents(self):
        self.client.get(
            "/api/v1/residents/",
            params={"q": random.choice(DATA["searches"])},
            name="resident_search",
        )


class Official(HttpUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self):
        page = self.client.get("/login/", name="login_page").text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        self.client.post(
            "/login/",
            {
                "username": DATA["official"],
                "password": DATA["password"],
                "csrfmiddlewaretoken": token,
            },
            headers={"Referer": self.host + "/login/"},
            name="login",
        )

    @task
    def statistics(self):
        self.client.get("/stats/", name="statistics")


class Public(HttpUser):
    weight = 3
    wait_time = between(0.5, 2)

    @task(3)
    def guide(self):
        self.client.get("/guide/", name="guide")

    @task(2)
    def place(self):
        self.client.get(f"/guide/lieux/{random.choice(DATA['places'])}/", name="guide_place")

    @task(1)
    def certificate(self):
        self.client.get(f"/verify/{random.choice(DATA['certificates'])}/", name="certificate_check")
