"""Announcements (issue 17 #1): audience resolution, dates, scope refusals, read receipts — the service."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AuditEvent, SchoolClass, User
from bbbms_app.models.communication import Announcement, AnnouncementRead
from bbbms_app.services import accounts, announcements
from bbbms_app.services.announcements import Draft
from bbbms_app.services.errors import NotFound, OutOfScope, Refused

TODAY = date(2026, 3, 2)


def principal(username: str):
    with db.session() as s:
        user = s.exec(select(User).where(User.username == username)).one()
        return accounts.principal_for(user, session=s)


def post(username: str, today: date = TODAY, **fields) -> int:
    draft = Draft(**{"title": "Жолугушуу", "body": "Эртең саат 17:00дө", "publish_on": today, **fields})
    with db.session(write=True) as s:
        return announcements.post(s, principal(username), draft, today).id  # type: ignore[return-value]


def titles(username: str, today: date = TODAY) -> list[str]:
    with db.session() as s:
        return [r["title"] for r in announcements.feed(s, principal(username), today)]


@pytest.fixture
def nine_a(school):
    """A 9-А class of the same year with one pupil, whose guardian is the known parent's neighbour."""
    from bbbms_app.models import Enrollment, Guardian, PupilGuardian
    from tests.factories import _pupil

    with db.session(write=True) as s:
        c9 = SchoolClass(school_id=school.school_id, academic_year_id=school.year_id, grade=9, letter="А")
        s.add(c9)
        s.flush()
        p = _pupil(s, school.school_id, "Токтогулов", "Бакыт", "21234567890123", date(2011, 4, 5), "m")
        g = Guardian(school_id=school.school_id, last_name="Токтогулова", first_name="Айгүл")
        s.add(g)
        s.flush()
        s.add(Enrollment(school_id=school.school_id, pupil_id=p.id, class_id=c9.id, starts_on=date(2025, 9, 1)))
        s.add(PupilGuardian(pupil_id=p.id, guardian_id=g.id, relation="mother"))
        accounts.create_user(
            s,
            "t_parent9",
            "parent",
            "test-password-1",
            school_id=school.school_id,
            full_name="Токтогулова Айгүл",
            guardian_id=g.id,
        )
        return c9.id


def test_a_parent_of_9a_sees_the_9th_grade_parents_announcement_not_a_5a_one(school, nine_a):
    post("t_director", title="9-класстардын ата-энелерине", audience="grade", grade=9, reach="parents")
    post("t_director", title="9-класстардын окуучуларына", audience="grade", grade=9, reach="pupils")
    post("t_classteacher", title="5-А ата-энелерине", audience="class", class_id=school.class_5a, reach="parents")
    post("t_director", title="Бардыгына", audience="school", reach="all")
    post("t_director", title="Мугалимдерге", audience="role", role="teacher")
    assert titles("t_parent9") == ["Бардыгына", "9-класстардын ата-энелерине"]
    # The known parent's children are in 5-А: the class one reaches him, the 9th-grade ones do not.
    assert titles("t_parent") == ["Бардыгына", "5-А ата-энелерине"]
    # A pupil of 5-А: not the parents' one; a teacher: the school's and the teachers' (class teachers too).
    assert titles("t_pupil") == ["Бардыгына"]
    assert titles("t_teacher") == ["Мугалимдерге", "Бардыгына"]  # the newest first
    assert titles("t_classteacher") == ["Мугалимдерге", "Бардыгына"]
    assert titles("t_clerk") == ["Бардыгына"]


def test_staff_of_a_class_receive_its_staff_announcements_and_pinned_come_first(school):
    post("t_director", title="6-Б мугалимдерине", audience="class", class_id=school.class_6b, reach="staff")
    post(
        "t_director", title="Бекитилген", audience="school", reach="staff", pinned=True, publish_on=TODAY - timedelta(5)
    )
    post("t_director", title="5-параллель", audience="grade", grade=5, reach="all")
    assert titles("t_teacher") == ["Бекитилген", "6-Б мугалимдерине"]  # teaches in 6-Б, not in the 5th grade
    assert titles("t_classteacher") == ["Бекитилген", "5-параллель"]
    assert titles("t_parent") == ["5-параллель"]


def test_publish_and_expiry_dates_bound_the_feed(school):
    post("t_director", title="Келечек", publish_on=TODAY + timedelta(3))
    post("t_director", title="Бүгүн бүтөт", expires_on=TODAY)
    assert titles("t_parent") == ["Бүгүн бүтөт"]
    assert titles("t_parent", TODAY + timedelta(1)) == []
    assert titles("t_parent", TODAY + timedelta(3)) == ["Келечек"]
    with pytest.raises(Refused) as refused:
        post("t_director", title="Тескери", publish_on=TODAY, expires_on=TODAY - timedelta(1))
    assert refused.value.key == "comm.error.expires_on" and refused.value.field == "expires_on"


