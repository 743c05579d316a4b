"""The events calendar (issue 17 #4): who may add what, who sees it, and the personal iCalendar feed
over HTTP, parsed back with the icalendar library; a revoked address answers 404."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlmodel import select
from starlette.testclient import TestClient

from bbbms_app import db
from bbbms_app.api.calendar_feed import calendar_feed_api
from bbbms_app.models import AuditEvent, User
from bbbms_app.pages.calendar import CalendarState
from bbbms_app.pages.home import HomeState
from bbbms_app.services import accounts, school_events
from bbbms_app.services.errors import OutOfScope, Refused
from bbbms_app.services.school_events import EventDraft
from tests.states import is_refusal, new_tab, sub

TODAY = date.today()


def principal(username: str):
    with db.session() as s:
        user = s.exec(select(User).where(User.username == username)).one()
        return accounts.principal_for(user, session=s)


def add(username: str, **fields) -> int:
    draft = EventDraft(**{"title": "Ата-энелер чогулушу", "on_day": TODAY + timedelta(days=3), **fields})
    with db.session(write=True) as s:
        return school_events.add(s, principal(username), draft, TODAY).id  # type: ignore[return-value]


def titles(username: str) -> list[str]:
    with db.session() as s:
        return [r["title"] for r in school_events.upcoming(s, principal(username), TODAY)]


def new_feed(username: str) -> str:
    with db.session(write=True) as s:
        return school_events.new_feed(s, principal(username))


def fetch(token: str):
    return TestClient(calendar_feed_api).get(f"{school_events.FEED_ROUTE}/{token}.ics")


def test_events_reach_their_audience_and_a_class_teacher_only_her_class(school):
    add("t_director", title="Акыркы коңгуроо", on_day=TODAY + timedelta(days=10))
    add("t_classteacher", title="5-А чогулушу", audience="class", class_id=school.class_5a, reach="parents")
    add("t_deputy", title="6-класстар олимпиадасы", audience="grade", grade=6, reach="pupils")
    assert titles("t_parent") == ["5-А чогулушу", "Акыркы коңгуроо"]
    assert titles("t_pupil") == ["Акыркы коңгуроо"]
    assert titles("t_teacher") == ["Акыркы коңгуроо"]
    assert titles("t_director") == ["5-А чогулушу", "6-класстар олимпиадасы", "Акыркы коңгуроо"]
    for fields in (
        {"audience": "school"},
        {"audience": "class", "class_id": school.class_6b, "reach": "parents"},
    ):
        with pytest.raises(OutOfScope):
            add("t_classteacher", **fields)
    with pytest.raises(OutOfScope):
        add("t_teacher")
    for fields, field in (
        ({"on_day": TODAY - timedelta(days=1)}, "on_day"),
        ({"starts_at": time(17), "ends_at": time(16)}, "ends_at"),
        ({"title": ""}, "title"),
    ):
        with pytest.raises(Refused) as refused:
            add("t_director", **fields)
        assert refused.value.field == field


def test_the_feed_lists_his_events_parsed_back_and_a_revoked_address_is_refused(school):
    meeting = add(
        "t_classteacher",
        title="5-А ата-энелер чогулушу",
        audience="class",
        class_id=school.class_5a,
        reach="parents",
        starts_at=time(17, 30),
        ends_at=time(18, 30),
        place="12-кабинет",
        description="Күн тартиби: 2-чейрек",
    )
    add("t_director", title="Жаңы жыл майрамы", on_day=TODAY + timedelta(days=20))
    add("t_director", title="6-Б гана", audience="class", class_id=school.class_6b, reach="parents")
    token = new_feed("t_parent")
    answer = fetch(token)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(answer.content)
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"5-А ата-энелер чогулушу", "Жаңы жыл майрамы"}
    timed = events["5-А ата-энелер чогулушу"]
    bishkek = ZoneInfo("Asia/Bishkek")
    start = timed.decoded("dtstart")
    assert start == datetime.combine(TODAY + timedelta(days=3), time(17, 30), bishkek)
    assert start.utcoffset() == timedelta(hours=6)
    assert timed.decoded("dtend") == datetime.combine(TODAY + timedelta(days=3), time(18, 30), bishkek)
    assert str(timed["location"]) == "12-кабинет" and str(timed["uid"]) == f"event-{meeting}@bbbms"
    assert events["Жаңы жыл майрамы"].decoded("dtstart") == TODAY + timedelta(days=20)  # an all-day event

    # A cancelled event leaves the feed.
    with db.session(write=True) as s:
        school_events.cancel(s, principal("t_classteacher"), meeting)
    assert [str(e["summary"]) for e in Calendar.from_ical(fetch(token).content).walk("VEVENT")] == ["Жаңы жыл майрамы"]

    # A new address revokes the old one; revoking leaves none; a guessed one is refused alike.
    second = new_feed("t_parent")
    assert fetch(token).status_code == 404 and fetch(second).status_code == 200
    with db.session(write=True) as s:
        assert school_events.revoke_feeds(s, principal("t_parent")) == 1
    for bad in (second, "x" * 43, ""):
        answer = fetch(bad)
        assert answer.status_code == 404 and b"BEGIN" not in answer.content
    # A disabled account's address stops working too.
    third = new_feed("t_parent")
    with db.session(write=True) as s:
        s.exec(select(User).where(User.username == "t_parent")).one().is_active = False
    assert fetch(third).status_code == 404
    with db.session() as s:
        rows = s.exec(select(AuditEvent.action, AuditEvent.entity).where(AuditEvent.entity == "calendarfeed")).all()
        assert rows.count(("create", "calendarfeed")) == 3 and rows.count(("delete", "calendarfeed")) == 1


async def test_the_calendar_page_and_the_home_list_through_their_handlers(school):
    page = sub(new_tab("t_classteacher"), CalendarState)
    assert not is_refusal(await page.load())
    assert page.can_write and page.audience_options == ["class"]
    await page.set_value("title", "Экскурсия")
    await page.set_on_day((TODAY + timedelta(days=2)).strftime("%d.%m.%Y"))
    await page.set_value("starts_at", "09:00")
    await page.set_value("place", "Ала-Арча")
    assert not is_refusal(await page.add())
    assert [r["title"] for r in page.rows] == ["Экскурсия"] and page.rows[0]["time"] == "09:00"
    await page.set_value("title", "Кечки")
    await page.set_value("starts_at", "25:00")
    await page.add()
    assert page.form_error != "" and len(page.rows) == 1

    home = sub(new_tab("t_parent"), HomeState)
    assert not is_refusal(await home.load())
    assert [e["title"] for e in home.events] == ["Экскурсия"]

    parent_page = sub(new_tab("t_parent"), CalendarState)
    assert not is_refusal(await parent_page.load())
    assert not parent_page.can_write and not parent_page.has_feed
    assert not is_refusal(await parent_page.new_feed())
    assert parent_page.feed_path.startswith(school_events.FEED_ROUTE) and parent_page.has_feed
    assert fetch(parent_page.feed_path.rsplit("/", 1)[1].removesuffix(".ics")).status_code == 200
    # Forged: a parent cannot add or cancel events.
    parent_page.title, parent_page.on_day = "Жалган", TODAY.isoformat()
    assert is_refusal(await parent_page.add())
    assert is_refusal(await parent_page.cancel(page.rows[0]["id"]))
    # Another class teacher's tab: a teacher may not cancel it either (no event.write).
    teacher_page = sub(new_tab("t_teacher"), CalendarState)
    assert is_refusal(await teacher_page.cancel(page.rows[0]["id"]))
    assert titles("t_parent") == ["Экскурсия"]


def test_the_feed_carries_lessons_and_homework_on_the_day_it_is_due(school):
    from bbbms_app.models import BellSchedule, Lesson

    monday = TODAY + timedelta(days=7 - TODAY.weekday())  # next Monday
    wednesday = monday + timedelta(days=2)
    with db.session(write=True) as s:
        s.add(BellSchedule(school_id=school.school_id, number=1, starts_at=time(8, 0), ends_at=time(8, 45)))
        for day, homework in ((monday, "§12, 3-көнүгүү"), (wednesday, "")):
            s.add(
                Lesson(
                    school_id=school.school_id,
                    class_id=school.class_5a,
                    subject_id=school.math,
                    teacher_id=school.teacher_a,
                    term_id=school.term_ids[0],
                    date=day,
                    number=1,
                    homework=homework,
                )
            )
    bishkek = ZoneInfo("Asia/Bishkek")

    def feed(username: str) -> list:
        return list(Calendar.from_ical(fetch(new_feed(username)).content).walk("VEVENT"))

    teacher = feed("t_classteacher")  # teacher A teaches maths in 5-А
    assert [(str(e["summary"]), e.decoded("dtstart")) for e in teacher] == [
        ("5-А · Математика", datetime.combine(monday, time(8), bishkek)),
        ("5-А · Математика", datetime.combine(wednesday, time(8), bishkek)),
    ]
    assert feed("t_teacher") == []  # not his lessons
    pupil = feed("t_pupil")
    assert {(str(e["summary"]), e.decoded("dtstart")) for e in pupil} == {
        ("Математика", datetime.combine(monday, time(8), bishkek)),
        ("Математика", datetime.combine(wednesday, time(8), bishkek)),
        ("Үй тапшырмасы: Математика (" + pupil_name(school.pupils_5a[0]) + ")", wednesday),
    }
    assert len(pupil) == 3
    parent = feed("t_parent")  # two children in 5-А: each one's homework, due on Wednesday
    assert sorted((str(e["summary"]), e.decoded("dtstart"), str(e["description"])) for e in parent) == sorted(
        ("Үй тапшырмасы: Математика (" + pupil_name(p) + ")", wednesday, "§12, 3-көнүгүү") for p in school.pupils_5a[:2]
    )


def pupil_name(pupil_id: int) -> str:
    from bbbms_app.models import Pupil

    with db.session() as s:
        return s.get(Pupil, pupil_id).first_name  # type: ignore[union-attr]
