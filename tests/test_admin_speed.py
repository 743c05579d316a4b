"""The list's fast paths give the same answers as the plain ones: keyset pages equal OFFSET pages,
the SQLite FTS5 trigram search equals the LIKE scan and follows every write, the list's total is
counted once per filter and again after a write (issue 4, item 9; docs/performance.md)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, text
from sqlmodel import SQLModel, select

from bbbms_app import db
from bbbms_app.admin.states import PupilAdminState
from bbbms_app.i18n.collation import search_key, sort_key
from bbbms_app.models import Pupil, search_index
from bbbms_app.services.engine import listing, writes
from bbbms_app.services.engine.registry import ENTITIES
from tests.conftest import is_postgres
from tests.factories import principal_of
from tests.states import new_tab, sub
from tests.test_admin_crud import NEW_PUPIL

PUPILS = ENTITIES.get("pupil")

SURNAMES = ("Асанов", "Үсөнов", "Өмүрбеков", "Ким", "Иванова", "Ов")
NAMES = ("Нурбек", "Айгүл", "Эрмек", "Үмүт")


def _add_pupils(school_id: int, n: int) -> None:
    rows = []
    for i in range(n):
        last, first = SURNAMES[i % len(SURNAMES)], NAMES[(i // 3) % len(NAMES)]
        pin = f"3{i:013d}"
        rows.append(
            {
                "school_id": school_id,
                "pin": pin,
                "last_name": last,
                "first_name": first,
                "patronymic": "",
                "birth_date": date(2012, 1 + i % 12, 1 + i % 28),
                "sex": "m",
                "alpha_book_no": "",
                "search_key": search_key(last, first, pin),
                "sort_key": sort_key(last, first),
                "deleted_reason": "",
                "version": 1,
                "address": "",
                "phone": "",
                "photo": "",
                "health_notes": "",
            }
        )
    table = SQLModel.metadata.tables["pupil"]
    with db.engine().begin() as conn:
        conn.execute(insert(table), [{k: v for k, v in r.items() if k in set(table.c.keys())} for r in rows])


def _names(page: listing.Page) -> list[str]:
    return [r["id"] for r in page.rows]


def test_keyset_pages_are_the_offset_pages_both_ways(school):
    _add_pupils(school.school_id, 70)
    director = principal_of("t_director")
    with db.session() as s:
        for sort, descending in (("", False), ("name", True), ("birth_date", False)):
            by_offset = [
                listing.list_page(s, PUPILS, director, sort=sort, descending=descending, offset=o, limit=10)
                for o in range(0, 80, 10)
            ]
            walked = [listing.list_page(s, PUPILS, director, sort=sort, descending=descending, limit=10)]
            while walked[-1].rows and len(walked) < len(by_offset):
                walked.append(
                    listing.list_page(
                        s, PUPILS, director, sort=sort, descending=descending, limit=10, after=walked[-1].last
                    )
                )
            assert [_names(p) for p in walked] == [_names(p) for p in by_offset], (sort, descending)
            # And back again from the last page.
            back = listing.list_page(
                s, PUPILS, director, sort=sort, descending=descending, limit=10, before=by_offset[-1].first
            )
            assert _names(back) == _names(by_offset[-2])
            assert len({i for p in by_offset for i in _names(p)}) == 75  # 5 of the factory + 70
        # A known total is taken as given (not counted again).
        assert listing.list_page(s, PUPILS, director, limit=10, total=12345).total == 12345


def _scan_ids(s, school_id: int, term: str) -> set[int]:
    """The search as a plain scan of the table, in Python."""
    words = search_key(term).split()
    out = set()
    for p in s.exec(select(Pupil).where(Pupil.school_id == school_id, Pupil.deleted_at.is_(None))).all():  # type: ignore[union-attr]
        at = 0
        for w in words:
            found = p.search_key.find(w, at)
            if found < 0:
                break
            at = found + len(w)
        else:
            out.add(p.id)
    return out


def test_search_index_gives_the_scans_answer_and_follows_writes(school, db_url):
    _add_pupils(school.school_id, 60)
    director = principal_of("t_director")
    with db.session() as s:
        if not is_postgres():
            names = {r[0] for r in s.execute(text("SELECT name FROM sqlite_master")).all()}
            assert {"pupil_search", "pupil_search_ai", "pupil_search_ad", "pupil_search_au"} <= names
        for term in ("асан нур", "ҮСӨН", "ки нур", "ов", "о", "3000000000001", "ким үмүт", "ыыы", "%"):
            page = listing.list_page(s, PUPILS, director, search=term, limit=100)
            assert {int(i) for i in _names(page)} == (_scan_ids(s, school.school_id, term) if term != "%" else set())
            assert page.total == len(page.rows), term
    # Create, rename, delete through the engine: the index follows each.
    with db.session(write=True) as s:
        row = writes.create(s, PUPILS, director, NEW_PUPIL)  # on no class list: it may be deleted below
        pid = row.id
    with db.session() as s:
        assert str(pid) in _names(listing.list_page(s, PUPILS, director, search="бакир эрм"))
    with db.session(write=True) as s:
        writes.update(s, PUPILS, director, pid, {**NEW_PUPIL, "last_name": "Жумалиев"}, 1)
    with db.session() as s:
        assert str(pid) not in _names(listing.list_page(s, PUPILS, director, search="бакир"))
        assert str(pid) in _names(listing.list_page(s, PUPILS, director, search="жумал"))
    with db.session(write=True) as s:
        writes.soft_delete(s, PUPILS, director, pid, "left the school")
    with db.session() as s:
        assert str(pid) not in _names(listing.list_page(s, PUPILS, director, search="жумал"))
        assert str(pid) in _names(listing.list_page(s, PUPILS, director, search="жумал", deleted=True))


def test_lost_triggers_are_put_back_by_migrate(db_url):
    if is_postgres():
        return  # PostgreSQL's index is part of the table: nothing can drop it but a migration
    from bbbms_app.cli import migrate

    with db.engine().begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER pupil_search_ai")
    migrate(db_url)
    with db.engine().begin() as conn:
        assert search_index.ensure(conn) == []  # all in place again
        names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master").all()}
    assert "pupil_search_ai" in names


async def test_page_switches_seek_and_reuse_the_count(school):
    _add_pupils(school.school_id, 70)
    pupils = sub(new_tab("t_director"), PupilAdminState)
    await pupils.load()
    assert pupils.total == 75 and pupils.pages == 3
    first = [r["id"] for r in pupils.rows]
    await pupils.next_page()
    second = [r["id"] for r in pupils.rows]
    await pupils.next_page()
    assert pupils.page == 3 and len(pupils.rows) == 25
    await pupils.prev_page()
    assert [r["id"] for r in pupils.rows] == second
    await pupils.prev_page()
    assert [r["id"] for r in pupils.rows] == first and pupils.page == 1
    # Rows added by someone else do not change the total shown until a filter, a write of this
    # tab or the time limit; this tab's own write counts again at once.
    _add_pupils_more(school.school_id)
    await pupils.next_page()
    assert pupils.total == 75
    await pupils.set_search("асан")
    await pupils.set_search("")
    assert pupils.total == 76


def _add_pupils_more(school_id: int) -> None:
    with db.session(write=True) as s:
        s.add(
            Pupil(
                school_id=school_id,
                pin="39999999999999",
                last_name="Асанов",
                first_name="Нурбек",
                birth_date=date(2013, 1, 1),
                sex="m",
                search_key=search_key("Асанов", "Нурбек", "39999999999999"),
                sort_key=sort_key("Асанов", "Нурбек"),
            )
        )


def test_sqlite_keeps_planner_statistics(school):
    """db.py analyses a SQLite database at an engine's first use (then hourly): without it SQLite
    walks a whole big school to find a class teacher's pupils."""
    if is_postgres():
        return  # autovacuum's job on PostgreSQL
    db.dispose_all()  # as a freshly started server: its engine's first checkout analyses
    with db.session() as s:
        tables = {r[0] for r in s.execute(text("SELECT tbl FROM sqlite_stat1")).all()}
    assert "pupil" in tables


