"""Courses (`/courses`, issue 18 #1, #2, #6): the list of one's courses and a course's page.

The teacher builds his course (modules, materials: text, a file, a link, a video link;
assignments), publishes modules, reviews hand-ins and puts the mark into the journal on a lesson
he picks. A pupil (at 375 px first) reads the published modules and hands in text and files; his
parents read. The director and the deputy read every course. services.courses checks every call's
scope, whatever the browser sends: the read handlers declare `signed_in` because pupils and
parents read through `own.read` and staff through `course.read` / `course.write`.
"""

from __future__ import annotations

from typing import ClassVar

import reflex as rx
from reflex.components.sonner.toast import ToastAction

from bbbms_app import db
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current, requires
from bbbms_app.auth.state import AuthState
from bbbms_app.components.date_input import date_input
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.i18n import t
from bbbms_app.models.learning import ASSIGNMENT_MARK_KINDS, MATERIAL_KINDS
from bbbms_app.services import course_edit, courses, private_files, quiz
from bbbms_app.services.errors import Refused

MATERIAL_UPLOAD = "course-material-upload"
HANDIN_UPLOAD = "handin-upload"
OFFICE_ACCEPT = {
    "application/pdf": [".pdf"],
    "image/jpeg": [".jpg", ".jpeg"],
    "image/png": [".png"],
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": [".docx"],
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"],
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": [".pptx"],
    "application/vnd.oasis.opendocument.text": [".odt"],
}


def _form(form_data: object, fields: dict[str, int], long: dict[str, int]) -> dict[str, str]:
    """A submitted form: `fields` one line each, `long` text areas (line breaks kept); nothing else."""
    raw = dict(form_data) if isinstance(form_data, dict) else {}
    texts = {name: inputs.text(raw.pop(name, ""), limit, name, multiline=True) for name, limit in long.items()}
    return {**inputs.form(raw, fields), **texts}


def _label(stored: private_files.StoredFile) -> str:
    return f"{stored.name.rsplit('.', 1)[-1].upper()} · {max(1, round(stored.size / 1024))} KB"


