"""/journal's page: the pickers, the toolbar, the grade grid with its mark pad, the lesson panel, the period dialog."""

from __future__ import annotations

import reflex as rx

from bbbms_app.auth.state import AuthState
from bbbms_app.components import grade_grid
from bbbms_app.components.i18n import tr, tr_dict
from bbbms_app.components.layout import page_shell
from bbbms_app.pages.journal.state import FIELD, KINDS, MAX_ROWS, JournalState
from bbbms_app.services import journal

# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


def _pickers() -> rx.Component:
    lang = AuthState.lang
    return rx.flex(
        rx.select.root(
            rx.select.trigger(placeholder=tr("journal.pick.class"), data_testid="pick-class"),
            rx.select.content(
                rx.foreach(JournalState.class_options, lambda o: rx.select.item(o["name"], value=o["id"]))
            ),
            value=JournalState.class_id,
            on_change=JournalState.set_class,
        ),
        rx.select.root(
            rx.select.trigger(placeholder=tr("journal.pick.subject"), data_testid="pick-subject"),
            rx.select.content(
                rx.foreach(
                    JournalState.subject_options,
                    lambda o: rx.select.item(rx.match(lang, ("ru", o["ru"]), ("en", o["en"]), o["ky"]), value=o["key"]),
                )
            ),
            value=JournalState.subject_key,
            on_change=JournalState.set_subject,
        ),
        rx.select.root(
            rx.select.trigger(placeholder=tr("journal.pick.term"), data_testid="pick-term"),
            rx.select.content(
                rx.foreach(
                    JournalState.term_options,
                    lambda o: rx.select.item(rx.match(lang, ("ru", o["ru"]), ("en", o["en"]), o["ky"]), value=o["id"]),
                )
            ),
            value=JournalState.term_id,
            on_change=JournalState.set_term,
        ),
        spacing="2",
        wrap="wrap",
        align="center",
    )


def _toolbar() -> rx.Component:
    return rx.flex(
        rx.cond(
            JournalState.mode != "read",
            rx.select.root(
                rx.select.trigger(data_testid="pick-kind"),
                rx.select.content(
                    *[rx.select.item(tr(f"journal.kind.{k}"), value=k) for k in KINDS],
                ),
                value=JournalState.kind,
                on_change=JournalState.set_kind,
                size="2",
            ),
        ),
        # A class assessed by criteria: the teacher types a work's result as a mark or as a percentage.
        rx.cond(
            JournalState.criterion & (JournalState.mode != "read"),
            rx.segmented_control.root(
                rx.segmented_control.item(tr("journal.entry.mark"), value="mark", data_testid="entry-mark"),
                rx.segmented_control.item(tr("journal.entry.percent"), value="percent", data_testid="entry-percent"),
                value=JournalState.entry,
                on_change=JournalState.set_entry,
                size="2",
                data_testid="pick-entry",
            ),
        ),
        rx.cond(
            JournalState.mode == "write",
            rx.button(
                rx.icon("undo-2", size=16),
                tr("journal.undo"),
                on_click=JournalState.undo,
                disabled=JournalState.undo_count == 0,
                variant="soft",
                size="2",
                data_testid="undo",
            ),
        ),
        rx.button(
            rx.icon("file-spreadsheet", size=16),
            tr("journal.export"),
            on_click=JournalState.export_xlsx,
            variant="soft",
            color_scheme="green",
            size="2",
            data_testid="export-xlsx",
        ),
        rx.cond(
            JournalState.can_close,
            rx.cond(
                JournalState.closed,
                rx.button(
                    rx.icon("lock-open", size=16),
                    tr("journal.term.reopen"),
                    on_click=JournalState.reopen_term,
                    variant="outline",
                    size="2",
                    data_testid="reopen-term",
                ),
                rx.button(
                    rx.icon("lock", size=16),
                    tr("journal.term.close"),
                    on_click=JournalState.close_term,
                    variant="outline",
                    color_scheme="orange",
                    size="2",
                    data_testid="close-term",
                ),
            ),
        ),
        rx.text(JournalState.last_saved, size="1", color_scheme="green", data_testid="save-status"),
        spacing="2",
        wrap="wrap",
        align="center",
    )


