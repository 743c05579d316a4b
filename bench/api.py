"""Speed of the integration API on the demo school (issue 19 §6), over HTTP in process (ASGI).

- full roster pull: what an LMS reads the first time, every page of OneRoster's orgs,
  academicSessions, courses, classes, users and enrollments (limit 1000), token included;
- incremental pull with nothing changed: OneRoster `results?filter=dateLastModified>'<newest>'`
  and REST v1 `marks?updated_since=<newest>` (what a client polls every few minutes);
- for scale: v1's pupils list (all pages) and one class's lineItems page;
- the exchange file of the busiest quarter (`GET /api/v1/exchange`, CSV and XLSX) and the OneRoster
  resources (every published material).

Targets: the full pull ≤ 2 s, an incremental pull with nothing changed ≤ 50 ms.

    .venv/bin/python bench/api.py [--db /tmp/bbbms-bench/api.db] [--rounds 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("BBBMS_ENV", "test")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")

from demo_db import sqlite_demo

DEFAULT_DB = Path("/tmp/bbbms-bench/api.db")
TODAY = date(2026, 12, 2)
R = "/ims/oneroster/rostering/v1p2"
G = "/ims/oneroster/gradebook/v1p2"


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def build(path: Path) -> str:
    return sqlite_demo(path, today=TODAY)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, default=DEFAULT_DB)
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    build(args.db)

    from sqlmodel import func, select
    from starlette.testclient import TestClient

    from bbbms_app import db
    from bbbms_app.api.rest import rest_api
    from bbbms_app.models import Lesson, Mark, Pupil, School
    from bbbms_app.services import api_clients

    api_clients.CALLS_PER_MINUTE = 10**9  # the bench is no client's pace
    api_clients.TOKEN_REQUESTS_PER_MINUTE = 10**9
    with db.session() as s:
        school = s.exec(select(School).order_by(School.id)).first()
        assert school is not None
        pupils = s.exec(select(func.count()).select_from(Pupil).where(Pupil.school_id == school.id)).one()
        marks = s.exec(select(func.count()).select_from(Mark).where(Mark.school_id == school.id)).one()
        client, secret = api_clients.create_client(
            s,
            school.id,
            f"bench {time.time():.0f}",
            ["roster:read", "gradebook:read", "resources:read"],
            created_by="bench",
        )
        client_id = client.client_id
        term_id = s.exec(
            select(Lesson.term_id)
            .where(Lesson.school_id == school.id)
            .group_by(Lesson.term_id)
            .order_by(func.count().desc())
        ).first()
    http = TestClient(rest_api)

    def token() -> dict[str, str]:
        answer = http.post(
            "/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
        )
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def pull_all(h: dict[str, str], path: str, key: str) -> int:
        rows, offset = 0, 0
        while True:
            answer = http.get(path, params={"limit": 1000, "offset": offset}, headers=h)
            assert answer.status_code == 200, answer.text
            got = len(answer.json()[key])
            rows += got
            if 'rel="next"' not in answer.headers.get("link", ""):
                return rows
            offset += 1000

    def full_pull() -> int:
        h = token()
        return sum(
            pull_all(h, f"{R}/{name}", name)
            for name in ("orgs", "academicSessions", "courses", "classes", "users", "enrollments")
        )

    h = token()
    results = http.get(f"{G}/results", params={"sort": "dateLastModified", "orderBy": "desc", "limit": 1}, headers=h)
    newest = results.json()["results"][0]["dateLastModified"]
    v1_newest = http.get("/api/v1/marks", params={"limit": 1, "offset": marks - 1}, headers=h).json()["data"][0]

    def incremental_oneroster() -> None:
        answer = http.get(f"{G}/results", params={"filter": f"dateLastModified>'{newest}'"}, headers=h)
        assert answer.status_code == 200 and answer.json()["results"] == [], answer.text

    def incremental_v1() -> None:
        answer = http.get("/api/v1/marks", params={"updated_since": v1_newest["updated_at"]}, headers=h)
        assert answer.status_code == 200 and answer.json()["data"] == [], answer.text

    def v1_pupils() -> None:
        offset = 0
        while offset is not None:
            offset = http.get("/api/v1/pupils", params={"limit": 500, "offset": offset}, headers=h).json()["paging"][
                "next_offset"
            ]

    def exchange(fmt: str):
        def work() -> None:
            answer = http.get("/api/v1/exchange", params={"term": term_id, "format": fmt}, headers=h)
            assert answer.status_code == 200, answer.text

        return work

    exchange_rows = http.get("/api/v1/exchange", params={"term": term_id}, headers=h).text.count("\n") - 1

    def resources() -> None:
        answer = http.get("/ims/oneroster/resources/v1p2/resources", params={"limit": 1000}, headers=h)
        assert answer.status_code == 200, answer.text

    resource_count = http.get("/ims/oneroster/resources/v1p2/resources", headers=h).headers["x-total-count"]
    rows = full_pull()  # warm
    figures = {}
    for name, work in (
        ("full roster pull (OneRoster, 6 collections, token included)", full_pull),
        ("incremental: OneRoster results, nothing changed", incremental_oneroster),
        ("incremental: v1 marks?updated_since, nothing changed", incremental_v1),
        ("v1 pupils, all pages", v1_pupils),
        (f"exchange file of a quarter, CSV ({exchange_rows} rows)", exchange("csv")),
        (f"exchange file of a quarter, XLSX ({exchange_rows} rows)", exchange("xlsx")),
        (f"OneRoster resources ({resource_count} published materials)", resources),
    ):
        times = []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            work()
            times.append((time.perf_counter() - t0) * 1000)
        figures[name] = (statistics.median(times), pct(times, 0.95))
    print(f"demo school: {pupils} pupils, {marks} marks; a full pull reads {rows} OneRoster rows")
    for name, (p50, p95) in figures.items():
        print(f"  {name:<62} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms")


if __name__ == "__main__":
    main()
