"""Tests (issue 18 #3): the question bank, tests given to classes, attempts, grading, the journal.

The bank is per subject and school-wide: a teacher of the subject (in any class) or the director /
deputy adds questions. A test is given to one or several classes of its subject by a teacher who
teaches each of them (`access.can_teach`) or by the director / deputy.

An attempt is the pupil's own: its questions and option orders are drawn once from a stored seed
and kept (`layout_json`), so a reload shows the same; each answer is saved as he gives it; the
deadline is the server's (started_at + the time limit, capped by the window's end). The browser
only ever gets what `attempt_view` returns — texts and options by their shown position, never a
key, never an option's own index (for an ordering question that index *is* the key). After the
deadline nothing is saved or submitted any more; the attempt is closed with what it holds by
the next reader (`close_expired`).

Grading (points of a question = P):
- single: P if the one right option is chosen;
- multi: P × max(0, right chosen − wrong chosen) / number of right options;
- text: P if the answer, folded (case, spaces, Latin or non-Kyrgyz look-alike letters: names.canonical),
  equals an accepted one folded the same way;
- number: P if |answer − value| ≤ tolerance (a comma or a point as the decimal sign);
- match: P × pairs right / pairs; order: P × items in their right place / items.
The percent of the attempt gives the mark by the class's policy (`grading.mark_from_percent`); the
teacher may override any answer's points and confirms; the confirmed mark goes to the journal
through `journal.set_mark(..., reason="test <id>")` — the journal cell is the mark.
"""

from __future__ import annotations

import json
import math
import random
import re
import secrets
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from bbbms_app.i18n import t
from bbbms_app.models import Course, Enrollment, Lesson, Pupil, SchoolClass, Subject, TeachingAssignment
from bbbms_app.models._base import utcnow
from bbbms_app.models.journal import MARK_KINDS
from bbbms_app.models.quiz import QUESTION_KINDS, Quiz, QuizAnswer, QuizAttempt, QuizClass, QuizQuestion
from bbbms_app.services import audit, grading, journal, private_files
from bbbms_app.services.access import Principal, can_teach, visible_pupil_ids_own
from bbbms_app.services.engine import sheets
from bbbms_app.services.errors import NotFound, OutOfScope, Refused
from bbbms_app.services.names import canonical
from bbbms_app.services.school import class_name, current_year
from bbbms_app.services.school_events import school_zone

LEADERS = frozenset({"director", "deputy"})
TEXT_MAX = 2000
OPTION_MAX = 300
TITLE_MAX = 200
MAX_OPTIONS = 10
MAX_QUESTIONS = 100
ANSWER_MAX = 200


# -- scope ----------------------------------------------------------------------------------------


def _leader(principal: Principal) -> bool:
    return principal.role in LEADERS and principal.can("quiz.write")


def _check_subject(session: Session, principal: Principal, subject_id: int) -> Subject:
    """The subject, if the principal writes its bank: a leader of its school, or a teacher of it."""
    if not principal.can("quiz.write"):
        raise OutOfScope("quiz.write")
    subject = session.get(Subject, subject_id)
    if subject is None or subject.school_id != principal.school_id:
        raise NotFound(f"subject {subject_id}")
    if _leader(principal):
        return subject
    teaches = session.exec(
        select(TeachingAssignment.id).where(
            TeachingAssignment.teacher_id == principal.staff_id,
            TeachingAssignment.subject_id == subject_id,
            col(TeachingAssignment.deleted_at).is_(None),
        )
    ).first()
    if principal.staff_id is None or teaches is None:
        raise OutOfScope(f"subject {subject_id}")
    return subject


def _check_class(session: Session, principal: Principal, class_id: int, subject_id: int) -> None:
    if not principal.can("quiz.write"):
        raise OutOfScope("quiz.write")
    cls = session.get(SchoolClass, class_id)
    if cls is None or cls.school_id != principal.school_id:
        raise NotFound(f"class {class_id}")
    if not _leader(principal) and not can_teach(session, principal, class_id, subject_id):
        raise OutOfScope(f"class {class_id}")


def _quiz_for_teacher(session: Session, principal: Principal, quiz_id: int) -> Quiz:
    """A test the principal manages: its author, a leader of its school, or a teacher of one of its classes."""
    quiz = session.get(Quiz, quiz_id)
    if quiz is None or quiz.deleted_at is not None or quiz.school_id != principal.school_id:
        raise NotFound(f"quiz {quiz_id}")
    if not principal.can("quiz.write"):
        raise OutOfScope("quiz.write")
    if _leader(principal) or quiz.author_id == principal.user_id:
        return quiz
    if any(can_teach(session, principal, c, quiz.subject_id) for c in _quiz_classes(session, quiz.id)):
        return quiz
    raise OutOfScope(f"quiz {quiz_id}")


def _quiz_classes(session: Session, quiz_id: int | None) -> dict[int, int | None]:
    """class id -> lesson id of a test."""
    rows = session.exec(select(QuizClass.class_id, QuizClass.lesson_id).where(QuizClass.quiz_id == quiz_id)).all()
    return dict(rows)  # type: ignore[arg-type]


def subject_options(session: Session, principal: Principal, lang: str = "ky") -> list[dict[str, str]]:
    """The subjects whose bank the principal writes: all of the school's for a leader, else those he teaches."""
    if not principal.can("quiz.write") or principal.school_id is None:
        return []
    q = select(Subject).where(Subject.school_id == principal.school_id, col(Subject.deleted_at).is_(None))
    if not _leader(principal):
        taught = select(TeachingAssignment.subject_id).where(
            TeachingAssignment.teacher_id == principal.staff_id, col(TeachingAssignment.deleted_at).is_(None)
        )
        q = q.where(col(Subject.id).in_(taught))
    rows = session.exec(q.order_by(Subject.name_ky)).all()
    return [{"id": str(r.id), "name": r.name_ru if lang == "ru" else r.name_ky} for r in rows]


def class_options(session: Session, principal: Principal, subject_id: int) -> list[dict[str, str]]:
    """The classes of the current year the principal may give a test of this subject to."""
    _check_subject(session, principal, subject_id)
    year = current_year(session, principal.school_id)  # type: ignore[arg-type]
    if year is None:
        return []
    q = select(SchoolClass).where(SchoolClass.academic_year_id == year.id, col(SchoolClass.deleted_at).is_(None))
    taught = select(TeachingAssignment.class_id).where(
        TeachingAssignment.subject_id == subject_id, col(TeachingAssignment.deleted_at).is_(None)
    )
    if not _leader(principal):
        taught = taught.where(TeachingAssignment.teacher_id == principal.staff_id)
    rows = session.exec(q.where(col(SchoolClass.id).in_(taught)).order_by(SchoolClass.grade, SchoolClass.letter)).all()
    return [{"id": str(c.id), "name": class_name(c.grade, c.letter)} for c in rows]


def quiz_classes(session: Session, principal: Principal, quiz_id: int) -> list[dict[str, str]]:
    """The test's classes the principal reaches, each with its chosen journal lesson (id)."""
    quiz = _quiz_for_teacher(session, principal, quiz_id)
    links = _quiz_classes(session, quiz_id)
    names = _class_names(session, list(links))
    return [
        {"id": str(c), "name": names.get(c, ""), "lesson": "" if lesson is None else str(lesson)}
        for c, lesson in links.items()
        if _leader(principal) or can_teach(session, principal, c, quiz.subject_id)
    ]


# -- questions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionDraft:
    """A question as the form or a spreadsheet row gives it, parsed into Python values.

    options: single/multi/order: [{"ky", "ru"}]; match: [{"ky", "ru", "to_ky", "to_ru"}].
    key: single/multi: [indexes of right options]; text: [accepted answers];
    number: {"value": float, "tolerance": float}; match and order: None (the options' order)."""

    subject_id: int
    kind: str
    text_ky: str = ""
    text_ru: str = ""
    topic: str = ""
    options: Sequence[dict[str, str]] = ()
    key: Any = None
    points: int = 1


def _norm_option(o: dict[str, str], kind: str) -> dict[str, str]:
    keys = ("ky", "ru", "to_ky", "to_ru") if kind == "match" else ("ky", "ru")
    out = {k: str(o.get(k, "") or "").strip()[:OPTION_MAX] for k in keys}
    # One text for both languages when only one is given (numbers, names, formulas).
    out["ky"] = out["ky"] or out["ru"]
    out["ru"] = out["ru"] or out["ky"]
    if kind == "match":
        out["to_ky"] = out["to_ky"] or out["to_ru"]
        out["to_ru"] = out["to_ru"] or out["to_ky"]
    return out


