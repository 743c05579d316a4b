"""Tests, second part, on a real database: editing the bank with versions (attempts keep the version
they answered), soft delete, a test's question list, answers the browser kept offline (saved in time,
refused and audited after it), the countdown's hand-in judged by the server, and the family's results
— each through the service and through forged events."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from bbbms_app import db
from bbbms_app.i18n import t
from bbbms_app.models import AuditEvent, Quiz, QuizAnswer, QuizAttempt, QuizQuestion
from bbbms_app.pages.quiz import QuizState
from bbbms_app.services import accounts
from bbbms_app.services import quiz as svc
from bbbms_app.services.errors import NotFound, OutOfScope, Refused
from bbbms_app.services.quiz import OfflineAnswer, QuestionDraft
from tests.factories import PASSWORD, principal_of
from tests.states import is_refusal, new_tab, sub
from tests.test_quiz import NOW, answer, layout, make_bank, shown, start

TEACHER = "t_classteacher"  # teaches maths in 5-А


def _single(subject: int, ky: str = "5 × 3?", right: int = 1, points: int = 2) -> QuestionDraft:
    return QuestionDraft(
        subject, "single", ky, "", "Көбөйтүү", [{"ky": "8"}, {"ky": "15"}, {"ky": "53"}], [right], points
    )


def _audit(entity: str, entity_id: int) -> list[AuditEvent]:
    with db.session() as s:
        q = select(AuditEvent).where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
        return list(s.exec(q.order_by(col(AuditEvent.id))).all())


def _question(qid: int) -> QuizQuestion:
    with db.session() as s:
        q = s.get(QuizQuestion, qid)
        assert q is not None
        return q


def _quiz(quiz_id: int) -> Quiz:
    with db.session() as s:
        quiz = s.get(Quiz, quiz_id)
        assert quiz is not None
        return quiz


# -- editing the bank ---------------------------------------------------------------------------


def test_a_question_no_attempt_holds_is_changed_in_place_and_audited(school):
    bank = make_bank(school)
    single = bank.ids[0]
    teacher = principal_of(TEACHER)
    with db.session(write=True) as s:
        form = svc.question_form(s, teacher, single)
        assert (form["options"], form["answer"], form["version"]) == ("12\n15\n18", "2", "1")
        # The form's own notation read back is the same question: nothing to change, nothing written.
        values = {k: form[k] for k in svc.IMPORT_COLUMNS}
        assert svc.edit_question(s, teacher, single, svc.draft_from_row(school.math, values)) == single
    assert [a.action for a in _audit("quizquestion", single)] == ["create"]
    with db.session(write=True) as s:
        values["question_ky"], values["answer"] = "Кайсы сан 5 × 3?", "2"
        assert svc.edit_question(s, teacher, single, svc.draft_from_row(school.math, values)) == single
    q = _question(single)
    assert (q.text_ky, q.version, q.deleted_at) == ("Кайсы сан 5 × 3?", 2, None)
    changed = _audit("quizquestion", single)[-1]
    assert (changed.action, changed.field) == ("update", "question")
    assert "Суроо single" in changed.old_value and "Кайсы сан 5 × 3?" in changed.new_value
    assert json.loads(_quiz(bank.quiz_id).question_ids) == bank.ids  # the same id: the test unchanged


def test_once_an_attempt_holds_a_question_an_edit_is_a_new_version_and_the_attempt_keeps_the_old(school):
    bank = make_bank(school)
    single = bank.ids[0]  # options 12, 15, 18; 15 right; 2 points
    attempt = start(bank.quiz_id)
    perm = layout(attempt)[single][1]
    answer(attempt, single, shown(perm, 1))  # 15: right under the version he was given
    teacher = principal_of(TEACHER)
    with db.session(write=True) as s:
        new_id = svc.edit_question(
            s,
            teacher,
            single,
            QuestionDraft(school.math, "single", "Жаңы текст", "", "Бөлчөктөр", [{"ky": "12"}, {"ky": "15"}], [0], 3),
        )
    assert new_id != single
    old, new = _question(single), _question(new_id)
    assert old.deleted_at is not None and old.deleted_reason == f"version 2: question {new_id}"
    assert (old.text_ky, json.loads(old.key_json), old.points) == ("Суроо single", [1], 2)  # never changed
    assert (new.text_ky, json.loads(new.key_json), new.points, new.version) == ("Жаңы текст", [0], 3, 2)
    # The test now asks the new version; the bank lists it, not the old one.
    assert json.loads(_quiz(bank.quiz_id).question_ids) == [new_id, *bank.ids[1:]]
    with db.session() as s:
        listed = [r["id"] for r in svc.bank(s, teacher, school.math)]
    assert str(new_id) in listed and str(single) not in listed
    # His running attempt still shows the version he was given and grades on it: 2 of 2 for «15».
    with db.session(write=True) as s:
        view = svc.attempt_view(s, principal_of("t_pupil"), attempt, NOW)
        assert "Суроо single" in [i["ky"] for i in view["items"]] and "Жаңы текст" not in str(view)
        svc.submit(s, principal_of("t_pupil"), attempt, NOW + timedelta(minutes=1))
    with db.session() as s:
        row = s.exec(select(QuizAnswer).where(QuizAnswer.attempt_id == attempt, QuizAnswer.question_id == single)).one()
        assert row.auto_points == 2
    # His second attempt is drawn with the new version.
    second = start(bank.quiz_id, NOW + timedelta(minutes=2))
    assert new_id in layout(second) and single not in layout(second)
    # Audited: the old row (old → new text), the new row (a version of the old), the test's list.
    assert [(a.action, a.reason) for a in _audit("quizquestion", new_id)] == [("create", f"version of {single}")]
    replaced = _audit("quizquestion", single)[-1]
    assert replaced.field == "question" and "Жаңы текст" in replaced.new_value
    assert _audit("quiz", bank.quiz_id)[-1].reason == f"question {single} → {new_id}"


def test_only_a_writer_of_the_subjects_bank_edits_or_deletes(school):
    bank = make_bank(school)
    draft = _single(school.math)
    with db.session(write=True) as s:
        # teacher B teaches maths in 6-Б: the maths bank is his too; Kyrgyz is not hers.
        ky_question = svc.add_question(s, principal_of("t_teacher"), _single(school.kyrgyz))
    for who, qid, error in (
        ("t_pupil", bank.ids[0], OutOfScope),
        ("t_parent", bank.ids[0], OutOfScope),
        ("t_clerk", bank.ids[0], OutOfScope),
        (TEACHER, ky_question, OutOfScope),
        (TEACHER, 999999, NotFound),
    ):
        with db.session(write=True) as s, pytest.raises(error):
            svc.edit_question(s, principal_of(who), qid, draft)
        with db.session(write=True) as s, pytest.raises(error):
            svc.delete_question(s, principal_of(who), qid, "лишний")
    assert _question(bank.ids[0]).version == 1 and _question(ky_question).deleted_at is None
    with db.session(write=True) as s, pytest.raises(Refused) as bad:  # a bad draft names its field
        svc.edit_question(s, principal_of(TEACHER), bank.ids[0], _single(school.math, right=7))
    assert bad.value.field == "answer" and _question(bank.ids[0]).version == 1


def test_a_deleted_question_leaves_the_bank_and_the_tests_but_not_the_attempts(school):
    bank = make_bank(school)
    single, multi = bank.ids[0], bank.ids[1]
    attempt = start(bank.quiz_id)
    teacher = principal_of(TEACHER)
    with db.session(write=True) as s, pytest.raises(Refused) as no_reason:
        svc.delete_question(s, teacher, single, "  ")
    assert no_reason.value.field == "reason"
    with db.session(write=True) as s:
        svc.delete_question(s, teacher, single, "Ката жазылган")
    q = _question(single)
    assert q.deleted_at is not None and q.deleted_reason == "Ката жазылган"
    assert json.loads(_quiz(bank.quiz_id).question_ids) == bank.ids[1:]
    deleted = _audit("quizquestion", single)[-1]
    assert (deleted.action, deleted.reason) == ("delete", "Ката жазылган")
    with db.session(write=True) as s:
        assert single in [e["q"] for e in json.loads(s.get(QuizAttempt, attempt).layout_json)]  # kept
        assert len(svc.attempt_view(s, principal_of("t_pupil"), attempt, NOW)["items"]) == 6
    # A test left with one question refuses to lose it, naming the test.
    with db.session(write=True) as s:
        svc.set_quiz_questions(s, teacher, bank.quiz_id, [multi])
    with db.session(write=True) as s, pytest.raises(Refused) as last:
        svc.delete_question(s, teacher, multi, "керек эмес")
    assert last.value.key == "quiz.error.last_question" and last.value.params["title"] == "Бөлчөктөр: текшерүү"
    assert _question(multi).deleted_at is None


def test_a_tests_question_list_is_edited_by_its_teacher_only_and_started_attempts_keep_theirs(school):
    bank = make_bank(school)
    attempt = start(bank.quiz_id)
    teacher = principal_of(TEACHER)
    with db.session(write=True) as s:
        svc.set_quiz_questions(s, teacher, bank.quiz_id, [bank.ids[2], bank.ids[0], bank.ids[2]])
    assert json.loads(_quiz(bank.quiz_id).question_ids) == [bank.ids[2], bank.ids[0]]
    changed = _audit("quiz", bank.quiz_id)[-1]
    assert (changed.field, json.loads(changed.old_value), json.loads(changed.new_value)) == (
        "questions", bank.ids, [bank.ids[2], bank.ids[0]],
    )  # fmt: skip
    assert len(layout(attempt)) == 6  # his attempt keeps the six he was drawn
    with db.session(write=True) as s:
        other = svc.add_question(s, principal_of("t_teacher"), _single(school.kyrgyz))
    for who, ids, error in (
        (TEACHER, [], Refused),
        (TEACHER, [other], Refused),  # not of the test's subject
        (TEACHER, [999999], Refused),
        ("t_teacher", [bank.ids[0]], OutOfScope),  # maths in 6-Б, not a class of this test
        ("t_pupil", [bank.ids[0]], OutOfScope),
    ):
        with db.session(write=True) as s, pytest.raises(error):
            svc.set_quiz_questions(s, principal_of(who), bank.quiz_id, ids)
    assert json.loads(_quiz(bank.quiz_id).question_ids) == [bank.ids[2], bank.ids[0]]


async def test_the_teachers_edit_handlers_and_their_forged_calls(school):
    bank = make_bank(school)
    page = sub(new_tab(TEACHER), QuizState)
    assert not is_refusal(await page.load())
    row = next(r for r in page.bank_rows if r["id"] == str(bank.ids[2]))  # the short answer
    await page.edit_question(row["id"])
    assert (page.editing, page.q_kind, page.q_answer) == (row["id"], "text", "Бишкек | г. Бишкек")
    await page.set_field("q_answer", "Бишкек | г. Бишкек | Bishkek")
    assert not is_refusal(await page.save_question())
    assert page.editing == "" and json.loads(_question(bank.ids[2]).key_json)[-1] == "Bishkek"
    await page.edit_question(str(bank.ids[2]))
    await page.set_field("q_answer", "")  # no accepted answer: shown under the form, nothing written
    assert not is_refusal(await page.save_question())
    assert page.form_error == t("quiz.error.key", "ky", field="answer") and _question(bank.ids[2]).version == 2
    assert not is_refusal(await page.delete_question())  # no reason typed: told, nothing deleted
    assert page.form_error == t("quiz.error.reason", "ky") and _question(bank.ids[2]).deleted_at is None
    await page.set_field("q_reason", "Эски суроо")
    assert not is_refusal(await page.delete_question())
    assert _question(bank.ids[2]).deleted_at is not None and str(bank.ids[2]) not in [r["id"] for r in page.bank_rows]
    # The test's list: opening it ticks its questions; two unticked, saved.
    await page.open_results(str(bank.quiz_id))
    assert page.chosen == [str(i) for i in bank.ids if i != bank.ids[2]]
    await page.choose(str(bank.ids[0]), False)
    assert not is_refusal(await page.save_test_questions())
    assert json.loads(_quiz(bank.quiz_id).question_ids) == [
        i for i in bank.ids if i not in bank.ids[:1] + bank.ids[2:3]
    ]
    # The director's bank opens on the school's first subject (Kyrgyz): opening the maths test shows
    # the maths bank with the test's questions ticked.
    director = sub(new_tab("t_director"), QuizState)
    await director.load()
    assert director.subject_id == str(school.kyrgyz)
    await director.open_results(str(bank.quiz_id))
    assert director.subject_id == str(school.math)
    assert director.chosen == [str(i) for i in bank.ids if i not in bank.ids[:1] + bank.ids[2:3]]
    # Forged: a question not on her screen, a pupil's and a parent's tab calling a teacher's handler.
    await page.edit_question("999999")
    assert page.editing == ""
    for who in ("t_pupil", "t_parent"):
        other = sub(new_tab(who), QuizState)
        await other.load()
        assert is_refusal(await other.edit_question(str(bank.ids[0])))
        assert is_refusal(await other.save_question())
        assert is_refusal(await other.delete_question())
        assert is_refusal(await other.save_test_questions())
        assert is_refusal(await other.restore_question(str(bank.ids[2])))  # a forged restore
    assert _question(bank.ids[0]).deleted_at is None and _question(bank.ids[2]).deleted_at is not None
    # The deleted question is listed under the bank; «restore» brings it back (the tests stay as they are).
    assert [r["id"] for r in page.deleted_rows] == [str(bank.ids[2])]
    assert not is_refusal(await page.restore_question(str(bank.ids[2])))
    assert page.deleted_rows == [] and str(bank.ids[2]) in [r["id"] for r in page.bank_rows]
    assert _question(bank.ids[2]).deleted_at is None


# -- answers kept offline -----------------------------------------------------------------------


def _offline(n: int, response, entry: str, given: datetime, offline: bool = True) -> OfflineAnswer:
    return OfflineAnswer(entry, n, response, given, offline)


def test_answers_kept_offline_are_saved_in_time_and_audited_with_when_they_were_given(school):
    bank = make_bank(school, limit=20)
    attempt = start(bank.quiz_id)
    lay = layout(attempt)
    single, text = bank.ids[0], bank.ids[2]
    given = NOW + timedelta(minutes=3)
    entries = [
        _offline(lay[single][0], shown(lay[single][1], 1), "a1b2c3d4e5f60001", given),
        _offline(lay[text][0], "Бишкек", "a1b2c3d4e5f60002", given + timedelta(seconds=20)),
    ]
    arrived = NOW + timedelta(minutes=10)
    with db.session(write=True) as s:
        saved, late = svc.sync_answers(s, principal_of("t_pupil"), attempt, entries, arrived)
    assert (saved, late) == (["a1b2c3d4e5f60001", "a1b2c3d4e5f60002"], [])
    with db.session() as s:
        assert {a.question_id for a in svc._answers(s, attempt).values()} == {single, text}
    rows = [a for a in _audit("quizattempt", attempt) if a.reason.startswith("offline ")]
    assert [a.reason for a in rows] == [
        "offline a1b2c3d4e5f60001 given 2026-12-02T08:03:00+00:00",
        "offline a1b2c3d4e5f60002 given 2026-12-02T08:03:20+00:00",
    ]
    # A phone clock ahead of the server's never puts an answer later than it arrived.
    with db.session(write=True) as s:
        svc.sync_answers(
            s, principal_of("t_pupil"), attempt,
            [_offline(lay[text][0], "Ош", "a1b2c3d4e5f60003", arrived + timedelta(days=3))], arrived,
        )  # fmt: skip
    assert _audit("quizattempt", attempt)[-1].reason == "offline a1b2c3d4e5f60003 given 2026-12-02T08:10:00+00:00"


def test_answers_arriving_after_the_deadline_are_refused_and_audited_whatever_the_phone_says(school):
    bank = make_bank(school, limit=20)
    attempt = start(bank.quiz_id)
    lay = layout(attempt)
    single = bank.ids[0]
    # Given «in time» by the phone's clock, but it reaches the server after the deadline: refused.
    entry = _offline(lay[single][0], shown(lay[single][1], 1), "feedc0de00000001", NOW + timedelta(minutes=5))
    with db.session(write=True) as s:
        saved, late = svc.sync_answers(s, principal_of("t_pupil"), attempt, [entry], NOW + timedelta(minutes=21))
    assert (saved, late) == ([], ["feedc0de00000001"])
    with db.session() as s:
        assert svc._answers(s, attempt) == {}
    refused = _audit("quizattempt", attempt)[-1]
    assert refused.action == "refused"
    assert refused.reason == "offline feedc0de00000001 given 2026-12-02T08:05:00+00:00 · quiz.error.time_over"
    # One given online but arriving late (a slow network) is refused too, and said to be online.
    online = _offline(lay[single][0], 0, "feedc0de00000002", NOW + timedelta(minutes=19), offline=False)
    with db.session(write=True) as s:
        svc.sync_answers(s, principal_of("t_pupil"), attempt, [online], NOW + timedelta(minutes=21))
    assert _audit("quizattempt", attempt)[-1].reason.startswith("answer feedc0de00000002 given 2026-12-02T08:19")
    # Another pupil's attempt: not found, nothing written.
    with db.session(write=True) as s:
        accounts.create_user(s, "t_pupil2", "pupil", PASSWORD, school_id=school.school_id, pupil_id=school.pupils_5a[1])
    with db.session(write=True) as s, pytest.raises(NotFound):
        svc.sync_answers(s, principal_of("t_pupil2"), attempt, [entry], NOW + timedelta(minutes=1))


async def test_the_sync_handler_saves_in_time_refuses_late_and_forged_batches(school):
    bank = make_bank(school, closes=datetime.now(UTC) + timedelta(days=1))
    with db.session(write=True) as s:  # the test opened an hour ago on the real clock
        s.exec(update(Quiz).values(opens_at=datetime.now(UTC) - timedelta(hours=1)))  # type: ignore[call-overload]
    pupil = sub(new_tab("t_pupil"), QuizState)
    await pupil.load()
    assert not is_refusal(await pupil.start_quiz(str(bank.quiz_id)))
    attempt = int(pupil.attempt_key)
    assert pupil.owner.startswith("u") and pupil.deadline_ms > pupil.server_ms > 0
    n = next(i for i, q in enumerate(pupil.questions) if q["kind"] == "text")
    now = datetime.now(UTC).isoformat()
    entry = {"id": "0123456789abcdef", "a": str(attempt), "n": n, "r": "Бишкек", "at": now, "off": 1}
    result = await pupil.sync_answers([entry])
    assert not is_refusal(result) and "0123456789abcdef" in repr(result)  # the browser may forget it
    assert pupil.questions[n]["answer"] == "Бишкек" and json.loads(pupil.questions[n]["resp"]) == "Бишкек"
    # Forged batches are refused whole: a response that is no response, an id that is none, another's attempt.
    for bad in (
        {**entry, "r": {"$gt": 1}},
        {**entry, "r": [[1]]},
        {**entry, "r": True},
        {**entry, "id": "x"},
        {**entry, "n": 500},
    ):
        assert is_refusal(await pupil.sync_answers([entry, bad])), bad
    assert is_refusal(await pupil.sync_answers([entry] * 201))
    teacher = sub(new_tab(TEACHER), QuizState)
    await teacher.load()
    assert is_refusal(await teacher.sync_answers([entry]))  # a teacher's tab has no attempt to answer
    # The time is over on the server: the answers are refused (and the browser told to drop them).
    with db.session(write=True) as s:
        s.exec(update(QuizAttempt).values(deadline=datetime.now(UTC) - timedelta(seconds=1)))  # type: ignore[call-overload]
    late = {**entry, "id": "0123456789abcde2", "r": "Ош"}
    result = await pupil.sync_answers([late])
    assert "0123456789abcde2" in repr(result) and t("quiz.offline.late", "ky", count=1) in repr(result)
    with db.session() as s:
        assert [json.loads(a.response_json) for a in svc._answers(s, attempt).values()] == ["Бишкек"]


async def test_a_reload_resumes_the_running_attempt_not_the_one_numbered_like_the_test(school):
    """The list's row is the test; the attempt a reload resumes is its running attempt (their ids differ)."""
    first = make_bank(school, closes=datetime.now(UTC) + timedelta(days=1))
    second = make_bank(school, closes=datetime.now(UTC) + timedelta(days=1))
    with db.session(write=True) as s:
        s.exec(update(Quiz).values(opens_at=datetime.now(UTC) - timedelta(hours=1)))  # type: ignore[call-overload]
        s.exec(update(Quiz).where(col(Quiz.id) == first.quiz_id).values(title="Биринчи"))  # type: ignore[call-overload]
    pupil = sub(new_tab("t_pupil"), QuizState)
    await pupil.load()
    assert not is_refusal(await pupil.start_quiz(str(second.quiz_id)))  # attempt 1 of test 2
    assert pupil.attempt_key != str(second.quiz_id)
    again = sub(new_tab("t_pupil"), QuizState)
    assert not is_refusal(await again.load())
    assert again.attempt_open and again.attempt_key == pupil.attempt_key and again.title == "Бөлчөктөр: текшерүү"


