"""Tests (`/tests`): a pupil takes the tests given to his class (phone first); a teacher keeps his
subject's question bank, gives tests to his classes, reviews the answers and confirms the marks.

The pupil's tab holds only what services.quiz.attempt_view gives — the texts and the options by
their shown position, his own answers — never a key: the grading happens on the server, and every
answer is an event saved at once (a reload or a dropped connection resumes the same attempt).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, time, timedelta
from typing import Any

import reflex as rx
from reflex.components.sonner.toast import ToastAction
from reflex.vars import Var
from reflex_base.vars.function import ArgsFunctionOperation

from bbbms_app import db
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current, requires
from bbbms_app.auth.state import AuthState
from bbbms_app.components import grade_grid
from bbbms_app.components.date_input import date_input
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.i18n import t
from bbbms_app.models._base import utcnow
from bbbms_app.models.journal import MARK_KINDS
from bbbms_app.models.quiz import QUESTION_KINDS
from bbbms_app.services import quiz as quizzes
from bbbms_app.services.errors import Refused
from bbbms_app.services.school_events import school_zone

UPLOAD_ID = "quiz-import"
IMAGE_UPLOAD_ID = "quiz-image"
IMAGE_ROUTE = "/private/quiz-image/"
MAX_IMPORT_BYTES = 5 * 1024 * 1024
QUESTION_FIELDS = {
    "q_topic": 200, "q_ky": 2000, "q_ru": 2000, "q_options": 4000, "q_answer": 500, "q_points": 3, "q_reason": 300,
}  # fmt: skip
QUIZ_FIELDS = {
    "title": 200,
    "topic": 200,
    "draw_count": 3,
    "limit": 3,
    "attempts": 2,
    "opens_time": 5,
    "closes_time": 5,
}
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
MAX_SYNC = 200  # answers one browser kept (a test has at most 100 questions)
QUESTION_FORM = {"kind": "q_kind", "topic": "q_topic", "question_ky": "q_ky", "question_ru": "q_ru",
                 "options": "q_options", "answer": "q_answer", "points": "q_points"}  # fmt: skip


def _lang(ky: rx.Var, ru: rx.Var) -> rx.Var:
    """A user text written in Kyrgyz and Russian, in the reader's language."""
    return rx.cond(AuthState.lang == "ru", ru, ky)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _response(value: object, depth: int = 0) -> Any:
    """A response as the browser kept it: null, a shown position, a typed text, or a list of positions
    (or nulls: a pair not picked yet) — anything else is not what the page sends."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1000:
        return value
    if depth == 0 and isinstance(value, str):
        return inputs.text(value, quizzes.ANSWER_MAX, "answer")
    if depth == 0 and isinstance(value, list) and len(value) <= quizzes.MAX_OPTIONS:
        return [_response(v, 1) for v in value]
    return _bad_response()


def _bad_response() -> Any:
    raise inputs.BadInput("answer", "not a response")


def _given_at(value: object, now: datetime) -> datetime:
    try:
        at = datetime.fromisoformat(str(value or "")[:40])
    except ValueError:
        return now
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _when(day: object, clock: object, field: str) -> datetime:
    """A day typed dd.mm.yyyy and a time «08:00» on the school's wall clock, as an aware datetime."""
    picked = inputs.school_date(day, field)
    m = _TIME.match(inputs.text(clock, 5, field).strip())
    if picked is None or m is None:
        raise Refused("quiz.error.when", field)
    return datetime.combine(picked, time(int(m.group(1)), int(m.group(2))), tzinfo=school_zone())