def checked_question(draft: QuestionDraft) -> tuple[list[dict[str, str]], Any]:
    """The question's options and key as stored; Refused naming the field for what does not hold."""
    if draft.kind not in QUESTION_KINDS:
        raise Refused("quiz.error.kind", "kind")
    if not (draft.text_ky.strip() or draft.text_ru.strip()):
        raise Refused("quiz.error.no_text", "text")
    if len(draft.text_ky) > TEXT_MAX or len(draft.text_ru) > TEXT_MAX:
        raise Refused("quiz.error.too_long", "text", max=TEXT_MAX)
    if not 1 <= draft.points <= 100:
        raise Refused("quiz.error.points", "points")
    kind = draft.kind
    options = [_norm_option(o, kind) for o in draft.options]
    if kind in ("single", "multi", "match", "order"):
        if not 2 <= len(options) <= MAX_OPTIONS:
            raise Refused("quiz.error.options", "options", max=MAX_OPTIONS)
        if any(not o["ky"] for o in options) or (kind == "match" and any(not o["to_ky"] for o in options)):
            raise Refused("quiz.error.empty_option", "options")
        if len({o["ky"] for o in options}) < len(options):
            raise Refused("quiz.error.same_options", "options")
    else:
        options = []
    key: Any
    if kind in ("single", "multi"):
        try:
            right = sorted({int(i) for i in (draft.key or [])})
        except (TypeError, ValueError) as exc:
            raise Refused("quiz.error.key", "answer") from exc
        if not right or any(not 0 <= i < len(options) for i in right) or (kind == "single" and len(right) != 1):
            raise Refused("quiz.error.key", "answer")
        key = right
    elif kind == "text":
        accepted = [str(a).strip()[:ANSWER_MAX] for a in (draft.key or []) if str(a).strip()]
        if not accepted:
            raise Refused("quiz.error.key", "answer")
        key = accepted
    elif kind == "number":
        try:
            value = float(draft.key["value"])
            tolerance = float(draft.key.get("tolerance", 0) or 0)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise Refused("quiz.error.key", "answer") from exc
        if not (math.isfinite(value) and math.isfinite(tolerance)) or tolerance < 0:
            raise Refused("quiz.error.key", "answer")
        key = {"value": value, "tolerance": tolerance}
    else:
        key = []
    return options, key


def add_question(session: Session, principal: Principal, draft: QuestionDraft, *, reason: str = "") -> int:
    """A new question of the subject's bank (audited); its id."""
    _check_subject(session, principal, draft.subject_id)
    options, key = checked_question(draft)
    q = QuizQuestion(
        school_id=principal.school_id,  # type: ignore[arg-type]
        subject_id=draft.subject_id,
        author_id=principal.user_id,
        kind=draft.kind,
        topic=draft.topic.strip()[:200],
        text_ky=draft.text_ky.strip(),
        text_ru=draft.text_ru.strip(),
        options_json=json.dumps(options, ensure_ascii=False),
        key_json=json.dumps(key, ensure_ascii=False),
        points=draft.points,
    )
    session.add(q)
    session.flush()
    audit.record(session, principal, "create", "quizquestion", q.id, new=q.kind, reason=reason)
    return q.id  # type: ignore[return-value]


IMAGE_MAX_BYTES = 2 * 1024 * 1024
IMAGE_TYPES = ("image/jpeg", "image/png")


def store_image(principal: Principal, data: bytes) -> tuple[str, str]:
    """A question's picture kept in private storage (kind "quiz"): JPEG or PNG, told by its content."""
    if principal.school_id is None or not principal.can("quiz.write"):
        raise OutOfScope("quiz.write")
    stored = private_files.store("quiz", principal.school_id, data, max_bytes=IMAGE_MAX_BYTES)
    if stored.content_type not in IMAGE_TYPES:
        private_files.remove("quiz", stored.name)
        raise Refused("quiz.error.image", "image")
    return stored.name, stored.sha256


def set_image(session: Session, principal: Principal, question_id: int, name: str, sha256: str) -> None:
    """Attach a stored picture (`store_image`) to a question of the principal's bank (audited)."""
    q = session.get(QuizQuestion, question_id)
    if q is None or q.deleted_at is not None or q.school_id != principal.school_id:
        raise NotFound(f"question {question_id}")
    _check_subject(session, principal, q.subject_id)
    q.image, q.image_sha256 = name, sha256
    session.add(q)
    audit.record(session, principal, "update", "quizquestion", q.id, field="image", new=name)


def image_for(session: Session, principal: Principal, question_id: int) -> tuple[bytes, str]:
    """A question's picture and its content type, for a writer of its bank or a pupil whose attempt
    holds the question (api/private_files.py answers any refusal with 404). An old version (soft-deleted
    when it was edited) keeps its picture for the attempts that hold it."""
    q = session.get(QuizQuestion, question_id)
    if q is None or not q.image or q.school_id != principal.school_id:
        raise NotFound(f"question {question_id}")
    if principal.role == "pupil" and principal.pupil_id is not None and principal.can("quiz.take"):
        layouts = session.exec(
            select(QuizAttempt.layout_json).where(
                QuizAttempt.pupil_id == principal.pupil_id, QuizAttempt.school_id == q.school_id
            )
        ).all()
        if not any(e["q"] == q.id for raw in layouts for e in json.loads(raw)):
            raise NotFound(f"question {question_id}")
    else:
        _check_subject(session, principal, q.subject_id)
    data = private_files.read_verified("quiz", q.image, q.image_sha256)
    if data is None:
        raise NotFound(f"question {question_id}: image missing or altered")
    return data, "image/png" if q.image.endswith(".png") else "image/jpeg"


def bank(session: Session, principal: Principal, subject_id: int, lang: str = "ky") -> list[dict[str, str]]:
    """The subject's questions as display rows (for the teacher: with the key)."""
    _check_subject(session, principal, subject_id)
    rows = session.exec(
        select(QuizQuestion)
        .where(
            QuizQuestion.school_id == principal.school_id,
            QuizQuestion.subject_id == subject_id,
            col(QuizQuestion.deleted_at).is_(None),
        )
        .order_by(QuizQuestion.topic, QuizQuestion.id)
    ).all()
    return [
        {
            "id": str(q.id),
            "kind": q.kind,
            "topic": q.topic,
            "text": q.text_ky or q.text_ru,
            "text_ru": q.text_ru or q.text_ky,
            "points": str(q.points),
            "key": key_text(q, lang),
            "image": str(q.id) if q.image else "",
            "version": str(q.version),
        }
        for q in rows
    ]


def _in(lang: str, ky: str, ru: str) -> str:
    """A text in the reader's language, else the other one (a question may be written in one only)."""
    return (ru or ky) if lang == "ru" else (ky or ru)


def key_text(q: QuizQuestion, lang: str) -> str:
    """The right answer as the teacher reads it (never shown to a pupil before he submits)."""
    options, key = json.loads(q.options_json), json.loads(q.key_json)
    if q.kind in ("single", "multi"):
        return "; ".join(_in(lang, options[i]["ky"], options[i]["ru"]) for i in key)
    if q.kind == "text":
        return " | ".join(key)
    if q.kind == "number":
        return f"{_num(key['value'])} ± {_num(key['tolerance'])}"
    if q.kind == "match":
        return "; ".join(f"{_in(lang, o['ky'], o['ru'])} → {_in(lang, o['to_ky'], o['to_ru'])}" for o in options)
    return " → ".join(_in(lang, o["ky"], o["ru"]) for o in options)


def _num(x: float) -> str:
    return f"{x:g}"


# -- import from a spreadsheet ---------------------------------------------------------------------

IMPORT_COLUMNS = ("kind", "topic", "question_ky", "question_ru", "options", "answer", "points")


class ImportRefused(Refused):
    """The file's rows that do not hold, each naming its row and column; nothing was imported."""

    def __init__(self, problems: list[tuple[int, str, str, dict[str, Any]]]) -> None:
        super().__init__("quiz.import.refused", "file", count=len(problems))
        self.problems = problems

    def message(self, lang: str) -> str:
        lines = [t("quiz.import.refused", lang, count=len(self.problems))]
        for row, column, key, params in self.problems[:20]:
            lines.append(
                t("quiz.import.row", lang, row=row, column=column, problem=t(key, lang, **params, field=column))
            )
        return "\n".join(lines)