class CoursesState(rx.State):
    """The list of courses, or one open course as display rows, and the forms' in-place errors."""

    rows: list[dict[str, str]] = []
    options: list[dict[str, str]] = []
    course_id: str = ""
    course: dict[str, str] = {}
    how: str = ""
    items: list[dict[str, str]] = []
    modules: list[dict[str, str]] = []
    # The quiz room lists this course's tests here (display rows: id, title, window).
    tests: list[dict[str, str]] = []
    copy_targets: list[dict[str, str]] = []
    material_kind: str = "text"
    form_error: str = ""
    form_key: int = 0
    staged_label: str = ""
    _staged: dict[str, str] = {}
    # The teacher's review of one assignment, and the one hand-in he is marking.
    review_id: str = ""
    review_title: str = ""
    review_rows: list[dict[str, str]] = []
    marking_id: str = ""
    marking_name: str = ""
    lessons: list[dict[str, str]] = []
    mark_error: str = ""
    # The pupil's hand-in panel.
    handin_id: str = ""
    handin_title: str = ""
    handin_body: str = ""
    handin_error: str = ""
    handin_files: list[dict[str, str]] = []
    handin_staged: list[str] = []
    _handin_stored: list[dict[str, str]] = []

    # The teacher's edit of one module, material or assignment in place, and a module's lessons.
    edit_type: str = ""
    edit_id: str = ""
    edit: dict[str, str] = {}
    edit_error: str = ""
    link_module: str = ""
    link_rows: list[dict[str, str]] = []
    # What he deleted from his course, to take back (course_edit.deleted_items rows).
    deleted: list[dict[str, str]] = []

    MARK_VALUES: ClassVar[tuple[str, ...]] = ("5", "4", "3", "2")
    EDIT_TYPES: ClassVar[tuple[str, ...]] = ("module", "material", "assignment")

    # ------------------------------------------------------------------ loading

    def _fetch_list(self) -> None:
        principal = current()
        with db.session() as s:
            self.rows = courses.courses_for(s, principal, courses.school_today())
            self.options = courses.teaching_options(s, principal)

    def _fetch_course(self) -> None:
        principal = current()
        cid = inputs.record_id(self.course_id, "course_id")
        with db.session() as s:
            v = courses.view(s, principal, cid, courses.school_today(), courses.school_now())
        self.course, self.how, self.items, self.modules = v.course, v.how, v.items, v.modules
        if v.how in ("write", "lead"):  # which journal lessons each module follows
            with db.session() as s:
                texts = course_edit.linked_lessons_text(s, [int(m["id"]) for m in v.modules], principal.language)
            self.items = [
                {**i, "lessons": texts.get(int(i["id"]), "")} if i["type"] == "module" else i for i in v.items
            ]
        with db.session() as s:  # courses.view has checked that he reads this course
            self.tests = quiz.course_tests(s, cid)
        self.copy_targets, self.deleted = [], []
        if v.how == "write":
            with db.session() as s:
                self.copy_targets = courses.copy_targets(s, principal, cid, courses.school_today())
                self.deleted = course_edit.deleted_items(s, principal, cid, courses.school_today())

    def _reset_panels(self) -> None:
        self.review_id = self.review_title = self.marking_id = self.marking_name = ""
        self.handin_id = self.handin_title = self.handin_body = self.handin_error = ""
        self.review_rows, self.lessons, self.handin_files, self.handin_staged = [], [], [], []
        self._handin_stored = []
        self.form_error = self.mark_error = self.staged_label = ""
        self._staged = {}
        self.edit_type = self.edit_id = self.edit_error = self.link_module = ""
        self.edit, self.link_rows = {}, []

    @rx.event
    @requires("signed_in")
    def load(self):
        """The list; `?course=<id>` opens that course (a link from elsewhere, a reload)."""
        self._reset_panels()
        self.course_id, self.course, self.items, self.how = "", {}, [], ""
        self._fetch_list()
        raw = str(self.router.url.query_parameters.get("course", ""))[:12]
        if raw:
            self.course_id = str(inputs.record_id(raw, "course"))
            self._fetch_course()

    @rx.event
    @requires("signed_in")
    def open_course(self, course_id: str):
        self._reset_panels()
        self.course_id = str(inputs.record_id(course_id, "course_id"))
        self._fetch_course()

    @rx.event
    @requires("signed_in")
    def back(self):
        self._reset_panels()
        self.course_id, self.course, self.items, self.how = "", {}, [], ""
        self._fetch_list()

    # ------------------------------------------------------------------ building

    def _write(self, action) -> bool:  # type: ignore[no-untyped-def]
        """Run a write; a refused value is shown under the forms (nothing written), True when done."""
        principal = current()
        try:
            with db.session(write=True) as s:
                action(s, principal)
        except Refused as exc:
            self.form_error = exc.message(principal.language)
            return False
        self.form_error = ""
        self.form_key += 1
        return True

    @rx.event
    @requires("course.write")
    def create_course(self, form_data: dict):
        data = _form(form_data, {"for": 40, "title": courses.TITLE_MAX}, {"description": courses.DESCRIPTION_MAX})
        pick = inputs.offered(data["for"], self.options)
        if pick is None:
            self.form_error = t("courses.error.classes", current().language)
            return None
        class_ids, subject_id = courses.parse_option(pick)
        made: list[int] = []

        def act(s, p):  # type: ignore[no-untyped-def]
            made.append(courses.create_course(s, p, subject_id, class_ids, data["title"], data["description"]).id)

        if self._write(act):
            self.course_id = str(made[0])
            self._fetch_course()
        return None

    @rx.event
    @requires("course.write")
    def add_module(self, form_data: dict):
        data = inputs.form(form_data, {"title": courses.TITLE_MAX, "topic": courses.TOPIC_MAX})
        cid = inputs.record_id(self.course_id, "course_id")
        if self._write(
            lambda s, p: courses.add_module(s, p, cid, data["title"], data["topic"], courses.school_today())
        ):
            self._fetch_course()

    @rx.event
    @requires("course.write")
    def publish(self, module_id: str, on: bool):
        mid = inputs.record_id(module_id, "module_id")
        when = courses.school_today() if inputs.flag(on, "on") else None
        with db.session(write=True) as s:
            courses.publish_module(s, current(), mid, when, courses.school_today())
        self._fetch_course()

    @rx.event
    @requires("course.write")
    def set_material_kind(self, kind: str):
        self.material_kind = inputs.choice(kind, MATERIAL_KINDS, "kind")

    @rx.event
    @requires("course.write")
    async def stage_material_file(self, files: list[rx.UploadFile]):
        """Keep the chosen file privately (checked by size and content) until the material is added."""
        principal = current()
        if not isinstance(files, list) or len(files) != 1 or principal.school_id is None:
            self.form_error = t("courses.error.file", principal.language)
            return None
        with db.session() as s:
            courses.check_writable(s, principal, inputs.record_id(self.course_id, "course_id"), courses.school_today())
        data = await files[0].read(courses.FILE_MAX_BYTES + 1)
        try:
            stored = private_files.store(
                "courses", principal.school_id, data, max_bytes=courses.FILE_MAX_BYTES, office=True
            )
        except private_files.FileRejected as exc:
            self.form_error = exc.message(principal.language)
            return None
        self._staged = {
            "name": stored.name,
            "sha256": stored.sha256,
            "size": str(stored.size),
            "type": stored.content_type,
        }
        self.staged_label = _label(stored)
        self.form_error = ""
        return None

    @rx.event
    @requires("course.write")
    def add_material(self, form_data: dict):
        data = _form(
            form_data, {"module": 12, "title": courses.TITLE_MAX, "url": courses.URL_MAX}, {"body": courses.BODY_MAX}
        )
        mid = inputs.record_id(data["module"] or "0", "module") if data["module"] else None
        if mid is None:
            self.form_error = t("courses.error.kind", current().language)
            return None
        kind = inputs.choice(self.material_kind, MATERIAL_KINDS, "kind")
        body = data["body"]
        staged = dict(self._staged)
        stored = (
            private_files.StoredFile(staged["name"], staged["sha256"], int(staged["size"]), staged["type"])
            if kind == "file" and staged
            else None
        )

        def act(s, p):  # type: ignore[no-untyped-def]
            courses.add_material(
                s, p, mid, kind, data["title"], body=body, url=data["url"], stored=stored, today=courses.school_today()
            )

        if self._write(act):
            if stored is not None:
                self._staged, self.staged_label = {}, ""
            self._fetch_course()

    @rx.event
    @requires("course.write")
    def remove_material(self, material_id: str):
        mid = inputs.record_id(material_id, "material_id")
        with db.session(write=True) as s:
            courses.remove_material(s, current(), mid, courses.school_today())
        self._fetch_course()

    @rx.event
    @requires("course.write")
    def add_assignment(self, form_data: dict):
        data = _form(
            form_data,
            {"module": 12, "title": courses.TITLE_MAX, "due_on": 10, "mark_kind": 10},
            {"instructions": courses.INSTRUCTIONS_MAX},
        )
        mid = inputs.record_id(data["module"], "module") if data["module"] else None
        if mid is None:
            self.form_error = t("courses.error.kind", current().language)
            return None
        instructions = data["instructions"]
        due_on = inputs.school_date(data["due_on"], "due_on")
        kind = inputs.choice(data["mark_kind"] or "home", ASSIGNMENT_MARK_KINDS, "mark_kind")

        def act(s, p):  # type: ignore[no-untyped-def]
            courses.add_assignment(s, p, mid, data["title"], instructions, due_on, kind, courses.school_today())

        if self._write(act):
            self._fetch_course()

    @rx.event
    @requires("course.write")
    def set_closed(self, assignment_id: str, closed: bool):
        aid = inputs.record_id(assignment_id, "assignment_id")
        with db.session(write=True) as s:
            courses.close_assignment(s, current(), aid, inputs.flag(closed, "closed"), courses.school_today())
        self._fetch_course()

    @rx.event
    @requires("course.write")
    def copy_course(self, form_data: dict):
        """Copy the open course to a class of a later year (modules as drafts); the copy opens."""
        data = _form(form_data, {"target": 12}, {})
        target = inputs.offered(data["target"], self.copy_targets)
        if target is None:
            self.form_error = t("courses.error.classes", current().language)
            return None
        cid = inputs.record_id(self.course_id, "course_id")
        made: list[int] = []

        def act(s, p):  # type: ignore[no-untyped-def]
            made.append(courses.copy_course(s, p, cid, [int(target)], courses.school_today()).id)

        if self._write(act):
            self.course_id = str(made[0])
            self._fetch_course()
            return rx.toast.success(t("courses.copied", current().language))
        return None

    # ------------------------------------------------------------------ editing and deleting

    @rx.event
    @requires("course.write")
    def open_edit(self, kind: str, item_id: str):
        """Open the edit form of one module, material or assignment of his course, in place."""
        kind = inputs.choice(kind, self.EDIT_TYPES, "kind")
        iid = inputs.record_id(item_id, "item_id")
        with db.session() as s:
            values = course_edit.edit_values(s, current(), kind, iid, courses.school_today())
        self.link_module, self.link_rows = "", []
        self.edit_type, self.edit_id, self.edit, self.edit_error = kind, str(iid), values, ""
        self.form_key += 1

    @rx.event
    @requires("course.write")
    def cancel_edit(self):
        self.edit_type = self.edit_id = self.edit_error = ""
        self.edit = {}

    @rx.event
    @requires("course.write")
    def save_edit(self, form_data: dict):
        """Save the open edit form; a refused value is said under it, nothing written."""
        principal = current()
        kind = inputs.choice(self.edit_type, self.EDIT_TYPES, "kind")
        iid = inputs.record_id(self.edit_id, "item_id")
        data = _form(
            form_data,
            {"title": courses.TITLE_MAX, "topic": courses.TOPIC_MAX, "url": courses.URL_MAX, "due_on": 10,
             "mark_kind": 10},
            {"body": courses.BODY_MAX, "instructions": courses.INSTRUCTIONS_MAX},
        )  # fmt: skip
        today = courses.school_today()
        try:
            with db.session(write=True) as s:
                if kind == "module":
                    course_edit.edit_module(s, principal, iid, data["title"], data["topic"], today)
                elif kind == "material":
                    course_edit.edit_material(s, principal, iid, data["title"], body=data["body"], url=data["url"],
                                              today=today)  # fmt: skip
                else:
                    due_on = inputs.school_date(data["due_on"], "due_on")
                    mark_kind = inputs.choice(data["mark_kind"] or "home", ASSIGNMENT_MARK_KINDS, "mark_kind")
                    course_edit.edit_assignment(
                        s, principal, iid, data["title"], data["instructions"], due_on, mark_kind, today
                    )
        except Refused as exc:
            self.edit_error = exc.message(principal.language)
            return None
        self.edit_type = self.edit_id = self.edit_error = ""
        self.edit = {}
        self._fetch_course()
        return rx.toast.success(t("courses2.saved", principal.language))

    @rx.event
    @requires("course.write")
    def delete_item(self, kind: str, item_id: str):
        """Delete (softly) a module, material or assignment of his course; refused while work
        handed in depends on it (said in a toast and under the forms, nothing written)."""
        principal = current()
        kind = inputs.choice(kind, self.EDIT_TYPES, "kind")
        iid = inputs.record_id(item_id, "item_id")
        today = courses.school_today()
        try:
            with db.session(write=True) as s:
                if kind == "module":
                    course_edit.delete_module(s, principal, iid, today)
                elif kind == "material":
                    courses.remove_material(s, principal, iid, today)
                else:
                    course_edit.delete_assignment(s, principal, iid, today)
        except Refused as exc:
            self.form_error = exc.message(principal.language)
            return rx.toast.error(self.form_error)
        self._reset_panels()
        self._fetch_course()
        # Taken back from the toast at once, where the finger is (the list of deleted things is
        # at the foot of the course, far below on a phone).
        return rx.toast.success(
            t("courses2.deleted", principal.language),
            action=ToastAction(
                label=t("courses2.restore", principal.language),
                on_click=CoursesState.restore_item(kind, str(iid)),  # type: ignore[operator]
            ),
            duration=10000,
        )

    @rx.event
    @requires("course.write")
    def restore_item(self, kind: str, item_id: str):
        """Take back a delete of his course (a module with what went with it, a material, an
        assignment); the service checks the course is his, whatever the browser sends."""
        principal = current()
        kind = inputs.choice(kind, course_edit.RESTORE_KINDS, "kind")
        iid = inputs.record_id(item_id, "item_id")
        with db.session(write=True) as s:
            course_edit.restore_item(s, principal, kind, iid, courses.school_today())
        self._fetch_course()
        return rx.toast.success(t("courses2.restored", principal.language))

    @rx.event
    @requires("course.write")
    def open_lessons(self, module_id: str):
        """The journal lessons the module may follow, those it follows ticked."""
        mid = inputs.record_id(module_id, "module_id")
        with db.session() as s:
            rows = course_edit.lesson_choices(s, current(), mid, courses.school_today())
        self.edit_type = self.edit_id = ""
        self.edit = {}
        self.link_module, self.link_rows, self.edit_error = str(mid), rows, ""

    @rx.event
    @requires("course.write")
    def toggle_lesson(self, lesson_id: str, on: bool):
        picked = inputs.offered(lesson_id, self.link_rows)
        if picked is None:
            return None
        flag = "1" if inputs.flag(on, "on") else ""
        self.link_rows = [{**r, "linked": flag} if r["id"] == picked else r for r in self.link_rows]
        return None

    @rx.event
    @requires("course.write")
    def save_lessons(self):
        principal = current()
        mid = inputs.record_id(self.link_module, "module_id")
        ids = [int(r["id"]) for r in self.link_rows if r["linked"] == "1"]
        try:
            with db.session(write=True) as s:
                course_edit.link_lessons(s, principal, mid, ids, courses.school_today())
        except Refused as exc:
            self.edit_error = exc.message(principal.language)
            return None
        self.link_module, self.link_rows, self.edit_error = "", [], ""
        self._fetch_course()
        return rx.toast.success(t("courses2.saved", principal.language))

    @rx.event
    @requires("course.write")
    def close_lessons(self):
        self.link_module, self.link_rows, self.edit_error = "", [], ""

    # ------------------------------------------------------------------ reviewing and marking

    def _fetch_review(self) -> None:
        aid = inputs.record_id(self.review_id, "assignment_id")
        with db.session() as s:
            self.review_rows = courses.submissions(s, current(), aid, courses.school_today())

    @rx.event
    @requires("signed_in")
    def open_review(self, assignment_id: str):
        """The hand-ins of an assignment (its teacher, the director, the deputy)."""
        aid = inputs.record_id(assignment_id, "assignment_id")
        self._reset_panels()
        self.review_id = str(aid)
        self._fetch_review()
        self.review_title = next(
            (i["title"] for i in self.items if i["type"] == "assignment" and i["id"] == str(aid)), ""
        )
        return rx.scroll_to("course-review")

    @rx.event
    @requires("course.write")
    def open_marking(self, submission_id: str):
        sid = inputs.record_id(submission_id, "submission_id")
        with db.session() as s:
            self.lessons = courses.lesson_options(s, current(), sid, courses.school_today())
        self.marking_id = str(sid)
        row = next((r for r in self.review_rows if r["id"] == str(sid)), {})
        self.marking_name = row.get("name", "")
        self.mark_error = ""

    @rx.event
    @requires("course.write")
    def save_mark(self, form_data: dict):
        """The comment and the mark of the open hand-in; the mark goes into the journal cell."""
        principal = current()
        data = _form(form_data, {"lesson": 12, "mark": 2}, {"comment": courses.COMMENT_MAX})
        sid = inputs.record_id(self.marking_id, "submission_id")
        lesson = inputs.offered(data["lesson"], self.lessons)
        if lesson is None:
            self.mark_error = t("courses.error.lesson", principal.language)
            return None
        value = inputs.bounded_int(data["mark"], 1, 100, "mark") if data["mark"] else None
        comment = data["comment"]
        try:
            with db.session(write=True) as s:
                courses.mark(s, principal, sid, int(lesson), value, comment, courses.school_today())
        except Refused as exc:
            self.mark_error = exc.message(principal.language)
            return None
        self.marking_id, self.mark_error = "", ""
        self._fetch_review()
        self._fetch_course()
        return rx.toast.success(t("courses.saved", principal.language))

    # ------------------------------------------------------------------ handing in

    @rx.event
    @requires("own.read")
    def open_handin(self, assignment_id: str):
        aid = inputs.record_id(assignment_id, "assignment_id")
        self._reset_panels()
        with db.session() as s:
            assignment, sub, files = courses.assignment_for_pupil(s, current(), aid, courses.school_today())
        self.handin_id, self.handin_title = str(aid), assignment.title
        self.handin_body = sub.body if sub else ""
        self.handin_files = files
        self.form_key += 1
        return rx.scroll_to("course-handin")

    @rx.event
    @requires("own.read")
    async def stage_handin_file(self, files: list[rx.UploadFile]):
        principal = current()
        if not self.handin_id or principal.school_id is None or principal.role != "pupil":
            return None
        if not isinstance(files, list) or len(files) != 1:
            self.handin_error = t("courses.error.file", principal.language)
            return None
        if len(self._handin_stored) + len(self.handin_files) >= courses.MAX_HANDIN_FILES:
            self.handin_error = t("courses.error.too_many_files", principal.language, n=courses.MAX_HANDIN_FILES)
            return None
        data = await files[0].read(courses.FILE_MAX_BYTES + 1)
        try:
            stored = private_files.store(
                "courses", principal.school_id, data, max_bytes=courses.FILE_MAX_BYTES, office=True
            )
        except private_files.FileRejected as exc:
            self.handin_error = exc.message(principal.language)
            return None
        self._handin_stored = [
            *self._handin_stored,
            {"name": stored.name, "sha256": stored.sha256, "size": str(stored.size), "type": stored.content_type},
        ]
        self.handin_staged = [*self.handin_staged, _label(stored)]
        self.handin_error = ""
        return None

    @rx.event
    @requires("own.read")
    def hand_in(self, form_data: dict):
        principal = current()
        body = _form(form_data, {}, {"body": courses.BODY_MAX})["body"]
        aid = inputs.record_id(self.handin_id, "assignment_id")
        files = [
            private_files.StoredFile(f["name"], f["sha256"], int(f["size"]), f["type"]) for f in self._handin_stored
        ]
        try:
            with db.session(write=True) as s:
                courses.submit(s, principal, aid, body, files, courses.school_now())
        except Refused as exc:
            self.handin_error = exc.message(principal.language)
            return None
        self._reset_panels()
        self._fetch_course()
        return rx.toast.success(t("courses.handed_in_ok", principal.language))