class QuizState(rx.State):
    """The pupil's list and running attempt, or the teacher's bank, tests and review (display rows only)."""

    mode: str = ""  # "pupil" or "teacher"
    # -- the pupil
    quizzes: list[dict[str, str]] = []
    attempt_open: bool = False
    title: str = ""
    deadline: str = ""
    submitted: bool = False
    result: str = ""
    questions: list[dict[str, str]] = []
    options: list[list[dict[str, str]]] = []
    lefts: list[list[dict[str, str]]] = []
    _attempt: int = 0
    attempt_key: str = ""  # the attempt's id: the browser keeps its answers under it (quiz_answers.js)
    owner: str = ""  # whose answers this tab keeps: "u<user id>"
    deadline_ms: int = 0  # the server's deadline and clock (ms), for the countdown
    server_ms: int = 0
    # -- a parent: his children's results
    family_rows: list[dict[str, str]] = []
    # -- the teacher
    subjects: list[dict[str, str]] = []
    subject_id: str = ""
    bank_rows: list[dict[str, str]] = []
    deleted_rows: list[dict[str, str]] = []  # deleted from this bank, to take back
    chosen: list[str] = []
    class_rows: list[dict[str, str]] = []
    picked_classes: list[str] = []
    q_kind: str = "single"
    q_topic: str = ""
    q_ky: str = ""
    q_ru: str = ""
    q_options: str = ""
    q_answer: str = ""
    q_points: str = "1"
    title_in: str = ""
    course_id: str = ""  # a test of this course (opened from the course's page: /tests?course=<id>)
    course_title: str = ""
    topic: str = ""
    draw_count: str = ""
    limit: str = "20"
    attempts: str = "1"
    opens_day: str = ""
    opens_time: str = "08:00"
    closes_day: str = ""
    closes_time: str = "17:00"
    mark_kind: str = "test"
    form_key: int = 0
    editing: str = ""  # the bank question being edited (its id), or "" for a new one
    editing_version: str = ""
    q_reason: str = ""
    form_error: str = ""
    quiz_form_error: str = ""
    import_error: str = ""
    image_label: str = ""
    _image: dict[str, str] = {}
    my_quizzes: list[dict[str, str]] = []
    open_quiz: str = ""
    open_title: str = ""
    quiz_class_rows: list[dict[str, str]] = []
    lesson_options: list[list[dict[str, str]]] = []
    results: list[dict[str, str]] = []
    question_stats: list[dict[str, str]] = []
    review_attempt: str = ""
    review_rows: list[dict[str, str]] = []

    # ------------------------------------------------------------------ loading

    @rx.event
    @requires("signed_in")
    def load(self):
        principal = current()
        self.attempt_open = False
        if principal.can("quiz.take"):
            self.mode = "pupil"
            self.owner = f"u{principal.user_id}"
            self._list_pupil()
            running = next((q for q in self.quizzes if q["state"] == "running"), None)
            if running is not None:  # a reload, a reconnect, a second tab: the same attempt
                self._open(int(running["attempt"]))
        elif principal.can("quiz.write"):
            self.mode = "teacher"
            today = datetime.now(school_zone()).date()
            self.opens_day = self.opens_day or today.strftime("%d.%m.%Y")
            self.closes_day = self.closes_day or (today + timedelta(days=7)).strftime("%d.%m.%Y")
            with db.session() as s:
                self.subjects = quizzes.subject_options(s, principal, principal.language)
            if self.subjects and self.subject_id not in [o["id"] for o in self.subjects]:
                self.subject_id = self.subjects[0]["id"]
            self.course_id = self.course_title = ""
            raw = str(self.router.url.query_parameters.get("course", ""))[:12]
            if raw:  # not his course: the courses' rule refuses, and the guard audits and answers
                with db.session() as s:
                    cid, subject_id, title = quizzes.course_for_test(s, principal, inputs.record_id(raw, "course"))
                if str(subject_id) in [o["id"] for o in self.subjects]:
                    self.subject_id = str(subject_id)
                self.course_id, self.course_title = str(cid), title
            self._teacher_fetch()
        elif principal.role == "parent" and principal.can("own.read"):
            self.mode = "family"
            with db.session(write=True) as s:  # the next reader closes attempts whose time is over
                self.family_rows = quizzes.family_results(s, principal, utcnow(), principal.language)
        else:
            self.mode = ""

    def _list_pupil(self) -> None:
        principal = current()
        with db.session(write=True) as s:
            self.quizzes = quizzes.pupil_quizzes(s, principal, utcnow())

    def _open(self, attempt_id: int) -> None:
        principal = current()
        with db.session(write=True) as s:
            view = quizzes.attempt_view(s, principal, attempt_id, utcnow())
        self._attempt = attempt_id
        self.attempt_key = str(attempt_id)
        self.deadline_ms, self.server_ms = _ms(view["deadline"]), _ms(utcnow())
        self.attempt_open = True
        self.title = view["title"]
        self.deadline = view["deadline"].astimezone(school_zone()).strftime("%d.%m.%Y %H:%M")
        self.submitted = view["submitted"]
        self.result = view["result"]
        self.questions = [
            {
                "n": str(item["n"]),
                "kind": item["kind"],
                "ky": item["ky"],
                "ru": item["ru"],
                "points": str(item["points"]),
                "answer": item["response"] if isinstance(item["response"], str) else "",
                "answered": "" if item["response"] in (None, "", []) else "1",
                "resp": json.dumps(item["response"], ensure_ascii=False),
                "size": str(len(item["options"])),
                "image": item["image"],
            }
            for item in view["items"]
        ]
        self.options, self.lefts = [], []
        for item in view["items"]:
            response = item["response"]
            shown = list(range(len(item["options"])))
            if item["kind"] == "order" and isinstance(response, list) and sorted(response) == shown:
                shown = response  # his order
            chosen = set(response) if isinstance(response, list) else {response}
            self.options.append(
                [
                    {
                        "pos": str(p),
                        "ky": item["options"][p]["ky"],
                        "ru": item["options"][p]["ru"],
                        "on": "1" if item["kind"] in ("single", "multi") and p in chosen else "",
                    }
                    for p in shown
                ]
            )
            picks = response if item["kind"] == "match" and isinstance(response, list) else []
            self.lefts.append(
                [
                    {"ky": o["ky"], "ru": o["ru"], "pick": "" if j >= len(picks) or picks[j] is None else str(picks[j])}
                    for j, o in enumerate(item.get("left", []))
                ]
            )

    # ------------------------------------------------------------------ the pupil

    @rx.event
    @requires("quiz.take")
    def start_quiz(self, quiz_id: str):
        principal = current()
        qid = inputs.record_id(quiz_id, "quiz_id")
        with db.session(write=True) as s:
            attempt = quizzes.start(s, principal, qid, utcnow())
        self._open(attempt)

    @rx.event
    @requires("quiz.take")
    def back_to_list(self):
        self.attempt_open = False
        self._attempt = 0
        self._list_pupil()

    @rx.event
    @requires("quiz.take")
    def sync_answers(self, entries: list[dict[str, Any]]):
        """The answers the browser kept (assets/quiz_answers.js), online at once or when the connection
        is back: [{"id", "a": attempt, "n": shown position, "r": response, "at": given, "off": 1 if the
        page was offline}]. Saved while the attempt runs on the server's clock; after it every one is
        refused and audited (services.quiz.sync_answers). The answer tells the browser what to forget."""
        principal = current()
        if not isinstance(entries, list) or len(entries) > MAX_SYNC:
            raise inputs.BadInput("entries", "not a list of answers")
        now = utcnow()
        grouped: dict[int, list[quizzes.OfflineAnswer]] = {}
        for raw in entries:
            if not isinstance(raw, dict):
                raise inputs.BadInput("entries", "not an answer")
            entry_id = str(raw.get("id", ""))
            if not quizzes.OFFLINE_ID.match(entry_id):
                raise inputs.BadInput("id", "not an entry id")
            attempt_id = inputs.record_id(raw.get("a"), "attempt")
            grouped.setdefault(attempt_id, []).append(
                quizzes.OfflineAnswer(
                    entry_id=entry_id,
                    position=inputs.bounded_int(raw.get("n"), 0, quizzes.MAX_QUESTIONS - 1, "n"),
                    response=_response(raw.get("r")),
                    given_at=_given_at(raw.get("at"), now),
                    offline=raw.get("off") in (1, True, "1"),
                )
            )
        done: list[str] = []
        late = 0
        for attempt_id, items in grouped.items():
            with db.session(write=True) as s:
                saved, refused = quizzes.sync_answers(s, principal, attempt_id, items, now)
            done += saved + refused
            late += len(refused)
        if self.attempt_open and self._attempt in grouped:
            self._open(self._attempt)
        events: list[Any] = [rx.call_script(f"window.bbbmsQuiz && window.bbbmsQuiz.synced({json.dumps(done)})")]
        if late:
            events.append(rx.toast.error(t("quiz.offline.late", principal.language, count=late), duration=20000))
        return events

    @rx.event
    @requires("quiz.take")
    def time_up(self):
        """The countdown reached zero in the browser: the server decides — hands the attempt in if its
        time is not over yet, else closes it at its deadline with what it held."""
        principal = current()
        if not self.attempt_open or self.submitted:
            return None
        with db.session(write=True) as s:
            quizzes.time_up(s, principal, self._attempt, utcnow())
        self._open(self._attempt)
        return rx.toast.info(t("quiz.time_up", principal.language))

    @rx.event
    @requires("quiz.take")
    def submit_attempt(self):
        principal = current()
        if not self.attempt_open:
            raise Refused("quiz.error.no_attempt")
        with db.session(write=True) as s:
            quizzes.submit(s, principal, self._attempt, utcnow())
        self._open(self._attempt)
        return rx.toast.success(t("quiz.submitted", principal.language))

    # ------------------------------------------------------------------ the teacher

    def _teacher_fetch(self) -> None:
        principal = current()
        lang = principal.language
        with db.session(write=True) as s:
            if self.subject_id:
                sid = int(self.subject_id)
                self.bank_rows = quizzes.bank(s, principal, sid, lang)
                self.deleted_rows = quizzes.deleted_questions(s, principal, sid, lang)
                self.class_rows = quizzes.class_options(s, principal, sid)
            else:
                self.bank_rows, self.deleted_rows, self.class_rows = [], [], []
            self.my_quizzes = quizzes.teacher_quizzes(s, principal, lang)
            if self.open_quiz:
                qid = int(self.open_quiz)
                res = quizzes.results(s, principal, qid, utcnow(), lang)
                self.results, self.question_stats = res.attempts, res.questions
                self.quiz_class_rows = quizzes.quiz_classes(s, principal, qid)
                self.lesson_options = [
                    quizzes.lesson_options(s, principal, qid, int(c["id"])) for c in self.quiz_class_rows
                ]
            if self.review_attempt:
                self.review_rows = quizzes.review(s, principal, int(self.review_attempt), lang)
        valid = {r["id"] for r in self.bank_rows}
        self.chosen = [c for c in self.chosen if c in valid]
        self.picked_classes = [c for c in self.picked_classes if c in {r["id"] for r in self.class_rows}]

    @rx.event
    @requires("quiz.write")
    def set_subject(self, value: str):
        picked = inputs.offered(value, self.subjects)
        if picked is not None and picked != self.subject_id:
            self.subject_id = picked
            self.chosen, self.picked_classes = [], []
            self._teacher_fetch()

    @rx.event
    @requires("quiz.write")
    def set_field(self, field: str, value: str):
        """A text field of the question or test form, sent when it loses focus."""
        name = inputs.choice(field, (*QUESTION_FIELDS, *QUIZ_FIELDS), "field")
        limit = QUESTION_FIELDS.get(name) or QUIZ_FIELDS[name]
        text = inputs.text(value, limit, name, multiline=name in ("q_options", "q_answer"))
        setattr(self, "title_in" if name == "title" else name, text)

    def _set_day(self, name: str, value: str) -> None:
        inputs.school_date(value, name)  # a whole date or nothing
        setattr(self, name, value)

    # The window's days, typed dd.mm.yyyy (components/date_input.py sends a whole date).
    @rx.event
    @requires("quiz.write")
    def set_opens_day(self, value: str):
        self._set_day("opens_day", value)

    @rx.event
    @requires("quiz.write")
    def set_closes_day(self, value: str):
        self._set_day("closes_day", value)

    @rx.event
    @requires("quiz.write")
    def set_kind(self, value: str):
        self.q_kind = inputs.choice(value, QUESTION_KINDS, "kind")

    @rx.event
    @requires("quiz.write")
    def set_mark_kind(self, value: str):
        self.mark_kind = inputs.choice(value, MARK_KINDS, "mark_kind")

    @rx.event
    @requires("quiz.write")
    def choose(self, question_id: str, on: bool):
        qid = inputs.offered(question_id, self.bank_rows)
        if qid is None:
            return
        self.chosen = [c for c in self.chosen if c != qid] + ([qid] if inputs.flag(on, "on") else [])

    @rx.event
    @requires("quiz.write")
    def pick_class(self, class_id: str, on: bool):
        cid = inputs.offered(class_id, self.class_rows)
        if cid is None:
            return
        self.picked_classes = [c for c in self.picked_classes if c != cid] + ([cid] if inputs.flag(on, "on") else [])

    @rx.event
    @requires("quiz.write")
    def add_question(self):
        """The question form as one spreadsheet row would give it (the same parsing and checks)."""
        principal = current()
        if not self.subject_id:
            raise Refused("quiz.error.no_subject")
        values = {
            "kind": self.q_kind,
            "topic": self.q_topic,
            "question_ky": self.q_ky,
            "question_ru": self.q_ru,
            "options": self.q_options,
            "answer": self.q_answer,
            "points": self.q_points,
        }
        try:
            with db.session(write=True) as s:
                qid = quizzes.add_question(s, principal, quizzes.draft_from_row(int(self.subject_id), values))
                if self._image:
                    quizzes.set_image(s, principal, qid, self._image["name"], self._image["sha256"])
        except Refused as exc:  # shown under the form
            self.form_error = exc.message(principal.language)
            return None
        self._image, self.image_label = {}, ""
        self.q_ky = self.q_ru = self.q_options = self.q_answer = self.form_error = ""
        self.form_key += 1
        self._teacher_fetch()
        return rx.toast.success(t("quiz.question_added", principal.language))

    @rx.event
    @requires("quiz.write")
    def edit_question(self, question_id: str):
        """A bank question into the form, to change it (or take it out of the bank)."""
        principal = current()
        qid = inputs.offered(question_id, self.bank_rows)
        if qid is None:
            return
        with db.session() as s:
            form = quizzes.question_form(s, principal, int(qid))
        for name, attr in QUESTION_FORM.items():
            setattr(self, attr, form[name])
        self.editing, self.editing_version = qid, form["version"]
        self.q_reason = self.form_error = ""
        self._image, self.image_label = {}, ""
        self.form_key += 1

    @rx.event
    @requires("quiz.write")
    def cancel_edit(self):
        self.editing = self.editing_version = self.q_reason = self.form_error = ""
        self.q_ky = self.q_ru = self.q_options = self.q_answer = ""
        self.form_key += 1

    @rx.event
    @requires("quiz.write")
    def save_question(self):
        """The edited question saved: changed in place, or a new version once an attempt holds it."""
        principal = current()
        if not self.editing or not self.subject_id:
            raise Refused("quiz.error.no_question")
        values = {name: getattr(self, attr) for name, attr in QUESTION_FORM.items()}
        try:
            with db.session(write=True) as s:
                qid = quizzes.edit_question(
                    s, principal, int(self.editing), quizzes.draft_from_row(int(self.subject_id), values)
                )
                if self._image:
                    quizzes.set_image(s, principal, qid, self._image["name"], self._image["sha256"])
        except Refused as exc:  # shown under the form
            self.form_error = exc.message(principal.language)
            return None
        self.chosen = [str(qid) if c == self.editing else c for c in self.chosen]
        self._image, self.image_label = {}, ""
        self.editing = self.editing_version = self.form_error = ""
        self.q_ky = self.q_ru = self.q_options = self.q_answer = ""
        self.form_key += 1
        self._teacher_fetch()
        return rx.toast.success(t("quiz.question_saved", principal.language))

    @rx.event
    @requires("quiz.write")
    def restore_question(self, question_id: str):
        """A deleted question back into its bank (the service checks he writes that bank)."""
        principal = current()
        qid = inputs.record_id(question_id, "question_id")
        with db.session(write=True) as s:
            quizzes.restore_question(s, principal, qid)
        self._teacher_fetch()
        return rx.toast.success(t("quiz.question_restored", principal.language))

    @rx.event
    @requires("quiz.write")
    def delete_question(self):
        """The edited question out of the bank, with the reason typed (kept by the attempts that hold it);
        the toast can take it back at once."""
        principal = current()
        if not self.editing:
            raise Refused("quiz.error.no_question")
        qid = int(self.editing)
        try:
            with db.session(write=True) as s:
                quizzes.delete_question(s, principal, qid, self.q_reason)
        except Refused as exc:
            self.form_error = exc.message(principal.language)
            return None
        self.editing = self.editing_version = self.q_reason = self.form_error = ""
        self.q_ky = self.q_ru = self.q_options = self.q_answer = ""
        self.form_key += 1
        self._teacher_fetch()
        return rx.toast.success(
            t("quiz.question_deleted", principal.language),
            action=ToastAction(
                label=t("quiz.restore", principal.language),
                on_click=QuizState.restore_question(str(qid)),  # type: ignore[operator]
            ),
            duration=10000,
        )

    @rx.event
    @requires("quiz.write")
    def save_test_questions(self):
        """The open test's questions become the ones ticked in the bank (attempts started keep theirs)."""
        principal = current()
        if not self.open_quiz:
            raise Refused("quiz.error.no_quiz")
        with db.session(write=True) as s:
            quizzes.set_quiz_questions(s, principal, int(self.open_quiz), [int(c) for c in self.chosen])
        self._teacher_fetch()
        return rx.toast.success(t("quiz.questions_saved", principal.language))

    @rx.event
    @requires("quiz.write")
    async def attach_image(self, files: list[rx.UploadFile]):
        """The new question's picture (JPEG or PNG), kept privately until the question is added."""
        principal = current()
        if not isinstance(files, list) or len(files) != 1:
            raise Refused("quiz.error.image", "image")
        data = await files[0].read(quizzes.IMAGE_MAX_BYTES + 1)
        try:
            name, sha = quizzes.store_image(principal, data)
        except Refused as exc:
            self.form_error = exc.message(principal.language)
            return None
        self._image = {"name": name, "sha256": sha}
        self.image_label = t("quiz.image_attached", principal.language, kb=max(1, round(len(data) / 1024)))
        self.form_error = ""
        return None

    @rx.event
    @requires("quiz.write")
    async def import_file(self, files: list[rx.UploadFile]):
        principal = current()
        if not self.subject_id or not isinstance(files, list) or len(files) != 1:
            raise Refused("quiz.error.no_subject")
        data = await files[0].read(MAX_IMPORT_BYTES + 1)
        name = str(getattr(files[0], "name", "") or getattr(files[0], "filename", "") or "questions.xlsx")[:100]
        try:
            with db.session(write=True) as s:
                count = quizzes.import_questions(s, principal, int(self.subject_id), data, name)
        except Refused as exc:
            self.import_error = exc.message(principal.language)
            return None
        self.import_error = ""
        self._teacher_fetch()
        return rx.toast.success(t("quiz.imported", principal.language, count=count))

    @rx.event
    @requires("quiz.write")
    def create(self):
        principal = current()
        if not self.subject_id:
            raise Refused("quiz.error.no_subject")
        try:
            draft = quizzes.QuizDraft(
                subject_id=int(self.subject_id),
                title=self.title_in,
                classes={int(c): None for c in self.picked_classes},
                opens_at=_when(self.opens_day, self.opens_time, "opens"),
                closes_at=_when(self.closes_day, self.closes_time, "closes"),
                question_ids=[int(c) for c in self.chosen],
                topic=self.topic,
                draw_count=inputs.bounded_int(self.draw_count or "0", 0, 100, "draw_count"),
                time_limit_min=inputs.bounded_int(self.limit, 1, 300, "limit"),
                attempts_allowed=inputs.bounded_int(self.attempts, 1, 10, "attempts"),
                mark_kind=self.mark_kind,
                course_id=int(self.course_id) if self.course_id else None,
            )
            with db.session(write=True) as s:
                quiz_id = quizzes.create_quiz(s, principal, draft)
        except Refused as exc:
            self.quiz_form_error = exc.message(principal.language)
            return None
        self.quiz_form_error = self.title_in = ""
        self.chosen, self.picked_classes = [], []
        self.form_key += 1
        self.open_quiz, self.review_attempt = str(quiz_id), ""
        self._teacher_fetch()
        return rx.toast.success(t("quiz.created", principal.language))

    @rx.event
    @requires("quiz.write")
    def open_results(self, quiz_id: str):
        qid = inputs.offered(quiz_id, self.my_quizzes)
        if qid is None:
            return
        self.open_quiz, self.review_attempt, self.review_rows = qid, "", []
        row = next(q for q in self.my_quizzes if q["id"] == qid)
        self.open_title = row["title"]
        if inputs.offered(row["subject"], self.subjects) is not None:  # the bank of the test's subject
            self.subject_id = row["subject"]
        with db.session() as s:  # the bank's ticks show the test's questions, to edit its list
            self.chosen = [str(i) for i in quizzes.quiz_question_ids(s, current(), int(qid))]
        self._teacher_fetch()

    @rx.event
    @requires("quiz.write")
    def set_lesson(self, class_id: str, lesson_id: str):
        principal = current()
        if not self.open_quiz:
            return
        cid = inputs.record_id(class_id, "class_id")
        lid = inputs.record_id(lesson_id, "lesson_id")
        with db.session(write=True) as s:
            quizzes.set_lesson(s, principal, int(self.open_quiz), cid, lid)
        self._teacher_fetch()

    @rx.event
    @requires("quiz.write")
    def open_review(self, attempt_id: str):
        aid = inputs.offered(attempt_id, self.results)
        if aid is None:
            return
        self.review_attempt = aid
        self._teacher_fetch()

    @rx.event
    @requires("quiz.write")
    def set_points(self, question_id: str, value: str):
        """The teacher's points for one answer ("" gives the automatic ones back)."""
        principal = current()
        if not self.review_attempt:
            return
        qid = inputs.record_id(question_id, "question_id")
        raw = inputs.text(value, 8, "points").replace(",", ".")
        try:
            points = float(raw) if raw else None
        except ValueError:
            raise Refused("quiz.error.override", "points", max="…") from None
        with db.session(write=True) as s:
            quizzes.override(s, principal, int(self.review_attempt), qid, points)
        self._teacher_fetch()

    @rx.event
    @requires("quiz.write")
    def confirm(self, attempt_id: str):
        principal = current()
        aid = inputs.offered(attempt_id, self.results)
        if aid is None:
            return None
        with db.session(write=True) as s:
            mark = quizzes.confirm(s, principal, int(aid))
        self._teacher_fetch()
        return rx.toast.success(t("quiz.confirmed", principal.language, mark=mark))

    @rx.event
    @requires("quiz.write")
    def export_moodle(self):
        principal = current()
        if not self.open_quiz:
            return None
        with db.session() as s:
            data = quizzes.moodle_xml(s, principal, int(self.open_quiz), principal.language)
        return rx.download(data=data, filename=f"test-{self.open_quiz}-moodle.xml")


