"""The backups screen (`/backups`): the administrator's list of backups with size, age, the check
made after writing and the last restore drill; the last run's outcome; where they are kept.

Backups are made by the job queue (bbbms_app/jobs) and on the console (`python -m bbbms_app
backup`); this screen only reads the backup folder and the queue's recorded outcomes.
"""

from __future__ import annotations

import datetime as dt

import reflex as rx

from bbbms_app import db, jobs, settings
from bbbms_app.auth.guard import current, requires
from bbbms_app.auth.state import AuthState
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.components.table import Column, data_table
from bbbms_app.i18n import LANGUAGES, format_datetime, t
from bbbms_app.services import audit, backup

MAX_ROWS = 60


def _by_lang(prefix: str, words: dict[str, str]) -> dict[str, str]:
    return {f"{prefix}_{lang}": words[lang] for lang in LANGUAGES}


class BackupsState(rx.State):
    """The backup folder as display rows, and the messages above it (each in every language)."""

    rows: list[dict[str, str]] = []
    summary: dict[str, str] = {}  # the fresh/stale/none line, per language
    stale: bool = False
    where: dict[str, str] = {}
    schedule: dict[str, str] = {}
    last_run: dict[str, str] = {}
    last_run_failed: bool = False

    @rx.event
    @requires("backup.read")
    def load(self):
        ops = settings.ops()
        now = dt.datetime.now(dt.UTC)
        found = backup.list_backups(ops.backup_dir)[:MAX_ROWS]
        rows = []
        for b in found:
            drill = {"good": "ops.good", "failed": "ops.bad"}.get(b.drill, "ops.not_run")
            rows.append(
                {
                    "name": b.path.name,
                    "made": format_datetime(b.created_at.astimezone(), "ru"),
                    "size": backup.human_size(b.size),
                    "good": "1" if b.good else "",
                    "drill": b.drill,
                    **_by_lang("age", backup.age_words(b.age(now))),
                    **{f"content_{lang}": t("ops.content", lang, rows=b.rows, files=b.files) for lang in LANGUAGES},
                    **{f"drill_{lang}": t(drill, lang) for lang in LANGUAGES},
                }
            )
        self.rows = rows
        warning = backup.warning(now)
        self.stale = bool(warning)
        last = next((b for b in found if b.good), None)
        if warning:
            self.summary = warning
        elif last is not None:
            words = backup.age_words(last.age(now))
            self.summary = {lang: t("ops.fresh", lang, age=words[lang]) for lang in LANGUAGES}
        self.where = {
            lang: t(
                "ops.where",
                lang,
                folder=str(ops.backup_dir),
                keep=ops.backup_keep,
                copy=str(ops.backup_copy_dir) if ops.backup_copy_dir else t("ops.no_copy", lang),
            )
            for lang in LANGUAGES
        }
        self.schedule = {lang: t("ops.schedule", lang, hours=ops.backup_every_hours) for lang in LANGUAGES}
        self.last_run, self.last_run_failed = _last_run(jobs.status("backup"))

    @rx.event
    @requires("backup.run")
    def backup_now(self):
        """The administrator's «back up now»: queue the job (the consumer makes and checks the file)."""
        from bbbms_app.jobs import tasks

        principal = current()
        lang = principal.language
        waiting = tasks.ask_backup(principal.user_id)
        if waiting is not None:
            return rx.toast.info(t("ops.backup_waiting", lang, age=backup.age_words(waiting)[lang]))
        with db.session(write=True) as s:
            audit.record(s, principal, "backup.asked", "backup")
        return rx.toast.success(t("ops.backup_queued", lang))


