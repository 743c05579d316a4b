"""The contingent report (services/movement_report.py): exact counts on a known school, and on
generated movements (a seeded random generator: hypothesis is not installed) every row of every
period reconciles, start + arrived + moved in − left − moved out = end, and the school's end is the
number of pupils on a class list that day.

Runs on SQLite and, with BBBMS_TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import io
import random
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from bbbms_app import db
from bbbms_app.models import Pupil, SchoolClass
from bbbms_app.services import movement, movement_report, places
from bbbms_app.services.engine.hooks import FieldError
from bbbms_app.services.movement_report import MEASURES, SEXES
from tests.factories import principal_of
from tests.test_movement import make_order, new_pupil

ROOT = Path(__file__).resolve().parent.parent


def report(school, start: date, end: date, lang: str = "ru"):
    with db.session() as s:
        return movement_report.contingent(s, school.school_id, start, end, lang)


def write(values: dict) -> None:
    with db.session(write=True) as s:
        movement.record(s, principal_of("t_clerk"), values)


def by_label(rep) -> dict[str, movement_report.Row]:
    return {r.label: r for r in rep.all_rows()}


def test_a_known_quarter_counts_each_movement_where_it_belongs(school):
    order = make_order(school.school_id, "12", date(2025, 10, 1))
    girl = new_pupil(school.school_id, "11010201500001", "Алиева", "Айгүл")
    with db.session(write=True) as s:
        p = s.get(Pupil, girl)
        p.sex = "f"
        s.add(p)
    write(
        {
            "pupil_id": girl,
            "kind": "arrival",
            "date": date(2025, 10, 6),
            "order_id": order,
            "to_class_id": school.class_5a,
            "from_category": "other_rayon",
            "from_place": "chui.sokuluk",
        }
    )
    write(
        {
            "pupil_id": school.pupils_6b[1],
            "kind": "departure",
            "date": date(2025, 10, 20),
            "order_id": order,
            "to_category": "abroad",
            "to_place": "KZ",
        }
    )
    write(
        {
            "pupil_id": school.pupils_5a[2],
            "kind": "transfer_in_school",
            "date": date(2025, 10, 13),
            "order_id": order,
            "to_class_id": school.class_6b,
        }
    )
    rows = by_label(report(school, date(2025, 9, 1), date(2025, 11, 4)))
    five, six, total = rows["5-А"], rows["6-Б"], rows["Итого по школе"]
    assert five.counts["start"] == {"m": 2, "f": 1} and six.counts["start"] == {"m": 1, "f": 1}
    assert five.counts["arrived.other_rayon"] == {"m": 0, "f": 1} and five.total("arrived") == 1
    assert five.total("moved_out") == 1 and six.total("moved_in") == 1
    assert six.counts["left.abroad"] == {"m": 1, "f": 0} and six.total("left") == 1
    assert (five.total("end"), six.total("end"), total.total("end")) == (3, 2, 5)
    assert total.total("moved_in") == total.total("moved_out") == 1  # inside the school: they cancel
    assert rows["5-е классы"].total("start") == 3 and rows["Основная школа (5–9)"].total("end") == 5
    assert rows["Начальная школа (1–4)"].total("end") == 0
    # A departure on the last day keeps him on that day's list: the next period counts it.
    write({"pupil_id": school.pupils_6b[0], "kind": "departure", "date": date(2025, 12, 30), "order_id": order})
    assert by_label(report(school, date(2025, 11, 10), date(2025, 12, 30)))["6-Б"].total("left") == 0
    assert by_label(report(school, date(2025, 12, 30), date(2026, 1, 15)))["6-Б"].counts["left.unspecified"] == {
        "m": 0,
        "f": 1,
    }


def test_a_period_ending_before_it_starts_is_refused(school):
    with pytest.raises(movement_report.PeriodInvalid), db.session() as s:
        movement_report.contingent(s, school.school_id, date(2025, 10, 1), date(2025, 9, 1))


def _extra_classes(school) -> list[int]:
    with db.session(write=True) as s:
        made = [
            SchoolClass(school_id=school.school_id, academic_year_id=school.year_id, grade=g, letter=letter)
            for g, letter in ((1, "А"), (5, "Б"), (10, "А"))
        ]
        s.add_all(made)
        s.flush()
        return [c.id for c in made]  # type: ignore[misc]


def _random_movements(school, rng: random.Random, n: int) -> int:
    """Try `n` random movements through the book's rules; returns how many were written."""
    classes = [school.class_5a, school.class_6b, *_extra_classes(school)]
    newcomers = [
        new_pupil(school.school_id, f"2101020150{i:04d}", rng.choice(["Асанов", "Бекова", "Үмөт"]), "Н")
        for i in range(8)
    ]
    with db.session(write=True) as s:
        for pid in newcomers[::2]:
            p = s.get(Pupil, pid)
            p.sex = "f"
            s.add(p)
    pupils = [*school.pupils_5a, *school.pupils_6b, *newcomers]
    order = make_order(school.school_id, "1", date(2025, 8, 30))
    written = 0
    for _ in range(n):
        kind = rng.choice(("arrival", "arrival", "departure", "transfer_in_school", "graduation"))
        day = date(2025, 9, 1) + timedelta(days=rng.randrange(0, 272))
        values = {"pupil_id": rng.choice(pupils), "kind": kind, "date": day, "order_id": order}
        if kind in ("arrival", "transfer_in_school"):
            values["to_class_id"] = rng.choice(classes)
        if kind == "arrival" and rng.random() < 0.7:
            values["from_category"] = rng.choice(places.CATEGORIES)
            values["from_place"] = {"same_rayon": "", "other_rayon": "osh.alai", "other_oblast": "naryn"}.get(
                values["from_category"], "UZ"
            )
        if kind == "departure" and rng.random() < 0.7:
            values["to_category"], values["to_place"] = "other_oblast", "talas"
        try:
            with db.session(write=True) as s:
                movement.record(s, principal_of("t_clerk"), values)
            written += 1
        except FieldError:
            pass  # the book refused it (the pupil was not on a list, or already was): as a clerk would be
    return written


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_row_of_every_period_reconciles_on_generated_movements(school, seed):
    rng = random.Random(seed)
    written = _random_movements(school, rng, 40)
    assert written >= 10  # the generator made a real history, not a pile of refusals
    periods = [(date(2025, 9, 1), date(2026, 5, 31)), (date(2025, 9, 1), date(2025, 11, 4))]
    for _ in range(12):
        a = date(2025, 8, 20) + timedelta(days=rng.randrange(0, 300))
        periods.append((a, a + timedelta(days=rng.randrange(0, 120))))
    for start, end in periods:
        rep = report(school, start, end)
        for row in rep.all_rows():
            for sex in SEXES:
                assert row.balance(sex) == 0, (seed, start, end, row.label, sex, row.counts)
            assert row.total("arrived") == sum(row.total(f"arrived.{c}") for c in movement_report.ORIGINS)
            assert row.total("left") == sum(row.total(f"left.{c}") for c in movement_report.DESTINATIONS)
        school_row = rep.school
        assert school_row.total("moved_in") == school_row.total("moved_out")
        with db.session() as s:
            assert school_row.total("end") == movement_report.on_roll(s, school.school_id, end)
            assert school_row.total("start") == movement_report.on_roll(s, school.school_id, start)
        # Consecutive periods chain: this one's end is the next one's start.
        nxt = report(school, end + timedelta(days=1), end + timedelta(days=30))
        with db.session() as s:
            on_next_day = movement_report.on_roll(s, school.school_id, end + timedelta(days=1))
        assert nxt.school.total("start") == on_next_day


