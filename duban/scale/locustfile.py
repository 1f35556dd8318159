"""Locust scenarios of ``duban bench`` (run by :mod:`duban.scale.loadtest`, never imported by Django).

The plan comes from the JSON file named by ``DUBAN_LOCUST_PLAN``:

* ``mode: submit`` — every user is one unit's reporter posting progress reports on its tasks in
  turn through the real form (``POST /report/<task>/``); a 302 to the unit's home is an acknowledged
  submission. The count of acknowledged posts is written to ``acked_file`` at the end, so the
  bench can compare it with the rows in the database.
* ``mode: pages`` — users fetch the pages listed in ``pages`` (name, path, session) in turn
  (``duban bench`` lists one page per run, so a slow page does not queue the others).
* ``think`` (optional): [low, high] seconds each user pauses between two requests; users start at a
  random moment within the first ``high`` seconds, not all at once.
"""

from __future__ import annotations

import itertools
import json
import os
import random

import gevent
from locust import FastHttpUser, between, constant, events, task

PLAN = json.loads(open(os.environ["DUBAN_LOCUST_PLAN"], encoding="utf-8").read())  # noqa: SIM115
_acked = {"ok": 0, "refused": 0}
_next = itertools.count()  # one number per simulated user


@events.quitting.add_listener
def _write_counts(environment, **kwargs):
    if PLAN.get("acked_file"):
        with open(PLAN["acked_file"], "w", encoding="utf-8") as f:
            json.dump(_acked, f)


class Reporter(FastHttpUser):
    # ``think``: seconds a user pauses between requests, [low, high] (a person reading the page);
    # none: back to back, the server saturated
    wait_time = between(*PLAN["think"]) if PLAN.get("think") else constant(0)

    def on_start(self):
        self.me = next(_next)
        self.turn = 0
        if PLAN.get("think"):  # people do not all open the page in the same second: arrivals spread
            gevent.sleep(random.uniform(0, PLAN["think"][1]))  # over one pause, as in a steady state

    def _cookies(self, session: str) -> dict:
        return {"Cookie": f"sessionid={session}; csrftoken={PLAN['csrf']}"}

    @task
    def work(self):
        if PLAN["mode"] == "submit":
            self.submit()
        else:
            self.pages()

    def submit(self):
        jobs = PLAN["submit"]
        job = jobs[self.me % len(jobs)]  # one reporter: its unit, session and tasks
        self.turn += 1
        todo = job["tasks"][self.turn % len(job["tasks"])]
        prefix = f"t{todo['task']}"
        data = {
            "csrfmiddlewaretoken": PLAN["csrf"],
            f"{prefix}-unit": job["unit"],
            f"{prefix}-period": todo["period"],
            f"{prefix}-narrative": "压测报送：本期工作按计划推进。",
            f"{prefix}-percent": "50",
            f"{prefix}-status": "正常推进",
        }
        with self.client.post(
            f"/report/{todo['task']}/",
            data=data,
            headers=self._cookies(job["session"]),
            allow_redirects=False,
            catch_response=True,
            name="submit",
        ) as resp:
            if resp.status_code == 302 and "/login" not in (resp.headers.get("Location") or ""):
                _acked["ok"] += 1
                resp.success()
            else:
                _acked["refused"] += 1
                resp.failure(f"HTTP {resp.status_code}")

    def pages(self):
        self.turn += 1
        page = PLAN["pages"][(self.me + self.turn) % len(PLAN["pages"])]
        headers = self._cookies(page["session"]) if page.get("session") else {}
        with self.client.get(page["path"], headers=headers, name=page["name"], catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(f"HTTP {resp.status_code}")