def _last_run(status: dict | None) -> tuple[dict[str, str], bool]:
    """The last backup job's outcome in each language; True when it failed. The reason of a
    failure is the system's own text (a path, an error), shown as it is after a translated lead."""
    if not status:
        return {}, False
    if status.get("copy_error"):
        return {lang: t("ops.copy_failed", lang, message=str(status["copy_error"])[:300]) for lang in LANGUAGES}, True
    if status.get("ok") is False:
        return {
            lang: t("ops.last_failed", lang, message=str(status.get("message", ""))[:300]) for lang in LANGUAGES
        }, True
    if "rows" in status:
        fields = {k: status.get(k, "") for k in ("file", "rows", "files", "size", "seconds")}
        return {lang: t("ops.last_good_run", lang, **fields) for lang in LANGUAGES}, False
    return {lang: t("ops.last_run", lang, message=str(status.get("message", ""))[:300]) for lang in LANGUAGES}, False


def _lang(row: rx.Var, prefix: str) -> rx.Var:
    return rx.match(AuthState.lang, ("ru", row[f"{prefix}_ru"]), ("en", row[f"{prefix}_en"]), row[f"{prefix}_ky"])


def _in_lang(var: rx.Var) -> rx.Var:
    return var.to(dict)[AuthState.lang].to(str)


def _checked(row: rx.Var) -> rx.Component:
    return rx.cond(
        row["good"] == "1",
        rx.badge(rx.icon("check", size=14), tr("ops.good"), color_scheme="green"),
        rx.badge(rx.icon("x", size=14), tr("ops.bad"), color_scheme="red"),
    )


def _drill(row: rx.Var) -> rx.Component:
    color = rx.match(row["drill"], ("good", "green"), ("failed", "red"), "gray")
    return rx.badge(_lang(row, "drill"), color_scheme=color)


def _made(row: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(row["made"], weight="medium"),
        rx.text(row["name"], size="1", color_scheme="gray", display=["none", "block"]),
        spacing="0",
    )


def _actions() -> rx.Component:
    return rx.hstack(
        rx.cond(
            AuthState.perms.contains("backup.run"),
            rx.button(
                rx.icon("hard-drive-download", size=16),
                tr("ops.backup_now"),
                on_click=BackupsState.backup_now,
                data_testid="backup-now",
            ),
        ),
        rx.button(
            rx.icon("refresh-cw", size=16),
            tr("ops.refresh"),
            on_click=BackupsState.load,
            variant="soft",
            data_testid="backup-refresh",
        ),
        spacing="2",
        wrap="wrap",
    )


def _body() -> rx.Component:
    return rx.vstack(
        _actions(),
        rx.cond(
            BackupsState.summary.length() > 0,  # type: ignore[attr-defined]
            rx.callout(
                _in_lang(BackupsState.summary),
                icon=rx.cond(BackupsState.stale, "triangle-alert", "circle-check"),
                color_scheme=rx.cond(BackupsState.stale, "red", "green"),
                width="100%",
                data_testid="backup-summary",
            ),
        ),
        rx.cond(
            BackupsState.last_run.length() > 0,  # type: ignore[attr-defined]
            rx.text(
                _in_lang(BackupsState.last_run),
                size="2",
                color_scheme=rx.cond(BackupsState.last_run_failed, "red", "gray"),
                data_testid="backup-last-run",
            ),
        ),
        data_table(
            BackupsState.rows,
            [
                Column("made", "ops.col.made", render=_made),
                Column("age", "ops.col.age", render=lambda r: rx.text(_lang(r, "age"))),
                Column("size", "ops.col.size", hide_on_phone=True),
                Column("content", "ops.col.content", render=lambda r: rx.text(_lang(r, "content")), hide_on_phone=True),
                Column("good", "ops.col.checked", render=_checked),
                Column("drill", "ops.col.drill", render=_drill, hide_on_phone=True),
            ],
            testid="backups-table",
        ),
        rx.text(_in_lang(BackupsState.schedule), size="2", color_scheme="gray"),
        rx.text(_in_lang(BackupsState.where), size="1", color_scheme="gray", word_break="break-all"),
        spacing="3",
        width="100%",
    )


backups_page = page_shell("ops.nav", _body)