def test_the_xlsx_reads_back_with_every_measure_as_all_and_girls(school):
    """Two landscape A4 sheets (who came, who left), each measure as all and girls under a
    two-row header repeated on every printed page; together they hold every measure once."""
    rep = report(school, date(2025, 9, 1), date(2025, 12, 30), "ky")
    book = openpyxl.load_workbook(io.BytesIO(movement_report.xlsx_bytes(rep, "ky", "№ 1 мектеп")))
    assert book.sheetnames == ["Келгендер", "Кеткендер"]
    seen: list[str] = []
    lines: dict[str, dict[str, tuple[int, int]]] = {}
    for (part, measures), ws in zip(movement_report.PARTS, book.worksheets, strict=True):
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.print_title_rows == "$2:$3" and ws.freeze_panes == "B4"
        assert ws.max_column == 1 + 2 * len(measures) <= 19  # readable on one page's width
        header = [c.value for c in ws[2]]
        sub = [c.value for c in ws[3]]
        assert header[0] == "Класс"
        for i, m in enumerate(measures):
            assert header[1 + 2 * i] == movement_report.measure_label(m, "ky")
            assert sub[1 + 2 * i : 3 + 2 * i] == ["бардыгы", "кыздар"]
        seen += measures
        for row in ws.iter_rows(min_row=4, values_only=True):
            lines.setdefault(row[0], {}).update({m: (row[1 + 2 * i], row[2 + 2 * i]) for i, m in enumerate(measures)})
        assert part in ("in", "out")
    assert sorted(seen) == sorted(MEASURES)
    assert lines["5-А"]["start"] == (3, 1) and lines["Мектеп боюнча бардыгы"]["start"][0] == 5
    assert lines["Мектеп боюнча бардыгы"]["end"][0] == 5
    for name, line in lines.items():  # every line reconciles across the two sheets
        got = line["start"][0] + line["arrived"][0] + line["moved_in"][0] - line["left"][0] - line["moved_out"][0]
        assert got == line["end"][0], name


def test_the_cli_writes_the_report_and_refuses_a_bad_period_in_words(school, db_url, tmp_path):
    env = {"DATABASE_URL": db_url, "BBBMS_ENV": "test", "PATH": str(Path(sys.executable).parent)}
    out = tmp_path / "движение.xlsx"
    cmd = [sys.executable, "-m", "bbbms_app", "report", "contingent"]
    done = subprocess.run(
        [*cmd, "--from", "2025-09-01", "--to", "2025-11-04", "--out", str(out), "--lang", "ru"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    rows = list(openpyxl.load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert rows[1][1] == "На начало периода" and rows[-1][0] == "Итого по школе" and rows[-1][1] == 5
    bad = subprocess.run(
        [*cmd, "--from", "2025-11-04", "--to", "2025-09-01", "--out", str(out), "--lang", "ru"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
    assert "Конец периода не может быть раньше начала" in bad.stderr