def test_a_withdrawn_announcement_leaves_the_feed_but_stays_for_its_author(school):
    aid = post("t_classteacher", title="Жокко чыгат", audience="class", class_id=school.class_5a, reach="families")
    assert titles("t_parent") == ["Жокко чыгат"]
    with db.session(write=True) as s, pytest.raises(OutOfScope):
        announcements.withdraw(s, principal("t_teacher"), aid)
    with db.session(write=True) as s:
        announcements.withdraw(s, principal("t_classteacher"), aid)
    assert titles("t_parent") == []
    with db.session() as s:
        rows = announcements.written(s, principal("t_classteacher"))
        assert [(r["title"], r["withdrawn"]) for r in rows] == [("Жокко чыгат", "1")]
        actions = s.exec(select(AuditEvent.action).where(AuditEvent.entity == "announcement")).all()
        assert actions == ["create", "delete"]


@pytest.mark.parametrize(
    "fields",
    [
        {"audience": "school", "reach": "parents"},  # the whole school
        {"audience": "grade", "grade": 5, "reach": "parents"},  # a parallel
        {"audience": "role", "role": "parent"},  # a role
        {"audience": "class", "reach": "parents", "class_id": "6b"},  # another teacher's class
        {"audience": "class", "reach": "staff", "class_id": "5a"},  # his class's teachers
        {"audience": "class", "reach": "all", "class_id": "5a"},
    ],
)
def test_a_class_teacher_writes_only_to_his_own_class_families(school, fields):
    if "class_id" in fields:
        fields = {**fields, "class_id": school.class_5a if fields["class_id"] == "5a" else school.class_6b}
    with pytest.raises(OutOfScope):
        post("t_classteacher", **fields)
    with db.session() as s:
        assert s.exec(select(Announcement)).all() == []


def test_who_may_not_write_at_all_and_a_class_of_another_school(school):
    for username in ("t_teacher", "t_parent", "t_pupil", "t_clerk"):
        with pytest.raises(OutOfScope):
            post(username, audience="school")
    from tests.factories import build_school

    with db.session(write=True) as s:
        other = build_school(s, okpo="10000002", prefix="u_")
    with pytest.raises(NotFound):
        post("t_director", audience="class", class_id=other.class_5a, reach="parents")
    # The other school's parent sees nothing of this school's announcements.
    post("t_director", title="Бизге гана")
    assert titles("u_parent") == []


def test_bad_values_are_refused_naming_the_field(school):
    cases = [
        ({"title": "  "}, "title"),
        ({"body": "x" * 4001}, "body"),
        ({"audience": "grade", "grade": 13}, "grade"),
        ({"audience": "role", "role": "director"}, "role"),
        ({"audience": "class"}, "class_id"),
        ({"audience": "everyone"}, "audience"),
    ]
    for fields, field in cases:
        with pytest.raises(Refused) as refused:
            post("t_director", **fields)
        assert refused.value.field == field, fields


def test_opening_marks_read_once_and_the_author_sees_who_read(school):
    aid = post("t_classteacher", title="Ата-энелер жыйыны", audience="class", class_id=school.class_5a, reach="parents")
    with db.session() as s:
        assert announcements.unread_count(s, principal("t_parent"), TODAY) == 1
        assert announcements.feed(s, principal("t_parent"), TODAY)[0]["read"] == ""
    for _ in range(2):
        with db.session(write=True) as s:
            announcements.mark_read(s, principal("t_parent"), aid, TODAY)
    with db.session() as s:
        assert s.exec(select(AnnouncementRead)).all()[0].user_id == principal("t_parent").user_id
        assert len(s.exec(select(AnnouncementRead)).all()) == 1
        assert announcements.unread_count(s, principal("t_parent"), TODAY) == 0
        assert announcements.feed(s, principal("t_parent"), TODAY)[0]["read"] == "1"
        mine = announcements.written(s, principal("t_classteacher"))
        assert (mine[0]["read_count"], mine[0]["readers"]) == ("1", "t_parent")
        # The director sees every announcement of the school with its receipts; the teacher none of them.
        assert [r["read_count"] for r in announcements.written(s, principal("t_director"))] == ["1"]
        assert announcements.written(s, principal("t_teacher")) == []
    # Not addressed to him: the pupil cannot mark it read (an id probe reads as «not found»).
    with db.session(write=True) as s, pytest.raises(NotFound):
        announcements.mark_read(s, principal("t_pupil"), aid, TODAY)