# -- the countdown: the server decides ------------------------------------------------------------


async def test_time_up_hands_in_before_the_deadline_and_closes_at_it_after(school):
    bank = make_bank(school, closes=datetime.now(UTC) + timedelta(days=1))
    with db.session(write=True) as s:
        s.exec(update(Quiz).values(opens_at=datetime.now(UTC) - timedelta(hours=1)))  # type: ignore[call-overload]
    pupil = sub(new_tab("t_pupil"), QuizState)
    await pupil.load()
    await pupil.start_quiz(str(bank.quiz_id))
    first = int(pupil.attempt_key)
    assert not is_refusal(await pupil.time_up())  # the browser's clock ran out first: handed in now
    assert pupil.submitted
    with db.session() as s:
        done = s.get(QuizAttempt, first)
        assert done.submitted_at is not None
    assert any(a.field == "submitted" for a in _audit("quizattempt", first))
    # The second attempt: the server's time is over. A forged hand-in is refused; time_up closes it
    # at its deadline with what it held, not «now».
    await pupil.back_to_list()
    await pupil.start_quiz(str(bank.quiz_id))
    second = int(pupil.attempt_key)
    deadline = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2)
    with db.session(write=True) as s:
        s.exec(update(QuizAttempt).where(col(QuizAttempt.id) == second).values(deadline=deadline))  # type: ignore[call-overload]
    assert is_refusal(await pupil.submit_attempt())
    with db.session() as s:
        assert s.get(QuizAttempt, second).submitted_at is None
    assert not is_refusal(await pupil.time_up())
    with db.session() as s:
        closed = s.get(QuizAttempt, second)
        assert closed.submitted_at is not None and closed.submitted_at.replace(tzinfo=UTC) == deadline
    assert not any(a.field == "submitted" for a in _audit("quizattempt", second))  # not a hand-in
    assert is_refusal(await sub(new_tab(TEACHER), QuizState).time_up())