# ---------------------------------------------------------------------- the pupil's screens


def _option_button(o: rx.Var, act: str) -> rx.Component:
    """A tap goes to quiz_answers.js (data-act): kept in the browser, shown, sent when it can be."""
    return rx.button(
        rx.cond(o["on"] == "1", rx.icon("circle-check", size=18), rx.icon("circle", size=18)),
        rx.text(_lang(o["ky"], o["ru"]), white_space="normal", text_align="left"),
        type="button",
        data_act=act,
        data_pos=o["pos"],
        variant=rx.cond(o["on"] == "1", "solid", "outline"),
        size="3",
        width="100%",
        justify_content="flex-start",
        height="auto",
        min_height="44px",
        padding_y="8px",
        data_testid="quiz-option",
        data_on=o["on"],
    )


def _match_row(i: rx.Var, left: rx.Var, j: rx.Var) -> rx.Component:
    S = QuizState
    return rx.vstack(
        rx.text(_lang(left["ky"], left["ru"]), weight="medium"),
        rx.select.root(
            rx.select.trigger(placeholder=tr("quiz.pick_pair"), width="100%", data_testid="quiz-match"),
            rx.select.content(
                rx.foreach(S.options[i], lambda o: rx.select.item(_lang(o["ky"], o["ru"]), value=o["pos"]))
            ),
            # Uncontrolled: a pair picked offline shows at once; the server's pick remounts it (key).
            default_value=left["pick"],
            key=i.to(str) + "-" + j.to(str) + "-" + left["pick"],
            on_change=ArgsFunctionOperation.create(("_v",), Var(_js_expr=f"window.bbbmsQuiz?.match({i}, {j}, _v)")),
            size="3",
        ),
        spacing="1",
        width="100%",
    )


