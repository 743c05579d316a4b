"""The «whole-school exports» card of /reports: start a background export, watch it, download it.

The director and deputies (services.reports.export_jobs: a school-wide role with report.read)
choose the results or the attendance of the period chosen above, and — with export.personal and a
purpose — the named lists, the term's journals, the year's marks and the year's archive (a ZIP
with a manifest of hashes, as `export archive` writes it); the job runs in the queue
(jobs/tasks.py: school_export) and the card follows its progress (a background event reading the
job's row every second) until the link `/private/report-export/{id}` appears. Only the maker downloads it, for 24 hours.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import reflex as rx

from bbbms_app import db
from bbbms_app.auth.guard import current, requires
from bbbms_app.auth.state import AuthState
from bbbms_app.components.i18n import tr
from bbbms_app.i18n import LANGUAGES, format_datetime, t
from bbbms_app.services import school as school_service
from bbbms_app.services.reports import export_jobs
from bbbms_app.services.reports import results as results_service
from bbbms_app.services.school_events import school_zone

PERMISSION = "report.read"
WATCH_LIMIT_S = 30 * 60
WATCH_EVERY_S = 1.0


def _local(at: datetime) -> datetime:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(school_zone())


def _rows(jobs, lang: str) -> list[dict[str, str]]:
    out = []
    for job in jobs:
        status = {
            x: t(f"exports.status.{job.status}", x, percent=job.progress)
            if job.status == "running"
            else t(f"exports.status.{job.status}", x)
            for x in LANGUAGES
        }
        out.append(
            {
                "id": str(job.id),
                "status": job.status,
                "progress": str(job.progress),
                "url": export_jobs.url(job.id) if job.status == "done" else "",  # type: ignore[arg-type]
                "file": job.file_label,
                "when": format_datetime(_local(job.created_at), lang),  # the school's wall clock
                **{f"kind_{x}": t(f"exports.kind.{job.kind}", x) for x in LANGUAGES},
                **{f"status_{x}": status[x] for x in LANGUAGES},
            }
        )
    return out


class ExportsState(rx.State):
    """The card's choices and the signed-in user's latest export jobs (display-ready)."""

    allowed: bool = False
    kind_options: list[dict[str, str]] = []
    kind: str = "results"
    named: bool = False
    purpose: str = ""
    jobs: list[dict[str, str]] = []
    watching: bool = False

    def _refresh(self) -> bool:
        """Read the user's jobs; True while one of them is queued or running."""
        principal = current()
        with db.session() as s:
            jobs = export_jobs.recent(s, principal)
        self.jobs = _rows(jobs, principal.language)
        return any(j.status in export_jobs.ACTIVE for j in jobs)

    @rx.var
    def needs_purpose(self) -> bool:
        """Named lists asked for, or a kind that is nothing but named lists (journals, marks)."""
        return self.named or self.kind in export_jobs.NAMED_KINDS

    @rx.event
    @requires(PERMISSION)
    def load_exports(self):
        principal = current()
        self.allowed = results_service.school_wide(principal)
        personal = principal.can("export.personal")
        kinds = [k for k in export_jobs.KINDS if personal or k not in export_jobs.NAMED_KINDS]
        self.kind_options = [{"id": k, **{x: t(f"exports.kind.{k}", x) for x in LANGUAGES}} for k in kinds]
        if not self.allowed:
            self.jobs = []
            return None
        if self._refresh() and not self.watching:
            return ExportsState.watch
        return None

    @rx.event
    @requires(PERMISSION)
    def set_kind(self, value: str):
        if value in {o["id"] for o in self.kind_options}:
            self.kind = value

    @rx.event
    @requires(PERMISSION)
    def set_named(self, value: bool):
        self.named = bool(value) and current().can("export.personal")

    @rx.event
    @requires(PERMISSION)
    def set_purpose(self, value: str):
        self.purpose = str(value)[:300]

    @rx.event
    @requires(PERMISSION)
    def start(self, period: str):
        """Queue the export of the period chosen on the page ("year" or a term id of the school's year);
        the service checks the role, the term's school and the named lists' permission and purpose."""
        principal = current()
        period = str(period)[:12]
        term_id = None if period == "year" else int(period) if period.isdigit() else -1
        with db.session(write=True) as s:
            year_id = school_service.context(s, principal, date.today())["year_id"]
            if year_id is None:
                return rx.toast.error(t("reports.no_data", principal.language))
            job = export_jobs.start(s, principal, self.kind, year_id, term_id, named=self.named, purpose=self.purpose)
            job_id = job.id
        export_jobs.enqueue(job_id)  # type: ignore[arg-type]
        self.purpose = ""
        self._refresh()
        return [rx.toast.info(t("exports.started", principal.language)), ExportsState.watch]

    @rx.event
    @requires(PERMISSION)
    def download(self, job_id: str):
        """Fetch a finished export through its authorized route (which checks the maker again and audits)."""
        chosen = next((j for j in self.jobs if j["id"] == str(job_id) and j["url"]), None)
        if chosen is None:
            return None
        return rx.download(url=chosen["url"], filename=chosen["file"])

    @rx.event(background=True)
    @requires(PERMISSION)
    async def watch(self):
        """Follow the user's running export: its row read every second until it is done (30 minutes at most)."""
        async with self:
            if self.watching:
                return
            self.watching = True
        try:
            waited = 0.0
            while waited < WATCH_LIMIT_S:
                await asyncio.sleep(WATCH_EVERY_S)
                waited += WATCH_EVERY_S
                async with self:
                    if not self._refresh():
                        break
        finally:
            async with self:
                self.watching = False