S = CoursesState


# ---------------------------------------------------------------------- pieces


def _labelled(key: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(tr(key), size="2", weight="medium"), control, spacing="1", width="100%")


def _kind_label(prefix: str, kinds: tuple[str, ...], value: rx.Var) -> rx.Component:
    return rx.match(value, *[(k, tr(f"{prefix}.{k}")) for k in kinds], value)


def _error(var: rx.Var, testid: str) -> rx.Component:
    return rx.cond(
        var != "", rx.callout(var, color_scheme="red", icon="triangle-alert", width="100%", data_testid=testid)
    )


def _course_card(row: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(row["title"], weight="bold", size="4"),
            rx.text(row["subject"], " · ", row["classes"], " · ", row["year"], size="2", color_scheme="gray"),
            rx.text(row["teacher"], size="2"),
            rx.cond(
                row["kids"] != "",
                rx.vstack(
                    rx.foreach(
                        row["kids"].to(str).split("\n"),
                        lambda line: rx.text(
                            tr("courses2.kid_summary")
                            .replace("{name}", line.to(str).split("\t")[0])  # type: ignore[attr-defined]
                            .replace("{total}", line.to(str).split("\t")[1])
                            .replace("{done}", line.to(str).split("\t")[2])
                            .replace("{late}", line.to(str).split("\t")[3])
                            .replace("{marked}", line.to(str).split("\t")[4]),
                            size="2",
                            data_testid="course-kid",
                        ),
                    ),
                    spacing="1",
                ),
            ),
            rx.button(
                tr("courses.open"),
                on_click=S.open_course(row["id"]),
                size="3",
                width="100%",
                data_testid="course-open",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="course-card",
    )


def _create_form() -> rx.Component:
    return rx.cond(
        S.options.length() > 0,  # type: ignore[attr-defined]
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading(tr("courses.new"), size="4"),
                    _labelled(
                        "courses.field.for",
                        rx.select.root(
                            rx.select.trigger(width="100%", data_testid="course-for"),
                            rx.select.content(
                                rx.foreach(S.options, lambda o: rx.select.item(o["name"], value=o["id"]))
                            ),
                            name="for",
                            default_value=S.options[0]["id"],
                        ),
                    ),
                    _labelled("courses.field.title", rx.input(name="title", width="100%", data_testid="course-title")),
                    _labelled("courses.field.description", rx.text_area(name="description", rows="2", width="100%")),
                    rx.button(tr("courses.create"), type="submit", size="3", data_testid="course-create"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.create_course,
                reset_on_submit=True,
            ),
            width="100%",
        ),
    )


