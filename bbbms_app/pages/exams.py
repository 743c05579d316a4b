"""/exams: exam and final marks of grades 9 and 11 (services/journal/exams.py).

One class × one subject is one sheet: per pupil the year mark, the exam mark and the final mark
with its suggestion (round((year + exam) / 2), a tie the pupil's way). The subject's teacher
enters them; a leader corrects with a reason; a final mark other than the suggestion needs one.
On a phone the sheet is a list of cards (375 px), on a desk a table.
"""

from __future__ import annotations

from datetime import date

import reflex as rx

from bbbms_app import db
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current, requires
from bbbms_app.auth.state import AuthState
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.i18n import t
from bbbms_app.services import grading, journal
from bbbms_app.services import school as school_service
from bbbms_app.services.journal import exams

NO_MARK = "—"


def _text(value: int | None, special: str) -> str:
    return str(value) if value is not None else special


class ExamsState(rx.State):
    """The chosen class and subject, and the sheet's rows ready to show."""

    class_options: list[dict[str, str]] = []
    subject_options: list[dict[str, str]] = []
    class_id: str = ""
    subject_id: str = ""
    rows: list[dict[str, str]] = []
    choices: list[str] = []  # the marks a cell offers: the scale's, «н/а», «осв» (and «зач» where set)
    can_write: bool = False  # the subject's teacher
    can_correct: bool = False  # a leader: corrections with a reason
    senior: bool = False  # an 11th grade: its «year» is the mean of grades 10–11
    reason: str = ""
    _versions: dict[str, int] = {}  # "pupil:kind" -> the version the user saw

    def _fetch(self) -> None:
        principal = current()
        if not self.class_id or not self.subject_id:
            self.rows, self.can_write, self.can_correct = [], False, False
            return
        with db.session() as s:  # out of scope: the guard refuses, audits and puts the vars back
            sheet = exams.exam_sheet(s, principal, int(self.class_id), int(self.subject_id))
        rules = sheet.rules
        marks = range(rules.max_value, rules.min_value - 1, -1) if rules.has_marks else ()
        self.choices = [*(str(v) for v in marks), *grading.period_specials(rules, sheet.subject.code)]
        self.can_write, self.can_correct = sheet.write, sheet.correct
        self.senior = sheet.cls.grade == 11
        versions: dict[str, int] = {}
        rows = []
        for n, r in enumerate(sheet.rows, start=1):
            pid = str(r.pupil.id)
            versions[f"{pid}:exam"], versions[f"{pid}:final"] = r.exam[2], r.final[2]
            rows.append(
                {
                    "no": str(n),
                    "id": pid,
                    "name": r.pupil.name,
                    "year": _text(*r.year) or NO_MARK,
                    "exam": _text(*r.exam[:2]),
                    "final": _text(*r.final[:2]),
                    "suggestion": r.suggestion.text,
                }
            )
        self._versions = versions
        self.rows = rows

    def _subjects(self) -> None:
        principal = current()
        self.subject_options = []
        if not self.class_id:
            return
        with db.session() as s:
            cls = journal.class_in_school(s, principal, int(self.class_id))
            subjects = exams.exam_subjects(s, principal, cls)
            self.subject_options = [
                {"id": str(sub.id), "ky": sub.name_ky, "ru": sub.name_ru, "en": sub.name_en or sub.name_ru}
                for sub in subjects
            ]
        if self.subject_id not in {o["id"] for o in self.subject_options}:
            self.subject_id = self.subject_options[0]["id"] if self.subject_options else ""

    @rx.event
    @requires("journal.read")
    def load(self):
        principal = current()
        with db.session() as s:
            ctx = school_service.context(s, principal, date.today())
            classes = exams.exam_classes(s, principal, ctx["year_id"])
        self.class_options = [
            {"id": str(c.id), **dict.fromkeys(("ky", "ru", "en"), journal.class_label(c))} for c in classes
        ]
        if self.class_id not in {o["id"] for o in self.class_options}:
            self.class_id = self.class_options[0]["id"] if self.class_options else ""
        self._subjects()
        self._fetch()

    @rx.event
    @requires("journal.read")
    def set_class(self, value: str):
        if (chosen := inputs.offered(value, self.class_options)) is not None:
            self.class_id = chosen
            self._subjects()
            self._fetch()

    @rx.event
    @requires("journal.read")
    def set_subject(self, value: str):
        if (chosen := inputs.offered(value, self.subject_options)) is not None:
            self.subject_id = chosen
            self._fetch()

    @rx.event
    @requires("journal.read")
    def set_reason(self, value: str):
        self.reason = inputs.text(value, 300, "reason")

    @rx.event
    @requires("journal.read")
    def set_mark(self, pupil_id: str, kind: str, text: str):
        """Set a pupil's exam or final mark to `text` (a mark, a special, or "" to clear it);
        the service checks who may (the subject's teacher, a leader with a reason) and audits it."""
        principal = current()
        lang = principal.language
        pid = inputs.record_id(pupil_id, "pupil_id")
        kind = inputs.choice(kind, list(exams.KINDS), "kind")
        text = str(text or "")[:8]
        if text and text not in self.choices:
            return rx.toast.error(t("journal.error.period_value", lang, value=text))
        value = int(text) if text.isdigit() else None
        special = "" if value is not None or not text else text
        try:
            with journal.write_session() as s:
                exams.set_exam_mark(
                    s, principal, int(self.class_id), int(self.subject_id), pid, kind, value=value,
                    special=special, reason=self.reason, expected_version=self._versions.get(f"{pid}:{kind}", 0),
                )  # fmt: skip
        except journal.JournalError as exc:
            with db.session() as s:
                journal.record_refusal(s, principal, "periodmark", exc)
            self._fetch()
            return rx.toast.error(t(exc.key, lang, **exc.params), duration=6000)
        self._fetch()
        return rx.toast.success(t("exams.saved", lang))


