"""services.quiz on a real database: the bank, grading of every kind (by hand), attempts drawn and
kept, the server's deadline, scope, the mark in the journal with its audit, import and Moodle XML."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import defusedxml.ElementTree as ET
import openpyxl
import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AuditEvent, Mark, QuizAnswer, QuizAttempt, QuizQuestion
from bbbms_app.services import accounts
from bbbms_app.services import quiz as svc
from bbbms_app.services.errors import NotFound, OutOfScope, Refused
from bbbms_app.services.quiz import QuestionDraft, QuizDraft
from tests.factories import PASSWORD, principal_of

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def q(kind: str, subject: int, options=(), key=None, points: int = 1, topic: str = "Бөлчөктөр", **kw) -> QuestionDraft:
    return QuestionDraft(
        subject_id=subject,
        kind=kind,
        text_ky=kw.get("ky", f"Суроо {kind}"),
        text_ru=kw.get("ru", f"Вопрос {kind}"),
        topic=topic,
        options=[o if isinstance(o, dict) else {"ky": o} for o in options],
        key=key,
        points=points,
    )


def six(subject: int) -> list[QuestionDraft]:
    """One question of every kind; 2 + 4 + 1 + 2 + 3 + 4 = 16 points."""
    return [
        q("single", subject, ["12", "15", "18"], [1], 2),
        q("multi", subject, ["2", "3", "4", "5"], [0, 2], 4),
        q("text", subject, key=["Бишкек", "г. Бишкек"]),
        q("number", subject, key={"value": 3.14, "tolerance": 0.01}, points=2),
        q(
            "match",
            subject,
            [{"ky": "1/2", "to_ky": "0,5"}, {"ky": "1/4", "to_ky": "0,25"}, {"ky": "3/4", "to_ky": "0,75"}],
            points=3,
        ),
        q("order", subject, ["1/8", "1/4", "1/2", "1"], points=4),
    ]


@dataclass
class Bank:
    ids: list[int]  # in the order of six()
    quiz_id: int


def make_bank(school, *, limit: int = 20, closes: datetime | None = None, lesson: bool = True) -> Bank:
    teacher = principal_of("t_classteacher")  # teaches maths in 5-А
    with db.session(write=True) as s:
        ids = [svc.add_question(s, teacher, d) for d in six(school.math)]
        quiz_id = svc.create_quiz(
            s,
            teacher,
            QuizDraft(
                subject_id=school.math,
                title="Бөлчөктөр: текшерүү",
                classes={school.class_5a: school.lessons_5a_math[1] if lesson else None},
                opens_at=NOW - timedelta(hours=1),
                closes_at=closes or NOW + timedelta(days=1),
                question_ids=ids,
                time_limit_min=limit,
                attempts_allowed=2,
            ),
        )
    return Bank(ids, quiz_id)


def layout(attempt_id: int) -> dict[int, tuple[int, list[int]]]:
    """question id -> (its shown position, its options' shown order) as stored."""
    with db.session() as s:
        a = s.get(QuizAttempt, attempt_id)
        return {e["q"]: (n, e["perm"]) for n, e in enumerate(json.loads(a.layout_json))}


def shown(perm: list[int], original: int) -> int:
    return perm.index(original)


def answer(attempt_id: int, qid: int, response, now: datetime = NOW, who: str = "t_pupil") -> None:
    with db.session(write=True) as s:
        svc.answer(s, principal_of(who), attempt_id, layout(attempt_id)[qid][0], response, now)


def start(quiz_id: int, now: datetime = NOW, who: str = "t_pupil") -> int:
    with db.session(write=True) as s:
        return svc.start(s, principal_of(who), quiz_id, now)


def answer_all(bank: Bank, attempt_id: int, now: datetime = NOW) -> None:
    """11 of 16 points, by hand: single right 2; multi {2} of {2, 4}: 4 × 1/2 = 2; text 1; number
    3,15 within 3.14 ± 0.01: 2; match two pairs of three, the third left open: 3 × 2/3 = 2; order with the last two
    swapped: 4 × 2/4 = 2."""
    lay = layout(attempt_id)
    single, multi, text, number, match, order = bank.ids
    answer(attempt_id, single, shown(lay[single][1], 1), now)
    answer(attempt_id, multi, [shown(lay[multi][1], 0)], now)
    answer(attempt_id, text, "  бишкеk ", now)  # a Latin k, a small letter, spaces
    answer(attempt_id, number, "3,15", now)
    mp = lay[match][1]
    answer(attempt_id, match, [shown(mp, 0), shown(mp, 1), None], now)
    op = lay[order][1]
    answer(attempt_id, order, [shown(op, 0), shown(op, 1), shown(op, 3), shown(op, 2)], now)


# -- grading -----------------------------------------------------------------------------------


def _question(kind: str, options, key, points: int) -> QuizQuestion:
    stored_options, stored_key = svc.checked_question(q(kind, 1, options, key, points))
    return QuizQuestion(
        kind=kind, points=points, options_json=json.dumps(stored_options), key_json=json.dumps(stored_key)
    )


@pytest.mark.parametrize(
    "kind,options,key,points,response,expected",
    [
        ("single", ["a", "b", "c"], [2], 3, 2, Fraction(3)),
        ("single", ["a", "b", "c"], [2], 3, 0, Fraction(0)),
        ("single", ["a", "b", "c"], [2], 3, None, Fraction(0)),
        ("multi", ["a", "b", "c", "d"], [0, 2], 4, [0, 2], Fraction(4)),
        ("multi", ["a", "b", "c", "d"], [0, 2], 4, [0], Fraction(2)),
        ("multi", ["a", "b", "c", "d"], [0, 2], 4, [0, 1], Fraction(0)),
        ("multi", ["a", "b", "c", "d"], [0, 2], 4, [0, 2, 3], Fraction(2)),
        ("multi", ["a", "b", "c", "d"], [0, 1, 2], 3, [0, 1, 3], Fraction(1)),
        ("multi", ["a", "b", "c", "d"], [0, 2], 4, [1, 3], Fraction(0)),
        ("text", [], ["Ысык-Көл"], 2, "ысык - көл", Fraction(2)),
        ("text", [], ["Ысык-Көл"], 2, "Ысык Көл", Fraction(0)),
        ("text", [], ["Ысык-Көл"], 2, "  ЫСЫК-КӨЛ ", Fraction(2)),
        ("text", [], ["Ысык-Көл"], 2, "Ысык-Кӧл", Fraction(2)),  # ӧ (not Kyrgyz) for ө
        ("text", [], ["Токтогул"], 1, "TOKTOГУЛ", Fraction(1)),  # Latin T, O, K
        ("text", [], ["Манас  ата"], 1, "манас ата", Fraction(1)),
        ("text", [], ["Манас"], 1, "Манас ата", Fraction(0)),
        ("number", [], {"value": 2.5, "tolerance": 0.1}, 2, "2,6", Fraction(2)),
        ("number", [], {"value": 2.5, "tolerance": 0.1}, 2, "2.61", Fraction(0)),
        ("number", [], {"value": -3, "tolerance": 0}, 1, "−3", Fraction(1)),
        ("number", [], {"value": 2.5, "tolerance": 0.1}, 2, "эки", Fraction(0)),
        ("match", [{"ky": "a", "to_ky": "1"}, {"ky": "b", "to_ky": "2"}], None, 2, [0, 1], Fraction(2)),
        ("match", [{"ky": "a", "to_ky": "1"}, {"ky": "b", "to_ky": "2"}], None, 2, [1, 0], Fraction(0)),
        (
            "match",
            [{"ky": "a", "to_ky": "1"}, {"ky": "b", "to_ky": "2"}, {"ky": "c", "to_ky": "3"}],
            None,
            3,
            [0, None, 1],
            Fraction(1),
        ),
        ("order", ["a", "b", "c", "d", "e"], None, 5, [0, 1, 2, 3, 4], Fraction(5)),
        ("order", ["a", "b", "c", "d", "e"], None, 5, [1, 0, 2, 4, 3], Fraction(1)),
        ("order", ["a", "b", "c"], None, 3, [2, 1, 0], Fraction(1)),
    ],
)
def test_grading_of_every_kind_by_hand(kind, options, key, points, response, expected):
    assert svc.grade(_question(kind, options, key, points), response) == expected


@pytest.mark.parametrize(
    "draft,field",
    [
        (QuestionDraft(1, "single", options=[{"ky": "a"}, {"ky": "b"}], key=[0]), "text"),
        (q("single", 1, ["a"], [0]), "options"),
        (q("single", 1, ["a", "b"], [0, 1]), "answer"),
        (q("multi", 1, ["a", "b"], [5]), "answer"),
        (q("single", 1, ["a", "a"], [0]), "options"),
        (q("text", 1, key=[" "]), "answer"),
        (q("number", 1, key={"value": "x"}), "answer"),
        (q("number", 1, key={"value": 1, "tolerance": -1}), "answer"),
        (q("match", 1, [{"ky": "a", "to_ky": "1"}, {"ky": "b"}]), "options"),
        (q("order", 1, ["a", "b"], points=0), "points"),
    ],
)
def test_a_question_that_does_not_hold_is_refused_naming_its_field(draft, field):
    with pytest.raises(Refused) as err:
        svc.checked_question(draft)
    assert err.value.field == field


# -- an attempt from start to the journal --------------------------------------------------------


def test_an_attempt_saved_as_he_goes_graded_confirmed_into_the_journal(school):
    bank = make_bank(school)
    attempt = start(bank.quiz_id)
    assert start(bank.quiz_id, NOW + timedelta(minutes=3)) == attempt  # a reload resumes it
    answer_all(bank, attempt)
    # A second answer to the same question replaces the first (one row per question).
    answer(attempt, bank.ids[0], shown(layout(attempt)[bank.ids[0]][1], 0))
    answer(attempt, bank.ids[0], shown(layout(attempt)[bank.ids[0]][1], 1))
    with db.session() as s:
        assert len(s.exec(select(QuizAnswer).where(QuizAnswer.attempt_id == attempt)).all()) == 6
        view = svc.attempt_view(s, principal_of("t_pupil"), attempt, NOW + timedelta(minutes=5))
    # The page gets his answers back in shown positions (a reload loses nothing), and no key.
    text_item = next(i for i in view["items"] if i["kind"] == "text")
    assert text_item["response"] == "бишкеk"
    assert "key" not in json.dumps(view, default=str) and "Бишкек" not in json.dumps(
        view, ensure_ascii=False, default=str
    )
    assert view["deadline"] == NOW + timedelta(minutes=20)
    with db.session(write=True) as s:
        result = svc.submit(s, principal_of("t_pupil"), attempt, NOW + timedelta(minutes=6))
    assert (result["score"], result["max_score"]) == (11, 16)
    assert result["percent"] == pytest.approx(68.75)
    with db.session(write=True) as s, pytest.raises(Refused) as err:
        svc.submit(s, principal_of("t_pupil"), attempt, NOW + timedelta(minutes=7))
    assert err.value.key == "quiz.error.submitted"
    teacher = principal_of("t_classteacher")
    with db.session(write=True) as s:
        res = svc.results(s, teacher, bank.quiz_id, NOW + timedelta(minutes=8))
    assert [(r["pupil"], r["score"], r["mark"]) for r in res.attempts] == [("Үсөнов Нурбек", "11/16 · 69%", "4")]
    # The teacher reads the key beside the answer, raises the matching question to full points …
    with db.session() as s:
        rows = svc.review(s, teacher, attempt, "ru")
    number_row = next(r for r in rows if int(r["question_id"]) == bank.ids[3])
    assert (number_row["given"], number_row["key"], number_row["auto"]) == ("3,15", "3.14 ± 0.01", "2")
    with db.session(write=True) as s:
        svc.override(s, teacher, attempt, bank.ids[4], 3)
    with db.session() as s:
        a = s.get(QuizAttempt, attempt)
        assert (a.score, a.max_score) == (12, 16)  # 75 % → 4
    # … and confirms: the mark is in the journal's cell, through its save path, audited with the test.
    with db.session(write=True) as s:
        assert svc.confirm(s, teacher, attempt) == 4
    with db.session() as s:
        marks = s.exec(
            select(Mark).where(Mark.lesson_id == school.lessons_5a_math[1], Mark.pupil_id == school.pupils_5a[0])
        ).all()
        assert sorted((m.kind, m.value) for m in marks) == [("class", 4), ("test", 4)]  # the class mark stays
        journal_audit = s.exec(select(AuditEvent).where(AuditEvent.entity == "lesson").order_by(AuditEvent.id)).all()
        assert (journal_audit[-1].field, journal_audit[-1].new_value, journal_audit[-1].reason) == (
            "mark.test",
            "4",
            f"test {bank.quiz_id}",
        )
        override_row = s.exec(
            select(AuditEvent).where(AuditEvent.entity == "quizattempt", AuditEvent.field == f"points:{bank.ids[4]}")
        ).one()
        assert (override_row.old_value, override_row.new_value, override_row.username) == ("", "3", "t_classteacher")


def test_most_got_wrong_first(school):
    bank = make_bank(school)
    attempt = start(bank.quiz_id)
    answer_all(bank, attempt)
    with db.session(write=True) as s:
        svc.submit(s, principal_of("t_pupil"), attempt, NOW + timedelta(minutes=1))
        res = svc.results(s, principal_of("t_classteacher"), bank.quiz_id, NOW + timedelta(minutes=2))
    wrong = {int(r["id"]) for r in res.questions if r["wrong"] == "1"}
    assert wrong == {bank.ids[1], bank.ids[4], bank.ids[5]}  # multi, match, order got part of their points
    assert [r["wrong"] for r in res.questions] == ["1", "1", "1", "0", "0", "0"]
    assert res.questions[-1]["right_pct"] == "100%"


def test_confirm_needs_the_lesson_and_a_submitted_attempt(school):
    bank = make_bank(school, lesson=False)
    attempt = start(bank.quiz_id)
    teacher = principal_of("t_classteacher")
    with db.session(write=True) as s, pytest.raises(Refused) as err:
        svc.confirm(s, teacher, attempt)
    assert err.value.key == "quiz.error.not_submitted"
    with db.session(write=True) as s:
        svc.submit(s, principal_of("t_pupil"), attempt, NOW)
    with db.session(write=True) as s, pytest.raises(Refused) as err:
        svc.confirm(s, teacher, attempt)
    assert err.value.key == "quiz.error.no_lesson"
    with db.session(write=True) as s:
        svc.set_lesson(s, teacher, bank.quiz_id, school.class_5a, school.lessons_5a_math[0])
        assert svc.confirm(s, teacher, attempt) == 2  # nothing answered: 0 %
    with db.session() as s:
        marks = s.exec(select(Mark).where(Mark.lesson_id == school.lessons_5a_math[0], Mark.kind == "test")).all()
        assert [(m.pupil_id, m.value) for m in marks] == [(school.pupils_5a[0], 2)]


# -- shuffling -------------------------------------------------------------------------------------


def test_the_draw_is_stored_and_stable_per_attempt_and_differs_between_seeds(school):
    bank = make_bank(school)
    attempt = start(bank.quiz_id)
    with db.session() as s:
        first = svc.attempt_view(s, principal_of("t_pupil"), attempt, NOW)
        again = svc.attempt_view(s, principal_of("t_pupil"), attempt, NOW + timedelta(minutes=9))
        a = s.get(QuizAttempt, attempt)
        quiz = s.get(svc.Quiz, bank.quiz_id)
        assert svc._draw(s, quiz, a.seed) == json.loads(a.layout_json)  # the seed draws it again
        draws = {json.dumps(svc._draw(s, quiz, seed)) for seed in range(1, 9)}
    assert [(i["ky"], i["options"]) for i in first["items"]] == [(i["ky"], i["options"]) for i in again["items"]]
    assert len(draws) > 1
    assert sorted(e["q"] for e in json.loads(a.layout_json)) == sorted(bank.ids)
    order = next(i for i in first["items"] if i["kind"] == "order")
    assert [o["ky"] for o in order["options"]] != ["1/8", "1/4", "1/2", "1"]  # never shown in order


def test_n_random_questions_of_a_topic(school):
    teacher = principal_of("t_classteacher")
    with db.session(write=True) as s:
        for i in range(5):
            svc.add_question(s, teacher, q("single", school.math, [f"{i}", f"{i + 1}"], [0], topic="Пайыз"))
        svc.add_question(s, teacher, q("text", school.math, key=["x"], topic="Башка"))
        with pytest.raises(Refused) as err:
            svc.create_quiz(
                s,
                teacher,
                QuizDraft(
                    school.math,
                    "Пайыз",
                    {school.class_5a: None},
                    NOW,
                    NOW + timedelta(hours=2),
                    topic="Пайыз",
                    draw_count=6,
                ),
            )
        assert err.value.params == {"available": 5}
        quiz_id = svc.create_quiz(
            s,
            teacher,
            QuizDraft(
                school.math,
                "Пайыз",
                {school.class_5a: None},
                NOW,
                NOW + timedelta(hours=2),
                topic="Пайыз",
                draw_count=3,
            ),
        )
    attempt = start(quiz_id)
    with db.session() as s:
        view = svc.attempt_view(s, principal_of("t_pupil"), attempt, NOW)
    assert len(view["items"]) == 3 and {i["kind"] for i in view["items"]} == {"single"}


# -- the server's clock ----------------------------------------------------------------------------


def test_after_the_deadline_nothing_is_saved_or_submitted_and_the_attempt_closes_with_what_it_held(school):
    bank = make_bank(school, limit=10)
    attempt = start(bank.quiz_id)
    single = bank.ids[0]
    answer(attempt, single, shown(layout(attempt)[single][1], 1), NOW + timedelta(minutes=9, seconds=59))
    late = NOW + timedelta(minutes=10, seconds=1)
    with pytest.raises(Refused) as err:
        answer(attempt, bank.ids[2], "Бишкек", late)
    assert err.value.key == "quiz.error.time_over"
    with db.session(write=True) as s, pytest.raises(Refused) as err:
        svc.submit(s, principal_of("t_pupil"), attempt, late)
    assert err.value.key == "quiz.error.late"
    with db.session(write=True) as s:
        view = svc.attempt_view(s, principal_of("t_pupil"), attempt, late)
    assert view["submitted"] and (view["score"], view["max_score"]) == (2, 16)
    with db.session() as s:
        a = s.get(QuizAttempt, attempt)
        assert a.submitted_at.replace(tzinfo=UTC) == NOW + timedelta(minutes=10)  # closed at its deadline
    # A new attempt (two allowed) starts afresh; a third is refused.
    second = start(bank.quiz_id, late)
    assert second != attempt
    with db.session(write=True) as s:
        svc.submit(s, principal_of("t_pupil"), second, late)
    with pytest.raises(Refused) as err:
        start(bank.quiz_id, late)
    assert err.value.key == "quiz.error.no_attempts"


def test_the_window_caps_the_deadline_and_bounds_the_start(school):
    bank = make_bank(school, limit=60, closes=NOW + timedelta(minutes=15))
    with pytest.raises(Refused) as err:
        start(bank.quiz_id, NOW - timedelta(hours=2))
    assert err.value.key == "quiz.error.not_open"
    attempt = start(bank.quiz_id)
    with db.session() as s:
        assert svc.attempt_view(s, principal_of("t_pupil"), attempt, NOW)["deadline"] == NOW + timedelta(minutes=15)
    with pytest.raises(Refused) as err:
        answer(attempt, bank.ids[2], "Бишкек", NOW + timedelta(minutes=16))
    assert err.value.key == "quiz.error.time_over"


# -- scope -----------------------------------------------------------------------------------------


@pytest.fixture
def pupil_6b(school) -> str:
    with db.session(write=True) as s:
        accounts.create_user(s, "t_pupil6", "pupil", PASSWORD, school_id=school.school_id, pupil_id=school.pupils_6b[0])
    return "t_pupil6"


def test_another_class_cannot_take_read_answer_or_submit(school, pupil_6b):
    bank = make_bank(school)
    attempt = start(bank.quiz_id)
    with pytest.raises(OutOfScope):
        start(bank.quiz_id, who=pupil_6b)
    with db.session(write=True) as s:
        for call in (
            lambda: svc.attempt_view(s, principal_of(pupil_6b), attempt, NOW),
            lambda: svc.answer(s, principal_of(pupil_6b), attempt, 0, 0, NOW),
            lambda: svc.submit(s, principal_of(pupil_6b), attempt, NOW),
        ):
            with pytest.raises(NotFound):
                call()
        assert svc.pupil_quizzes(s, principal_of(pupil_6b), NOW) == []
        # A parent, a teacher: no attempts of their own.
        for who in ("t_parent", "t_classteacher"):
            with pytest.raises(OutOfScope):
                svc.attempt_view(s, principal_of(who), attempt, NOW)
    with db.session() as s:
        assert s.exec(select(QuizAnswer).where(QuizAnswer.attempt_id == attempt)).all() == []


def test_a_teacher_of_another_class_cannot_give_review_or_confirm(school):
    bank = make_bank(school)
    attempt = start(bank.quiz_id)
    with db.session(write=True) as s:
        svc.submit(s, principal_of("t_pupil"), attempt, NOW)
    other = principal_of("t_teacher")  # maths in 6-Б only
    with db.session(write=True) as s:
        with pytest.raises(OutOfScope):
            svc.create_quiz(
                s, other, QuizDraft(school.math, "x", {school.class_5a: None}, NOW, NOW + timedelta(hours=1), bank.ids)
            )
        for call in (
            lambda: svc.review(s, other, attempt),
            lambda: svc.confirm(s, other, attempt),
            lambda: svc.override(s, other, attempt, bank.ids[0], 2),
            lambda: svc.results(s, other, bank.quiz_id, NOW),
        ):
            with pytest.raises(OutOfScope):
                call()
        # He writes the maths bank (he teaches maths), not the bank of a subject he does not teach elsewhere.
        assert svc.add_question(s, other, q("text", school.math, key=["a"])) > 0
        with pytest.raises(OutOfScope):
            svc.add_question(s, principal_of("t_classteacher"), q("text", school.kyrgyz, key=["a"]))
    with db.session() as s:
        assert s.get(QuizAttempt, attempt).confirmed_at is None


def test_a_pupils_answer_is_checked_against_what_he_was_shown(school):
    bank = make_bank(school)
    attempt = start(bank.quiz_id)
    for qid, bad in (
        (bank.ids[0], 7),
        (bank.ids[1], "0"),
        (bank.ids[5], [0, 0, 1, 2]),
        (bank.ids[4], [0]),
        (bank.ids[0], True),
    ):
        with pytest.raises(Refused) as err:
            answer(attempt, qid, bad)
        assert err.value.key == "quiz.error.answer"
    with db.session(write=True) as s, pytest.raises(Refused):
        svc.answer(s, principal_of("t_pupil"), attempt, 6, 0, NOW)


# -- import and export ----------------------------------------------------------------------------


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(svc.IMPORT_COLUMNS))
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