def _notice() -> rx.Component:
    return rx.fragment(
        rx.cond(
            JournalState.needs_split,
            rx.callout(tr("journal.needs_split"), icon="split", color_scheme="amber", data_testid="needs-split"),
        ),
        rx.cond(
            JournalState.substitute_dates != "",
            rx.callout(
                tr("journal.substitute.note") + " " + JournalState.substitute_dates,
                icon="user-round-pen",
                color_scheme="blue",
                size="1",
                data_testid="substitute-notice",
            ),
        ),
        rx.cond(
            JournalState.closed,
            rx.callout(tr("journal.closed"), icon="lock", color_scheme="orange", size="1", data_testid="closed-notice"),
        ),
        rx.cond(
            (JournalState.mode == "correct") | (JournalState.closed & JournalState.can_close),
            rx.flex(
                rx.input(
                    value=JournalState.correction_reason,
                    on_change=JournalState.set_correction_reason,
                    placeholder=tr("journal.correction.reason"),
                    width="100%",
                    max_length=journal.MAX_REASON,
                    data_testid="correction-reason",
                ),
                rx.cond(
                    JournalState.mode == "correct", rx.text(tr("journal.correcting"), size="1", color_scheme="orange")
                ),
                direction="column",
                spacing="1",
                width="100%",
            ),
        ),
        rx.cond(
            (JournalState.mode == "read") & ~JournalState.closed & (JournalState.n_rows > 0),
            rx.badge(tr("journal.readonly"), color_scheme="gray", data_testid="readonly-badge"),
        ),
    )


def _lesson_form(on_submit) -> rx.Component:
    """The selected lesson's topic and homework. «Save» submits the form: the handler gets the text
    the inputs show, not only what their debounced on_change has sent so far."""
    editable = JournalState.mode != "read"
    return rx.form(
        rx.flex(
            rx.text(JournalState.topics[JournalState.sel_lesson].split(FIELD)[0], weight="bold"),  # type: ignore[attr-defined]
            rx.input(
                name="topic",
                value=JournalState.topic_draft,
                on_change=JournalState.set_topic_draft,
                placeholder=tr("journal.col.topic"),
                read_only=~editable,
                max_length=journal.MAX_TOPIC,
                width="100%",
                data_testid="topic-input",
            ),
            rx.text_area(
                name="homework",
                value=JournalState.homework_draft,
                on_change=JournalState.set_homework_draft,
                placeholder=tr("journal.col.homework"),
                read_only=~editable,
                max_length=journal.MAX_HOMEWORK,
                rows="2",
                width="100%",
                data_testid="homework-input",
            ),
            rx.cond(
                editable,
                rx.flex(
                    rx.button(tr("journal.lesson.save"), type="submit", size="2", data_testid="save-lesson"),
                    rx.cond(
                        JournalState.mode == "write",
                        rx.button(
                            rx.icon("check-check", size=16),
                            tr("journal.all_present"),
                            type="button",  # not the form's submit
                            on_click=JournalState.all_present,
                            variant="soft",
                            size="2",
                            data_testid="all-present",
                        ),
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
            ),
            direction="column",
            spacing="2",
        ),
        on_submit=on_submit,
        width="100%",
    )


def _lesson_panel() -> rx.Component:
    return rx.cond(
        JournalState.sel_lesson >= 0,
        rx.card(
            # One form per mode: a correction of a closed term goes to its own handler (journal.correct).
            rx.cond(
                JournalState.mode == "correct",
                _lesson_form(JournalState.correct_lesson),
                _lesson_form(JournalState.save_lesson),
            ),
            width="100%",
            data_testid="lesson-panel",
        ),
        rx.text(tr("journal.lesson.pick"), size="1", color_scheme="gray"),
    )


def _period_dialog() -> rx.Component:
    info = JournalState.period_info
    # A substitute writes lessons, not quarter marks: those stay with the journal's own teacher.
    writable = (JournalState.mode != "read") & (JournalState.substitute_dates == "")

    def act(action: str, label: str, **props) -> rx.Component:
        # One button per mode: a correction goes to its own handler (journal.correct).
        return rx.cond(
            JournalState.mode == "correct",
            rx.button(tr(label), on_click=JournalState.correct_period(action), **props),
            rx.button(tr(label), on_click=JournalState.save_period(action), **props),
        )

    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(info["title"]),
            rx.flex(
                rx.text(info["pupil"], weight="bold", data_testid="period-pupil"),
                rx.cond(info["average"] != "", rx.text(tr("journal.col.average") + ": " + info["average"], size="2")),
                rx.text(
                    tr("journal.col.suggested") + ": " + info["suggestion"], size="2", data_testid="period-suggestion"
                ),
                rx.cond(
                    writable,
                    rx.flex(
                        act(
                            "confirm",
                            "journal.period.confirm",
                            disabled=info["suggestion"] == "",
                            data_testid="period-confirm",
                        ),
                        rx.select.root(
                            rx.select.trigger(placeholder=tr("journal.period.other"), data_testid="period-value"),
                            rx.select.content(
                                rx.foreach(JournalState.period_choices, lambda c: rx.select.item(c, value=c))
                            ),
                            value=JournalState.period_value,
                            on_change=JournalState.set_period_value,
                        ),
                        rx.input(
                            value=JournalState.period_reason,
                            on_change=JournalState.set_period_reason,
                            placeholder=tr("journal.period.reason"),
                            max_length=journal.MAX_REASON,
                            data_testid="period-reason",
                        ),
                        rx.flex(
                            act("save", "journal.period.save", data_testid="period-save"),
                            act(
                                "clear",
                                "journal.period.clear",
                                variant="soft",
                                color_scheme="red",
                                data_testid="period-clear",
                            ),
                            spacing="2",
                        ),
                        direction="column",
                        spacing="2",
                    ),
                ),
                rx.dialog.close(
                    rx.button(
                        tr("journal.period.close"),
                        variant="soft",
                        color_scheme="gray",
                        on_click=JournalState.close_period,
                    )
                ),
                direction="column",
                spacing="3",
            ),
            max_width="380px",
            data_testid="period-dialog",
        ),
        open=JournalState.period_open,
        on_open_change=JournalState.set_period_dialog,
    )