def _list() -> rx.Component:
    return rx.vstack(
        _error(S.form_error, "course-error"),
        rx.cond(
            S.rows.length() > 0,  # type: ignore[attr-defined]
            rx.grid(
                rx.foreach(S.rows, _course_card),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="3",
                width="100%",
            ),
            rx.text(tr("courses.none"), color_scheme="gray", data_testid="course-none"),
        ),
        _create_form(),
        spacing="4",
        width="100%",
    )


def _module_item(item: rx.Var) -> rx.Component:
    state = rx.match(
        item["state"],
        ("draft", rx.badge(tr("courses.state.draft"), color_scheme="gray")),
        ("planned", rx.badge(tr("courses.state.planned").replace("{date}", item["publish_on"]), color_scheme="amber")),  # type: ignore[attr-defined]
        rx.badge(tr("courses.state.published").replace("{date}", item["publish_on"]), color_scheme="grass"),  # type: ignore[attr-defined]
    )
    teacher = rx.cond(
        S.how == "write",
        rx.flex(
            _small_button("pencil", "courses2.edit", S.open_edit("module", item["id"]), "module-edit"),
            _small_button("link", "courses2.lessons", S.open_lessons(item["id"]), "module-lessons"),
            _confirmed(
                _small_button("trash-2", "courses2.delete", None, "module-delete", "red"),
                S.delete_item("module", item["id"]),
            ),
            gap="6px",
            wrap="wrap",
        ),
    )
    return rx.box(
        rx.flex(
            rx.heading(item["title"], size="5"),
            state,
            rx.cond(
                S.how == "write",
                rx.cond(
                    item["state"] == "draft",
                    rx.button(
                        tr("courses.publish"),
                        on_click=S.publish(item["id"], True),
                        size="1",
                        data_testid="module-publish",
                    ),
                    rx.button(
                        tr("courses.unpublish"),
                        on_click=S.publish(item["id"], False),
                        size="1",
                        variant="soft",
                        color_scheme="gray",
                    ),
                ),
            ),
            gap="8px",
            align="center",
            wrap="wrap",
        ),
        rx.cond(item["topic"] != "", rx.text(item["topic"], size="2", color_scheme="gray")),
        rx.cond(
            (S.how != "family") & (item["lessons"] != ""),
            rx.flex(
                rx.icon("link", size=12, flex_shrink="0"),
                rx.text(tr("courses2.linked").replace("{dates}", item["lessons"]), size="1", color_scheme="gray"),  # type: ignore[attr-defined]
                gap="4px",
                align="center",
                data_testid="module-linked",
            ),
        ),
        teacher,
        rx.cond((S.edit_type == "module") & (S.edit_id == item["id"]), _edit_form()),
        rx.cond(S.link_module == item["id"], _lessons_panel()),
        border_top=f"2px solid {rx.color('accent', 6)}",
        padding_top="12px",
        margin_top="8px",
        width="100%",
        data_testid="course-module",
    )