# -- the family's view ------------------------------------------------------------------------------


def test_a_parent_reads_his_childrens_results_only(school):
    bank = make_bank(school)
    attempt = start(bank.quiz_id)
    answer(attempt, bank.ids[0], shown(layout(attempt)[bank.ids[0]][1], 1))
    with db.session(write=True) as s:
        svc.submit(s, principal_of("t_pupil"), attempt, NOW + timedelta(minutes=1))
    with db.session(write=True) as s:  # a pupil of 6-Б (not his child) took a test too
        accounts.create_user(s, "t_pupil6", "pupil", PASSWORD, school_id=school.school_id, pupil_id=school.pupils_6b[0])
        other = svc.add_question(s, principal_of("t_teacher"), _single(school.math))
        quiz6 = svc.create_quiz(
            s, principal_of("t_teacher"),
            svc.QuizDraft(school.math, "6-Б тести", {school.class_6b: None}, NOW - timedelta(hours=1),
                          NOW + timedelta(days=1), [other]),
        )  # fmt: skip
    start(quiz6, who="t_pupil6")
    with db.session(write=True) as s:
        rows = svc.family_results(s, principal_of("t_parent"), NOW + timedelta(minutes=2))
    # 2 of 16 = 12.5 %: the percent shown is rounded half to even, as everywhere on the page.
    assert [(r["title"], r["state"], r["result"]) for r in rows] == [("Бөлчөктөр: текшерүү", "submitted", "2/16 · 12%")]
    assert "Бишкек" not in json.dumps(rows, ensure_ascii=False)  # no key, no answer
    for who in ("t_pupil", TEACHER, "t_director"):
        with db.session(write=True) as s, pytest.raises(OutOfScope):
            svc.family_results(s, principal_of(who), NOW)


