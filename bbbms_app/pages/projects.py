"""Project work (`/projects`, issue 18 #5): the list, a new project, and one project open — its
members, tasks and milestones, its thread with shared files, and the supervisor's assessment (a
mark to the journal through the grid's save path, an entry in each member's portfolio).
services.projects checks every scope, whatever the browser sends.
"""

from __future__ import annotations

from datetime import date

import reflex as rx

from bbbms_app import db
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current, requires
from bbbms_app.components.date_input import date_input
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.i18n import t
from bbbms_app.models.journal import MARK_KINDS
from bbbms_app.services import private_files, projects
from bbbms_app.services.errors import NotFound, Refused
from bbbms_app.services.projects import ProjectDraft

UPLOAD_ID = "project-file"
FIELDS = {
    "title": projects.TITLE_MAX,
    "goal": projects.GOAL_MAX,
    "starts_on": 10,
    "ends_on": 10,
    "post_text": projects.TEXT_MAX,
    "task_title": projects.TITLE_MAX,
    "task_due": 10,
    "assess_comment": projects.GOAL_MAX,
}
MARK_VALUES = ("5", "4", "3", "2")


class ProjectsState(rx.State):
    rows: list[dict[str, str]] = []
    can_create: bool = False
    # The new project's form.
    title: str = ""
    goal: str = ""
    starts_on: str = ""
    ends_on: str = ""
    subject_id: str = ""
    members: list[str] = []
    member_options: list[dict[str, str]] = []
    subject_options: list[dict[str, str]] = []
    form_error: str = ""
    form_key: int = 0
    # One project open.
    project_id: str = ""
    card: dict[str, str] = {}
    project_members: list[dict[str, str]] = []
    tasks: list[dict[str, str]] = []
    posts: list[dict[str, str]] = []
    supervises: bool = False
    takes_part: bool = False
    post_text: str = ""
    staged_label: str = ""
    task_title: str = ""
    task_owner: str = ""
    task_due: str = ""
    task_milestone: bool = False
    lesson_options: list[dict[str, str]] = []
    lesson_id: str = ""
    mark_kind: str = "class"
    assess_comment: str = ""
    _staged: dict[str, str] = {}

    def _fetch(self) -> None:
        principal = current()
        self.can_create = principal.staff_id is not None and principal.can("project.write")
        with db.session() as s:
            self.rows = projects.listing(s, principal)
            if self.can_create:
                self.member_options = projects.member_options(s, principal, date.today())
                self.subject_options = projects.subject_options(s, principal, principal.language)
            if self.project_id:
                self._open(s, principal)

    def _open(self, s, principal) -> None:
        d = projects.detail(s, principal, int(self.project_id), principal.language)
        self.card, self.tasks, self.posts = d["card"], d["tasks"], d["posts"]
        self.project_members = [{**m, "mark": ""} for m in d["members"]]
        self.supervises, self.takes_part = d["supervises"], d["takes_part"]
        if self.supervises and not self.card.get("assessed"):
            offered = projects.lesson_options(s, principal, int(self.project_id), date.today())
            self.lesson_options = [{"id": o["id"], "name": _lesson_label(o, principal.language)} for o in offered]
            if self.lesson_id not in [o["id"] for o in offered]:
                # The latest lesson where every member was present: the journal takes a mark there.
                present = [o["id"] for o in offered if not o["absent"]]
                self.lesson_id = (present or [o["id"] for o in offered] or [""])[0]
        else:
            self.lesson_options, self.lesson_id = [], ""

    def _discard_staged(self) -> None:
        if self._staged.get("name"):
            private_files.remove("staging", self._staged["name"])
        self._staged, self.staged_label = {}, ""

    @rx.event
    @requires("project.read")
    def load(self):
        raw = str(self.router.url.query_parameters.get("id", ""))[:12]
        self.project_id = raw if raw.isdigit() else ""
        self.post_text = ""
        self._discard_staged()
        try:
            self._fetch()
        except NotFound:
            self.project_id = ""
            raise

    @rx.event
    @requires("project.read")
    def open_project(self, project_id: str):
        """Open a project at its own address (`/projects?id=`), so a reload or a link keeps it open."""
        pid = inputs.record_id(project_id, "project_id")
        with db.session() as s:
            projects.readable(s, current(), pid)
        return rx.redirect(f"/projects?id={pid}")

    @rx.event
    @requires("project.read")
    def close_project(self):
        self.project_id, self.card = "", {}
        return rx.redirect("/projects")

    @rx.event
    @requires("project.read")
    def set_field(self, field: str, value: str):
        field = inputs.choice(field, tuple(FIELDS), "field")
        setattr(self, field, inputs.text(value, FIELDS[field], field, multiline=field in ("goal", "post_text")))

    # --- a new project ----------------------------------------------------------------------------

    @rx.event
    @requires("project.write")
    def set_starts_on(self, value: str):
        self.starts_on = inputs.text(value, 10, "starts_on")

    @rx.event
    @requires("project.write")
    def set_ends_on(self, value: str):
        self.ends_on = inputs.text(value, 10, "ends_on")

    @rx.event
    @requires("project.write")
    def set_subject(self, value: str):
        self.subject_id = inputs.offered(value, self.subject_options) or ""

    @rx.event
    @requires("project.write")
    def toggle_member(self, pupil_id: str, on: bool):
        picked = inputs.offered(pupil_id, self.member_options)
        if picked is None:
            raise NotFound(f"pupil {pupil_id}")
        rest = [m for m in self.members if m != picked]
        self.members = [*rest, picked] if inputs.flag(on, "on") else rest

    @rx.event
    @requires("project.write")
    def create(self):
        principal = current()
        draft = ProjectDraft(
            title=inputs.text(self.title, projects.TITLE_MAX, "title"),
            goal=inputs.text(self.goal, projects.GOAL_MAX, "goal", multiline=True),
            starts_on=inputs.school_date(self.starts_on, "starts_on"),
            ends_on=inputs.school_date(self.ends_on, "ends_on"),
            subject_id=inputs.optional_id(self.subject_id, "subject_id"),
            member_ids=tuple(inputs.record_id(m, "members") for m in self.members),
        )
        try:
            with db.session(write=True) as s:
                project = projects.create(s, principal, draft)
        except Refused as exc:
            self.form_error = exc.message(principal.language)
            return None
        self.title = self.goal = self.starts_on = self.ends_on = self.subject_id = self.form_error = ""
        self.members = []
        self.form_key += 1
        return [rx.redirect(f"/projects?id={project.id}"), rx.toast.success(t("projects.created", principal.language))]

    # --- the thread -------------------------------------------------------------------------------

    @rx.event
    @requires("project.post")
    async def attach(self, files: list[rx.UploadFile]):
        principal = current()
        if not isinstance(files, list) or len(files) != 1 or principal.school_id is None:
            raise Refused("files.empty", field="file")
        name = str(getattr(files[0], "name", "") or getattr(files[0], "filename", "") or "")[-120:]
        data = await files[0].read(projects.FILE_MAX + 1)
        stored = private_files.store("staging", principal.school_id, data, max_bytes=projects.FILE_MAX, office=True)
        self._discard_staged()
        title = inputs.text(name.rsplit("/", 1)[-1], 200, "file") if name else ""
        self._staged = {"name": stored.name, "sha256": stored.sha256, "title": title}
        self.staged_label = f"{title or stored.content_type} · {max(1, stored.size // 1024)} KB"

    @rx.event
    @requires("project.post")
    def send_post(self):
        principal = current()
        pid = inputs.record_id(self.project_id, "project_id")
        data = None
        if self._staged.get("name"):
            data = private_files.read_verified("staging", self._staged["name"], self._staged["sha256"])
        text = inputs.text(self.post_text, projects.TEXT_MAX, "post_text", multiline=True)
        with db.session(write=True) as s:
            projects.post(s, principal, pid, text, data, self._staged.get("title", ""))
        self.post_text = ""
        self._discard_staged()
        self.form_key += 1
        self._fetch()
        return rx.toast.success(t("projects.post.sent", principal.language))

    @rx.event
    @requires("project.post")
    def tick(self, task_id: str, done: bool):
        with db.session(write=True) as s:
            projects.set_done(s, current(), inputs.record_id(task_id, "task_id"), inputs.flag(done, "done"))
        self._fetch()

    # --- the supervisor ---------------------------------------------------------------------------

    @rx.event
    @requires("project.write")
    def set_task_owner(self, value: str):
        self.task_owner = inputs.offered(value, self.project_members) or ""

    @rx.event
    @requires("project.write")
    def set_task_due(self, value: str):
        self.task_due = inputs.text(value, 10, "task_due")

    @rx.event
    @requires("project.write")
    def set_task_milestone(self, value: bool):
        self.task_milestone = inputs.flag(value, "milestone")

    @rx.event
    @requires("project.write")
    def add_task(self):
        principal = current()
        with db.session(write=True) as s:
            projects.add_task(
                s,
                principal,
                inputs.record_id(self.project_id, "project_id"),
                inputs.text(self.task_title, projects.TITLE_MAX, "task_title"),
                inputs.optional_id(self.task_owner, "task_owner"),
                inputs.school_date(self.task_due, "task_due"),
                self.task_milestone,
            )
        self.task_title = self.task_owner = self.task_due = ""
        self.task_milestone = False
        self.form_key += 1
        self._fetch()

    @rx.event
    @requires("project.write")
    def set_lesson(self, value: str):
        self.lesson_id = inputs.offered(value, self.lesson_options) or ""

    @rx.event
    @requires("project.write")
    def set_mark_kind(self, value: str):
        self.mark_kind = inputs.choice(value, MARK_KINDS, "kind")

    @rx.event
    @requires("project.write")
    def set_mark(self, pupil_id: str, value: str):
        picked = inputs.offered(pupil_id, self.project_members)
        if picked is None:
            raise NotFound(f"pupil {pupil_id}")
        value = inputs.choice(value, ("", *MARK_VALUES), "mark")
        self.project_members = [{**m, "mark": value} if m["id"] == picked else m for m in self.project_members]

    @rx.event
    @requires("project.write")
    def assess(self):
        principal = current()
        pid = inputs.record_id(self.project_id, "project_id")
        marks = {
            inputs.record_id(m["id"], "pupil"): inputs.bounded_int(m["mark"], 1, 100, "mark")
            for m in self.project_members
            if m.get("mark")
        }
        lesson = inputs.optional_id(self.lesson_id, "lesson") if marks else None
        with db.session(write=True) as s:
            projects.assess(
                s,
                principal,
                pid,
                inputs.text(self.assess_comment, projects.GOAL_MAX, "assess_comment", multiline=True),
                marks,
                lesson,
                inputs.choice(self.mark_kind, MARK_KINDS, "kind"),
            )
        self.assess_comment = ""
        self._fetch()
        return rx.toast.success(t("projects.assessed_note", principal.language))