def _mark_select(row: rx.Var, kind: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder=NO_MARK, aria_label=tr(f"exams.col.{kind}"), data_testid=f"exam-{kind}"),
        rx.select.content(rx.foreach(ExamsState.choices, lambda c: rx.select.item(c, value=c))),
        value=row[kind],
        on_change=lambda v: ExamsState.set_mark(row["id"], kind, v),
        disabled=~(ExamsState.can_write | ExamsState.can_correct),
        size="2",
    )


def _card(row: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(row["no"], ". ", row["name"], weight="bold"),
            rx.hstack(
                rx.vstack(
                    rx.text(rx.cond(ExamsState.senior, tr("exams.col.senior"), tr("exams.col.year")), size="1"),
                    rx.text(row["year"], size="4"),
                    spacing="1",
                ),
                rx.vstack(rx.text(tr("exams.col.exam"), size="1"), _mark_select(row, "exam"), spacing="1"),
                rx.vstack(rx.text(tr("exams.col.final"), size="1"), _mark_select(row, "final"), spacing="1"),
                spacing="4",
                align="start",
                wrap="wrap",
            ),
            rx.cond(
                row["suggestion"] != "",
                rx.text(tr("journal.col.suggested"), ": ", row["suggestion"], size="2", color_scheme="gray"),
            ),
            spacing="2",
        ),
        width="100%",
        data_testid="exam-row",
    )


def _name(o: rx.Var) -> rx.Var:
    return rx.match(AuthState.lang, ("ru", o["ru"]), ("en", o["en"]), o["ky"])


def _picker(options: rx.Var, value: rx.Var, on_change, label: str, testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(tr(label), size="2"),
        rx.select.root(
            rx.select.trigger(min_width="10em", data_testid=testid),
            rx.select.content(rx.foreach(options, lambda o: rx.select.item(_name(o), value=o["id"]))),
            value=value,
            on_change=on_change,
        ),
        spacing="1",
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.text(tr("exams.hint"), color_scheme="gray", size="2"),
        rx.cond(ExamsState.senior, rx.text(tr("exams.hint.senior"), color_scheme="gray", size="2")),
        rx.cond(
            ExamsState.class_options.length() > 0,
            rx.vstack(
                rx.flex(
                    _picker(
                        ExamsState.class_options, ExamsState.class_id, ExamsState.set_class, "col.class", "exam-class"
                    ),
                    _picker(
                        ExamsState.subject_options,
                        ExamsState.subject_id,
                        ExamsState.set_subject,
                        "col.subject",
                        "exam-subject",
                    ),
                    rx.cond(
                        ExamsState.can_write | ExamsState.can_correct,
                        rx.vstack(
                            rx.text(tr("journal.period.reason"), size="2"),
                            rx.input(
                                value=ExamsState.reason,
                                on_change=ExamsState.set_reason,
                                max_length=300,
                                data_testid="exam-reason",
                            ),
                            spacing="1",
                        ),
                    ),
                    gap="12px",
                    wrap="wrap",
                    align="end",
                ),
                rx.grid(
                    rx.foreach(ExamsState.rows, _card),
                    columns=rx.breakpoints(initial="1", md="2", lg="3"),
                    spacing="3",
                    width="100%",
                ),
                width="100%",
                spacing="3",
            ),
            rx.text(tr("exams.empty"), data_testid="exams-empty"),
        ),
        width="100%",
        spacing="3",
        lang=AuthState.lang,
    )


exams_page = page_shell("exams.title", _body)