async def test_the_family_page_is_read_only(school):
    bank = make_bank(school, closes=datetime.now(UTC) + timedelta(days=1))
    with db.session(write=True) as s:
        s.exec(update(Quiz).values(opens_at=datetime.now(UTC) - timedelta(hours=1)))  # type: ignore[call-overload]
    pupil = sub(new_tab("t_pupil"), QuizState)
    await pupil.load()
    await pupil.start_quiz(str(bank.quiz_id))
    await pupil.submit_attempt()
    parent = sub(new_tab("t_parent"), QuizState)
    assert not is_refusal(await parent.load())
    assert parent.mode == "family" and [r["result"] for r in parent.family_rows] == ["0/16 · 0%"]
    # His tab cannot start, answer or hand in for the child, nor read the teacher's results.
    assert is_refusal(await parent.start_quiz(str(bank.quiz_id)))
    assert is_refusal(await parent.submit_attempt())
    entry = {"id": "0123456789abcdef", "a": pupil.attempt_key, "n": 0, "r": 0, "at": "", "off": 0}
    assert is_refusal(await parent.sync_answers([entry]))
    assert is_refusal(await parent.open_results(str(bank.quiz_id)))
    assert parent.results == []


def test_a_deleted_question_is_listed_and_taken_back_by_a_writer_of_its_bank_only(school):
    bank = make_bank(school)
    single, multi = bank.ids[0], bank.ids[1]
    start(bank.quiz_id)  # an attempt holds the questions: the edit below makes a new version
    teacher = principal_of(TEACHER)
    with db.session(write=True) as s:
        svc.delete_question(s, teacher, single, "Ката жазылган")
        svc.edit_question(s, teacher, multi, _single(school.math, ky="Жаңы версия"))
    with db.session() as s:
        listed = svc.deleted_questions(s, teacher, school.math)
    # The deleted one, not the old version the edit left behind.
    assert [(r["id"], r["text"], r["reason"]) for r in listed] == [(str(single), "Суроо single", "Ката жазылган")]
    # Not a writer of a bank: listing and forged restores refused, nothing written.
    for who, error in (("t_pupil", OutOfScope), ("t_parent", OutOfScope), ("t_clerk", OutOfScope)):
        with db.session() as s, pytest.raises(error):
            svc.deleted_questions(s, principal_of(who), school.math)
        with db.session(write=True) as s, pytest.raises(error):
            svc.restore_question(s, principal_of(who), single)
    with db.session(write=True) as s:
        ky_question = svc.add_question(s, principal_of("t_teacher"), _single(school.kyrgyz))
        svc.delete_question(s, principal_of("t_teacher"), ky_question, "керек эмес")
    with db.session(write=True) as s, pytest.raises(OutOfScope):  # another teacher's bank
        svc.restore_question(s, teacher, ky_question)
    for qid in (multi, 999999):  # an old version, no such question
        with db.session(write=True) as s, pytest.raises(NotFound):
            svc.restore_question(s, teacher, qid)
    assert _question(ky_question).deleted_at is not None and _question(multi).deleted_at is not None
    with db.session(write=True) as s:
        svc.restore_question(s, teacher, single)
    q = _question(single)
    assert q.deleted_at is None and q.deleted_reason == ""
    with db.session() as s:
        assert str(single) in [r["id"] for r in svc.bank(s, teacher, school.math)]
        assert svc.deleted_questions(s, teacher, school.math) == []
    assert json.loads(_quiz(bank.quiz_id).question_ids).count(single) == 0  # the tests stay as they were
    restored = _audit("quizquestion", single)[-1]
    assert (restored.action, restored.reason) == ("restore", "deleted: Ката жазылган")
    with db.session(write=True) as s, pytest.raises(NotFound):  # restored twice
        svc.restore_question(s, teacher, single)
