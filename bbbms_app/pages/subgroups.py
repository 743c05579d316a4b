"""/subgroups: the deputy director or the class teacher splits a class into groups for a subject.

Pick a class (leaders: any class with a subject taught in groups; the class teacher: his own) and
one of its split subjects; every current pupil gets a group (or none) in a segmented choice, or
the whole list is cut alphabetically into equal runs with one button; Save writes the changes
(services.subgroups.save_membership: scoped, audited, all or nothing). Every handler declares
`subgroup.write`; the service checks the class scope again whatever the browser sends.
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
from bbbms_app.i18n import LANGUAGES, t, translations
from bbbms_app.services import school as school_service
from bbbms_app.services import subgroups


class SubgroupsState(rx.State):
    """The chosen class × subject, its pupils with their groups, and what is not saved yet."""

    class_options: list[dict[str, str]] = []
    subject_options: list[dict[str, str]] = []
    class_id: str = ""
    subject_id: str = ""
    choices: list[dict[str, str]] = []  # "0" (no group) and the subject's groups
    teachers: list[dict[str, str]] = []  # one line per group: ky / ru / en
    counts: list[dict[str, str]] = []
    rows: list[dict[str, str]] = []  # name, group
    dirty: bool = False

    _pupil_ids: list[int] = []
    _groups: list[int] = []

    def _fetch_subjects(self, s) -> None:
        principal = current()
        found = subgroups.split_subjects(s, principal, int(self.class_id)) if self.class_id else []
        self.subject_options = [{"id": str(x.subject_id), **x.names} for x in found]
        if self.subject_id not in {o["id"] for o in self.subject_options}:
            self.subject_id = self.subject_options[0]["id"] if self.subject_options else ""

    def _fetch(self, s) -> None:
        principal = current()
        self.dirty = False
        if not (self.class_id and self.subject_id):
            self.rows, self.choices, self.teachers, self.counts = [], [], [], []
            self._pupil_ids, self._groups = [], []
            return
        subject, rows = subgroups.membership(s, principal, int(self.class_id), int(self.subject_id), date.today())
        self._groups = list(subject.groups)
        self._pupil_ids = [r.pupil_id for r in rows]
        self.choices = [{"value": "0", "label": "—"}] + [{"value": str(g), "label": str(g)} for g in subject.groups]
        self.teachers = [
            translations("subgroups.teacher", group=g, teacher=subject.teachers[g]) for g in subject.groups
        ]
        self.rows = [{"name": r.name, "group": str(r.subgroup)} for r in rows]
        self._count()

    def _count(self) -> None:
        values = [r["group"] for r in self.rows]
        self.counts = [translations("subgroups.count", group=g, n=values.count(str(g))) for g in self._groups] + [
            {lang: f"{t('subgroups.none', lang)}: {values.count('0')}" for lang in LANGUAGES}
        ]

    @rx.event
    @requires("subgroup.write")
    def load(self):
        principal = current()
        with db.session() as s:
            ctx = school_service.context(s, principal, date.today())
            self.class_options = subgroups.splittable_classes(s, principal, ctx["year_id"])
            if self.class_id not in {o["id"] for o in self.class_options}:
                self.class_id = self.class_options[0]["id"] if self.class_options else ""
            self._fetch_subjects(s)
            self._fetch(s)

    @rx.event
    @requires("subgroup.write")
    def set_class(self, value: str):
        value = inputs.offered(value, self.class_options)
        if value is None:
            return
        self.class_id = value
        with db.session() as s:
            self._fetch_subjects(s)
            self._fetch(s)

    @rx.event
    @requires("subgroup.write")
    def set_subject(self, value: str):
        value = inputs.offered(value, self.subject_options)
        if value is None:
            return
        self.subject_id = value
        with db.session() as s:
            self._fetch(s)

    @rx.event
    @requires("subgroup.write")
    def set_group(self, index: int, value: str):
        value = str(value)[:2]
        if not (0 <= index < len(self.rows)) or value not in {c["value"] for c in self.choices}:
            return
        rows = list(self.rows)
        rows[index] = {**rows[index], "group": value}
        self.rows = rows
        self.dirty = True
        self._count()

    @rx.event
    @requires("subgroup.write")
    def halves(self):
        """Cut the list (already in alphabetical order) into equal runs, one per group; not saved yet."""
        if not self._groups:
            return
        split = subgroups.halves(list(range(len(self.rows))), tuple(self._groups))
        self.rows = [{**row, "group": str(split[i])} for i, row in enumerate(self.rows)]
        self.dirty = True
        self._count()

    @rx.event
    @requires("subgroup.write")
    def save(self):
        principal = current()
        if not (self.class_id and self.subject_id) or len(self.rows) != len(self._pupil_ids):
            return
        wanted = {pid: int(row["group"]) for pid, row in zip(self._pupil_ids, self.rows, strict=True)}
        try:
            with db.session(write=True) as s:
                n = subgroups.save_membership(
                    s, principal, int(self.class_id), int(self.subject_id), wanted, date.today()
                )
        except subgroups.SubgroupError as exc:
            return rx.toast.error(t(exc.key, principal.language, **exc.params))
        with db.session() as s:
            self._fetch(s)
        return rx.toast.success(t("subgroups.saved", principal.language, n=n))


def _label(o) -> rx.Var:
    return rx.match(AuthState.lang, ("ru", o["ru"]), ("en", o["en"]), o["ky"])


def _pickers() -> rx.Component:
    return rx.flex(
        rx.select.root(
            rx.select.trigger(placeholder=tr("subgroups.pick.class"), data_testid="sg-class"),
            rx.select.content(
                rx.foreach(SubgroupsState.class_options, lambda o: rx.select.item(o["name"], value=o["id"]))
            ),
            value=SubgroupsState.class_id,
            on_change=SubgroupsState.set_class,
        ),
        rx.select.root(
            rx.select.trigger(placeholder=tr("subgroups.pick.subject"), data_testid="sg-subject"),
            rx.select.content(
                rx.foreach(SubgroupsState.subject_options, lambda o: rx.select.item(_label(o), value=o["id"]))
            ),
            value=SubgroupsState.subject_id,
            on_change=SubgroupsState.set_subject,
        ),
        spacing="2",
        wrap="wrap",
        align="center",
    )


def _row(row, i) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(i + 1, color_scheme="gray", size="1")),
        rx.table.cell(row["name"]),
        rx.table.cell(
            rx.segmented_control.root(
                rx.foreach(
                    SubgroupsState.choices,
                    lambda c: rx.segmented_control.item(c["label"], value=c["value"]),
                ),
                value=row["group"],
                on_change=lambda value: SubgroupsState.set_group(i, value),
                size="1",
                data_testid=f"sg-row-{i}",
            )
        ),
        data_testid="sg-row",
    )


def _table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("№", width="2.5em"),
                    rx.table.column_header_cell(tr("subgroups.col.pupil")),
                    rx.table.column_header_cell(tr("subgroups.col.group")),
                )
            ),
            rx.table.body(rx.foreach(SubgroupsState.rows, _row)),
            size="1",
            variant="surface",
            data_testid="sg-table",
        ),
        overflow_x="auto",
        width="100%",
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.cond(
            SubgroupsState.class_options.length() == 0,  # type: ignore[attr-defined]
            rx.callout(tr("subgroups.no_classes"), icon="info", color_scheme="gray", data_testid="sg-none"),
        ),
        _pickers(),
        rx.cond(
            SubgroupsState.subject_id != "",
            rx.fragment(
                rx.flex(
                    rx.foreach(SubgroupsState.teachers, lambda line: rx.badge(_label(line), variant="soft")),
                    rx.foreach(
                        SubgroupsState.counts,
                        lambda line: rx.badge(_label(line), color_scheme="gray", data_testid="sg-count"),
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                rx.text(tr("subgroups.help"), size="2", color_scheme="gray"),
                rx.flex(
                    rx.button(
                        rx.icon("split", size=16),
                        tr("subgroups.halves"),
                        on_click=SubgroupsState.halves,
                        variant="soft",
                        size="2",
                        data_testid="sg-halves",
                    ),
                    rx.button(
                        rx.icon("save", size=16),
                        tr("subgroups.save"),
                        on_click=SubgroupsState.save,
                        disabled=~SubgroupsState.dirty,
                        size="2",
                        data_testid="sg-save",
                    ),
                    rx.cond(
                        SubgroupsState.dirty,
                        rx.text(tr("subgroups.unsaved"), size="1", color_scheme="orange", data_testid="sg-dirty"),
                    ),
                    spacing="2",
                    wrap="wrap",
                    align="center",
                ),
                rx.cond(
                    SubgroupsState.rows.length() == 0,  # type: ignore[attr-defined]
                    rx.callout(tr("subgroups.no_pupils"), icon="info", color_scheme="gray"),
                    _table(),
                ),
            ),
        ),
        spacing="3",
        width="100%",
        align="stretch",
    )


subgroups_page = page_shell("subgroups.title", _body)
