"""The tests page through its handlers, as real and forged events call them: the teacher's bank and
test form, the pupil's attempt (no key in his tab's state, a reload resumes it), forged and late events."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select

from bbbms_app import db
from bbbms_app.i18n import t
from bbbms_app.models import Mark, QuizAnswer, QuizAttempt
from bbbms_app.pages.quiz import QuizState
from bbbms_app.services import accounts
from bbbms_app.services.school_events import school_zone
from tests.factories import PASSWORD
from tests.states import is_refusal, new_tab, sub


def _local(moment: datetime) -> datetime:
    return moment.astimezone(school_zone())


def _answer(tab: QuizState, n: int, response, k: int = 1) -> list[dict]:
    """One answer as quiz_answers.js sends it (QuizState.sync_answers): the page's only way to answer."""
    at = datetime.now(UTC).isoformat()
    return [{"id": f"{k:016x}", "a": tab.attempt_key, "n": n, "r": response, "at": at, "off": 0}]


def _saved(attempt_id: int) -> list:
    with db.session() as s:
        rows = s.exec(select(QuizAnswer).where(QuizAnswer.attempt_id == attempt_id)).all()
        return sorted((json.loads(a.response_json) for a in rows if a.response_json != "null"), key=str)


async def _teacher_gives_a_test(school) -> QuizState:
    page = sub(new_tab("t_classteacher"), QuizState)
    assert not is_refusal(await page.load())
    assert page.mode == "teacher" and page.subjects == [{"id": str(school.math), "name": "Математика"}]
    assert page.class_rows == [{"id": str(school.class_5a), "name": "5-А"}]  # not 6-Б: she does not teach it
    for field, value in (
        ("q_ky", "Кыргызстандын борбору?"),
        ("q_options", "Ош | Бишкек | Нарын"),
        ("q_answer", "2"),
        ("q_points", "2"),
    ):
        await page.set_field(field, value)
    assert not is_refusal(await page.add_question())
    await page.set_kind("text")
    await page.set_field("q_ky", "5 + 7 = ?")
    await page.set_field("q_options", "")
    await page.set_field("q_answer", "12 | он эки")
    await page.set_field("q_points", "1")
    assert not is_refusal(await page.add_question())
    assert [r["kind"] for r in page.bank_rows] == ["single", "text"] and page.form_error == ""
    for row in page.bank_rows:
        await page.choose(row["id"], True)
    await page.pick_class(str(school.class_5a), True)
    await page.pick_class(str(school.class_6b), True)  # not offered to her: ignored
    assert page.picked_classes == [str(school.class_5a)]
    now = datetime.now(UTC)
    await page.set_field("title", "Борбор шаар")
    opens, closes = _local(now - timedelta(minutes=5)), _local(now + timedelta(hours=2))
    await page.set_opens_day(opens.strftime("%d.%m.%Y"))
    await page.set_field("opens_time", opens.strftime("%H:%M"))
    await page.set_closes_day(closes.strftime("%d.%m.%Y"))
    await page.set_field("closes_time", closes.strftime("%H:%M"))
    await page.set_field("limit", "15")
    await page.set_field("attempts", "1")
    assert not is_refusal(await page.create())
    assert page.quiz_form_error == "" and [q["title"] for q in page.my_quizzes] == ["Борбор шаар"]
    return page