def _order_row(o: rx.Var, j: rx.Var) -> rx.Component:
    # Moved offline, quiz_answers.js shows the new order with CSS (order, data-ln) until the server has it.
    return rx.hstack(
        rx.text(
            rx.el.span((j + 1).to(str) + ". ", class_name="qz-num"),
            _lang(o["ky"], o["ru"]),
            flex="1",
            data_testid="quiz-order-item",
        ),
        rx.icon_button(
            rx.icon("arrow-up"), type="button", data_act="up", size="3", variant="soft", data_testid="quiz-up"
        ),
        rx.icon_button(
            rx.icon("arrow-down"), type="button", data_act="down", size="3", variant="soft", data_testid="quiz-down"
        ),
        width="100%",
        align="center",
        data_order_item="1",
        data_pos=o["pos"],
    )


def _question(item: rx.Var, i: rx.Var) -> rx.Component:
    S = QuizState

    def typed(mode: str) -> rx.Component:
        return rx.input(
            default_value=item["answer"],
            key=item["n"] + "-" + item["answer"],
            data_act="type",  # sent by quiz_answers.js when the field loses focus
            size="3",
            width="100%",
            max_length=quizzes.ANSWER_MAX,
            input_mode=mode,
            placeholder=tr("quiz.your_answer"),
            data_testid="quiz-typed",
        )

    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text((i + 1).to(str) + ".", weight="bold"),
                rx.text(_lang(item["ky"], item["ru"]), weight="bold", white_space="pre-wrap"),
                rx.spacer(),
                rx.badge(item["points"], variant="soft"),
                width="100%",
                align="start",
            ),
            rx.cond(
                item["image"] != "",
                rx.image(src=IMAGE_ROUTE + item["image"], max_width="100%", max_height="320px", alt=""),
            ),
            rx.match(
                item["kind"],
                ("single", rx.vstack(rx.foreach(S.options[i], lambda o: _option_button(o, "pick")), width="100%")),
                ("multi", rx.vstack(rx.foreach(S.options[i], lambda o: _option_button(o, "toggle")), width="100%")),
                ("text", typed("text")),
                ("number", typed("decimal")),
                ("match", rx.vstack(rx.foreach(S.lefts[i], lambda left, j: _match_row(i, left, j)), width="100%")),
                ("order", rx.vstack(rx.foreach(S.options[i], _order_row), width="100%")),
                rx.fragment(),
            ),
            # One status line of fixed height whatever it says («saved», «kept on this phone», nothing):
            # a line appearing would move every question below it under the pupil's next tap.
            rx.box(
                rx.cond(
                    item["answered"] == "1",
                    rx.text(
                        tr("quiz.saved"),
                        size="1",
                        color_scheme="grass",
                        class_name="qz-saved",
                        data_testid="quiz-saved",
                    ),
                ),
                rx.text(
                    tr("quiz.kept_here"), size="1", color_scheme="amber", class_name="qz-kept", data_testid="quiz-kept"
                ),
                class_name="qz-status",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        data_testid="quiz-question",
        data_quiz_q="1",
        data_n=item["n"],
        data_kind=item["kind"],
        data_resp=item["resp"],
        data_size=item["size"],
    )