def _close_dialog() -> rx.Component:
    """Closing a term: the scope, who still lacks a term mark (per class × subject), then a confirmation."""
    lang = AuthState.lang

    def local(o):
        return rx.match(lang, ("ru", o["ru"]), ("en", o["en"]), o["ky"])

    head = ("class", "subject", "teacher", "missing", "who")
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(tr("journal.close.title")),
            rx.flex(
                rx.text(tr("journal.close.scope"), size="2", weight="medium"),
                rx.select.root(
                    rx.select.trigger(data_testid="close-scope"),
                    rx.select.content(
                        rx.foreach(JournalState.close_scopes, lambda o: rx.select.item(local(o), value=o["id"]))
                    ),
                    value=JournalState.close_scope,
                    on_change=JournalState.set_close_scope,
                ),
                rx.text(
                    tr_dict(JournalState.close_summary),
                    size="2",
                    data_testid="close-summary",
                ),
                rx.cond(
                    JournalState.close_rows.length() > 0,  # type: ignore[attr-defined]
                    rx.box(
                        rx.table.root(
                            rx.table.header(
                                rx.table.row(*[rx.table.column_header_cell(tr(f"journal.close.col.{h}")) for h in head])
                            ),
                            rx.table.body(
                                rx.foreach(
                                    JournalState.close_rows,
                                    lambda row: rx.table.row(
                                        rx.table.cell(row["class"]),
                                        rx.table.cell(local(row)),
                                        rx.table.cell(row["teacher"]),
                                        rx.table.cell(row["count"]),
                                        rx.table.cell(rx.text(row["names"], size="1")),
                                        data_testid="close-missing-row",
                                    ),
                                )
                            ),
                            size="1",
                            variant="surface",
                        ),
                        max_height="45vh",
                        overflow="auto",
                    ),
                    rx.callout(tr("journal.close.all_set"), icon="circle-check", color_scheme="green", size="1"),
                ),
                rx.callout(tr("journal.close.warning"), icon="lock", color_scheme="orange", size="1"),
                rx.flex(
                    rx.dialog.close(rx.button(tr("journal.close.cancel"), variant="soft", color_scheme="gray")),
                    rx.button(
                        rx.icon("lock", size=16),
                        tr("journal.close.confirm"),
                        on_click=JournalState.confirm_close,
                        color_scheme="orange",
                        disabled=JournalState.close_classes == 0,
                        data_testid="close-confirm",
                    ),
                    spacing="2",
                    justify="end",
                ),
                direction="column",
                spacing="3",
            ),
            max_width="760px",
            data_testid="close-dialog",
        ),
        open=JournalState.close_open,
        on_open_change=JournalState.set_close_dialog,
    )