GOOD_ROWS = [
    ["single", "Бөлчөк", "1/2 канча?", "Сколько 1/2?", "0,2 | 0,5 | 5", "2", 2],
    ["multi", "", "Жуп сандар", "Чётные числа", "2 | 3 | 4", "1, 3", 1],
    ["text", "", "Борбор шаар", "", "", "Бишкек | Фрунзе", None],
    ["number", "", "π", "π", "", "3.14 ± 0.01", 1],
    ["match", "", "Дал келтир", "Сопоставьте", "1/2 = 0,5 | 1/4 = 0,25", "", 2],
    ["order", "", "Иреттегиле", "Упорядочьте", "1 | 2 | 3", "", 1],
]


def test_import_all_or_nothing_with_rows_and_columns_named(school):
    teacher = principal_of("t_classteacher")
    bad = [
        *GOOD_ROWS,
        ["single", "", "", "", "a | b", "1", 1],
        ["number", "", "x", "", "", "көп", 1],
        ["essay", "", "x", "", "", "", 1],
    ]
    with db.session(write=True) as s, pytest.raises(svc.ImportRefused) as err:
        svc.import_questions(s, teacher, school.math, _xlsx(bad), "bank.xlsx")
    assert [(r, c, k) for r, c, k, _p in err.value.problems] == [
        (8, "question_ky", "quiz.error.no_text"),
        (9, "answer", "quiz.error.key"),
        (10, "kind", "quiz.error.kind"),
    ]
    ru = err.value.message("ru")
    assert "Строка 8, столбец «question_ky»: Напишите текст вопроса" in ru
    assert "8-сап, «question_ky» тилкеси" in err.value.message("ky")
    with db.session() as s:
        assert s.exec(select(QuizQuestion)).all() == []
    with db.session(write=True) as s:
        assert svc.import_questions(s, teacher, school.math, _xlsx(GOOD_ROWS), "bank.xlsx") == 6
    with db.session() as s:
        rows = svc.bank(s, teacher, school.math, "ru")
    by_kind = {r["kind"]: r for r in rows}
    assert by_kind["single"]["key"] == "0,5" and by_kind["single"]["points"] == "2"
    assert by_kind["multi"]["key"] == "2; 4"
    assert by_kind["text"]["text_ru"] == "Борбор шаар"  # no Russian text: the Kyrgyz one
    assert by_kind["number"]["key"] == "3.14 ± 0.01"
    assert by_kind["match"]["key"] == "1/2 → 0,5; 1/4 → 0,25"