def _attempt() -> rx.Component:
    S = QuizState
    return rx.vstack(
        rx.heading(S.title, size="4"),
        rx.cond(
            S.submitted,
            rx.callout(
                tr("quiz.result") + ": " + S.result,
                icon="circle-check",
                color_scheme="grass",
                width="100%",
                data_testid="quiz-result",
            ),
            rx.callout(
                rx.text(
                    tr("quiz.time_left"),
                    ": ",
                    rx.el.b(custom_attrs={"data-quiz-clock": "1"}, data_testid="quiz-clock"),  # quiz_answers.js
                    " · ",
                    tr("quiz.deadline"),
                    ": ",
                    S.deadline,
                ),
                icon="timer",
                width="100%",
                class_name="qz-deadline",
                data_testid="quiz-deadline",
            ),
        ),
        rx.cond(~S.submitted, rx.text(tr("quiz.saved_as_you_go"), size="2", color_scheme="gray")),
        rx.el.div(
            tr("quiz.outbox"), class_name="qz-outbox", custom_attrs={"data-quiz-outbox": "1"}, data_testid="quiz-outbox"
        ),
        rx.cond(~S.submitted, rx.foreach(S.questions, _question)),
        rx.cond(
            ~S.submitted,
            rx.button(tr("quiz.submit"), on_click=S.submit_attempt, size="4", width="100%", data_testid="quiz-submit"),
        ),
        rx.button(
            tr("quiz.back"), on_click=S.back_to_list, variant="soft", size="3", width="100%", data_testid="quiz-back"
        ),
        spacing="3",
        width="100%",
        max_width="640px",
        # What quiz_answers.js works from: whose and which attempt, the server's deadline and clock.
        custom_attrs={
            "data-quiz-attempt": S.attempt_key,
            "data-owner": S.owner,
            "data-deadline": S.deadline_ms.to(str),
            "data-server-now": S.server_ms.to(str),
            "data-submitted": rx.cond(S.submitted, "1", ""),
        },
    )