def _material_item(item: rx.Var) -> rx.Component:
    icon = rx.match(
        item["kind"],
        ("file", rx.icon("paperclip", size=18)),
        ("link", rx.icon("link", size=18)),
        ("video", rx.icon("video", size=18)),
        rx.icon("file-text", size=18),
    )
    title = rx.text(item["title"], weight="bold", size="3")
    body = rx.match(
        item["kind"],
        (
            "file",
            rx.link(
                rx.flex(title, rx.text(item["size"], size="1", color_scheme="gray"), gap="6px", align="center"),
                href=item["href"],
                is_external=True,
                data_testid="material-file",
            ),
        ),
        (
            "link",
            rx.vstack(
                title,
                rx.link(item["url"], href=item["url"], is_external=True, rel="noopener noreferrer", size="2"),
                spacing="0",
            ),
        ),
        (
            "video",
            rx.vstack(
                title,
                rx.link(item["url"], href=item["url"], is_external=True, rel="noopener noreferrer", size="2"),
                spacing="0",
            ),
        ),
        title,
    )
    remove = rx.cond(
        S.how == "write",
        _confirmed(
            rx.icon_button(
                rx.icon("trash-2", size=14),
                size="1",
                variant="ghost",
                color_scheme="red",
                aria_label=tr("courses.remove"),
                title=tr("courses.remove"),
                data_testid="material-remove",
            ),
            S.delete_item("material", item["id"]),
        ),
    )
    edit = rx.cond(
        S.how == "write",
        rx.icon_button(
            rx.icon("pencil", size=14),
            on_click=S.open_edit("material", item["id"]),
            size="1",
            variant="ghost",
            aria_label=tr("courses2.edit"),
            title=tr("courses2.edit"),
            data_testid="material-edit",
        ),
    )
    return rx.vstack(
        rx.flex(icon, body, rx.spacer(), edit, remove, gap="8px", align="start", width="100%"),
        rx.cond((S.edit_type == "material") & (S.edit_id == item["id"]), _edit_form()),
        spacing="2",
        width="100%",
        data_testid="course-material",
    )


def _block_item(item: rx.Var) -> rx.Component:
    return rx.match(
        item["style"],
        ("h", rx.heading(item["text"], size="3", margin_left="26px")),
        ("li", rx.text("• ", item["text"], size="3", margin_left="36px")),
        rx.text(item["text"], size="3", white_space="pre-wrap", margin_left="26px", data_testid="material-text"),
    )


def _confirmed(trigger: rx.Component, on_confirm) -> rx.Component:  # type: ignore[no-untyped-def]
    """A delete asked twice: the button opens a question, «Delete» there does it (and says where it
    can be taken back); «Cancel» leaves everything as it was."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(trigger),
        rx.alert_dialog.content(
            rx.alert_dialog.title(tr("courses2.confirm_title")),
            rx.alert_dialog.description(tr("courses2.confirm_text")),
            rx.flex(
                rx.alert_dialog.cancel(
                    rx.button(tr("courses2.cancel"), variant="soft", color_scheme="gray", data_testid="confirm-cancel")
                ),
                rx.alert_dialog.action(
                    rx.button(
                        tr("courses2.delete"), color_scheme="red", on_click=on_confirm, data_testid="confirm-delete"
                    )
                ),
                gap="12px",
                justify="end",
                margin_top="16px",
            ),
            max_width="420px",
            data_testid="confirm-dialog",
        ),
    )


def _deleted_row(row: rx.Var) -> rx.Component:
    return rx.flex(
        rx.badge(
            rx.match(
                row["kind"],
                ("module", tr("courses2.what.module")),
                ("material", tr("courses2.what.material")),
                tr("courses2.what.assignment"),
            ),
            color_scheme="gray",
        ),
        rx.vstack(
            rx.text(row["title"], weight="medium"),
            rx.text(
                rx.cond(row["module"] != "", row["module"] + " · ", ""),
                tr("courses2.deleted_on").replace("{when}", row["when"]),  # type: ignore[attr-defined]
                size="1",
                color_scheme="gray",
            ),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        _small_button("undo-2", "courses2.restore", S.restore_item(row["kind"], row["id"]), "restore"),
        gap="8px",
        align="center",
        width="100%",
        data_testid="deleted-row",
    )


def _deleted() -> rx.Component:
    return rx.cond(
        (S.how == "write") & (S.deleted.length() > 0),  # type: ignore[attr-defined]
        rx.card(
            rx.vstack(
                rx.heading(tr("courses2.deleted_list"), size="3"),
                rx.text(tr("courses2.deleted_help"), size="1", color_scheme="gray"),
                rx.foreach(S.deleted, _deleted_row),
                spacing="2",
                width="100%",
            ),
            width="100%",
            data_testid="deleted-list",
        ),
    )


def _small_button(icon: str, key: str, on_click, testid: str, color: str = "gray") -> rx.Component:  # type: ignore[no-untyped-def]
    click = {} if on_click is None else {"on_click": on_click}  # None: a dialog's trigger opens it
    return rx.button(
        rx.icon(icon, size=14),
        tr(key),
        size="1",
        variant="soft",
        color_scheme=color,
        data_testid=testid,
        **click,
    )


def _child_state(state: rx.Var, mark: rx.Var) -> rx.Component:
    return rx.match(
        state,
        ("none", rx.badge(tr("courses2.state.none"), color_scheme="gray")),
        ("submitted", rx.badge(tr("courses2.state.submitted"), color_scheme="grass")),
        ("late", rx.badge(tr("courses2.state.late"), color_scheme="orange")),
        rx.badge(tr("courses2.state.marked").replace("{mark}", mark), color_scheme="blue"),  # type: ignore[attr-defined]
    )


def _children_lines(kids: rx.Var) -> rx.Component:
    """A parent's line per child for one assignment: «name · state · the teacher's comment»."""
    return rx.vstack(
        rx.foreach(
            kids.to(str).split("\n"),
            lambda line: rx.flex(
                rx.text(line.to(str).split("\t")[0], weight="medium", size="2"),
                _child_state(line.to(str).split("\t")[1], line.to(str).split("\t")[2]),
                rx.text(line.to(str).split("\t")[4], size="2", color_scheme="gray"),
                gap="6px",
                wrap="wrap",
                align="center",
                data_testid="child-status",
            ),
        ),
        spacing="1",
        width="100%",
    )


def _edit_form() -> rx.Component:
    """The open item's edit form (its fields by what it is), in place under the item."""
    text_area = {"rows": "4", "width": "100%", "font_size": "16px"}
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(
                    rx.match(
                        S.edit_type,
                        ("module", tr("courses2.edit_module")),
                        ("material", tr("courses2.edit_material")),
                        tr("courses2.edit_assignment"),
                    ),
                    size="3",
                ),
                _labelled(
                    "courses.field.title",
                    rx.input(name="title", default_value=S.edit["title"], width="100%", data_testid="edit-title"),
                ),
                rx.match(
                    S.edit_type,
                    (
                        "module",
                        _labelled(
                            "courses.field.topic",
                            rx.input(
                                name="topic", default_value=S.edit["topic"], width="100%", data_testid="edit-topic"
                            ),
                        ),
                    ),
                    (
                        "material",
                        rx.match(
                            S.edit["kind"],
                            ("text", rx.text_area(name="body", default_value=S.edit["body"], **text_area,
                                                  data_testid="edit-body")),
                            ("file", rx.text(tr("courses2.file_kept"), size="2", color_scheme="gray")),
                            rx.vstack(
                                _labelled(
                                    "courses.field.url",
                                    rx.input(name="url", type="url", default_value=S.edit["url"], width="100%",
                                             data_testid="edit-url"),
                                ),
                                rx.text_area(name="body", default_value=S.edit["body"], **text_area),
                                width="100%",
                            ),
                        ),
                    ),
                    rx.vstack(
                        _labelled(
                            "courses.field.instructions",
                            rx.text_area(name="instructions", default_value=S.edit["instructions"], **text_area,
                                         data_testid="edit-instructions"),
                        ),
                        rx.grid(
                            _labelled(
                                "courses.field.due_on",
                                date_input(S.edit["due"], name="due_on", testid="edit-due", width="100%"),
                            ),
                            _labelled(
                                "courses.field.mark_kind",
                                rx.select.root(
                                    rx.select.trigger(width="100%", data_testid="edit-kind"),
                                    rx.select.content(
                                        *[rx.select.item(tr(f"courses.mark_kind.{k}"), value=k)
                                          for k in ASSIGNMENT_MARK_KINDS]
                                    ),
                                    name="mark_kind",
                                    default_value=S.edit["mark_kind"],
                                ),
                            ),
                            columns=rx.breakpoints(initial="1", sm="2"),
                            spacing="3",
                            width="100%",
                        ),
                        width="100%",
                    ),
                ),
                _error(S.edit_error, "edit-error"),
                rx.flex(
                    rx.button(tr("courses2.save"), type="submit", data_testid="edit-save"),
                    rx.button(
                        tr("courses2.cancel"), type="button", variant="soft", color_scheme="gray",
                        on_click=S.cancel_edit,
                    ),
                    gap="8px",
                    wrap="wrap",
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=S.save_edit,
            key=S.form_key.to(str),
        ),
        width="100%",
        data_testid="edit-form",
    )  # fmt: skip