async def test_a_printed_list_says_how_it_was_filtered_when_and_by_whom(school):
    pupils = sub(new_tab("t_director"), PupilAdminState)
    await pupils.load()
    await pupils.set_filter("class_id", str(school.class_5a))
    await pupils.set_search("а")
    await pupils.sort_by("birth_date")
    await pupils.sort_by("birth_date")  # twice: descending
    results = [item async for item in pupils.print_list()]
    assert "window.print()" in repr(results[-1])
    note, stamp = pupils.print_note, pupils.print_stamp
    assert note.startswith("Класс: 5-А · ")
    assert "Класс: 5-А" in note and "Издөө: «а»" in note and "↓" in note and f"Бардыгы: {pupils.total}" in note
    assert stamp.startswith("Басылды: ") and "t_director" in stamp and "(Директор)" in stamp
    # Without a filter it says so: the whole list in its usual order.
    await pupils.set_filter("class_id", "__none__")
    await pupils.set_search("")
    assert "Класс" not in pupils.print_note and "Издөө" not in pupils.print_note


async def test_a_search_of_two_letters_counts_up_to_the_cap(school, monkeypatch):
    """«ов» matches nearly everyone in a big school: its total is counted up to COUNT_CAP and shown
    as a floor ("40+"); a longer search, or one that matches fewer, is counted exactly."""
    _add_pupils(school.school_id, 70)
    monkeypatch.setattr(listing, "COUNT_CAP", 40)
    director = principal_of("t_director")
    with db.session() as s:
        exact = listing.list_page(s, PUPILS, director, search="асанов", limit=10)
        everyone_ov = s.exec(select(Pupil).where(Pupil.search_key.like("%ов%"))).all()  # type: ignore[attr-defined]
        short = listing.list_page(s, PUPILS, director, search="ов", limit=10)
    assert len(everyone_ov) > 40
    assert (short.total, short.more) == (40, True)
    assert not exact.more and exact.total == sum(1 for i in range(70) if i % len(SURNAMES) == 0)

    pupils = sub(new_tab("t_director"), PupilAdminState)
    await pupils.load()
    await pupils.set_search("ов")
    assert (pupils.total, pupils.total_more, pupils.pages) == (40, True, 2)
    page_one = [r["id"] for r in pupils.rows]
    await pupils.next_page()  # the kept total stays a floor on the next page
    assert (pupils.total, pupils.total_more, pupils.page) == (40, True, 2)
    assert set(page_one).isdisjoint(r["id"] for r in pupils.rows)
    # Narrowed to fewer than the cap, the count is exact again.
    await pupils.set_search("асанов")
    assert not pupils.total_more and pupils.total == exact.total