S = ProjectsState


def _lesson_label(option: dict[str, str], lang: str) -> str:
    """An offered lesson, with the members who were absent at it (no project mark goes there)."""
    if not option["absent"]:
        return option["name"]
    return f"{option['name']} · {t('projects.assess.absent', lang, names=option['absent'])}"


def _labelled(key: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(tr(key), size="2", weight="medium"), control, spacing="1", width="100%")


def _input(field: str, testid: str, **props) -> rx.Component:
    return rx.input(
        default_value=getattr(S, field),
        on_blur=lambda v: S.set_field(field, v),
        key=S.form_key.to(str) + "-" + field,
        max_length=FIELDS[field],
        width="100%",
        size="3",
        data_testid=testid,
        **props,
    )


def _new_project() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(tr("projects.new"), size="4"),
            _labelled("projects.field.title", _input("title", "pj-title")),
            _labelled(
                "projects.field.goal",
                rx.text_area(
                    default_value=S.goal,
                    on_blur=lambda v: S.set_field("goal", v),
                    key=S.form_key.to(str) + "-goal",
                    rows="2",
                    width="100%",
                    data_testid="pj-goal",
                ),
            ),
            rx.grid(
                _labelled("projects.field.starts_on", date_input(S.starts_on, S.set_starts_on, testid="pj-starts")),
                _labelled("projects.field.ends_on", date_input(S.ends_on, S.set_ends_on, testid="pj-ends")),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            _labelled(
                "projects.field.subject",
                rx.select.root(
                    rx.select.trigger(width="100%", data_testid="pj-subject"),
                    rx.select.content(
                        rx.foreach(S.subject_options, lambda o: rx.select.item(o["name"], value=o["id"]))
                    ),
                    value=S.subject_id,
                    on_change=S.set_subject,
                ),
            ),
            _labelled(
                "projects.field.members",
                rx.box(
                    rx.foreach(
                        S.member_options,
                        lambda o: rx.box(
                            rx.checkbox(
                                o["name"],
                                checked=S.members.contains(o["id"]),
                                on_change=lambda v: S.toggle_member(o["id"], v),
                                size="3",
                            ),
                            padding_y="3px",
                            data_testid="pj-member",
                            custom_attrs={"data-pupil": o["id"]},  # namesakes (two «Жумабаев») told apart
                        ),
                    ),
                    max_height="220px",
                    overflow_y="auto",
                    width="100%",
                ),
            ),
            rx.cond(
                S.form_error != "",
                rx.callout(
                    S.form_error, color_scheme="red", icon="triangle-alert", width="100%", data_testid="pj-error"
                ),
            ),
            rx.button(tr("projects.create"), on_click=S.create, size="3", data_testid="pj-create"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _list() -> rx.Component:
    return rx.vstack(
        rx.heading(tr("projects.list"), size="4"),
        rx.cond(
            S.rows.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.foreach(
                    S.rows,
                    lambda r: rx.card(
                        rx.flex(
                            rx.vstack(
                                rx.text(r["title"], weight="bold"),
                                rx.text(r["dates"], " · ", r["supervisor"], size="2", color_scheme="gray"),
                                rx.cond(r["assessed"] != "", rx.badge(tr("projects.assessed"), color_scheme="grass")),
                                spacing="1",
                            ),
                            rx.button(
                                tr("projects.open"), on_click=S.open_project(r["id"]), size="3", data_testid="pj-open"
                            ),
                            justify="between",
                            align="center",
                            gap="8px",
                            width="100%",
                        ),
                        width="100%",
                        data_testid="pj-row",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            rx.text(tr("projects.none"), color_scheme="gray"),
        ),
        rx.cond(S.can_create, _new_project()),
        spacing="3",
        width="100%",
    )


def _task(row: rx.Var) -> rx.Component:
    return rx.flex(
        rx.checkbox(
            checked=row["done"] == "1",
            on_change=lambda v: S.tick(row["id"], v),
            disabled=~S.takes_part,
            size="3",
            data_testid="pj-task-done",
        ),
        rx.vstack(
            rx.flex(
                rx.text(row["title"], weight=rx.cond(row["milestone"] == "1", "bold", "regular")),
                rx.cond(row["milestone"] == "1", rx.badge(tr("projects.task.milestone"), color_scheme="iris")),
                gap="6px",
                wrap="wrap",
            ),
            rx.text(
                row["owner"], rx.cond(row["due"] != "", " · " + row["due"].to(str), ""), size="1", color_scheme="gray"
            ),
            spacing="0",
        ),
        gap="10px",
        align="center",
        data_testid="pj-task",
    )


def _tasks() -> rx.Component:
    return rx.vstack(
        rx.heading(tr("projects.tasks"), size="3"),
        rx.cond(
            S.tasks.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(rx.foreach(S.tasks, _task), spacing="2", width="100%"),
            rx.text(tr("projects.tasks_none"), color_scheme="gray", size="2"),
        ),
        rx.cond(
            S.supervises & (S.card["assessed"] == ""),
            rx.grid(
                _input("task_title", "pj-task-title", placeholder=tr("projects.task.title")),
                rx.select.root(
                    rx.select.trigger(placeholder=tr("projects.task.owner"), width="100%"),
                    rx.select.content(
                        rx.foreach(S.project_members, lambda o: rx.select.item(o["name"], value=o["id"]))
                    ),
                    value=S.task_owner,
                    on_change=S.set_task_owner,
                ),
                date_input(S.task_due, S.set_task_due, testid="pj-task-due", width="100%"),
                rx.checkbox(tr("projects.task.milestone"), checked=S.task_milestone, on_change=S.set_task_milestone),
                rx.button(tr("projects.task.add"), on_click=S.add_task, variant="outline", data_testid="pj-task-add"),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="2",
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _post(row: rx.Var) -> rx.Component:
    return rx.box(
        rx.text(row["author"], " · ", row["at"], size="1", color_scheme="gray"),
        rx.cond(row["text"] != "", rx.text(row["text"], size="2", white_space="pre-wrap")),
        rx.cond(
            row["file"] != "",
            rx.link(
                rx.flex(rx.icon("paperclip", size=14), row["file_title"], gap="4px", align="center"),
                href=row["file"],
                is_external=True,
                data_testid="pj-file",
            ),
        ),
        border_left=f"3px solid {rx.color('accent', 6)}",
        padding_left="10px",
        width="100%",
        data_testid="pj-post",
    )


def _thread() -> rx.Component:
    return rx.vstack(
        rx.heading(tr("projects.thread"), size="3"),
        rx.cond(
            S.posts.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(rx.foreach(S.posts, _post), spacing="3", width="100%"),
            rx.text(tr("projects.thread_none"), color_scheme="gray", size="2"),
        ),
        rx.cond(
            S.takes_part,
            rx.vstack(
                rx.text_area(
                    default_value=S.post_text,
                    on_blur=lambda v: S.set_field("post_text", v),
                    key=S.form_key.to(str) + "-post",
                    placeholder=tr("projects.post.text"),
                    rows="2",
                    width="100%",
                    data_testid="pj-post-text",
                ),
                rx.upload(
                    rx.hstack(
                        rx.icon("paperclip", size=18), rx.text(tr("projects.post.file"), size="2"), align="center"
                    ),
                    id=UPLOAD_ID,
                    multiple=False,
                    max_files=1,
                    max_size=projects.FILE_MAX,
                    on_drop=S.attach(rx.upload_files(upload_id=UPLOAD_ID)),  # type: ignore[call-arg]
                    border=f"1px dashed {rx.color('accent', 8)}",
                    border_radius="8px",
                    padding="10px",
                    width="100%",
                    cursor="pointer",
                    data_testid="pj-upload",
                ),
                rx.cond(S.staged_label != "", rx.badge(S.staged_label, color_scheme="green", data_testid="pj-staged")),
                rx.button(tr("projects.post.send"), on_click=S.send_post, size="3", data_testid="pj-send"),
                spacing="2",
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _assess() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(tr("projects.assess"), size="3"),
            rx.cond(
                S.lesson_options.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(
                    _labelled(
                        "projects.assess.lesson",
                        rx.select.root(
                            rx.select.trigger(width="100%", data_testid="pj-lesson"),
                            rx.select.content(
                                rx.foreach(S.lesson_options, lambda o: rx.select.item(o["name"], value=o["id"]))
                            ),
                            value=S.lesson_id,
                            on_change=S.set_lesson,
                        ),
                    ),
                    rx.foreach(
                        S.project_members,
                        lambda m: rx.flex(
                            rx.text(m["name"], size="2"),
                            rx.select.root(
                                rx.select.trigger(placeholder="—", data_testid="pj-mark"),
                                rx.select.content(*[rx.select.item(v, value=v) for v in MARK_VALUES]),
                                value=m["mark"],
                                on_change=lambda v: S.set_mark(m["id"], v),
                            ),
                            justify="between",
                            align="center",
                            width="100%",
                        ),
                    ),
                    spacing="2",
                    width="100%",
                ),
                rx.text(tr("projects.assess.no_lessons"), size="2", color_scheme="gray"),
            ),
            _labelled(
                "projects.assess.comment",
                rx.text_area(
                    default_value=S.assess_comment,
                    on_blur=lambda v: S.set_field("assess_comment", v),
                    rows="2",
                    width="100%",
                    data_testid="pj-assess-comment",
                ),
            ),
            rx.button(
                tr("projects.assess.save"), on_click=S.assess, size="3", color_scheme="grass", data_testid="pj-assess"
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _project() -> rx.Component:
    return rx.vstack(
        rx.button(rx.icon("arrow-left", size=16), tr("projects.back"), on_click=S.close_project, variant="ghost"),
        rx.heading(S.card["title"], size="5", data_testid="pj-heading"),
        rx.text(
            S.card["dates"],
            rx.cond(S.card["subject"] != "", " · " + S.card["subject"].to(str), ""),
            size="2",
            color_scheme="gray",
        ),
        rx.text(tr("projects.supervisor").replace("{name}", S.card["supervisor"].to(str)), size="2"),  # type: ignore[attr-defined]
        rx.cond(
            S.card["write_to"] != "",
            rx.link(
                rx.button(rx.icon("mail", size=16), tr("projects.write_supervisor"), variant="soft", size="3"),
                href="/messages?to=u" + S.card["write_to"].to(str),
                data_testid="pj-write-supervisor",
            ),
        ),
        rx.cond(S.card["goal"] != "", rx.text(S.card["goal"], size="2", white_space="pre-wrap")),
        rx.cond(
            S.card["assessed"] != "",
            rx.callout(
                rx.text(tr("projects.assessed"), ": ", S.card["assessment"]),
                icon="badge-check",
                color_scheme="grass",
                width="100%",
                data_testid="pj-assessed",
            ),
        ),
        rx.heading(tr("projects.members"), size="3"),
        rx.flex(
            rx.foreach(S.project_members, lambda m: rx.badge(m["name"], size="2", variant="soft")),
            gap="6px",
            wrap="wrap",
        ),
        _tasks(),
        _thread(),
        rx.cond(S.supervises & (S.card["assessed"] == ""), _assess()),
        spacing="3",
        width="100%",
    )


def _body() -> rx.Component:
    return rx.box(rx.cond(S.project_id != "", _project(), _list()), width="100%", max_width="900px")


projects_page = page_shell("nav.projects", _body)