def _lessons_panel() -> rx.Component:
    """Tick the journal lessons this module follows (the diary links them to the course)."""
    return rx.card(
        rx.vstack(
            rx.heading(tr("courses2.lessons"), size="3"),
            rx.text(tr("courses2.lessons_help"), size="2", color_scheme="gray"),
            rx.cond(
                S.link_rows.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(
                    rx.foreach(
                        S.link_rows,
                        lambda r: rx.text(
                            rx.flex(
                                rx.checkbox(
                                    checked=r["linked"] == "1",
                                    on_change=lambda on: S.toggle_lesson(r["id"], on),
                                    size="3",
                                ),
                                r["name"],
                                gap="10px",
                                align="center",
                            ),
                            as_="label",
                            size="2",
                            padding_y="6px",
                            data_testid="lesson-choice",
                        ),
                    ),
                    spacing="0",
                    width="100%",
                    max_height="320px",
                    overflow_y="auto",
                ),
                rx.text(tr("courses2.no_lessons"), size="2", color_scheme="amber"),
            ),
            _error(S.edit_error, "lessons-error"),
            rx.flex(
                rx.button(tr("courses2.save"), on_click=S.save_lessons, data_testid="lessons-save"),
                rx.button(tr("courses2.cancel"), on_click=S.close_lessons, variant="soft", color_scheme="gray"),
                gap="8px",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="lessons-panel",
    )


def _assignment_item(item: rx.Var) -> rx.Component:
    mark_kind = _kind_label("courses.mark_kind", ASSIGNMENT_MARK_KINDS, item["mark_kind"])
    pupil_status = rx.cond(
        item["status"] != "",
        rx.flex(
            rx.badge(tr("courses.handed_in").replace("{at}", item["submitted_at"]), color_scheme="grass"),  # type: ignore[attr-defined]
            rx.cond(
                item["late"] == "1", rx.badge(tr("courses.late"), color_scheme="orange", data_testid="handin-late")
            ),
            rx.cond(
                item["mark"] != "",
                rx.badge(
                    tr("courses.marked").replace("{mark}", item["mark"]),  # type: ignore[attr-defined]
                    color_scheme="blue",
                    size="3",
                    data_testid="handin-mark",
                ),
            ),
            gap="6px",
            wrap="wrap",
        ),
        rx.badge(tr("courses.not_handed_in"), color_scheme="gray"),
    )
    return rx.card(
        rx.vstack(
            rx.flex(rx.icon("clipboard-pen", size=18), rx.text(item["title"], weight="bold", size="3"), gap="8px"),
            rx.text(
                tr("courses.due").replace("{due}", item["due"]),  # type: ignore[attr-defined]
                " · ",
                mark_kind,
                size="2",
                color_scheme=rx.cond(item["overdue"] == "1", "red", "gray"),
            ),
            rx.cond(item["instructions"] != "", rx.text(item["instructions"], size="3", white_space="pre-wrap")),
            rx.cond(item["closed"] == "1", rx.badge(tr("courses.closed"), color_scheme="red")),
            rx.cond((S.edit_type == "assignment") & (S.edit_id == item["id"]), _edit_form()),
            rx.cond(
                S.how == "family",
                rx.vstack(
                    rx.cond(item["kids"] != "", _children_lines(item["kids"]), pupil_status),
                    rx.cond(item["comment"] != "", rx.text(item["comment"], size="2", white_space="pre-wrap")),
                    rx.cond(
                        (AuthState.role == "pupil") & (item["closed"] != "1") & (item["mark"] == ""),
                        rx.button(
                            rx.icon("upload", size=16),
                            tr("courses.hand_in"),
                            on_click=S.open_handin(item["id"]),
                            size="3",
                            width="100%",
                            data_testid="handin-open",
                        ),
                    ),
                    spacing="2",
                    width="100%",
                ),
                rx.flex(
                    rx.badge(tr("courses.count").replace("{n}", item["count"]), color_scheme="grass", size="2"),  # type: ignore[attr-defined]
                    rx.button(
                        tr("courses.review"),
                        on_click=S.open_review(item["id"]),
                        size="2",
                        variant="soft",
                        data_testid="review-open",
                    ),
                    rx.cond(
                        S.how == "write",
                        rx.button(
                            rx.cond(item["closed"] == "1", tr("courses.reopen"), tr("courses.close")),
                            on_click=S.set_closed(item["id"], item["closed"] != "1"),
                            size="2",
                            variant="soft",
                            color_scheme="gray",
                        ),
                    ),
                    rx.cond(
                        S.how == "write",
                        rx.flex(
                            _small_button(
                                "pencil", "courses2.edit", S.open_edit("assignment", item["id"]), "assignment-edit"
                            ),
                            _confirmed(
                                _small_button("trash-2", "courses2.delete", None, "assignment-delete", "red"),
                                S.delete_item("assignment", item["id"]),
                            ),
                            gap="6px",
                        ),
                    ),
                    gap="8px",
                    wrap="wrap",
                    align="center",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="course-assignment",
    )


def _item(item: rx.Var) -> rx.Component:
    return rx.match(
        item["type"],
        ("module", _module_item(item)),
        ("material", _material_item(item)),
        ("block", _block_item(item)),
        ("assignment", _assignment_item(item)),
        rx.fragment(),
    )


def _module_select(testid: str) -> rx.Component:
    return _labelled(
        "courses.field.module",
        rx.select.root(
            rx.select.trigger(width="100%", data_testid=testid),
            rx.select.content(rx.foreach(S.modules, lambda o: rx.select.item(o["name"], value=o["id"]))),
            name="module",
            default_value=S.modules[-1]["id"],
        ),
    )


def _builder() -> rx.Component:
    """The teacher's forms: a module, a material, an assignment."""
    module_form = rx.form(
        rx.vstack(
            rx.heading(tr("courses.add_module"), size="3"),
            _labelled("courses.field.title", rx.input(name="title", width="100%", data_testid="module-title")),
            _labelled("courses.field.topic", rx.input(name="topic", width="100%", data_testid="module-topic")),
            rx.button(tr("courses.add_module"), type="submit", data_testid="module-add"),
            spacing="2",
            width="100%",
        ),
        on_submit=S.add_module,
        reset_on_submit=True,
    )
    upload = rx.vstack(
        rx.upload(
            rx.vstack(
                rx.icon("upload", size=20),
                rx.text(tr("courses.file_drop"), size="2", align="center"),
                align="center",
                spacing="1",
            ),
            id=MATERIAL_UPLOAD,
            multiple=False,
            max_files=1,
            max_size=courses.FILE_MAX_BYTES,
            accept=OFFICE_ACCEPT,
            on_drop=S.stage_material_file(rx.upload_files(upload_id=MATERIAL_UPLOAD)),  # type: ignore[call-arg]
            border=f"1px dashed {rx.color('accent', 8)}",
            border_radius="8px",
            padding="12px",
            width="100%",
            cursor="pointer",
            data_testid="material-upload",
        ),
        rx.cond(
            S.staged_label != "",
            rx.badge(
                rx.icon("paperclip", size=14),
                tr("courses.file_ready").replace("{label}", S.staged_label),  # type: ignore[attr-defined]
                color_scheme="green",
                data_testid="material-staged",
            ),
        ),
        width="100%",
    )
    material_form = rx.form(
        rx.vstack(
            rx.heading(tr("courses.add_material"), size="3"),
            _module_select("material-module"),
            _labelled(
                "courses.field.kind",
                rx.select.root(
                    rx.select.trigger(width="100%", data_testid="material-kind"),
                    rx.select.content(*[rx.select.item(tr(f"courses.kind.{k}"), value=k) for k in MATERIAL_KINDS]),
                    value=S.material_kind,
                    on_change=S.set_material_kind,
                ),
            ),
            _labelled("courses.field.title", rx.input(name="title", width="100%", data_testid="material-title")),
            rx.match(
                S.material_kind,
                ("file", upload),
                (
                    "text",
                    rx.vstack(
                        rx.text_area(name="body", rows="6", width="100%", data_testid="material-body"),
                        rx.text(tr("courses.markup_help"), size="1", color_scheme="gray"),
                        width="100%",
                    ),
                ),
                _labelled(
                    "courses.field.url", rx.input(name="url", type="url", width="100%", data_testid="material-url")
                ),
            ),
            rx.button(tr("courses.add_material"), type="submit", data_testid="material-add"),
            spacing="2",
            width="100%",
        ),
        on_submit=S.add_material,
        reset_on_submit=True,
    )
    assignment_form = rx.form(
        rx.vstack(
            rx.heading(tr("courses.add_assignment"), size="3"),
            _module_select("assignment-module"),
            _labelled("courses.field.title", rx.input(name="title", width="100%", data_testid="assignment-title")),
            _labelled(
                "courses.field.instructions",
                rx.text_area(name="instructions", rows="3", width="100%", data_testid="assignment-instructions"),
            ),
            rx.grid(
                _labelled("courses.field.due_on", date_input("", name="due_on", testid="assignment-due", width="100%")),
                _labelled(
                    "courses.field.mark_kind",
                    rx.select.root(
                        rx.select.trigger(width="100%", data_testid="assignment-kind"),
                        rx.select.content(
                            *[rx.select.item(tr(f"courses.mark_kind.{k}"), value=k) for k in ASSIGNMENT_MARK_KINDS]
                        ),
                        name="mark_kind",
                        default_value="home",
                    ),
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            rx.button(tr("courses.add_assignment"), type="submit", data_testid="assignment-add"),
            spacing="2",
            width="100%",
        ),
        on_submit=S.add_assignment,
        reset_on_submit=True,
    )
    copy_form = rx.form(
        rx.vstack(
            rx.heading(tr("courses.copy"), size="3"),
            rx.text(tr("courses.copy_help"), size="2", color_scheme="gray"),
            rx.select.root(
                rx.select.trigger(width="100%", data_testid="copy-target"),
                rx.select.content(rx.foreach(S.copy_targets, lambda o: rx.select.item(o["name"], value=o["id"]))),
                name="target",
                default_value=S.copy_targets[0]["id"],
            ),
            rx.button(tr("courses.copy"), type="submit", variant="soft", data_testid="copy-send"),
            spacing="2",
            width="100%",
        ),
        on_submit=S.copy_course,
    )
    return rx.cond(
        S.how == "write",
        rx.vstack(
            _error(S.form_error, "course-error"),
            rx.card(module_form, width="100%"),
            rx.cond(
                S.modules.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(
                    rx.card(material_form, width="100%"),
                    rx.card(assignment_form, width="100%"),
                    spacing="3",
                    width="100%",
                ),
            ),
            rx.cond(S.copy_targets.length() > 0, rx.card(copy_form, width="100%")),  # type: ignore[attr-defined]
            spacing="3",
            width="100%",
            key=S.form_key.to(str),
        ),
    )


def _review_row(row: rx.Var) -> rx.Component:
    files = rx.cond(
        row["files"] != "",
        rx.flex(
            rx.foreach(
                row["files"].to(str).split("\n"),
                lambda f: rx.link(
                    rx.icon("paperclip", size=14),
                    f.to(str).split("|")[1],
                    href=f.to(str).split("|")[0],
                    is_external=True,
                    size="2",
                    data_testid="handin-file",
                ),
            ),
            gap="8px",
            wrap="wrap",
        ),
    )
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.text(row["name"], weight="bold"),
                rx.text(row["class"], size="2", color_scheme="gray"),
                rx.cond(
                    row["id"] != "",
                    rx.badge(tr("courses.handed_in").replace("{at}", row["submitted_at"]), color_scheme="grass"),  # type: ignore[attr-defined]
                    rx.badge(tr("courses.not_handed_in"), color_scheme="gray"),
                ),
                rx.cond(row["late"] == "1", rx.badge(tr("courses.late"), color_scheme="orange")),
                rx.cond(
                    row["mark"] != "",
                    rx.badge(
                        tr("courses.marked").replace("{mark}", row["mark"]),  # type: ignore[attr-defined]
                        " · ",
                        row["lesson"],
                        color_scheme="blue",
                        data_testid="review-mark",
                    ),
                ),
                gap="8px",
                wrap="wrap",
                align="center",
            ),
            rx.cond(
                row["body"] != "", rx.text(row["body"], size="2", white_space="pre-wrap", data_testid="review-body")
            ),
            files,
            rx.cond(row["comment"] != "", rx.text(row["comment"], size="2", color_scheme="gray")),
            rx.cond(
                (S.how == "write") & (row["id"] != ""),
                rx.button(
                    tr("courses.save_mark"),
                    on_click=S.open_marking(row["id"]),
                    size="2",
                    variant="soft",
                    data_testid="mark-open",
                ),
            ),
            rx.cond((S.marking_id != "") & (S.marking_id == row["id"]), _mark_form()),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="review-row",
    )


def _mark_form() -> rx.Component:
    return rx.cond(
        S.lessons.length() > 0,  # type: ignore[attr-defined]
        rx.form(
            rx.vstack(
                _labelled(
                    "courses.field.lesson",
                    rx.select.root(
                        rx.select.trigger(width="100%", data_testid="mark-lesson"),
                        rx.select.content(rx.foreach(S.lessons, lambda o: rx.select.item(o["name"], value=o["id"]))),
                        name="lesson",
                        default_value=S.lessons[0]["id"],
                    ),
                ),
                _labelled(
                    "courses.field.mark",
                    rx.select.root(
                        rx.select.trigger(width="100%", data_testid="mark-value"),
                        rx.select.content(*[rx.select.item(v, value=v) for v in CoursesState.MARK_VALUES]),
                        name="mark",
                    ),
                ),
                _labelled(
                    "courses.field.comment",
                    rx.text_area(name="comment", rows="2", width="100%", data_testid="mark-comment"),
                ),
                _error(S.mark_error, "mark-error"),
                rx.button(tr("courses.save_mark"), type="submit", data_testid="mark-save"),
                spacing="2",
                width="100%",
            ),
            on_submit=S.save_mark,
        ),
        rx.callout(
            tr("courses.no_lessons"), icon="info", color_scheme="amber", width="100%", data_testid="mark-no-lessons"
        ),
    )


def _review() -> rx.Component:
    return rx.cond(
        S.review_id != "",
        rx.vstack(
            rx.heading(tr("courses.review"), ": ", S.review_title, size="4"),
            rx.foreach(S.review_rows, _review_row),
            spacing="2",
            width="100%",
            id="course-review",
        ),
    )


def _handin() -> rx.Component:
    return rx.cond(
        S.handin_id != "",
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading(S.handin_title, size="4"),
                    _labelled(
                        "courses.field.answer",
                        rx.text_area(
                            name="body",
                            default_value=S.handin_body,
                            rows="6",
                            width="100%",
                            font_size="16px",  # no zoom-in on a phone
                            data_testid="handin-body",
                        ),
                    ),
                    rx.foreach(
                        S.handin_files,
                        lambda f: rx.link(rx.icon("paperclip", size=14), f["label"], href=f["href"], is_external=True),
                    ),
                    rx.upload(
                        rx.vstack(
                            rx.icon("camera", size=22),
                            rx.text(tr("courses.file_drop"), size="2", align="center"),
                            align="center",
                            spacing="1",
                        ),
                        id=HANDIN_UPLOAD,
                        multiple=False,
                        max_files=1,
                        max_size=courses.FILE_MAX_BYTES,
                        accept=OFFICE_ACCEPT,
                        on_drop=S.stage_handin_file(rx.upload_files(upload_id=HANDIN_UPLOAD)),  # type: ignore[call-arg]
                        border=f"1px dashed {rx.color('accent', 8)}",
                        border_radius="8px",
                        padding="16px",
                        width="100%",
                        cursor="pointer",
                        data_testid="handin-upload",
                    ),
                    rx.foreach(
                        S.handin_staged,
                        lambda label: rx.badge(
                            rx.icon("paperclip", size=14),
                            tr("courses.file_ready").replace("{label}", label),  # type: ignore[attr-defined]
                            color_scheme="green",
                            data_testid="handin-staged",
                        ),
                    ),
                    _error(S.handin_error, "handin-error"),
                    rx.button(tr("courses.hand_in"), type="submit", size="3", width="100%", data_testid="handin-send"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.hand_in,
                key=S.form_key.to(str),
            ),
            width="100%",
            id="course-handin",
        ),
    )


def _tests() -> rx.Component:
    """The course's tests (services.quiz.course_tests): each taken, or built, on /tests; the course's
    teacher adds one from here (/tests?course=<id> opens the test form for this course)."""
    return rx.vstack(
        rx.cond(
            (S.tests.length() > 0) | (S.how == "write"),  # type: ignore[attr-defined]
            rx.heading(tr("courses.tests"), size="4"),
        ),
        rx.foreach(
            S.tests,
            lambda row: rx.card(
                rx.vstack(
                    rx.link(row["title"], href="/tests", weight="bold"),
                    rx.text(
                        row["window"], " · ", row["limit"], " ", tr("courses.minutes"), size="2", color_scheme="gray"
                    ),
                    spacing="1",
                ),
                width="100%",
                data_testid="course-test",
            ),
        ),
        rx.cond(
            S.how == "write",
            rx.link(
                rx.button(rx.icon("list-checks", size=16), tr("courses.add_test"), variant="soft"),
                href="/tests?course=" + S.course_id,
                data_testid="course-add-test",
            ),
        ),
        spacing="2",
        width="100%",
        data_testid="course-tests",
    )


def _course() -> rx.Component:
    return rx.vstack(
        rx.button(
            rx.icon("arrow-left", size=16),
            tr("courses.back"),
            on_click=S.back,
            variant="ghost",
            size="2",
            data_testid="course-back",
        ),
        rx.vstack(
            rx.heading(S.course["title"], size="6", data_testid="course-heading"),
            rx.text(S.course["subject"], " · ", S.course["classes"], " · ", S.course["year"], color_scheme="gray"),
            rx.text(tr("courses.teacher").replace("{name}", S.course["teacher"]), size="2"),  # type: ignore[attr-defined]
            rx.cond(S.course["description"] != "", rx.text(S.course["description"], white_space="pre-wrap")),
            spacing="1",
            width="100%",
        ),
        rx.vstack(rx.foreach(S.items, _item), spacing="3", width="100%"),
        _tests(),
        _handin(),
        _review(),
        _builder(),
        _deleted(),
        spacing="4",
        width="100%",
        max_width="820px",
    )


def _body() -> rx.Component:
    return rx.cond(S.course_id == "", _list(), _course())


courses_page = page_shell("nav.courses", _body)