def _pupil_card(row: rx.Var) -> rx.Component:
    S = QuizState
    return rx.card(
        rx.vstack(
            rx.text(row["title"], weight="bold", size="4"),
            rx.text(_lang(row["subject"], row["subject_ru"]), size="2", color_scheme="gray"),
            rx.text(row["window"], size="2"),
            rx.text(
                tr("quiz.limit").replace("{n}", row["limit"]),  # type: ignore[attr-defined]
                " · ",
                tr("quiz.attempts_used").replace("{n}", row["attempts"]),  # type: ignore[attr-defined]
                size="2",
            ),
            rx.cond(row["result"] != "", rx.text(tr("quiz.result") + ": " + row["result"], size="2", weight="medium")),
            rx.match(
                row["state"],
                (
                    "open",
                    rx.button(
                        tr("quiz.start"),
                        on_click=S.start_quiz(row["id"]),
                        size="3",
                        width="100%",
                        data_testid="quiz-start",
                    ),
                ),
                (
                    "running",
                    rx.button(
                        tr("quiz.continue"),
                        on_click=S.start_quiz(row["id"]),
                        size="3",
                        width="100%",
                        data_testid="quiz-start",
                    ),
                ),
                ("coming", rx.badge(tr("quiz.state.coming"))),
                ("done", rx.badge(tr("quiz.state.done"), color_scheme="grass")),
                rx.badge(tr("quiz.state.closed"), color_scheme="gray"),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="quiz-card",
    )


ANSWER_CSS = """
.qz-kept, .qz-outbox { display: none; }
.qz-status { min-height: 1.25rem; line-height: 1.25rem; }
[data-quiz-q][data-wait="off"] .qz-kept { display: block; }
[data-quiz-q][data-wait] .qz-saved { display: none; }
.qz-outbox[data-count] { display: block; font-size: 13px; color: var(--amber-11);
  border-left: 3px solid var(--amber-9); padding-left: 6px; }
.qz-outbox[data-count]::before { content: attr(data-count) " "; font-weight: 700; }
[data-quiz-q] [data-act][data-local="1"] { background: var(--accent-9) !important;
  color: var(--accent-contrast) !important; box-shadow: none !important; }
[data-quiz-q] [data-act][data-local="0"] { background: transparent !important;
  color: var(--accent-11) !important; box-shadow: inset 0 0 0 1px var(--accent-a8) !important; }
[data-quiz-q] [data-ln] .qz-num { display: none; }
[data-quiz-q] [data-ln]::before { content: attr(data-ln) ". "; }
[data-locked] [data-quiz-q] { pointer-events: none; opacity: 0.6; }
.qz-deadline[data-low] { color: var(--red-11); }
"""


def _pupil() -> rx.Component:
    S = QuizState
    return rx.fragment(
        rx.script(src="/connection.js"),  # the connection's state, shared with the journal grid's script
        rx.script(src="/quiz_answers.js"),
        rx.el.style(ANSWER_CSS),
        rx.cond(
            S.attempt_open,
            _attempt(),
            rx.cond(
                S.quizzes.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(rx.foreach(S.quizzes, _pupil_card), spacing="3", width="100%", max_width="640px"),
                rx.text(tr("quiz.none_for_you"), color_scheme="gray"),
            ),
        ),
        # quiz_answers.js: whose answers this tab sends, and the two buttons it clicks.
        rx.el.div(hidden=True, custom_attrs={"data-quiz-owner": S.owner}),
        rx.el.button(
            on_click=grade_grid.sync_dispatch(QuizState.sync_answers, "window.bbbmsQuiz?.outbox()"),
            hidden=True,
            custom_attrs={"data-quiz-sync": "1"},
            type="button",
        ),
        rx.el.button(on_click=QuizState.time_up, hidden=True, custom_attrs={"data-quiz-timeup": "1"}, type="button"),
    )


# ---------------------------------------------------------------------- the teacher's screens


def _field(key: str, name: str, value: rx.Var, *, area: bool = False, **props: Any) -> rx.Component:
    S = QuizState
    control = (rx.text_area if area else rx.input)(
        default_value=value,
        on_blur=lambda v: S.set_field(name, v),
        key=S.form_key.to(str) + "-" + name,
        width="100%",
        data_testid=f"quiz-{name}",
        **props,
    )
    return rx.vstack(rx.text(tr(key), size="2", weight="medium"), control, spacing="1", width="100%")


def _when_fields(key: str, name: str, day: rx.Var, clock: rx.Var) -> rx.Component:
    S = QuizState
    return rx.vstack(
        rx.text(tr(key), size="2", weight="medium"),
        rx.hstack(
            date_input(day, getattr(S, f"set_{name}_day"), testid=f"quiz-{name}-day", width="100%"),
            rx.input(
                default_value=clock,
                on_blur=lambda v: S.set_field(f"{name}_time", v),
                key=S.form_key.to(str) + f"-{name}-time",
                placeholder="08:00",
                input_mode="numeric",
                width="90px",
                data_testid=f"quiz-{name}-time",
            ),
            width="100%",
        ),
        spacing="1",
        width="100%",
    )


def _bank_row(row: rx.Var) -> rx.Component:
    S = QuizState
    return rx.table.row(
        rx.table.cell(
            rx.checkbox(
                checked=S.chosen.contains(row["id"]),  # type: ignore[attr-defined]
                on_change=lambda v: S.choose(row["id"], v),
                data_testid="quiz-choose",
            )
        ),
        rx.table.cell(row["topic"]),
        rx.table.cell(rx.match(row["kind"], *[(k, _kind_label(k)) for k in QUESTION_KINDS], "")),
        rx.table.cell(
            rx.text(_lang(row["text"], row["text_ru"]), white_space="pre-wrap"),
            rx.cond(row["image"] != "", rx.image(src=IMAGE_ROUTE + row["image"], max_height="80px", alt="")),
        ),
        rx.table.cell(row["key"]),
        rx.table.cell(row["points"]),
        rx.table.cell(
            rx.hstack(
                rx.badge(tr("quiz.version"), " ", row["version"], variant="soft", color_scheme="gray"),
                rx.button(
                    tr("quiz.edit"),
                    on_click=S.edit_question(row["id"]),
                    size="1",
                    variant="soft",
                    data_testid="quiz-edit",
                ),
                spacing="1",
            )
        ),
        data_testid="quiz-bank-row",
    )


def _kind_label(k: str) -> rx.Var:
    return tr(f"quiz.kind.{k}")


def _deleted_question(row: rx.Var) -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.text(row["text"], weight="medium", white_space="pre-wrap"),
            rx.text(row["when"], " · ", row["reason"], size="1", color_scheme="gray"),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        rx.button(
            rx.icon("undo-2", size=14),
            tr("quiz.restore"),
            on_click=QuizState.restore_question(row["id"]),
            size="1",
            variant="soft",
            data_testid="quiz-restore",
        ),
        gap="8px",
        align="center",
        width="100%",
        data_testid="quiz-deleted-row",
    )


def _deleted_questions() -> rx.Component:
    S = QuizState
    return rx.cond(
        S.deleted_rows.length() > 0,  # type: ignore[attr-defined]
        rx.vstack(
            rx.heading(tr("quiz.deleted_questions"), size="3"),
            rx.foreach(S.deleted_rows, _deleted_question),
            spacing="2",
            width="100%",
            data_testid="quiz-deleted",
        ),
    )


def _bank() -> rx.Component:
    S = QuizState
    return rx.card(
        rx.vstack(
            rx.heading(tr("quiz.bank"), size="4"),
            rx.cond(
                S.bank_rows.length() > 0,  # type: ignore[attr-defined]
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell(""),
                                rx.table.column_header_cell(tr("quiz.field.topic")),
                                rx.table.column_header_cell(tr("quiz.field.kind")),
                                rx.table.column_header_cell(tr("quiz.field.question")),
                                rx.table.column_header_cell(tr("quiz.field.answer")),
                                rx.table.column_header_cell(tr("quiz.field.points")),
                                rx.table.column_header_cell(""),
                            )
                        ),
                        rx.table.body(rx.foreach(S.bank_rows, _bank_row)),
                        size="1",
                        width="100%",
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
                rx.text(tr("quiz.bank_empty"), color_scheme="gray"),
            ),
            _deleted_questions(),
            rx.cond(
                S.editing != "",
                rx.vstack(
                    rx.heading(
                        tr("quiz.editing").replace("{n}", S.editing_version), size="3", data_testid="quiz-editing"
                    ),  # type: ignore[attr-defined]
                    rx.text(tr("quiz.edit_help"), size="1", color_scheme="gray"),
                    spacing="1",
                    width="100%",
                ),
                rx.heading(tr("quiz.new_question"), size="3"),
            ),
            rx.grid(
                rx.vstack(
                    rx.text(tr("quiz.field.kind"), size="2", weight="medium"),
                    rx.select.root(
                        rx.select.trigger(width="100%", data_testid="quiz-kind"),
                        rx.select.content(*[rx.select.item(_kind_label(k), value=k) for k in QUESTION_KINDS]),
                        value=S.q_kind,
                        on_change=S.set_kind,
                    ),
                    spacing="1",
                    width="100%",
                ),
                _field("quiz.field.topic", "q_topic", S.q_topic),
                _field("quiz.field.points", "q_points", S.q_points, input_mode="numeric"),
                columns=rx.breakpoints(initial="1", sm="3"),
                spacing="3",
                width="100%",
            ),
            _field("quiz.field.text_ky", "q_ky", S.q_ky, area=True, rows="2"),
            _field("quiz.field.text_ru", "q_ru", S.q_ru, area=True, rows="2"),
            _field("quiz.field.options", "q_options", S.q_options, area=True, rows="4"),
            _field("quiz.field.answer", "q_answer", S.q_answer),
            rx.upload(
                rx.hstack(rx.icon("image", size=18), rx.text(tr("quiz.image_drop"), size="2"), align="center"),
                id=IMAGE_UPLOAD_ID,
                multiple=False,
                max_files=1,
                max_size=quizzes.IMAGE_MAX_BYTES,
                accept={"image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"]},
                on_drop=S.attach_image(rx.upload_files(upload_id=IMAGE_UPLOAD_ID)),  # type: ignore[call-arg]
                border=f"1px dashed {rx.color('accent', 8)}",
                border_radius="8px",
                padding="8px",
                width="100%",
                cursor="pointer",
            ),
            rx.cond(S.image_label != "", rx.text(S.image_label, size="2", data_testid="quiz-image-label")),
            rx.text(tr("quiz.form_help"), size="1", color_scheme="gray", white_space="pre-wrap"),
            rx.cond(
                S.form_error != "", rx.callout(S.form_error, color_scheme="red", width="100%", data_testid="quiz-error")
            ),
            rx.cond(
                S.editing != "",
                rx.vstack(
                    rx.hstack(
                        rx.button(tr("quiz.save_question"), on_click=S.save_question, data_testid="quiz-save"),
                        rx.button(tr("quiz.cancel"), on_click=S.cancel_edit, variant="soft", color_scheme="gray"),
                        wrap="wrap",
                    ),
                    _field("quiz.field.reason", "q_reason", S.q_reason),
                    rx.alert_dialog.root(  # asked twice: the question says where it can be taken back
                        rx.alert_dialog.trigger(
                            rx.button(
                                tr("quiz.delete_question"),
                                color_scheme="red",
                                variant="soft",
                                data_testid="quiz-delete",
                            )
                        ),
                        rx.alert_dialog.content(
                            rx.alert_dialog.title(tr("quiz.delete_question")),
                            rx.alert_dialog.description(tr("quiz.confirm_delete")),
                            rx.flex(
                                rx.alert_dialog.cancel(
                                    rx.button(
                                        tr("quiz.cancel"),
                                        variant="soft",
                                        color_scheme="gray",
                                        data_testid="confirm-cancel",
                                    )
                                ),
                                rx.alert_dialog.action(
                                    rx.button(
                                        tr("quiz.delete_question"),
                                        color_scheme="red",
                                        on_click=S.delete_question,
                                        data_testid="confirm-delete",
                                    )
                                ),
                                gap="12px",
                                justify="end",
                                margin_top="16px",
                            ),
                            max_width="420px",
                        ),
                    ),
                    spacing="2",
                    width="100%",
                ),
                rx.button(tr("quiz.add_question"), on_click=S.add_question, data_testid="quiz-add"),
            ),
            rx.heading(tr("quiz.import"), size="3"),
            rx.text(tr("quiz.import_help"), size="1", color_scheme="gray", white_space="pre-wrap"),
            rx.upload(
                rx.vstack(rx.icon("upload", size=20), rx.text(tr("quiz.import_drop"), size="2"), align="center"),
                id=UPLOAD_ID,
                multiple=False,
                max_files=1,
                max_size=MAX_IMPORT_BYTES,
                accept={"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"]},
                on_drop=S.import_file(rx.upload_files(upload_id=UPLOAD_ID)),  # type: ignore[call-arg]
                border=f"1px dashed {rx.color('accent', 8)}",
                border_radius="8px",
                padding="12px",
                width="100%",
                cursor="pointer",
            ),
            rx.cond(
                S.import_error != "",
                rx.callout(
                    S.import_error,
                    color_scheme="red",
                    width="100%",
                    white_space="pre-wrap",
                    data_testid="quiz-import-error",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _new_quiz() -> rx.Component:
    S = QuizState
    return rx.card(
        rx.vstack(
            rx.heading(tr("quiz.new_test"), size="4"),
            rx.cond(
                S.course_title != "",
                rx.badge(tr("quiz.course"), ": ", S.course_title, size="2", data_testid="quiz-course"),
            ),
            _field("quiz.field.title", "title", S.title_in),
            rx.text(tr("quiz.field.classes"), size="2", weight="medium"),
            rx.flex(
                rx.foreach(
                    S.class_rows,
                    lambda c: rx.checkbox(
                        c["name"],
                        checked=S.picked_classes.contains(c["id"]),  # type: ignore[attr-defined]
                        on_change=lambda v: S.pick_class(c["id"], v),
                        data_testid="quiz-class",
                    ),
                ),
                gap="16px",
                wrap="wrap",
            ),
            rx.text(
                tr("quiz.chosen").replace("{n}", S.chosen.length().to(str)),  # type: ignore[attr-defined]
                size="2",
            ),
            rx.grid(
                _field("quiz.field.draw_topic", "topic", S.topic),
                _field("quiz.field.draw_count", "draw_count", S.draw_count, input_mode="numeric"),
                _field("quiz.field.limit", "limit", S.limit, input_mode="numeric"),
                _field("quiz.field.attempts", "attempts", S.attempts, input_mode="numeric"),
                _when_fields("quiz.field.opens", "opens", S.opens_day, S.opens_time),
                _when_fields("quiz.field.closes", "closes", S.closes_day, S.closes_time),
                rx.vstack(
                    rx.text(tr("quiz.field.mark_kind"), size="2", weight="medium"),
                    rx.select.root(
                        rx.select.trigger(width="100%"),
                        rx.select.content(*[rx.select.item(tr(f"journal.kind.{k}"), value=k) for k in MARK_KINDS]),
                        value=S.mark_kind,
                        on_change=S.set_mark_kind,
                    ),
                    spacing="1",
                    width="100%",
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                S.quiz_form_error != "",
                rx.callout(S.quiz_form_error, color_scheme="red", width="100%", data_testid="quiz-form-error"),
            ),
            rx.button(tr("quiz.create"), on_click=S.create, data_testid="quiz-create"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _results() -> rx.Component:
    S = QuizState
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(S.open_title, size="4"),
                rx.spacer(),
                rx.button(
                    rx.icon("download"),
                    tr("quiz.export_moodle"),
                    on_click=S.export_moodle,
                    variant="soft",
                    data_testid="quiz-moodle",
                ),
                width="100%",
                wrap="wrap",
            ),
            rx.foreach(
                S.quiz_class_rows,
                lambda c, k: rx.vstack(
                    rx.text(tr("quiz.lesson_for").replace("{class}", c["name"]), size="2"),  # type: ignore[attr-defined]
                    rx.select.root(
                        rx.select.trigger(placeholder=tr("quiz.pick_lesson"), width="100%", data_testid="quiz-lesson"),
                        rx.select.content(
                            rx.foreach(S.lesson_options[k], lambda o: rx.select.item(o["name"], value=o["id"]))
                        ),
                        value=c["lesson"],
                        on_change=lambda v: S.set_lesson(c["id"], v),
                    ),
                    spacing="1",
                    width="100%",
                ),
            ),
            rx.button(
                tr("quiz.save_test_questions"),
                " (",
                S.chosen.length().to(str),  # type: ignore[attr-defined]
                ")",
                on_click=S.save_test_questions,
                variant="soft",
                size="2",
                data_testid="quiz-save-questions",
            ),
            rx.heading(tr("quiz.attempts_title"), size="3"),
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(tr(k))
                                for k in ("quiz.col.pupil", "quiz.col.class", "quiz.col.score", "quiz.col.mark")
                            ],
                            rx.table.column_header_cell(""),
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            S.results,
                            lambda r: rx.table.row(
                                rx.table.cell(r["pupil"]),
                                rx.table.cell(r["class"]),
                                rx.table.cell(rx.cond(r["score"] != "", r["score"], tr("quiz.state.running"))),
                                rx.table.cell(r["mark"], data_testid="quiz-mark"),
                                rx.table.cell(
                                    rx.hstack(
                                        rx.button(
                                            tr("quiz.review"), on_click=S.open_review(r["id"]), size="1", variant="soft"
                                        ),
                                        rx.cond(
                                            r["state"] == "confirmed",
                                            rx.badge(tr("quiz.state.confirmed"), color_scheme="grass"),
                                            rx.cond(
                                                r["state"] == "submitted",
                                                rx.button(
                                                    tr("quiz.confirm"),
                                                    on_click=S.confirm(r["id"]),
                                                    size="1",
                                                    data_testid="quiz-confirm",
                                                ),
                                            ),
                                        ),
                                    )
                                ),
                            ),
                        )
                    ),
                    size="1",
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.heading(tr("quiz.per_question"), size="3"),
            rx.foreach(
                S.question_stats,
                lambda r: rx.hstack(
                    rx.badge(
                        r["right_pct"],
                        color_scheme=rx.cond(r["wrong"] == "0", "grass", "red"),
                        data_testid="quiz-stat-pct",
                    ),
                    rx.text(_lang(r["text"], r["text_ru"]), size="2", flex="1"),
                    rx.text(tr("quiz.wrong_of").replace("{wrong}", r["wrong"]).replace("{n}", r["answered"]), size="1"),  # type: ignore[attr-defined]
                    width="100%",
                    data_testid="quiz-stat",
                ),
            ),
            rx.cond(
                S.review_attempt != "",
                rx.vstack(
                    rx.heading(tr("quiz.review"), size="3"),
                    rx.foreach(
                        S.review_rows,
                        lambda r: rx.card(
                            rx.vstack(
                                rx.text(r["n"] + ". " + r["text"], weight="medium"),
                                rx.text(tr("quiz.given") + ": " + r["given"], size="2"),
                                rx.text(tr("quiz.field.answer") + ": " + r["key"], size="2", color_scheme="grass"),
                                rx.hstack(
                                    rx.text(tr("quiz.auto") + ": " + r["auto"] + " / " + r["max"], size="2"),
                                    rx.input(
                                        default_value=r["override"],
                                        on_blur=lambda v: S.set_points(r["question_id"], v),
                                        key=S.review_attempt + "-" + r["question_id"] + "-" + r["override"],
                                        placeholder=tr("quiz.override"),
                                        width="120px",
                                        input_mode="decimal",
                                    ),
                                    align="center",
                                ),
                                spacing="1",
                            ),
                            width="100%",
                        ),
                    ),
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _teacher() -> rx.Component:
    S = QuizState
    return rx.vstack(
        rx.cond(
            S.subjects.length() > 0,  # type: ignore[attr-defined]
            rx.hstack(
                rx.text(tr("quiz.field.subject"), weight="medium"),
                rx.select.root(
                    rx.select.trigger(data_testid="quiz-subject"),
                    rx.select.content(rx.foreach(S.subjects, lambda o: rx.select.item(o["name"], value=o["id"]))),
                    value=S.subject_id,
                    on_change=S.set_subject,
                ),
                align="center",
            ),
            rx.text(tr("quiz.no_subjects"), color_scheme="gray"),
        ),
        rx.heading(tr("quiz.tests"), size="4"),
        rx.cond(
            S.my_quizzes.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.foreach(
                    S.my_quizzes,
                    lambda q: rx.hstack(
                        rx.vstack(
                            rx.text(q["title"], weight="bold"),
                            rx.text(q["classes"], " · ", q["window"], size="1", color_scheme="gray"),
                            spacing="0",
                            flex="1",
                        ),
                        rx.badge(tr("quiz.submitted_n").replace("{n}", q["submitted"])),  # type: ignore[attr-defined]
                        rx.button(tr("quiz.results"), on_click=S.open_results(q["id"]), size="2", variant="soft"),
                        width="100%",
                        align="center",
                        data_testid="quiz-row",
                    ),
                ),
                width="100%",
            ),
            rx.text(tr("quiz.none_given"), color_scheme="gray"),
        ),
        rx.cond(S.open_quiz != "", _results()),
        _new_quiz(),
        _bank(),
        spacing="4",
        width="100%",
    )


def _family_card(row: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(row["pupil"], size="2", color_scheme="gray"),
            rx.text(row["title"], weight="bold"),
            rx.text(
                _lang(row["subject"], row["subject_ru"]),
                " · ",
                tr("quiz.attempt_n").replace("{n}", row["number"]),  # type: ignore[attr-defined]
                " · ",
                row["when"],
                size="2",
            ),
            rx.match(
                row["state"],
                ("running", rx.badge(tr("quiz.state.running"))),
                (
                    "confirmed",
                    rx.hstack(
                        rx.text(tr("quiz.result") + ": " + row["result"], weight="medium"),
                        rx.badge(tr("quiz.state.confirmed"), color_scheme="grass"),
                        wrap="wrap",
                    ),
                ),
                rx.hstack(
                    rx.text(tr("quiz.result") + ": " + row["result"], weight="medium"),
                    rx.badge(tr("quiz.state.submitted"), color_scheme="gray"),
                    wrap="wrap",
                ),
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
        data_testid="quiz-family-row",
    )


def _family() -> rx.Component:
    """A parent's children's results: read only, no answers, no key."""
    S = QuizState
    return rx.vstack(
        rx.heading(tr("quiz.family_title"), size="4"),
        rx.cond(
            S.family_rows.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(rx.foreach(S.family_rows, _family_card), spacing="2", width="100%"),
            rx.text(tr("quiz.family_none"), color_scheme="gray"),
        ),
        spacing="3",
        width="100%",
        max_width="640px",
    )


def _body() -> rx.Component:
    return rx.match(
        QuizState.mode,
        ("pupil", _pupil()),
        ("teacher", _teacher()),
        ("family", _family()),
        rx.text(tr("quiz.nothing_here"), color_scheme="gray"),
    )


quiz_page = page_shell("nav.tests", _body)
