"""Speed of the generated admin screens on a school with ~100,000 pupils: opening the list, the next
and previous page (keyset, the total kept), a jump by OFFSET, a class teacher's list, search and
its second page, a 2-letter search, bytes a page sends, and an import of 1,000 pupils with their
guardians. Each figure is put beside a baseline measured in the same run (for the lists: the bare
SQL a page switch ran before keyset paging, ORDER BY … OFFSET and a count; for the import: a raw
bulk insert of the same rows), so the ratio says what the current path costs against it.

    python bench/admin_list.py --url sqlite:////tmp/bench.db --pupils 100000            # one school
    python bench/admin_list.py --url sqlite:////tmp/bench.db --pupils 100000 --schools 100
    python bench/admin_list.py --url postgresql+psycopg://postgres@127.0.0.1:5432/bbbms_bench
    python bench/admin_list.py --url sqlite:////tmp/bench.db --keep   # measure again, no reload

The database is emptied first (SQLite: the file is replaced; PostgreSQL: its public schema).
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("BBBMS_ENV", "test")  # cheap argon2 for the demo accounts

from sqlalchemy import func, insert, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel, select

from bbbms_app import db, demo, settings
from bbbms_app.cli import migrate
from bbbms_app.i18n.collation import search_key, sort_key
from bbbms_app.models import Enrollment, Pupil, School, SchoolClass, User
from bbbms_app.services import accounts
from bbbms_app.services.engine import imports, listing
from bbbms_app.services.engine.registry import ENTITIES

GUARDIANS = ENTITIES.get("guardian")
PUPILS = ENTITIES.get("pupil")

SURNAMES = (
    "Асанов",
    "Үсөнов",
    "Өмүрбеков",
    "Ңаматов",
    "Иванов",
    "Петров",
    "Токтогулов",
    "Сыдыков",
    "Ким",
    "Абдыкадыров",
)
NAMES = ("Нурбек", "Айбек", "Эрмек", "Тилек", "Азамат", "Бакыт", "Сергей", "Игорь", "Данияр", "Үмүт")


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def reset(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    with db.make_engine(url).begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


def load(url: str, pupils: int, schools: int) -> int:
    """The demo school, then `pupils` more pupils written straight in: into the demo school itself
    (schools=1, one huge school) or spread over it and schools-1 more (a district), in classes of
    ~33 with their enrollments. Returns the demo school's id (its director and teachers measure)."""
    migrate(url)
    demo.generate(db.engine(url), pupils=700, schools=1)
    eng = db.engine(url)
    with eng.begin() as conn:
        school_id = conn.execute(text("SELECT min(id) FROM school")).scalar_one()
        school_ids = [school_id]
        for n in range(1, schools):
            sid = conn.execute(
                insert(SQLModel.metadata.tables["school"]).returning(SQLModel.metadata.tables["school"].c.id),
                {
                    "okpo": f"9{n:07d}",
                    "name_ky": f"№ {n} мектеп",
                    "name_ru": f"Школа № {n}",
                    "name_en": "",
                    "languages": "ky",
                    "address": "",
                    "created_at": date(2025, 8, 1),
                    "deleted_reason": "",
                    "version": 1,
                },
            ).scalar_one()
            conn.execute(
                insert(SQLModel.metadata.tables["academicyear"]),
                {
                    "school_id": sid,
                    "name": "2025–2026",
                    "starts_on": date(2025, 9, 1),
                    "ends_on": date(2026, 5, 31),
                    "is_current": True,
                    "deleted_reason": "",
                    "version": 1,
                },
            )
            school_ids.append(sid)
        years = dict(conn.execute(text("SELECT school_id, min(id) FROM academicyear GROUP BY school_id")).all())
        before = conn.execute(text("SELECT max(id) FROM schoolclass")).scalar()
        # Classes of a real size (~33 pupils): grade 1…11, letters 1, 2, … (apart from the demo's own).
        per_school = pupils // schools
        per_grade = max(1, per_school // 33 // 11 + 1)
        conn.execute(
            insert(SQLModel.metadata.tables["schoolclass"]),
            [
                {
                    "school_id": sid,
                    "academic_year_id": years[sid],
                    "grade": g,
                    "letter": str(n),
                    "language": "ky",
                    "shift": 1,
                    "deleted_reason": "",
                    "version": 1,
                }
                for sid in school_ids
                for g in range(1, 12)
                for n in range(1, per_grade + 1)
            ],
        )
        by_school: dict[int, list[int]] = {}
        for cid, sid in conn.execute(
            text("SELECT id, school_id FROM schoolclass WHERE id > :b ORDER BY id"), {"b": before}
        ).all():
            by_school.setdefault(sid, []).append(cid)
        rng = random.Random(7)
        rows, homes = [], []
        for i in range(pupils):
            sid = school_ids[i % schools]
            last, first = rng.choice(SURNAMES), rng.choice(NAMES)
            patr = rng.choice(NAMES) + "ович"
            pin = f"3{i:013d}"
            rows.append(
                {
                    "school_id": sid,
                    "pin": pin,
                    "last_name": last,
                    "first_name": first,
                    "patronymic": patr,
                    "birth_date": date(2010 + i % 8, 1 + i % 12, 1 + i % 28),
                    "sex": "m",
                    "alpha_book_no": "",
                    "search_key": search_key(last, first, patr, pin),
                    "sort_key": sort_key(last, first, patr),
                    "deleted_reason": "",
                    "version": 1,
                    "address": "",
                    "phone": "",
                    "photo": "",
                    "health_notes": "",
                }
            )
            classes = by_school[sid]
            homes.append((sid, classes[(i // schools) % len(classes)]))
        table = SQLModel.metadata.tables["pupil"]
        wanted = set(table.c.keys())
        for start in range(0, len(rows), 5000):
            conn.execute(
                insert(table), [{k: v for k, v in r.items() if k in wanted} for r in rows[start : start + 5000]]
            )
        ids = [i for (i,) in conn.execute(text("SELECT id FROM pupil WHERE pin LIKE '3%' ORDER BY pin"))]
        enrolls = [
            {"school_id": sid, "pupil_id": pid, "class_id": cid, "starts_on": date(2025, 9, 1)}
            for pid, (sid, cid) in zip(ids, homes, strict=True)
        ]
        for start in range(0, len(enrolls), 5000):
            conn.execute(insert(SQLModel.metadata.tables["enrollment"]), enrolls[start : start + 5000])
    if eng.dialect.name == "sqlite":
        # What db.py's hourly sampled ANALYZE does on a live server (planner statistics).
        with eng.connect() as conn:
            conn.exec_driver_sql("PRAGMA analysis_limit=400")
            conn.exec_driver_sql("ANALYZE")
    if eng.dialect.name == "postgresql":
        # What autovacuum does on a live server soon after a bulk load: statistics and the
        # visibility map (index-only scans need it).
        with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for t in ("pupil", "enrollment", "schoolclass", "school", "guardian", "pupilguardian"):
                conn.execute(text(f"VACUUM ANALYZE {t}"))
    return school_id


def principal(username: str):
    with db.session() as s:
        user = s.exec(select(User).where(User.username == username)).one()
        return accounts.principal_for(user, session=s)


def time_calls(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def bench_lists(school_id: int, runs: int) -> list[tuple[str, float, float, float, int]]:
    """(what, engine p50, engine p95, baseline p95, bytes of one page as sent) per measured action.

    The baseline of every page action is the bare SQL a page switch ran before keyset paging
    (ORDER BY … OFFSET at a random page, and the count), so the ratio says what the current path
    costs against the old one on the same data in the same run."""
    director = principal("director")
    teacher = principal("classteacher")
    rng = random.Random(1)
    with db.session() as s:
        total = listing.list_page(s, PUPILS, director).total
        teacher_total = listing.list_page(s, PUPILS, teacher).total
    pages = max(1, total // 25)
    results = []

    # Cursors of random pages deep in the list, found beforehand (the page the user is on).
    with db.session() as s:
        deep = [listing.list_page(s, PUPILS, director, offset=rng.randrange(pages) * 25) for _ in range(runs + 5)]
    deep_iter = iter(deep * 3)

    def open_list():
        with db.session() as s:
            listing.list_page(s, PUPILS, director, lang="ky")

    def next_page():
        # What the "next" button runs: seek past the last row shown, the total already known.
        here = next(deep_iter)
        with db.session() as s:
            listing.list_page(s, PUPILS, director, after=here.last, total=total, lang="ky")

    def prev_page():
        here = next(deep_iter)
        with db.session() as s:
            listing.list_page(s, PUPILS, director, before=here.first, total=total, lang="ky")

    def jump_page():
        # Not offered by the screens (they step page by page): a random page by OFFSET.
        with db.session() as s:
            listing.list_page(s, PUPILS, director, offset=rng.randrange(pages) * 25, total=total, lang="ky")

    def teacher_page():
        with db.session() as s:
            listing.list_page(
                s, PUPILS, teacher, offset=rng.randrange(max(1, teacher_total // 25)) * 25, total=teacher_total
            )

    def raw_page():
        with db.engine().connect() as conn:
            conn.execute(
                text(
                    "SELECT id, last_name, first_name, patronymic, pin, birth_date, sex, alpha_book_no FROM pupil "
                    "WHERE school_id = :s AND deleted_at IS NULL ORDER BY sort_key, id LIMIT 25 OFFSET :o"
                ),
                {"s": school_id, "o": rng.randrange(pages) * 25},
            ).all()
            conn.execute(
                text("SELECT count(*) FROM pupil WHERE school_id = :s AND deleted_at IS NULL"), {"s": school_id}
            ).scalar()

    def term() -> str:
        return rng.choice(SURNAMES)[:4] + " " + rng.choice(NAMES)[:3]

    def engine_search():
        with db.session() as s:
            listing.list_page(s, PUPILS, director, search=term())

    with db.session() as s:
        searched = [(t, listing.list_page(s, PUPILS, director, search=t).total) for t in (term() for _ in range(20))]

    def engine_search_next():
        # Page 2 of a search already shown (its total kept by the screen).
        t, found = rng.choice(searched)
        with db.session() as s:
            listing.list_page(s, PUPILS, director, search=t, offset=25, total=found)

    def engine_search_broad():
        # One or two letters (the first keystrokes): no trigram to look up, every row matches.
        with db.session() as s:
            listing.list_page(s, PUPILS, director, search="ов")

    def raw_search(fixed: str = ""):
        pattern = f"%{search_key(fixed or term()).replace(' ', '%')}%"
        with db.engine().connect() as conn:
            conn.execute(
                text(
                    "SELECT id, last_name FROM pupil WHERE school_id = :s AND deleted_at IS NULL AND search_key "
                    "LIKE :t ORDER BY sort_key, id LIMIT 25"
                ),
                {"s": school_id, "t": pattern},
            ).all()
            conn.execute(
                text("SELECT count(*) FROM pupil WHERE school_id = :s AND deleted_at IS NULL AND search_key LIKE :t"),
                {"s": school_id, "t": pattern},
            ).scalar()

    with db.session() as s:
        one = listing.list_page(s, PUPILS, director, offset=25)
        sent = len(json.dumps({"rows": one.rows, "total": one.total, "page": 2}, ensure_ascii=False).encode())
    for what, fn, base in (
        ("open the list (count + page 1), director", open_list, raw_page),
        ("next page (keyset, total kept), director", next_page, raw_page),
        ("previous page (keyset), director", prev_page, raw_page),
        ("jump to a random page (OFFSET), director", jump_page, raw_page),
        ("page switch, class teacher (his class)", teacher_page, raw_page),
        ("search (surname + name prefix)", engine_search, raw_search),
        ("search, then its page 2", engine_search_next, raw_search),
        ("search of 2 letters («ов»: every pupil)", engine_search_broad, lambda: raw_search("ов")),
    ):
        fn()
        base()  # warm caches
        samples = time_calls(fn, runs)
        results.append((what, statistics.median(samples), p95(samples), p95(time_calls(base, runs)), sent))
    return results


def _import_files(school_id: int, n: int, prefix: str = "4") -> tuple[bytes, bytes]:
    import openpyxl

    with db.session() as s:
        classes = [
            f"{c.grade}-{c.letter}" for c in s.exec(select(SchoolClass).where(SchoolClass.school_id == school_id))
        ]
    pupils, guardians = openpyxl.Workbook(), openpyxl.Workbook()
    pupils.active.append(list(PUPILS.import_columns))
    guardians.active.append(list(GUARDIANS.import_columns))
    for i in range(n):
        pin = f"{prefix}{i:013d}"
        pupils.active.append(
            [
                pin,
                "Жаңыбеков",
                NAMES[i % 10],
                "",
                date(2014, 1 + i % 12, 1 + i % 28),
                "m",
                "",
                classes[i % len(classes)],
            ]
        )
        guardians.active.append(["Жаңыбекова", "Айгүл", f"Т{i}", f"{int(prefix) + 1}{i:013d}", pin, "mother"])
    out = []
    for wb in (pupils, guardians):
        buf = io.BytesIO()
        wb.save(buf)
        out.append(buf.getvalue())
    return out[0], out[1]


def bench_import(school_id: int, n: int) -> tuple[float, float, float]:
    """Seconds to import n pupils then n guardians through the engine, and a raw bulk insert of as many."""
    clerk = principal("clerk")
    pupil_file, guardian_file = _import_files(school_id, n)
    started = time.perf_counter()
    with db.session(write=True) as s:
        first = imports.run(s, PUPILS, clerk, pupil_file, "pupils.xlsx")
    with db.session(write=True) as s:
        second = imports.run(s, GUARDIANS, clerk, guardian_file, "guardians.xlsx")
    engine_s = time.perf_counter() - started
    assert first.written and second.written, (first.errors[:3], second.errors[:3])
    again = time.perf_counter()
    with db.session(write=True) as s:
        repeat = imports.run(s, PUPILS, clerk, pupil_file, "pupils.xlsx")
    repeat_s = time.perf_counter() - again
    assert repeat.created == 0 and repeat.unchanged == n
    table = SQLModel.metadata.tables["pupil"]
    wanted = set(table.c.keys())
    rows = [
        {
            k: v
            for k, v in {
                "school_id": school_id,
                "pin": f"6{i:013d}",
                "last_name": "Raw",
                "first_name": "R",
                "patronymic": "",
                "birth_date": date(2014, 1, 1),
                "sex": "m",
                "alpha_book_no": "",
                "search_key": "raw",
                "sort_key": "1",
                "deleted_reason": "",
                "version": 1,
                "address": "",
                "phone": "",
                "photo": "",
                "health_notes": "",
            }.items()
            if k in wanted
        }
        for i in range(2 * n)
    ]
    base = time.perf_counter()
    with db.engine().begin() as conn:
        conn.execute(insert(table), rows)
    base_s = time.perf_counter() - base
    return engine_s, repeat_s, base_s


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", required=True)
    p.add_argument("--pupils", type=int, default=100_000)
    p.add_argument("--schools", type=int, default=1, help="1: one huge school; 100: a district")
    p.add_argument("--runs", type=int, default=60)
    p.add_argument("--import-rows", type=int, default=1000)
    p.add_argument("--keep", action="store_true", help="measure the data already loaded (no reset, no import)")
    args = p.parse_args(argv)
    os.environ["DATABASE_URL"] = args.url
    settings.reload()
    started = time.perf_counter()
    if args.keep:
        with db.session() as s:
            school_id = s.exec(select(func.min(School.id))).one()
    else:
        reset(args.url)
        school_id = load(args.url, args.pupils, args.schools)
    # The server freezes its start-up heap (app.py: gc.freeze()), so that Python's full collections
    # do not rescan it at every few hundred events; the same here, or they add 30-50 ms to one
    # call in ten (measured: search p95 45 ms with, 15 ms without such collections).
    gc.collect()
    gc.freeze()
    with db.session() as s:
        everyone = len(s.exec(select(Pupil.id)).all())
        mine = len(s.exec(select(Pupil.id).where(Pupil.school_id == school_id)).all())
        on_roll = len(s.exec(select(Enrollment.id).where(Enrollment.school_id == school_id)).all())
    print(
        f"{db.engine().dialect.name}: {everyone:,} pupils in {args.schools} school(s); the measured school has "
        f"{mine:,} pupils ({on_roll:,} enrollments); loaded in {time.perf_counter() - started:.0f} s"
    )
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {date.today().isoformat()}")
    print(f"{'action':<44} {'engine p50':>11} {'engine p95':>11} {'bare SQL p95':>13} {'ratio':>6} {'bytes/page':>11}")
    for what, engine_p50, engine_p95, base_p95, sent in bench_lists(school_id, args.runs):
        print(
            f"{what:<44} {ms(engine_p50):>11} {ms(engine_p95):>11} {ms(base_p95):>13} "
            f"{engine_p95 / base_p95:>6.2f} {sent:>11,}"
        )
    if args.keep:
        return 0
    engine_s, repeat_s, base_s = bench_import(school_id, args.import_rows)
    print(
        f"import {args.import_rows} pupils + {args.import_rows} guardians (xlsx, checked, audited): "
        f"{engine_s:.2f} s; raw bulk insert of {2 * args.import_rows} rows: {base_s:.2f} s "
        f"(ratio {engine_s / base_s:.0f}); re-import of the same pupils file (no change): {repeat_s:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