async def test_a_test_given_taken_resumed_handed_in_and_confirmed(school):
    teacher = await _teacher_gives_a_test(school)
    tab = new_tab("t_pupil")
    pupil = sub(tab, QuizState)
    assert not is_refusal(await pupil.load())
    assert pupil.mode == "pupil" and [(q["title"], q["state"]) for q in pupil.quizzes] == [("Борбор шаар", "open")]
    assert not is_refusal(await pupil.start_quiz(pupil.quizzes[0]["id"]))
    assert pupil.attempt_open and len(pupil.questions) == 2
    # The tab's state holds texts and options, never a key (nor the seed or the stored order).
    state = json.dumps(tab.dict(), ensure_ascii=False, default=str)
    assert "он эки" not in state and "key_json" not in state and '"perm"' not in state
    single = next(i for i, q in enumerate(pupil.questions) if q["kind"] == "single")
    text = 1 - single
    right = next(o["pos"] for o in pupil.options[single] if o["ky"] == "Бишкек")
    assert not is_refusal(await pupil.sync_answers(_answer(pupil, single, int(right), 1)))
    assert not is_refusal(await pupil.sync_answers(_answer(pupil, text, " ОН ЭКИ ", 2)))
    # A reload (a new tab of the same pupil): the same attempt and his answers.
    again = sub(new_tab("t_pupil"), QuizState)
    assert not is_refusal(await again.load())
    assert again.attempt_open and again.questions[text]["answer"] == "ОН ЭКИ"
    assert [o["on"] for o in again.options[single] if o["pos"] == right] == ["1"]
    assert not is_refusal(await again.submit_attempt())
    assert again.submitted and again.result == "3/3 · 100%"
    # The first tab cannot answer any more: its answer is refused as late (and the browser told to drop it).
    late = await pupil.sync_answers(_answer(pupil, single, 0, 3))
    assert f"{3:016x}" in repr(late) and t("quiz.offline.late", "ky", count=1) in repr(late)
    assert _saved(int(pupil.attempt_key)) == [1, "ОН ЭКИ"]  # «Бишкек» is option 1 of its own order

    assert not is_refusal(await teacher.open_results(teacher.my_quizzes[0]["id"]))
    assert [(r["pupil"], r["score"], r["mark"]) for r in teacher.results] == [("Үсөнов Нурбек", "3/3 · 100%", "5")]
    assert is_refusal(await teacher.confirm(teacher.results[0]["id"]))  # no lesson chosen yet
    assert teacher.lesson_options[0][0]["id"] == str(school.lessons_5a_math[2])  # the latest first
    assert not is_refusal(await teacher.set_lesson(str(school.class_5a), str(school.lessons_5a_math[1])))
    assert not is_refusal(await teacher.confirm(teacher.results[0]["id"]))
    assert teacher.results[0]["state"] == "confirmed"
    with db.session() as s:
        mark = s.exec(select(Mark).where(Mark.lesson_id == school.lessons_5a_math[1], Mark.kind == "test")).one()
    assert (mark.pupil_id, mark.value) == (school.pupils_5a[0], 5)
    await teacher.export_moodle()  # a download of the XML (read back in tests/test_quiz.py)


async def test_forged_and_late_events_are_refused(school):
    teacher = await _teacher_gives_a_test(school)
    quiz_id = teacher.my_quizzes[0]["id"]
    await teacher.set_field("opens_time", "25:00")  # no such hour: shown under the form, nothing written
    assert not is_refusal(await teacher.create())
    assert teacher.quiz_form_error == t("quiz.error.when", "ky")
    assert len(teacher.my_quizzes) == 1
    with db.session(write=True) as s:
        accounts.create_user(s, "t_pupil6", "pupil", PASSWORD, school_id=school.school_id, pupil_id=school.pupils_6b[0])
    other = sub(new_tab("t_pupil6"), QuizState)
    assert not is_refusal(await other.load())
    assert other.quizzes == []
    assert is_refusal(await other.start_quiz(quiz_id))  # a forged start of another class's test
    assert not other.attempt_open
    assert is_refusal(await other.sync_answers(_answer(other, 0, 0)))  # no attempt of his own open
    assert is_refusal(await other.confirm("1"))  # a teacher's event from a pupil's tab
    assert is_refusal(await teacher.sync_answers(_answer(teacher, 0, 0)))  # a pupil's event from a teacher's tab
    assert is_refusal(await teacher.set_lesson(str(school.class_5a), str(school.lessons_5a_math[0] + 999)))

    pupil = sub(new_tab("t_pupil"), QuizState)
    await pupil.load()
    assert not is_refusal(await pupil.start_quiz(quiz_id))
    assert is_refusal(await pupil.sync_answers(_answer(pupil, 0, 7)))  # no such option on his screen
    assert is_refusal(await pupil.sync_answers(_answer(pupil, 5, 0)))  # no such question
    forged = _answer(pupil, 0, 0)
    forged[0]["a"] = "999999"
    assert is_refusal(await pupil.sync_answers(forged))  # an attempt not his
    deadline = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
    with db.session(write=True) as s:
        s.exec(update(QuizAttempt).values(deadline=deadline))  # type: ignore[call-overload]
    assert is_refusal(await pupil.submit_attempt())  # a late hand-in
    with db.session() as s:
        attempt = s.exec(select(QuizAttempt)).one()
        assert attempt.submitted_at is None  # closed only by the next reader, at its deadline
    await pupil.sync_answers(_answer(pupil, 1, "12"))  # time is over on the server: refused, audited
    assert _saved(int(pupil.attempt_key)) == []
    with db.session() as s:  # that reader closed it at its deadline with what it held: nothing
        attempt = s.exec(select(QuizAttempt).where(col(QuizAttempt.id) == attempt.id)).one()
        assert attempt.submitted_at.replace(tzinfo=UTC) == deadline and attempt.score == 0
    await pupil.load()
    assert [q["state"] for q in pupil.quizzes] == ["done"]