def _topics_list() -> rx.Component:
    return rx.cond(
        JournalState.topics.length() > 0,  # type: ignore[attr-defined]
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell(tr("journal.col.date")),
                        rx.table.column_header_cell(tr("journal.col.topic")),
                        rx.table.column_header_cell(tr("journal.col.homework")),
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        JournalState.topics,
                        lambda line, j: rx.table.row(
                            rx.table.cell(line.split(FIELD)[0]),
                            rx.table.cell(line.split(FIELD)[1]),
                            rx.table.cell(line.split(FIELD)[2]),
                            on_click=JournalState.pick_lesson(j),
                            cursor="pointer",
                        ),
                    )
                ),
                size="1",
                variant="surface",
                data_testid="topics-table",
            ),
            overflow_x="auto",
            width="100%",
        ),
    )


def _grid() -> rx.Component:
    cell, key = grade_grid.entry_args()
    write = JournalState.key(cell, key)
    correct = JournalState.correct_key(cell, key)
    open_ = JournalState.open_period_cell(cell)
    return grade_grid.grade_grid(
        pupils=JournalState.pupils,
        lessons=JournalState.lessons,
        topics=JournalState.topics,
        rows=[getattr(JournalState, f"r{i}") for i in range(MAX_ROWS)],
        periods=[getattr(JournalState, f"p{i}") for i in range(MAX_ROWS)],
        n_rows=JournalState.n_rows,
        n_cols=JournalState.n_cols,
        mode=JournalState.mode,
        selected=JournalState.sel_lesson,
        period_label=tr_dict(JournalState.period_head),
        owner=JournalState.outbox_owner,
        kind=JournalState.kind,
        entry=JournalState.entry,
        on_key=grade_grid.dispatch("key", write, correct, open_),
        on_pick=JournalState.pick_lesson,
        on_period=JournalState.open_period,
    ), grade_grid.mark_pad(grade_grid.dispatch("pad", write, correct, open_), JournalState.entry)


def _body() -> rx.Component:
    grid, pad = _grid()
    return rx.vstack(
        rx.script(src="/connection.js"),  # the connection's state, shared with the test page's script
        rx.script(src="/journal_grid.js"),
        rx.cond(
            JournalState.class_options.length() == 0,  # type: ignore[attr-defined]
            rx.callout(tr("journal.no_journals"), icon="info", color_scheme="gray"),
        ),
        _pickers(),
        rx.cond(JournalState.heading != "", rx.heading(JournalState.heading, size="4", data_testid="journal-heading")),
        _notice(),
        _toolbar(),
        rx.cond(
            (JournalState.n_cols > 0) & ~JournalState.needs_split,
            rx.fragment(
                grid,
                rx.cond(JournalState.mode != "read", pad),
                rx.el.div(
                    tr("journal.offline.waiting"),
                    class_name="jg-outbox",
                    custom_attrs={"data-outbox": "1"},
                    data_testid="outbox-status",
                ),
                rx.cond(
                    JournalState.mode != "read",
                    rx.text(
                        rx.cond(JournalState.entry == "percent", tr("journal.percent.help"), tr("journal.keys.help")),
                        size="1",
                        color_scheme="gray",
                    ),
                ),
                rx.cond(
                    JournalState.criterion,
                    rx.text(
                        tr("journal.percent.legend"),
                        ": ",
                        JournalState.criterion_table,
                        size="1",
                        color_scheme="gray",
                        data_testid="criterion-legend",
                    ),
                ),
                rx.cond(
                    (JournalState.mode == "write") & (JournalState.substitute_dates == ""),
                    rx.box(
                        rx.button(
                            rx.icon("list-checks", size=14),
                            tr("journal.period.confirm_all"),
                            on_click=JournalState.confirm_all,
                            variant="soft",
                            size="1",
                            data_testid="confirm-all",
                        ),
                    ),
                ),
            ),
            rx.cond(
                (JournalState.heading != "") & ~JournalState.needs_split,
                rx.callout(tr("journal.no_lessons"), icon="calendar-x", color_scheme="gray"),
            ),
        ),
        _lesson_panel(),
        _topics_list(),
        _period_dialog(),
        _close_dialog(),
        # journal_grid.js clicks this every 15 s while the tab is visible: others' saves show up.
        rx.el.button(on_click=JournalState.poll, hidden=True, custom_attrs={"data-poll": "1"}, type="button"),
        # ... and this one when the connection is back and entries typed offline wait in its outbox.
        rx.el.button(
            on_click=grade_grid.sync_dispatch(JournalState.sync_offline),
            hidden=True,
            custom_attrs={"data-sync": "1"},
            type="button",
        ),
        spacing="3",
        width="100%",
        align="stretch",
    )


journal_page = page_shell("journal.title", _body)