def _in_lang(row, key: str) -> rx.Var:
    return rx.match(AuthState.lang, ("ru", row[f"{key}_ru"]), ("en", row[f"{key}_en"]), row[f"{key}_ky"])


def _job_row(row) -> rx.Component:
    return rx.flex(
        rx.text(_in_lang(row, "kind"), weight="medium", size="2"),
        rx.text(row["when"], size="1", color_scheme="gray"),
        rx.text(_in_lang(row, "status"), size="2", data_testid="export-status"),
        rx.cond(
            row["status"] == "running",
            rx.progress(value=row["progress"].to(int), max=100, width="120px"),
        ),
        rx.cond(
            row["url"] != "",
            rx.button(
                rx.icon("download", size=14),
                tr("exports.download"),
                size="1",
                variant="soft",
                on_click=ExportsState.download(row["id"]),
                data_testid="export-download",
            ),
        ),
        spacing="3",
        align="center",
        wrap="wrap",
        data_testid="export-job",
    )


def exports_card(period: rx.Var) -> rx.Component:
    """The card, for the school's leaders only; `period` is the period chosen on the page."""
    return rx.box(
        rx.cond(
            ExportsState.allowed,
            rx.card(
                rx.vstack(
                    rx.heading(tr("exports.title"), size="3"),
                    rx.text(tr("exports.hint"), size="1", color_scheme="gray"),
                    rx.flex(
                        rx.select.root(
                            rx.select.trigger(data_testid="export-kind", min_width="180px"),
                            rx.select.content(
                                rx.foreach(
                                    ExportsState.kind_options,
                                    lambda o: rx.select.item(
                                        rx.match(AuthState.lang, ("ru", o["ru"]), ("en", o["en"]), o["ky"]),
                                        value=o["id"],
                                    ),
                                )
                            ),
                            value=ExportsState.kind,
                            on_change=ExportsState.set_kind,
                        ),
                        rx.button(
                            rx.icon("play", size=14),
                            tr("exports.start"),
                            on_click=ExportsState.start(period),
                            disabled=ExportsState.watching,
                            data_testid="export-start",
                        ),
                        spacing="2",
                        wrap="wrap",
                        align="center",
                    ),
                    rx.cond(
                        AuthState.perms.contains("export.personal"),  # type: ignore[attr-defined]
                        rx.vstack(
                            rx.cond(  # journals and marks are named throughout: no choice, a note
                                ExportsState.needs_purpose & ~ExportsState.named,
                                rx.text(tr("exports.personal_hint"), size="1", color_scheme="amber"),
                                rx.checkbox(
                                    tr("exports.named"),
                                    checked=ExportsState.named,
                                    on_change=ExportsState.set_named,
                                    data_testid="export-named",
                                ),
                            ),
                            rx.cond(
                                ExportsState.needs_purpose,
                                rx.input(
                                    placeholder=tr("exports.purpose"),
                                    value=ExportsState.purpose,
                                    on_change=ExportsState.set_purpose,
                                    width="100%",
                                    max_width="420px",
                                    data_testid="export-purpose",
                                ),
                            ),
                            spacing="2",
                            width="100%",
                        ),
                    ),
                    rx.cond(
                        ExportsState.jobs.length() == 0,  # type: ignore[attr-defined]
                        rx.text(tr("exports.none"), size="1", color_scheme="gray"),
                        rx.vstack(rx.foreach(ExportsState.jobs, _job_row), spacing="2", width="100%"),
                    ),
                    spacing="3",
                    width="100%",
                ),
                width="100%",
                data_testid="exports-card",
            ),
        ),
        on_mount=ExportsState.load_exports,
        width="100%",
    )