def _split(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\s*\|\s*|\n", text) if p.strip()]


def _lang_pair(text: str) -> dict[str, str]:
    """«ky // ru» or one text for both."""
    ky, _, ru = text.partition("//")
    return {"ky": ky.strip(), "ru": (ru or ky).strip()}


def draft_from_row(subject_id: int, values: dict[str, str]) -> QuestionDraft:
    """A spreadsheet row (the IMPORT_COLUMNS) as a draft; Refused naming the column."""
    kind = values.get("kind", "").strip().lower()
    if kind not in QUESTION_KINDS:
        raise Refused("quiz.error.kind", "kind")
    raw_options = _split(values.get("options", ""))
    answer = values.get("answer", "").strip()
    options: list[dict[str, str]] = []
    key: Any = None
    if kind == "match":
        for part in raw_options:
            left, sep, right = part.partition("=")
            if not sep:
                raise Refused("quiz.error.match_pair", "options")
            options.append({**_lang_pair(left), **{f"to_{k}": v for k, v in _lang_pair(right).items()}})
    else:
        options = [_lang_pair(p) for p in raw_options]
    try:
        if kind in ("single", "multi"):
            key = [int(x) - 1 for x in re.split(r"[,;\s]+", answer) if x]
        elif kind == "text":
            key = _split(answer)
        elif kind == "number":
            value, _, tol = answer.replace("±", ";").partition(";")
            key = {"value": _float(value), "tolerance": _float(tol) if tol.strip() else 0.0}
    except ValueError as exc:
        raise Refused("quiz.error.key", "answer") from exc
    points_raw = values.get("points", "").strip() or "1"
    try:
        points = int(float(points_raw.replace(",", ".")))
    except ValueError as exc:
        raise Refused("quiz.error.points", "points") from exc
    return QuestionDraft(
        subject_id=subject_id,
        kind=kind,
        topic=values.get("topic", "").strip(),
        text_ky=values.get("question_ky", "").strip(),
        text_ru=values.get("question_ru", "").strip(),
        options=options,
        key=key,
        points=points,
    )


def _float(text: str) -> float:
    return float(text.strip().replace(",", ".").replace(" ", ""))


_FIELD_COLUMN = {"kind": "kind", "text": "question_ky", "options": "options", "answer": "answer", "points": "points"}


def import_questions(session: Session, principal: Principal, subject_id: int, data: bytes, filename: str) -> int:
    """Every row of the file becomes a question, or none does: ImportRefused names each bad row and column."""
    _check_subject(session, principal, subject_id)
    table = sheets.read_table(data, filename)
    headers = [h.strip().lower() for h in table.headers]
    missing = [c for c in IMPORT_COLUMNS if c not in headers and c not in ("topic", "question_ru", "points")]
    if missing:
        raise Refused("quiz.import.columns", "file", columns=", ".join(missing))
    problems: list[tuple[int, str, str, dict[str, Any]]] = []
    drafts: list[QuestionDraft] = []
    for number, cells in table.rows:
        values: dict[str, str] = {}
        formula = ""
        for name, cell in zip(headers, cells, strict=False):
            if isinstance(cell, sheets.Formula):
                formula = name
            values[name] = "" if cell is None else (f"{cell:g}" if isinstance(cell, float) else str(cell))
        if formula:
            problems.append((number, formula, "quiz.import.formula", {}))
            continue
        try:
            draft = draft_from_row(subject_id, values)
            checked_question(draft)
        except Refused as exc:
            problems.append((number, _FIELD_COLUMN.get(exc.field or "", exc.field or ""), exc.key, dict(exc.params)))
            continue
        drafts.append(draft)
    if problems:
        raise ImportRefused(problems)
    if not drafts:
        raise Refused("admin.import.empty", "file")
    for draft in drafts:
        add_question(session, principal, draft, reason=f"import {filename[:100]}")
    return len(drafts)


# -- tests -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuizDraft:
    subject_id: int
    title: str
    classes: dict[int, int | None]  # class id -> the lesson whose column gets the mark (or none yet)
    opens_at: datetime
    closes_at: datetime
    question_ids: Sequence[int] = ()
    topic: str = ""
    draw_count: int = 0
    time_limit_min: int = 20
    attempts_allowed: int = 1
    mark_kind: str = "test"
    course_id: int | None = None


def course_for_test(
    session: Session, principal: Principal, course_id: int, subject_id: int | None = None
) -> tuple[int, int, str]:
    """(id, subject id, title) of a course the principal builds, for a test of it: NotFound or
    OutOfScope from the courses' own rule; a test of another subject than the course's is refused."""
    from bbbms_app.services import courses

    courses.check_writable(session, principal, course_id, courses.school_today())
    course = session.get(Course, course_id)
    assert course is not None  # check_writable found it
    if subject_id is not None and course.subject_id != subject_id:
        raise Refused("quiz.error.course_subject", "course")
    return course.id, course.subject_id, course.title  # type: ignore[return-value]


def course_tests(session: Session, course_id: int) -> list[dict[str, str]]:
    """The tests of a course, for its page (the caller has checked that the principal reads the
    course): title, subject, the window in the school's clock; taken on /tests."""
    rows = session.exec(
        select(Quiz)
        .where(Quiz.course_id == course_id, col(Quiz.deleted_at).is_(None))
        .order_by(col(Quiz.opens_at), col(Quiz.id))
    ).all()
    return [
        {"id": str(q.id), "title": q.title, "window": f"{_local(q.opens_at)} – {_local(q.closes_at)}",
         "limit": str(q.time_limit_min)}
        for q in rows
    ]  # fmt: skip


def _bank_ids(session: Session, school_id: int, subject_id: int, topic: str | None = None) -> list[int]:
    q = select(QuizQuestion.id).where(
        QuizQuestion.school_id == school_id,
        QuizQuestion.subject_id == subject_id,
        col(QuizQuestion.deleted_at).is_(None),
    )
    if topic is not None:
        q = q.where(QuizQuestion.topic == topic)
    return list(session.exec(q.order_by(QuizQuestion.id)).all())  # type: ignore[arg-type]


def create_quiz(session: Session, principal: Principal, draft: QuizDraft) -> int:
    """A new test given to its classes (each in the principal's scope); audited; its id."""
    _check_subject(session, principal, draft.subject_id)
    title = draft.title.strip()
    if not title:
        raise Refused("quiz.error.no_title", "title")
    if len(title) > TITLE_MAX:
        raise Refused("quiz.error.too_long", "title", max=TITLE_MAX)
    if not draft.classes:
        raise Refused("quiz.error.no_class", "classes")
    if draft.opens_at >= draft.closes_at:
        raise Refused("quiz.error.window", "closes_at")
    if not 1 <= draft.time_limit_min <= 300:
        raise Refused("quiz.error.time_limit", "time_limit")
    if not 1 <= draft.attempts_allowed <= 10:
        raise Refused("quiz.error.attempts", "attempts")
    if draft.mark_kind not in MARK_KINDS:
        raise Refused("quiz.error.mark_kind", "mark_kind")
    pool = set(_bank_ids(session, principal.school_id, draft.subject_id))  # type: ignore[arg-type]
    chosen = list(dict.fromkeys(draft.question_ids))
    if chosen:
        if any(q not in pool for q in chosen) or len(chosen) > MAX_QUESTIONS:
            raise Refused("quiz.error.questions", "questions")
        topic, count = "", 0
    else:
        topic, count = draft.topic.strip(), draft.draw_count
        available = len(_bank_ids(session, principal.school_id, draft.subject_id, topic))  # type: ignore[arg-type]
        if not 1 <= count <= min(available, MAX_QUESTIONS):
            raise Refused("quiz.error.draw", "draw_count", available=available)
    if draft.course_id is not None:
        course_for_test(session, principal, draft.course_id, draft.subject_id)
    for class_id, lesson_id in draft.classes.items():
        _check_class(session, principal, class_id, draft.subject_id)
        if lesson_id is not None:
            _check_lesson(session, class_id, draft.subject_id, lesson_id)
    quiz = Quiz(
        school_id=principal.school_id,  # type: ignore[arg-type]
        subject_id=draft.subject_id,
        author_id=principal.user_id,
        course_id=draft.course_id,
        title=title,
        question_ids=json.dumps(chosen),
        topic=topic,
        draw_count=count,
        time_limit_min=draft.time_limit_min,
        attempts_allowed=draft.attempts_allowed,
        opens_at=_aware(draft.opens_at).astimezone(UTC),  # stored in UTC (SQLite keeps no zone)
        closes_at=_aware(draft.closes_at).astimezone(UTC),
        mark_kind=draft.mark_kind,
    )
    session.add(quiz)
    session.flush()
    for class_id, lesson_id in draft.classes.items():
        session.add(QuizClass(quiz_id=quiz.id, class_id=class_id, lesson_id=lesson_id))  # type: ignore[arg-type]
    audit.record(session, principal, "create", "quiz", quiz.id, new=title)
    return quiz.id  # type: ignore[return-value]


def _check_lesson(session: Session, class_id: int, subject_id: int, lesson_id: int) -> None:
    lesson = session.get(Lesson, lesson_id)
    if lesson is None or lesson.class_id != class_id or lesson.subject_id != subject_id:
        raise Refused("quiz.error.lesson", "lesson")


def set_lesson(session: Session, principal: Principal, quiz_id: int, class_id: int, lesson_id: int) -> None:
    """The lesson of a class whose journal column gets the test's marks (audited)."""
    quiz = _quiz_for_teacher(session, principal, quiz_id)
    _check_class(session, principal, class_id, quiz.subject_id)
    link = session.exec(select(QuizClass).where(QuizClass.quiz_id == quiz_id, QuizClass.class_id == class_id)).first()
    if link is None:
        raise NotFound(f"class {class_id} of quiz {quiz_id}")
    _check_lesson(session, class_id, quiz.subject_id, lesson_id)
    old, link.lesson_id = link.lesson_id, lesson_id
    session.add(link)
    audit.record(session, principal, "update", "quiz", quiz_id, field=f"lesson:{class_id}", old=old, new=lesson_id)


def lesson_options(session: Session, principal: Principal, quiz_id: int, class_id: int) -> list[dict[str, str]]:
    """The class's lessons of the test's subject (latest first) to pick the journal column from."""
    quiz = _quiz_for_teacher(session, principal, quiz_id)
    _check_class(session, principal, class_id, quiz.subject_id)
    rows = session.exec(
        select(Lesson)
        .where(Lesson.class_id == class_id, Lesson.subject_id == quiz.subject_id, Lesson.cancelled == False)  # noqa: E712
        .order_by(col(Lesson.date).desc(), col(Lesson.number).desc())
        .limit(60)
    ).all()
    return [{"id": str(r.id), "name": f"{r.date:%d.%m.%Y} · {r.number} · {r.topic}".strip(" ·")} for r in rows]


def teacher_quizzes(session: Session, principal: Principal, lang: str = "ky") -> list[dict[str, str]]:
    """The tests the principal manages, newest first, with their classes and counts."""
    if not principal.can("quiz.write"):
        raise OutOfScope("quiz.write")
    quizzes = session.exec(
        select(Quiz)
        .where(Quiz.school_id == principal.school_id, col(Quiz.deleted_at).is_(None))
        .order_by(col(Quiz.id).desc())
        .limit(200)
    ).all()
    out = []
    for quiz in quizzes:
        try:
            _quiz_for_teacher(session, principal, quiz.id)  # type: ignore[arg-type]
        except (OutOfScope, NotFound):
            continue
        classes = _quiz_classes(session, quiz.id)
        names = _class_names(session, list(classes))
        done = session.exec(
            select(func.count(QuizAttempt.id)).where(
                QuizAttempt.quiz_id == quiz.id, col(QuizAttempt.submitted_at).is_not(None)
            )
        ).one()
        out.append(
            {
                "id": str(quiz.id),
                "title": quiz.title,
                "classes": ", ".join(names[c] for c in classes),
                "window": f"{_local(quiz.opens_at)} — {_local(quiz.closes_at)}",
                "limit": str(quiz.time_limit_min),
                "submitted": str(done),
                "subject": str(quiz.subject_id),
            }
        )
    return out


def _class_names(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(
        select(SchoolClass.id, SchoolClass.grade, SchoolClass.letter).where(col(SchoolClass.id).in_(ids))
    ).all()
    return {i: class_name(g, letter) for i, g, letter in rows}


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _local(value: datetime) -> str:
    return _aware(value).astimezone(school_zone()).strftime("%d.%m.%Y %H:%M")


# -- attempts --------------------------------------------------------------------------------------


def _pupil_class(session: Session, principal: Principal, quiz: Quiz, now: datetime) -> int:
    """The class through which the pupil takes the test (his class today among the test's classes)."""
    if principal.role != "pupil" or principal.pupil_id is None or not principal.can("quiz.take"):
        raise OutOfScope("quiz.take")
    classes = _quiz_classes(session, quiz.id)
    today = now.date()
    hit = session.exec(
        select(Enrollment.class_id).where(
            Enrollment.pupil_id == principal.pupil_id,
            col(Enrollment.class_id).in_(list(classes)),
            Enrollment.starts_on <= today,
            or_(col(Enrollment.ends_on).is_(None), col(Enrollment.ends_on) >= today),
        )
    ).first()
    if hit is None or quiz.school_id != principal.school_id:
        raise OutOfScope(f"quiz {quiz.id}")
    return hit


def _live_quiz(session: Session, quiz_id: int) -> Quiz:
    quiz = session.get(Quiz, quiz_id)
    if quiz is None or quiz.deleted_at is not None:
        raise NotFound(f"quiz {quiz_id}")
    return quiz


def pupil_quizzes(session: Session, principal: Principal, now: datetime) -> list[dict[str, str]]:
    """The tests given to the pupil's class: open, coming or closed, with his attempts and results."""
    if principal.role != "pupil" or principal.pupil_id is None or not principal.can("quiz.take"):
        raise OutOfScope("quiz.take")
    close_expired(session, now, pupil_id=principal.pupil_id)
    today = now.date()
    classes = session.exec(
        select(Enrollment.class_id).where(
            Enrollment.pupil_id == principal.pupil_id,
            Enrollment.starts_on <= today,
            or_(col(Enrollment.ends_on).is_(None), col(Enrollment.ends_on) >= today),
        )
    ).all()
    if not classes:
        return []
    quizzes = session.exec(
        select(Quiz)
        .join(QuizClass, col(QuizClass.quiz_id) == Quiz.id)
        .where(col(QuizClass.class_id).in_(classes), col(Quiz.deleted_at).is_(None))
        .order_by(col(Quiz.closes_at).desc())
        .limit(100)
    ).all()
    subjects = {s.id: s for s in session.exec(select(Subject).where(Subject.school_id == principal.school_id)).all()}
    out = []
    for quiz in quizzes:
        attempts = session.exec(
            select(QuizAttempt)
            .where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.pupil_id == principal.pupil_id)
            .order_by(QuizAttempt.number)
        ).all()
        running = next((a for a in attempts if a.submitted_at is None), None)
        opened, closed = _aware(quiz.opens_at) <= now, _aware(quiz.closes_at) <= now
        if running is not None:
            state = "running"
        elif closed:
            state = "closed"
        elif not opened:
            state = "coming"
        elif len(attempts) >= quiz.attempts_allowed:
            state = "done"
        else:
            state = "open"
        last = next((a for a in reversed(attempts) if a.submitted_at is not None), None)
        subject = subjects.get(quiz.subject_id)
        out.append(
            {
                "id": str(quiz.id),
                "title": quiz.title,
                "subject": subject.name_ky if subject else "",
                "subject_ru": subject.name_ru if subject else "",
                "window": f"{_local(quiz.opens_at)} — {_local(quiz.closes_at)}",
                "limit": str(quiz.time_limit_min),
                "state": state,
                "attempts": f"{len(attempts)}/{quiz.attempts_allowed}",
                "result": _percent_text(last) if last is not None else "",
                "attempt": str(running.id) if running is not None else "",  # the one a reload resumes
            }
        )
    return out


def _percent(attempt: QuizAttempt) -> Fraction:
    if attempt.max_score <= 0:
        return Fraction(0)
    value = Fraction(attempt.score).limit_denominator(1000) * 100 / Fraction(attempt.max_score).limit_denominator(1000)
    return min(Fraction(100), max(Fraction(0), value))


def _percent_text(attempt: QuizAttempt) -> str:
    return f"{_num(round(attempt.score, 2))}/{_num(attempt.max_score)} · {round(float(_percent(attempt)))}%"


def _draw(session: Session, quiz: Quiz, seed: int) -> list[dict[str, Any]]:
    """The attempt's questions in their shown order, each with its options' shown order (a list of
    the options' own indexes), all from `seed`: the same seed draws the same test."""
    rnd = random.Random(seed)
    chosen: list[int] = json.loads(quiz.question_ids)
    if chosen:
        ids = list(chosen)
    else:
        pool = _bank_ids(session, quiz.school_id, quiz.subject_id, quiz.topic)
        ids = rnd.sample(pool, min(quiz.draw_count, len(pool)))
    rnd.shuffle(ids)
    questions = {q.id: q for q in session.exec(select(QuizQuestion).where(col(QuizQuestion.id).in_(ids))).all()}
    layout = []
    for qid in ids:
        q = questions.get(qid)
        if q is None:
            continue
        n = len(json.loads(q.options_json))
        perm = list(range(n))
        rnd.shuffle(perm)
        if q.kind == "order":
            while n > 1 and perm == sorted(perm):  # never shown already in order
                rnd.shuffle(perm)
        layout.append({"q": qid, "perm": perm})
    return layout


def start(session: Session, principal: Principal, quiz_id: int, now: datetime) -> int:
    """The pupil's running attempt, or a new one if the window is open and attempts remain."""
    quiz = _live_quiz(session, quiz_id)
    class_id = _pupil_class(session, principal, quiz, now)
    close_expired(session, now, pupil_id=principal.pupil_id)
    attempts = session.exec(
        select(QuizAttempt).where(QuizAttempt.quiz_id == quiz_id, QuizAttempt.pupil_id == principal.pupil_id)
    ).all()
    running = next((a for a in attempts if a.submitted_at is None), None)
    if running is not None:
        return running.id  # type: ignore[return-value]
    if now < _aware(quiz.opens_at):
        raise Refused("quiz.error.not_open")
    if now >= _aware(quiz.closes_at):
        raise Refused("quiz.error.closed")
    if len(attempts) >= quiz.attempts_allowed:
        raise Refused("quiz.error.no_attempts", attempts=quiz.attempts_allowed)
    seed = secrets.randbits(31)
    attempt = QuizAttempt(
        school_id=quiz.school_id,
        quiz_id=quiz_id,
        pupil_id=principal.pupil_id,  # type: ignore[arg-type]
        class_id=class_id,
        number=len(attempts) + 1,
        seed=seed,
        layout_json=json.dumps(_draw(session, quiz, seed)),
        started_at=now.astimezone(UTC),
        deadline=min(now + timedelta(minutes=quiz.time_limit_min), _aware(quiz.closes_at)).astimezone(UTC),
    )
    session.add(attempt)
    session.flush()
    audit.record(session, principal, "create", "quizattempt", attempt.id, pupil_id=principal.pupil_id, new=quiz_id)
    return attempt.id  # type: ignore[return-value]


def _own_attempt(session: Session, principal: Principal, attempt_id: int) -> QuizAttempt:
    """The principal's own attempt: anyone else's (or none) is NotFound for a pupil."""
    if principal.role != "pupil" or principal.pupil_id is None or not principal.can("quiz.take"):
        raise OutOfScope("quiz.take")
    attempt = session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.pupil_id != principal.pupil_id or attempt.school_id != principal.school_id:
        raise NotFound(f"attempt {attempt_id}")
    return attempt


def _question_map(session: Session, ids: list[int]) -> dict[int, QuizQuestion]:
    return {q.id: q for q in session.exec(select(QuizQuestion).where(col(QuizQuestion.id).in_(ids))).all()}  # type: ignore[misc]


def _answers(session: Session, attempt_id: int) -> dict[int, QuizAnswer]:
    return {a.question_id: a for a in session.exec(select(QuizAnswer).where(QuizAnswer.attempt_id == attempt_id)).all()}


def _shown_response(kind: str, perm: list[int], stored: Any) -> Any:
    """A stored response (options' own indexes) in shown positions (what the page works with)."""
    if stored is None:
        return None
    where = {original: shown for shown, original in enumerate(perm)}
    if kind == "single":
        return where.get(stored)
    if kind == "multi":
        return sorted(where[i] for i in stored if i in where)
    if kind == "match":  # left i (shown in its own order) -> right shown at position p
        return [where.get(r) if r is not None else None for r in stored]
    if kind == "order":
        return [where[i] for i in stored if i in where]
    return stored


def attempt_view(session: Session, principal: Principal, attempt_id: int, now: datetime) -> dict[str, Any]:
    """What the pupil's page shows of his attempt: question texts and options by shown position,
    his answers, the deadline (server time) — never a key. After submission: his result."""
    attempt = _own_attempt(session, principal, attempt_id)
    close_expired(session, now, attempt_id=attempt.id)
    quiz = _live_quiz(session, attempt.quiz_id)
    layout = json.loads(attempt.layout_json)
    questions = _question_map(session, [e["q"] for e in layout])
    answers = _answers(session, attempt.id)  # type: ignore[arg-type]
    items = []
    for n, entry in enumerate(layout):
        q = questions[entry["q"]]
        options = json.loads(q.options_json)
        perm = entry["perm"]
        shown = [options[i] for i in perm]
        a = answers.get(q.id)  # type: ignore[arg-type]
        response = _shown_response(q.kind, perm, json.loads(a.response_json)) if a is not None else None
        item: dict[str, Any] = {
            "n": n,
            "kind": q.kind,
            "ky": q.text_ky or q.text_ru,
            "ru": q.text_ru or q.text_ky,
            "points": q.points,
            "image": str(q.id) if q.image else "",
            "response": response,
        }
        if q.kind == "match":
            item["left"] = [{"ky": o["ky"], "ru": o["ru"]} for o in options]  # in their own order
            item["options"] = [{"ky": o["to_ky"], "ru": o["to_ru"]} for o in shown]
        else:
            item["options"] = [{"ky": o["ky"], "ru": o["ru"]} for o in shown]
        items.append(item)
    return {
        "id": attempt.id,
        "quiz_id": quiz.id,
        "title": quiz.title,
        "deadline": _aware(attempt.deadline),
        "submitted": attempt.submitted_at is not None,
        "score": attempt.score,
        "max_score": attempt.max_score,
        "result": _percent_text(attempt) if attempt.submitted_at is not None else "",
        "items": items,
    }


def _stored_response(q: QuizQuestion, perm: list[int], response: Any) -> Any:
    """A response in shown positions as stored (the options' own indexes); Refused if malformed."""
    n = len(perm)

    def pos(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < n:
            raise Refused("quiz.error.answer", "answer")
        return perm[value]

    if response is None or response == "" or response == []:
        return None
    if q.kind == "single":
        return pos(response)
    if q.kind == "multi":
        if not isinstance(response, list):
            raise Refused("quiz.error.answer", "answer")
        return sorted({pos(v) for v in response})
    if q.kind in ("text", "number"):
        if not isinstance(response, str) or len(response) > ANSWER_MAX:
            raise Refused("quiz.error.answer", "answer")
        return response.strip()
    if q.kind == "match":
        if not isinstance(response, list) or len(response) != n:
            raise Refused("quiz.error.answer", "answer")
        return [None if v is None else pos(v) for v in response]
    # order: a permutation of the shown positions
    if not isinstance(response, list) or sorted(response) != list(range(n)):
        raise Refused("quiz.error.answer", "answer")
    return [pos(v) for v in response]


def answer(
    session: Session, principal: Principal, attempt_id: int, position: int, response: Any, now: datetime
) -> None:
    """Save one answer of the pupil's running attempt (shown positions); after the deadline: refused."""
    attempt = _own_attempt(session, principal, attempt_id)
    if attempt.submitted_at is not None:
        raise Refused("quiz.error.submitted")
    if now > _aware(attempt.deadline):
        raise Refused("quiz.error.time_over")
    layout = json.loads(attempt.layout_json)
    if not 0 <= position < len(layout):
        raise Refused("quiz.error.answer", "answer")
    entry = layout[position]
    q = session.get(QuizQuestion, entry["q"])
    if q is None:
        raise NotFound(f"question {entry['q']}")
    stored = _stored_response(q, entry["perm"], response)
    row = session.exec(
        select(QuizAnswer).where(QuizAnswer.attempt_id == attempt.id, QuizAnswer.question_id == q.id)
    ).first()
    if row is None:
        row = QuizAnswer(attempt_id=attempt.id, question_id=q.id)  # type: ignore[arg-type]
    row.response_json = json.dumps(stored, ensure_ascii=False)
    row.saved_at = now.astimezone(UTC)
    session.add(row)


def submit(session: Session, principal: Principal, attempt_id: int, now: datetime) -> dict[str, Any]:
    """Hand in the pupil's attempt before its deadline: graded at once. After the deadline: refused
    (the attempt closes by itself with the answers saved in time)."""
    attempt = _own_attempt(session, principal, attempt_id)
    if attempt.submitted_at is not None:
        raise Refused("quiz.error.submitted")
    if now > _aware(attempt.deadline):
        raise Refused("quiz.error.late")
    _finalize(session, attempt, now.astimezone(UTC))
    audit.record(
        session, principal, "update", "quizattempt", attempt.id, field="submitted", new=attempt.score,
        pupil_id=attempt.pupil_id,
    )  # fmt: skip
    return {"score": attempt.score, "max_score": attempt.max_score, "percent": float(_percent(attempt))}


def time_up(session: Session, principal: Principal, attempt_id: int, now: datetime) -> None:
    """The page's countdown reached zero: hand the attempt in if the server's time is not over yet,
    else close it at its deadline with what it held (a submitted one is left as it is)."""
    attempt = _own_attempt(session, principal, attempt_id)
    if attempt.submitted_at is not None:
        return
    if now <= _aware(attempt.deadline):
        submit(session, principal, attempt_id, now)
    else:
        close_expired(session, now, attempt_id=attempt.id)


def close_expired(
    session: Session, now: datetime, *, pupil_id: int | None = None, attempt_id: int | None = None,
    quiz_id: int | None = None,
) -> int:  # fmt: skip
    """Close the attempts whose deadline has passed unsubmitted, with what they hold (at the deadline)."""
    q = select(QuizAttempt).where(col(QuizAttempt.submitted_at).is_(None))
    if pupil_id is not None:
        q = q.where(QuizAttempt.pupil_id == pupil_id)
    if attempt_id is not None:
        q = q.where(QuizAttempt.id == attempt_id)
    if quiz_id is not None:
        q = q.where(QuizAttempt.quiz_id == quiz_id)
    count = 0
    for attempt in session.exec(q).all():
        if _aware(attempt.deadline) < now:
            _finalize(session, attempt, _aware(attempt.deadline).astimezone(UTC))
            count += 1
    return count


def _finalize(session: Session, attempt: QuizAttempt, at: datetime) -> None:
    layout = json.loads(attempt.layout_json)
    questions = _question_map(session, [e["q"] for e in layout])
    answers = _answers(session, attempt.id)  # type: ignore[arg-type]
    for a in answers.values():
        q = questions.get(a.question_id)
        if q is not None:
            a.auto_points = float(grade(q, json.loads(a.response_json)))
            session.add(a)
    attempt.submitted_at = at
    _rescore(attempt, questions, answers)
    session.add(attempt)


def _rescore(attempt: QuizAttempt, questions: dict[int, QuizQuestion], answers: dict[int, QuizAnswer]) -> None:
    total = Fraction(0)
    for a in answers.values():
        points = a.override_points if a.override_points is not None else a.auto_points
        if points is not None and a.question_id in questions:
            total += Fraction(points).limit_denominator(1000)
    attempt.score = round(float(total), 4)
    attempt.max_score = float(sum(q.points for q in questions.values()))


# -- grading ---------------------------------------------------------------------------------------


def fold_answer(text: str) -> str:
    """A short answer as compared: case, spaces and look-alike letters folded (names.canonical)."""
    return " ".join(canonical(text).split())


def _parse_number(text: str) -> float | None:
    try:
        value = float(str(text).strip().replace(",", ".").replace(" ", "").replace("\u2212", "-"))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def grade(q: QuizQuestion, response: Any) -> Fraction:
    """The points a stored response earns (see the module docstring)."""
    points = Fraction(q.points)
    if response is None:
        return Fraction(0)
    key = json.loads(q.key_json)
    if q.kind == "single":
        return points if [response] == key else Fraction(0)
    if q.kind == "multi":
        right = sum(1 for i in response if i in key)
        wrong = len(response) - right
        return points * Fraction(max(0, right - wrong), len(key))
    if q.kind == "text":
        return points if fold_answer(response) in {fold_answer(a) for a in key} else Fraction(0)
    if q.kind == "number":
        value = _parse_number(response)
        if value is None:
            return Fraction(0)
        ok = abs(value - key["value"]) <= key["tolerance"] + 1e-9 * max(1.0, abs(key["value"]))
        return points if ok else Fraction(0)
    n = len(json.loads(q.options_json))
    if q.kind == "match":
        return points * Fraction(sum(1 for i, r in enumerate(response) if r == i), n)
    return points * Fraction(sum(1 for i, r in enumerate(response) if r == i), n)  # order


# -- the teacher's review --------------------------------------------------------------------------


def _attempt_for_teacher(session: Session, principal: Principal, attempt_id: int) -> tuple[QuizAttempt, Quiz]:
    attempt = session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.school_id != principal.school_id:
        raise NotFound(f"attempt {attempt_id}")
    quiz = _quiz_for_teacher(session, principal, attempt.quiz_id)
    _check_class(session, principal, attempt.class_id, quiz.subject_id)
    return attempt, quiz


def suggested_mark(session: Session, attempt: QuizAttempt) -> int | None:
    """The mark the class's policy gives the attempt's percent (criterion table), None without marks."""
    rules = grading.policy_for_class(session, attempt.class_id)
    if not rules.has_marks:
        return None
    return grading.mark_from_percent(rules, _percent(attempt))


@dataclass
class Results:
    attempts: list[dict[str, str]] = field(default_factory=list)
    questions: list[dict[str, str]] = field(default_factory=list)


def results(session: Session, principal: Principal, quiz_id: int, now: datetime, lang: str = "ky") -> Results:
    """Every attempt of the teacher's classes (score, percent, suggested mark, confirmed) and per
    question how many answered it and how many got it wrong (most wrong first)."""
    quiz = _quiz_for_teacher(session, principal, quiz_id)
    close_expired(session, now, quiz_id=quiz_id)
    classes = [
        c
        for c in _quiz_classes(session, quiz_id)
        if _leader(principal) or can_teach(session, principal, c, quiz.subject_id)
    ]
    names = _class_names(session, classes)
    rows = session.exec(
        select(QuizAttempt, Pupil)
        .join(Pupil, col(Pupil.id) == QuizAttempt.pupil_id)
        .where(QuizAttempt.quiz_id == quiz_id, col(QuizAttempt.class_id).in_(classes))
        .order_by(QuizAttempt.class_id, Pupil.sort_key, QuizAttempt.number)
    ).all()
    out = Results()
    submitted: list[int] = []
    for attempt, pupil in rows:
        done = attempt.submitted_at is not None
        mark = suggested_mark(session, attempt) if done else None
        out.attempts.append(
            {
                "id": str(attempt.id),
                "pupil": f"{pupil.last_name} {pupil.first_name}",
                "class": names.get(attempt.class_id, ""),
                "number": str(attempt.number),
                "state": "confirmed" if attempt.confirmed_at else ("submitted" if done else "running"),
                "score": _percent_text(attempt) if done else "",
                "mark": "" if mark is None else str(mark),
            }
        )
        if done:
            submitted.append(attempt.id)  # type: ignore[arg-type]
    if submitted:
        stats = session.exec(
            select(QuizAnswer, QuizQuestion)
            .join(QuizQuestion, col(QuizQuestion.id) == QuizAnswer.question_id)
            .where(col(QuizAnswer.attempt_id).in_(submitted))
        ).all()
        per: dict[int, list[int]] = {}
        texts: dict[int, QuizQuestion] = {}
        for a, q in stats:
            points = a.override_points if a.override_points is not None else a.auto_points
            counts = per.setdefault(q.id, [0, 0])  # type: ignore[arg-type]
            counts[0] += 1
            if points is None or points < q.points:
                counts[1] += 1
            texts[q.id] = q  # type: ignore[index]
        ordered = sorted(per.items(), key=lambda kv: (-kv[1][1], kv[0]))
        for qid, (answered, wrong) in ordered:
            q = texts[qid]
            out.questions.append(
                {
                    "id": str(qid),
                    "text": q.text_ky or q.text_ru,
                    "text_ru": q.text_ru or q.text_ky,
                    "answered": str(answered),
                    "wrong": str(wrong),
                    "right_pct": f"{round(100 * (answered - wrong) / answered)}%",
                }
            )
    return out


def review(session: Session, principal: Principal, attempt_id: int, lang: str = "ky") -> list[dict[str, str]]:
    """The attempt's answers for the teacher: the pupil's answer, the key, auto and overridden points."""
    attempt, _quiz = _attempt_for_teacher(session, principal, attempt_id)
    layout = json.loads(attempt.layout_json)
    questions = _question_map(session, [e["q"] for e in layout])
    answers = _answers(session, attempt.id)  # type: ignore[arg-type]
    out = []
    for n, entry in enumerate(layout, start=1):
        q = questions[entry["q"]]
        a = answers.get(q.id)  # type: ignore[arg-type]
        response = json.loads(a.response_json) if a is not None else None
        out.append(
            {
                "n": str(n),
                "question_id": str(q.id),
                "text": _in(lang, q.text_ky, q.text_ru),
                "given": _response_text(q, response, lang),
                "key": key_text(q, lang),
                "max": str(q.points),
                "auto": "" if a is None or a.auto_points is None else _num(round(a.auto_points, 2)),
                "override": "" if a is None or a.override_points is None else _num(a.override_points),
            }
        )
    return out


def _response_text(q: QuizQuestion, response: Any, lang: str) -> str:
    if response is None:
        return "—"
    options = json.loads(q.options_json)
    if q.kind == "single":
        return _in(lang, options[response]["ky"], options[response]["ru"])
    if q.kind in ("multi", "order"):
        return ("; " if q.kind == "multi" else " → ").join(
            _in(lang, options[i]["ky"], options[i]["ru"]) for i in response
        )
    if q.kind == "match":
        return "; ".join(
            f"{_in(lang, options[i]['ky'], options[i]['ru'])} → "
            + ("—" if r is None else _in(lang, options[r]["to_ky"], options[r]["to_ru"]))
            for i, r in enumerate(response)
        )
    return str(response)


def override(session: Session, principal: Principal, attempt_id: int, question_id: int, points: float | None) -> None:
    """The teacher's points for one answer (None: back to the automatic ones); audited. A confirmed
    attempt needs confirming again for the journal to follow."""
    attempt, _quiz = _attempt_for_teacher(session, principal, attempt_id)
    if attempt.submitted_at is None:
        raise Refused("quiz.error.not_submitted")
    layout = json.loads(attempt.layout_json)
    if question_id not in [e["q"] for e in layout]:
        raise NotFound(f"question {question_id}")
    q = session.get(QuizQuestion, question_id)
    assert q is not None
    if points is not None and not (math.isfinite(points) and 0 <= points <= q.points):
        raise Refused("quiz.error.override", "points", max=q.points)
    row = session.exec(
        select(QuizAnswer).where(QuizAnswer.attempt_id == attempt_id, QuizAnswer.question_id == question_id)
    ).first()
    if row is None:
        row = QuizAnswer(attempt_id=attempt_id, question_id=question_id, response_json="null", auto_points=0.0)
    old, row.override_points = row.override_points, points
    session.add(row)
    session.flush()
    questions = _question_map(session, [e["q"] for e in layout])
    _rescore(attempt, questions, _answers(session, attempt_id))
    attempt.confirmed_at = None
    session.add(attempt)
    audit.record(
        session, principal, "update", "quizattempt", attempt_id, field=f"points:{question_id}", old=old, new=points,
        pupil_id=attempt.pupil_id,
    )  # fmt: skip


def confirm(session: Session, principal: Principal, attempt_id: int) -> int:
    """Confirm a submitted attempt: its mark goes to the journal on the class's chosen lesson through
    the grid's save path (`journal.set_mark`, reason «test <id>»); the mark."""
    attempt, quiz = _attempt_for_teacher(session, principal, attempt_id)
    if attempt.submitted_at is None:
        raise Refused("quiz.error.not_submitted")
    lesson_id = _quiz_classes(session, quiz.id).get(attempt.class_id)
    if lesson_id is None:
        raise Refused("quiz.error.no_lesson", "lesson")
    mark = suggested_mark(session, attempt)
    if mark is None:
        raise Refused("quiz.error.no_marks")
    journal.set_mark(session, principal, lesson_id, attempt.pupil_id, quiz.mark_kind, mark, reason=f"test {quiz.id}")
    attempt.confirmed_at = utcnow()
    attempt.confirmed_by = principal.user_id
    session.add(attempt)
    audit.record(
        session, principal, "update", "quizattempt", attempt_id, field="confirmed", new=mark, pupil_id=attempt.pupil_id
    )
    return mark


# -- editing the bank and a test's questions (versions) --------------------------------------------


def _question_for_writer(session: Session, principal: Principal, question_id: int) -> QuizQuestion:
    """A live question of a bank the principal writes (NotFound for another school's or a deleted one)."""
    q = session.get(QuizQuestion, question_id)
    if q is None or q.deleted_at is not None or q.school_id != principal.school_id:
        raise NotFound(f"question {question_id}")
    _check_subject(session, principal, q.subject_id)
    return q


def drawn(session: Session, question_id: int) -> bool:
    """Whether an attempt holds the question (its stored layout names it): then it is never changed."""
    pattern = f'%"q": {int(question_id)},%'
    hit = session.exec(select(QuizAttempt.id).where(col(QuizAttempt.layout_json).like(pattern)).limit(1)).first()
    return hit is not None


def _quizzes_holding(session: Session, school_id: int, question_id: int) -> list[tuple[Quiz, list[int]]]:
    """The school's live tests whose chosen list holds the question, with that list."""
    rows = session.exec(
        select(Quiz).where(
            Quiz.school_id == school_id,
            col(Quiz.deleted_at).is_(None),
            col(Quiz.question_ids).like(f"%{int(question_id)}%"),
        )
    ).all()
    out = []
    for quiz in rows:
        ids = json.loads(quiz.question_ids)
        if question_id in ids:
            out.append((quiz, ids))
    return out


def question_form(session: Session, principal: Principal, question_id: int) -> dict[str, str]:
    """A bank question as the form's fields (the spreadsheet row's notation), to edit it."""
    q = _question_for_writer(session, principal, question_id)
    options, key = json.loads(q.options_json), json.loads(q.key_json)

    def pair(ky: str, ru: str) -> str:
        return ky if ky == ru else f"{ky} // {ru}"

    if q.kind == "match":
        lines = [f"{pair(o['ky'], o['ru'])} = {pair(o['to_ky'], o['to_ru'])}" for o in options]
    else:
        lines = [pair(o["ky"], o["ru"]) for o in options]
    if q.kind in ("single", "multi"):
        answer_text = ", ".join(str(i + 1) for i in key)
    elif q.kind == "text":
        answer_text = " | ".join(key)
    elif q.kind == "number":
        answer_text = f"{_num(key['value'])} ± {_num(key['tolerance'])}"
    else:
        answer_text = ""
    return {
        "id": str(q.id),
        "kind": q.kind,
        "topic": q.topic,
        "question_ky": q.text_ky,
        "question_ru": q.text_ru,
        "options": "\n".join(lines),
        "answer": answer_text,
        "points": str(q.points),
        "version": str(q.version),
    }


def _snapshot(q: QuizQuestion) -> str:
    return json.dumps(
        {"kind": q.kind, "topic": q.topic, "ky": q.text_ky, "ru": q.text_ru, "options": json.loads(q.options_json),
         "key": json.loads(q.key_json), "points": q.points},
        ensure_ascii=False,
    )  # fmt: skip


def edit_question(session: Session, principal: Principal, question_id: int, draft: QuestionDraft) -> int:
    """Change a bank question (audited, old and new); the id of its live version.

    A question no attempt holds is changed in place (its version + 1). Once an attempt holds it, it is
    never changed: the new text is a new row (version + 1) that takes its place in the bank and in the
    tests that chose it, and the old row is soft-deleted naming its successor — the attempts keep and
    are graded on the version they answered."""
    q = _question_for_writer(session, principal, question_id)
    options, key = checked_question(draft)
    old = _snapshot(q)
    values = {
        "kind": draft.kind,
        "topic": draft.topic.strip()[:200],
        "text_ky": draft.text_ky.strip(),
        "text_ru": draft.text_ru.strip(),
        "options_json": json.dumps(options, ensure_ascii=False),
        "key_json": json.dumps(key, ensure_ascii=False),
        "points": draft.points,
    }
    if all(getattr(q, k) == v for k, v in values.items()):
        return q.id  # type: ignore[return-value]
    if not drawn(session, q.id):  # type: ignore[arg-type]
        for k, v in values.items():
            setattr(q, k, v)
        q.version += 1
        session.add(q)
        session.flush()
        audit.record(session, principal, "update", "quizquestion", q.id, field="question", old=old, new=_snapshot(q))
        return q.id  # type: ignore[return-value]
    new = QuizQuestion(
        school_id=q.school_id,
        subject_id=q.subject_id,
        author_id=principal.user_id,
        image=q.image,
        image_sha256=q.image_sha256,
        version=q.version + 1,
        **values,
    )
    session.add(new)
    session.flush()
    q.deleted_at = utcnow()
    q.deleted_reason = f"version {new.version}: question {new.id}"
    session.add(q)
    for quiz, ids in _quizzes_holding(session, q.school_id, q.id):  # type: ignore[arg-type]
        quiz.question_ids = json.dumps([new.id if i == q.id else i for i in ids])
        session.add(quiz)
        audit.record(session, principal, "update", "quiz", quiz.id, field="questions", old=ids,
                     new=quiz.question_ids, reason=f"question {q.id} → {new.id}")  # fmt: skip
    audit.record(session, principal, "update", "quizquestion", q.id, field="question", old=old, new=_snapshot(new),
                 reason=f"version {new.version}: question {new.id}")  # fmt: skip
    audit.record(session, principal, "create", "quizquestion", new.id, new=new.kind, reason=f"version of {q.id}")
    return new.id  # type: ignore[return-value]


def delete_question(session: Session, principal: Principal, question_id: int, reason: str) -> None:
    """Take a question out of the bank (soft delete, with a reason; audited) and out of the tests that
    chose it; attempts that hold it keep it. A test it would leave without questions refuses it."""
    q = _question_for_writer(session, principal, question_id)
    reason = " ".join(str(reason or "").split())[:300]
    if not reason:
        raise Refused("quiz.error.reason", "reason")
    holding = _quizzes_holding(session, q.school_id, q.id)  # type: ignore[arg-type]
    for quiz, ids in holding:
        if ids == [q.id]:
            raise Refused("quiz.error.last_question", "question", title=quiz.title)
    for quiz, ids in holding:
        quiz.question_ids = json.dumps([i for i in ids if i != q.id])
        session.add(quiz)
        audit.record(session, principal, "update", "quiz", quiz.id, field="questions", old=ids,
                     new=quiz.question_ids, reason=f"question {q.id} deleted")  # fmt: skip
    q.deleted_at, q.deleted_reason = utcnow(), reason
    session.add(q)
    audit.record(session, principal, "delete", "quizquestion", q.id, old=_snapshot(q), reason=reason)


# An old version's delete (edit_question): not a delete anyone takes back — the new version is the question.
_SUPERSEDED = re.compile(r"^version \d+: question \d+$")


def deleted_questions(
    session: Session, principal: Principal, subject_id: int, lang: str = "ky"
) -> list[dict[str, str]]:
    """The questions deleted from the subject's bank, latest first, for a writer of the bank to take
    back (old versions left by an edit are not among them). Rows: id, kind, topic, text, reason, when."""
    _check_subject(session, principal, subject_id)
    rows = session.exec(
        select(QuizQuestion)
        .where(
            QuizQuestion.school_id == principal.school_id,
            QuizQuestion.subject_id == subject_id,
            col(QuizQuestion.deleted_at).is_not(None),
        )
        .order_by(col(QuizQuestion.deleted_at).desc(), col(QuizQuestion.id).desc())
    ).all()
    return [
        {
            "id": str(q.id),
            "kind": q.kind,
            "topic": q.topic,
            "text": _in(lang, q.text_ky, q.text_ru),
            "reason": q.deleted_reason,
            "when": _local(q.deleted_at),  # type: ignore[arg-type]
        }
        for q in rows
        if not _SUPERSEDED.match(q.deleted_reason)
    ]


def restore_question(session: Session, principal: Principal, question_id: int) -> None:
    """Take a question's delete back: it is in the bank again (audited «restore» with the reason it was
    deleted for). The tests it was taken out of stay as they are: the teacher adds it to a test's list
    again if he wants it there. An old version left by an edit is not restored (not found)."""
    q = session.get(QuizQuestion, question_id)
    if q is None or q.deleted_at is None or q.school_id != principal.school_id or _SUPERSEDED.match(q.deleted_reason):
        raise NotFound(f"deleted question {question_id}")
    _check_subject(session, principal, q.subject_id)
    why = q.deleted_reason
    q.deleted_at, q.deleted_reason = None, ""
    session.add(q)
    audit.record(session, principal, "restore", "quizquestion", q.id, new=_snapshot(q), reason=f"deleted: {why}")


def quiz_question_ids(session: Session, principal: Principal, quiz_id: int) -> list[int]:
    """The questions a test chose (none when it draws from a topic)."""
    return list(json.loads(_quiz_for_teacher(session, principal, quiz_id).question_ids))


def set_quiz_questions(session: Session, principal: Principal, quiz_id: int, question_ids: Sequence[int]) -> None:
    """Replace a test's question list with questions of its subject's bank (audited). Attempts already
    started keep the questions they were drawn."""
    quiz = _quiz_for_teacher(session, principal, quiz_id)
    _check_subject(session, principal, quiz.subject_id)
    chosen = list(dict.fromkeys(int(i) for i in question_ids))
    pool = set(_bank_ids(session, quiz.school_id, quiz.subject_id))
    if not chosen or len(chosen) > MAX_QUESTIONS or any(i not in pool for i in chosen):
        raise Refused("quiz.error.questions", "questions")
    old = quiz.question_ids if quiz.question_ids != "[]" else f"{quiz.topic} × {quiz.draw_count}"
    quiz.question_ids, quiz.topic, quiz.draw_count = json.dumps(chosen), "", 0
    session.add(quiz)
    audit.record(session, principal, "update", "quiz", quiz.id, field="questions", old=old, new=quiz.question_ids)


# -- answers kept offline by the browser --------------------------------------------------------------

OFFLINE_ID = re.compile(r"^[0-9a-f]{8,40}$")


@dataclass(frozen=True)
class OfflineAnswer:
    """One answer the pupil's browser kept (assets/quiz_answers.js): its id, the question's shown
    position, the response, when he gave it (the phone's clock) and whether the page was offline."""

    entry_id: str
    position: int
    response: Any
    given_at: datetime
    offline: bool = True


def sync_answers(
    session: Session, principal: Principal, attempt_id: int, entries: Sequence[OfflineAnswer], now: datetime
) -> tuple[list[str], list[str]]:
    """Save the answers the browser kept, in order, while the attempt runs on the server's clock:
    (saved ids, late ids). After the deadline or the hand-in none is saved — the server is the judge,
    whatever the phone's clock says — and each is audited as refused («offline <id> given <time>», or
    «answer …» for one given online); an answer given offline and saved is audited likewise. A malformed
    one refuses the whole batch."""
    attempt = _own_attempt(session, principal, attempt_id)
    late = attempt.submitted_at is not None or now > _aware(attempt.deadline)
    started = _aware(attempt.started_at)
    saved: list[str] = []
    refused: list[str] = []
    for e in entries:
        given = max(started, min(_aware(e.given_at), now))  # never before the start nor after it arrived
        how = "offline" if e.offline else "answer"
        why = f"{how} {e.entry_id} given {given.astimezone(UTC).isoformat(timespec='seconds')}"
        if late:
            audit.record(session, principal, "refused", "quizattempt", attempt.id, field=f"answer:{e.position}",
                         new=json.dumps(e.response, ensure_ascii=False), reason=f"{why} · quiz.error.time_over",
                         pupil_id=attempt.pupil_id)  # fmt: skip
            refused.append(e.entry_id)
            continue
        answer(session, principal, attempt.id, e.position, e.response, now)  # type: ignore[arg-type]
        if e.offline:
            given = json.dumps(e.response, ensure_ascii=False)
            audit.record(session, principal, "update", "quizattempt", attempt.id, field=f"answer:{e.position}",
                         new=given, reason=why, pupil_id=attempt.pupil_id)  # fmt: skip
        saved.append(e.entry_id)
    return saved, refused


# -- the family's view ------------------------------------------------------------------------------


def family_results(session: Session, principal: Principal, now: datetime, lang: str = "ky") -> list[dict[str, str]]:
    """A parent's children's attempts (read-only): the child, the test, the subject, the result and
    whether the teacher confirmed the mark; nobody else's child, no answer, no key."""
    if principal.role != "parent" or not principal.can("own.read"):
        raise OutOfScope("own.read")
    children = visible_pupil_ids_own(session, principal)
    if not children:
        return []
    for pupil_id in children:
        close_expired(session, now, pupil_id=pupil_id)
    rows = session.exec(
        select(QuizAttempt, Quiz, Pupil)
        .join(Quiz, col(Quiz.id) == QuizAttempt.quiz_id)
        .join(Pupil, col(Pupil.id) == QuizAttempt.pupil_id)
        .where(
            col(QuizAttempt.pupil_id).in_(children),
            QuizAttempt.school_id == principal.school_id,
            col(Quiz.deleted_at).is_(None),
        )
        .order_by(Pupil.sort_key, col(QuizAttempt.started_at).desc())
        .limit(300)
    ).all()
    subjects = {s.id: s for s in session.exec(select(Subject).where(Subject.school_id == principal.school_id)).all()}
    out = []
    for attempt, quiz, pupil in rows:
        subject = subjects.get(quiz.subject_id)
        done = attempt.submitted_at is not None
        out.append(
            {
                "id": str(attempt.id),
                "pupil": f"{pupil.last_name} {pupil.first_name}",
                "title": quiz.title,
                "subject": subject.name_ky if subject else "",
                "subject_ru": subject.name_ru if subject else "",
                "number": str(attempt.number),
                "when": _local(attempt.submitted_at or attempt.started_at),
                "state": "confirmed" if attempt.confirmed_at else ("submitted" if done else "running"),
                "result": _percent_text(attempt) if done else "",
            }
        )
    return out


# -- Moodle XML ------------------------------------------------------------------------------------


def moodle_xml(session: Session, principal: Principal, quiz_id: int, lang: str = "ky") -> bytes:
    """The test's questions (chosen, or the whole topic it draws from) as Moodle XML."""
    quiz = _quiz_for_teacher(session, principal, quiz_id)
    ids = json.loads(quiz.question_ids) or _bank_ids(session, quiz.school_id, quiz.subject_id, quiz.topic)
    questions = _question_map(session, ids)
    root = ET.Element("quiz")
    category = ET.SubElement(root, "question", type="category")
    ET.SubElement(ET.SubElement(category, "category"), "text").text = f"$course$/{quiz.title}"
    for qid in ids:
        q = questions.get(qid)
        if q is not None:
            root.append(_moodle_question(q, lang))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _text(parent: ET.Element, tag: str, value: str, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, **attrs)
    ET.SubElement(el, "text").text = value
    return el


_MOODLE_TYPES = {
    "single": "multichoice",
    "multi": "multichoice",
    "text": "shortanswer",
    "number": "numerical",
    "match": "matching",
    "order": "ordering",
}


def _moodle_question(q: QuizQuestion, lang: str) -> ET.Element:
    options, key = json.loads(q.options_json), json.loads(q.key_json)
    el = ET.Element("question", type=_MOODLE_TYPES[q.kind])
    text = _in(lang, q.text_ky, q.text_ru)
    _text(el, "name", text[:80])
    _text(el, "questiontext", text, format="plain_text")
    ET.SubElement(el, "defaultgrade").text = str(q.points)
    if q.kind in ("single", "multi"):
        ET.SubElement(el, "single").text = "true" if q.kind == "single" else "false"
        ET.SubElement(el, "shuffleanswers").text = "true"
        for i, o in enumerate(options):
            if q.kind == "single":
                fraction = "100" if i in key else "0"
            else:
                fraction = f"{100 / len(key):.5g}" if i in key else f"{-100 / len(key):.5g}"
            _text(el, "answer", _in(lang, o["ky"], o["ru"]), fraction=fraction, format="plain_text")
    elif q.kind == "text":
        ET.SubElement(el, "usecase").text = "0"
        for accepted in key:
            _text(el, "answer", accepted, fraction="100", format="plain_text")
    elif q.kind == "number":
        answer = _text(el, "answer", _num(key["value"]), fraction="100", format="plain_text")
        ET.SubElement(answer, "tolerance").text = _num(key["tolerance"])
    elif q.kind == "match":
        ET.SubElement(el, "shuffleanswers").text = "true"
        for o in options:
            sub = _text(el, "subquestion", _in(lang, o["ky"], o["ru"]), format="plain_text")
            ET.SubElement(ET.SubElement(sub, "answer"), "text").text = _in(lang, o["to_ky"], o["to_ru"])
    else:
        ET.SubElement(el, "layouttype").text = "VERTICAL"
        ET.SubElement(el, "selecttype").text = "ALL"
        ET.SubElement(el, "gradingtype").text = "ABSOLUTE_POSITION"
        for i, o in enumerate(options, start=1):
            _text(el, "answer", _in(lang, o["ky"], o["ru"]), fraction=str(i), format="plain_text")
    return el


__all__ = [
    "IMPORT_COLUMNS",
    "ImportRefused",
    "QuestionDraft",
    "QuizDraft",
    "add_question",
    "answer",
    "attempt_view",
    "bank",
    "close_expired",
    "confirm",
    "create_quiz",
    "delete_question",
    "edit_question",
    "family_results",
    "grade",
    "import_questions",
    "moodle_xml",
    "override",
    "pupil_quizzes",
    "results",
    "review",
    "set_quiz_questions",
    "start",
    "submit",
    "sync_answers",
    "time_up",
]