def test_moodle_xml_read_back(school):
    bank = make_bank(school)
    with db.session() as s:
        data = svc.moodle_xml(s, principal_of("t_classteacher"), bank.quiz_id, "ru")
        with pytest.raises(OutOfScope):
            svc.moodle_xml(s, principal_of("t_teacher"), bank.quiz_id, "ru")
    root = ET.fromstring(data)
    assert root.tag == "quiz"
    questions = root.findall("question")
    assert [x.get("type") for x in questions] == [
        "category", "multichoice", "multichoice", "shortanswer", "numerical", "matching", "ordering"
    ]  # fmt: skip
    single, multi, short, number, match, order = questions[1:]
    assert single.findtext("questiontext/text") == "Вопрос single" and single.findtext("single") == "true"
    assert [(a.findtext("text"), a.get("fraction")) for a in single.findall("answer")] == [
        ("12", "0"), ("15", "100"), ("18", "0")
    ]  # fmt: skip
    assert [a.get("fraction") for a in multi.findall("answer")] == ["50", "-50", "50", "-50"]
    assert [a.findtext("text") for a in short.findall("answer")] == ["Бишкек", "г. Бишкек"]
    assert number.findtext("answer/text") == "3.14" and number.findtext("answer/tolerance") == "0.01"
    assert [(x.findtext("text"), x.findtext("answer/text")) for x in match.findall("subquestion")] == [
        ("1/2", "0,5"), ("1/4", "0,25"), ("3/4", "0,75")
    ]  # fmt: skip
    assert [a.findtext("text") for a in order.findall("answer")] == ["1/8", "1/4", "1/2", "1"]
    assert [x.findtext("defaultgrade") for x in questions[1:]] == ["2", "4", "1", "2", "3", "4"]


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_a_questions_picture_reaches_its_writers_and_the_pupils_whose_attempt_holds_it(school, pupil_6b):
    bank = make_bank(school)
    teacher = principal_of("t_classteacher")
    with pytest.raises(Refused) as err:
        svc.store_image(teacher, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    assert err.value.key == "quiz.error.image"
    name, sha = svc.store_image(teacher, PNG)
    with db.session(write=True) as s:
        svc.set_image(s, teacher, bank.ids[0], name, sha)
    with db.session() as s:
        assert svc.image_for(s, teacher, bank.ids[0]) == (PNG, "image/png")
        assert svc.image_for(s, principal_of("t_teacher"), bank.ids[0])[0] == PNG  # he writes the maths bank too
        with pytest.raises(NotFound):  # not before his attempt holds it
            svc.image_for(s, principal_of("t_pupil"), bank.ids[0])
    attempt = start(bank.quiz_id)
    with db.session() as s:
        assert svc.image_for(s, principal_of("t_pupil"), bank.ids[0])[0] == PNG
        view = svc.attempt_view(s, principal_of("t_pupil"), attempt, NOW)
        assert [i["image"] for i in view["items"] if i["image"]] == [str(bank.ids[0])]
        for who in (pupil_6b, "t_parent"):
            with pytest.raises((NotFound, OutOfScope)):
                svc.image_for(s, principal_of(who), bank.ids[0])
        with pytest.raises(NotFound):
            svc.image_for(s, teacher, bank.ids[1])  # no picture
    # Through its route: the picture to the pupil, 404 (audited) to anyone else, a guessed id or no session.
    from tests.test_consent_routes import get

    url = f"/private/quiz-image/{bank.ids[0]}"
    ok = get(url, "t_pupil")
    assert (ok.status_code, ok.content, ok.headers["content-type"]) == (200, PNG, "image/png")
    for who in (pupil_6b, "t_parent", None):
        assert get(url, who).status_code == 404
    assert get(f"/private/quiz-image/{bank.ids[1]}", "t_classteacher").status_code == 404
    with db.session() as s:
        denied = s.exec(
            select(AuditEvent).where(AuditEvent.action == "denied", AuditEvent.entity == "quiz_image")
        ).all()
    assert len(denied) == 4


def test_a_test_of_a_course_is_listed_on_it_and_only_its_teacher_gives_one(school):
    """A test made from a course's page belongs to it (Quiz.course_id) and is listed there; the
    course must be one the teacher builds, and of the test's subject."""
    from bbbms_app.models import Subject
    from bbbms_app.services import courses

    with db.session(write=True) as s:
        mine = courses.create_course(
            s, principal_of("t_classteacher", s), school.math, [school.class_5a], "Математика 5"
        )
        kyrgyz = s.exec(select(Subject).where(Subject.school_id == school.school_id, Subject.code == "KY")).one()
        other = courses.create_course(s, principal_of("t_teacher", s), kyrgyz.id, [school.class_6b], "Кыргыз тили 6")
        mine_id, other_id = mine.id, other.id
    teacher = principal_of("t_classteacher")
    with db.session(write=True) as s:
        ids = [svc.add_question(s, teacher, d) for d in six(school.math)]

    def draft(course_id: int) -> QuizDraft:
        return QuizDraft(
            subject_id=school.math, title="Курстун тести", classes={school.class_5a: None},
            opens_at=NOW, closes_at=NOW + timedelta(days=2), question_ids=ids[:2], course_id=course_id,
        )  # fmt: skip

    with db.session(write=True) as s:
        quiz_id = svc.create_quiz(s, teacher, draft(mine_id))
    with db.session() as s:
        assert [r["id"] for r in svc.course_tests(s, mine_id)] == [str(quiz_id)]
        assert svc.course_tests(s, other_id) == []
    with db.session(write=True) as s, pytest.raises((NotFound, OutOfScope)):
        svc.create_quiz(s, teacher, draft(other_id))  # another teacher's course
    with db.session(write=True) as s, pytest.raises(Refused) as refused:
        svc.create_quiz(s, principal_of("t_teacher", s), draft(other_id))  # his course, but of Kyrgyz
    assert refused.value.key == "quiz.error.course_subject"
