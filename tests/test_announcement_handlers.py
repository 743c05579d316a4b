"""The announcements page and the home page's feed through their handlers, as real and forged events call them."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AuditEvent
from bbbms_app.models.communication import Announcement, AnnouncementRead
from bbbms_app.pages.announcements import AnnouncementsState
from bbbms_app.pages.home import HomeState
from tests.states import is_refusal, new_tab, sub


def stored() -> list[tuple[str, str, int | None, str]]:
    with db.session() as s:
        return [(a.title, a.audience, a.class_id, a.reach) for a in s.exec(select(Announcement)).all()]


async def test_a_class_teacher_posts_to_her_class_parents_and_sees_who_read(school):
    page = sub(new_tab("t_classteacher"), AnnouncementsState)
    assert not is_refusal(await page.load())
    assert (page.audience_options, page.reach_options) == (["class", "people"], ["families", "parents", "pupils"])
    assert page.class_options == [{"id": str(school.class_5a), "name": "5-А"}]
    assert page.class_id == str(school.class_5a) and page.publish_on == date.today().isoformat()
    await page.set_value("title", "Ата-энелер жыйыны")
    await page.set_value("body", "Жума күнү саат 17:00дө.\n<b>Келиңиздер</b>")
    await page.set_value("reach", "parents")
    await page.set_value("audience", "school")  # not offered to her: ignored
    await page.set_value("class_id", str(school.class_6b))  # not her class: ignored
    assert (page.audience, page.class_id) == ("class", str(school.class_5a))
    assert not is_refusal(await page.send())
    assert stored() == [("Ата-энелер жыйыны", "class", school.class_5a, "parents")]
    assert page.title == "" and page.rows[0]["read_count"] == "0"

    home = sub(new_tab("t_parent"), HomeState)
    assert not is_refusal(await home.load())
    assert [(r["title"], r["read"]) for r in home.announcements] == [("Ата-энелер жыйыны", "")]
    assert home.announcements[0]["body"] == "Жума күнү саат 17:00дө.\n<b>Келиңиздер</b>"  # text, shown as text
    assert not is_refusal(await home.open_announcement(home.announcements[0]["id"]))
    assert home.opened == home.announcements[0]["id"] and home.announcements[0]["read"] == "1"

    assert not is_refusal(await page.load())
    assert (page.rows[0]["read_count"], page.rows[0]["readers"]) == ("1", "t_parent")
    # The pupil of 5-А is not among the parents: nothing for him.
    pupil_home = sub(new_tab("t_pupil"), HomeState)
    assert not is_refusal(await pupil_home.load())
    assert pupil_home.announcements == []


async def test_a_refused_value_is_shown_under_the_form_and_nothing_is_written(school):
    page = sub(new_tab("t_director"), AnnouncementsState)
    assert not is_refusal(await page.load())
    assert page.audience_options == ["school", "grade", "class", "role", "people"]
    await page.set_value("title", "Кечигип калган")
    await page.set_value("expires_on", (date.today() - timedelta(days=1)).strftime("%d.%m.%Y"))
    await page.send()
    assert page.form_error.startswith("«Качанга чейин»")
    assert stored() == []
    await page.set_value("expires_on", "")
    await page.set_value("audience", "grade")
    await page.set_value("grade", "9")
    await page.set_value("reach", "parents")
    await page.set_pinned(True)
    assert not is_refusal(await page.send())
    assert stored() == [("Кечигип калган", "grade", None, "parents")]
    assert page.form_error == ""


async def test_forged_events_are_refused_and_audited(school):
    # A teacher without the permission: every handler of the page is refused.
    page = sub(new_tab("t_teacher"), AnnouncementsState)
    for call in (page.load(), page.set_value("title", "x"), page.send(), page.withdraw("1")):
        assert is_refusal(await call)
    # The class teacher's tab pointed at the whole school by hand: the service refuses it.
    page = sub(new_tab("t_classteacher"), AnnouncementsState)
    assert not is_refusal(await page.load())
    page.title, page.audience, page.reach = "Бүт мектепке", "school", "all"
    assert is_refusal(await page.send())
    page.audience, page.class_id, page.reach = "class", str(school.class_6b), "parents"
    assert is_refusal(await page.send())
    assert stored() == []
    # An announcement for 5-А's parents: the pupil cannot mark it read, the teacher cannot withdraw it.
    page.class_id = str(school.class_5a)
    assert not is_refusal(await page.send())
    aid = page.rows[0]["id"]
    pupil_home = sub(new_tab("t_pupil"), HomeState)
    assert is_refusal(await pupil_home.open_announcement(aid))
    assert is_refusal(await pupil_home.open_announcement("not-an-id"))
    director_page = sub(new_tab("t_director"), AnnouncementsState)
    assert not is_refusal(await director_page.load())
    assert not is_refusal(await director_page.withdraw(aid))  # the director may take any back
    with db.session() as s:
        assert s.exec(select(AnnouncementRead)).all() == []
        denied = s.exec(select(AuditEvent.username).where(AuditEvent.action == "denied")).all()
        assert denied.count("t_teacher") == 4 and denied.count("t_classteacher") == 2
        assert denied.count("t_pupil") == 1


async def test_the_diary_shows_new_announcements_and_opening_one_is_the_receipt(school):
    from bbbms_app.pages.diary import DiaryState

    page = sub(new_tab("t_classteacher"), AnnouncementsState)
    assert not is_refusal(await page.load())
    await page.set_title("Экскурсия")
    await page.set_value("reach", "families")
    assert not is_refusal(await page.send())
    diary = sub(new_tab("t_pupil"), DiaryState)
    assert not is_refusal(await diary.load())
    assert [r["title"] for r in diary.news] == ["Экскурсия"]
    assert not is_refusal(await diary.open_announcement(diary.news[0]["id"]))
    assert diary.news[0]["read"] == "1"  # still shown until the next visit
    assert not is_refusal(await diary.load())
    assert diary.news == []
    with db.session() as s:
        assert len(s.exec(select(AnnouncementRead)).all()) == 1
    # A forged id of an announcement not addressed to him: refused, nothing recorded.
    teacher_only = sub(new_tab("t_director"), AnnouncementsState)
    assert not is_refusal(await teacher_only.load())
    await teacher_only.set_title("Мугалимдерге")
    await teacher_only.set_value("audience", "role")
    await teacher_only.set_value("role", "teacher")
    assert not is_refusal(await teacher_only.send())
    assert is_refusal(await diary.open_announcement(teacher_only.rows[0]["id"]))
