"""The audit trail: append-only in the database and in the app, and the director's audit screen."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AuditEvent
from bbbms_app.pages.audit import AuditState
from bbbms_app.pages.rights import RightsState
from bbbms_app.services import audit, audit_log
from bbbms_app.services.audit_log import AuditFilter
from tests.factories import principal_of
from tests.states import is_refusal, new_tab, sub

APP = Path(__file__).resolve().parents[1] / "bbbms_app"


def _one_event(db_url) -> int:
    with db.session() as s:
        event = audit.record(s, None, "update", "pupil", 1, field="last_name", old="А", new="Б", reason="typo")
        s.flush()
        return event.id  # type: ignore[return-value]


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE auditevent SET new_value = 'forged' WHERE id = :id",
        "UPDATE auditevent SET at = at WHERE id = :id",  # even a change to nothing
        "DELETE FROM auditevent WHERE id = :id",
        "DELETE FROM auditevent",
    ],
)
def test_the_database_refuses_to_update_or_delete_audit_events(db_url, sql):
    event_id = _one_event(db_url)
    with pytest.raises(DBAPIError, match="append-only"), db.engine(db_url).begin() as conn:
        conn.execute(text(sql), {"id": event_id})
    with db.session() as s:
        event = s.get(AuditEvent, event_id)
        assert event is not None and event.new_value == "Б"


def test_the_app_refuses_to_change_audit_events_before_sql_is_sent(db_url):
    event_id = _one_event(db_url)
    with pytest.raises(audit.AuditTampering), db.session() as s:
        event = s.get(AuditEvent, event_id)
        event.reason = "nothing happened"  # type: ignore[union-attr]
        s.add(event)
    with pytest.raises(audit.AuditTampering), db.session() as s:
        s.delete(s.get(AuditEvent, event_id))
    with pytest.raises(audit.AuditTampering), db.session() as s:
        s.exec(update(AuditEvent).where(AuditEvent.id == event_id).values(reason="x"))  # type: ignore[call-overload,arg-type]
    with pytest.raises(audit.AuditTampering), db.session() as s:
        s.exec(delete(AuditEvent))  # type: ignore[call-overload]
    with db.session() as s:
        assert s.get(AuditEvent, event_id).reason == "typo"  # type: ignore[union-attr]


def test_no_code_of_the_app_writes_to_audit_events_other_than_by_insert():
    forbidden = re.compile(r"(update|delete)\s*\(\s*AuditEvent|(UPDATE|DELETE\s+FROM)\s+\"?auditevent", re.IGNORECASE)
    offenders = [str(p.relative_to(APP)) for p in APP.rglob("*.py") if forbidden.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def _seed(school) -> dict[str, int]:
    """Events at known times: two by the clerk about pupils, one refusal of nobody, one of another school."""
    clerk = principal_of("t_clerk")
    director = principal_of("t_director")
    ids = {}
    with db.session() as s:
        rows = [
            (
                "clerk_pupil",
                clerk,
                "update",
                "pupil",
                school.pupils_5a[0],
                None,
                datetime(2025, 9, 10, 8, 0, tzinfo=UTC),
            ),
            (
                "clerk_guardian",
                clerk,
                "update",
                "guardian",
                school.guardian_2,
                school.pupils_6b[0],
                datetime(2025, 9, 12, 9, 0, tzinfo=UTC),
            ),
            ("director_rights", director, "update", "rights", None, None, datetime(2025, 9, 15, 10, 0, tzinfo=UTC)),
            ("anonymous", None, "denied", "PupilListState.load", None, None, datetime(2025, 9, 15, 23, 59, tzinfo=UTC)),
        ]
        for key, who, action, entity, entity_id, pupil_id, at in rows:
            event = audit.record(s, who, action, entity, entity_id, field="f", old="1", new="2", pupil_id=pupil_id)
            event.at = at
            s.flush()
            ids[key] = event.id  # type: ignore[assignment]
        foreign = audit.record(s, None, "update", "pupil", 1, school_id=school.school_id + 1000)
        foreign.at = datetime(2025, 9, 11, tzinfo=UTC)
        s.flush()
        ids["other_school"] = foreign.id  # type: ignore[assignment]
    return ids


def _ids(principal, f: AuditFilter) -> list[int]:
    with db.session() as s:
        return [int(r["id"]) for r in audit_log.search(s, principal, f, limit=100).rows]


def test_the_audit_filters_by_person_entity_dates_and_pupil(school):
    ids = _seed(school)
    director = principal_of("t_director")
    everything = _ids(director, AuditFilter())
    # Newest first; the other school's event is not this director's to read; the school's own
    # account creations (factory) come after the seeded ones (they were written "now").
    assert ids["other_school"] not in everything
    seeded = [i for i in everything if i in ids.values()]
    assert seeded == [ids["anonymous"], ids["director_rights"], ids["clerk_guardian"], ids["clerk_pupil"]]
    assert _ids(director, AuditFilter(person="t_clerk")) == [ids["clerk_guardian"], ids["clerk_pupil"]]
    assert _ids(director, AuditFilter(person="T_CLERK")) == [ids["clerk_guardian"], ids["clerk_pupil"]]
    assert _ids(director, AuditFilter(entity="rights")) == [ids["director_rights"]]
    assert _ids(director, AuditFilter(action="denied")) == [ids["anonymous"]]
    window = AuditFilter(date_from=date(2025, 9, 12), date_to=date(2025, 9, 15))
    assert _ids(director, window) == [ids["anonymous"], ids["director_rights"], ids["clerk_guardian"]]
    # A pupil by name (Cyrillic, any case) or PIN: events about him and events that name him.
    assert _ids(director, AuditFilter(pupil="үсөнов")) == [ids["clerk_pupil"]]
    assert _ids(director, AuditFilter(pupil="10102201300044")) == [ids["clerk_guardian"]]
    assert _ids(director, AuditFilter(pupil="nobody-like-this")) == []


def test_the_audit_is_paged_on_the_server(school):
    with db.session() as s:
        for i in range(30):
            audit.record(s, None, "denied", "X.load", reason=str(i), school_id=school.school_id)
    director = principal_of("t_director")
    with db.session() as s:
        first = audit_log.search(s, director, AuditFilter(entity="X.load"), offset=0, limit=25)
        second = audit_log.search(s, director, AuditFilter(entity="X.load"), offset=25, limit=25)
    assert first.total == second.total == 30
    assert len(first.rows) == 25 and len(second.rows) == 5
    assert not {r["id"] for r in first.rows} & {r["id"] for r in second.rows}


async def test_the_director_sees_refused_events_on_the_audit_screen(school):
    # A pupil tries the rights matrix: refused, and the director finds it on the screen.
    assert is_refusal(await sub(new_tab("t_pupil"), RightsState).load())
    screen = sub(new_tab("t_director"), AuditState)
    assert not is_refusal(await screen.load())
    assert "denied" in screen.action_options and "RightsState.load" in {o["code"] for o in screen.entity_options}
    await screen.set_action("denied")
    assert [(r["who"], r["role"], r["entity"]) for r in screen.rows] == [("t_pupil", "pupil", "RightsState.load")]
    await screen.set_person("nobody")
    assert screen.rows == [] and screen.total == 0
    await screen.clear()
    assert screen.total >= 9  # sign-ins of the tabs, the account creations, the refusal
    today = datetime.now(UTC).date()
    await screen.set_date_from((today + timedelta(days=1)).isoformat())
    assert screen.rows == []


async def test_the_audit_screen_refuses_other_roles_and_bad_filters(school):
    for username in ("t_teacher", "t_clerk", "t_parent", "t_pupil", "t_admin"):
        state = sub(new_tab(username), AuditState)
        assert is_refusal(await state.load()), username
        assert state.rows == []
    screen = sub(new_tab("t_director"), AuditState)
    await screen.load()
    before = (list(screen.rows), screen.total, screen.date_from)
    for call in (
        screen.set_date_from("31.02.2025"),  # dd.mm.yyyy is the field's format, but no such day
        screen.set_date_from("2025-02-30"),
        screen.set_date_from("12/31/2025"),
        screen.set_entity("no-such-entity"),
        screen.set_action("drop table"),
        screen.set_person(12),
    ):
        assert is_refusal(await call)
    assert (list(screen.rows), screen.total, screen.date_from) == before


PURPOSE = "Ички текшерүү, 2025-жылдын сентябры"


@pytest.fixture
def private_dir(db_url, tmp_path, monkeypatch):
    """Exports go to this test's own folder, not the project's data/."""
    from bbbms_app import settings

    monkeypatch.setenv("BBBMS_DATA_DIR", str(tmp_path / "data"))
    settings.reload()


async def test_the_filtered_audit_exports_as_a_marked_workbook(school, private_dir):
    import openpyxl

    from bbbms_app.services import private_files

    _seed(school)
    screen = sub(new_tab("t_director"), AuditState)
    await screen.load()
    await screen.set_person("t_clerk")
    result = await screen.export_xlsx({"purpose": "x"})  # a purpose is required
    assert "__toast" in repr(result) and screen.export_error
    result = await screen.export_xlsx({"purpose": PURPOSE})
    assert "/private/export/" in repr(result) and "audit-" in repr(result)
    [path] = list(private_files.root("exports").rglob("*.xlsx"))
    sheet = openpyxl.load_workbook(path).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:4] == ["Убакыт (UTC)", "Ким", "Роль", "Аракет"]
    assert [r[1] for r in rows[1:3]] == ["t_clerk", "t_clerk"]  # only the filtered events
    assert [r[4] for r in rows[1:3]] == ["guardian", "pupil"]  # newest first
    assert rows[2][10] == "Үсөнов Нурбек"
    assert "t_director" in str(rows[-1][0]) and PURPOSE in str(rows[-1][0])  # the marking line
    assert openpyxl.load_workbook(path).properties.creator == "t_director"  # who exported it
    with db.session() as s:
        exports = s.exec(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert [(e.entity, e.reason, e.new_value) for e in exports] == [("auditevent", PURPOSE, "audit: 2 rows")]


async def test_only_who_may_export_personal_data_exports_the_audit(school, private_dir, monkeypatch):
    deputy = sub(new_tab("t_deputy"), AuditState)  # reads the audit, may not take personal data out
    assert not is_refusal(await deputy.load())
    assert is_refusal(await deputy.export_xlsx({"purpose": PURPOSE}))
    clerk = sub(new_tab("t_clerk"), AuditState)  # may export personal data, may not read the audit
    assert is_refusal(await clerk.export_xlsx({"purpose": PURPOSE}))
    director = sub(new_tab("t_director"), AuditState)
    await director.load()
    assert is_refusal(await director.export_xlsx({"purpose": PURPOSE, "role": "director"}))  # a forged form
    monkeypatch.setattr(audit_log, "MAX_EXPORT", 3)
    await director.export_xlsx({"purpose": PURPOSE})
    assert "3" in director.export_error  # too many events: narrow the filter
    with db.session() as s:
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "export")).all() == []
