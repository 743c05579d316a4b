"""The grade grid: pupils × lesson dates with a sticky header and first column, a mark pad for phones.

Each pupil's row is its own state var (`rows[i]`, a list of {t: text, s: classes}) and its period
cell another (`periods[i]`), so saving one mark sends one row to the browser, never the grid.
Keyboard entry runs in assets/journal_grid.js: the browser moves the cursor itself and only an
entry (row:column, key) becomes an event. `dispatch()` builds the one onKeyDown (and pad onClick)
function that hands such an entry to the right handler: entering marks, correcting a closed term,
or opening a period mark.
"""

from __future__ import annotations

from collections.abc import Sequence

import reflex as rx
from reflex.vars import Var, VarData
from reflex_base.components.state_context import get_event_app_wraps
from reflex_base.constants.compiler import Imports
from reflex_base.event import key_event
from reflex_base.vars.base import LiteralVar
from reflex_base.vars.function import ArgsFunctionOperation

from bbbms_app.components.i18n import tr
from bbbms_app.components.packed import FIELD

# How the journal's state packs what this grid splits (pages/journal/state.py packs with these):
# FIELD between the parts of a pupil's row head or a topics line (components/packed.py), «|»
# between a period cell's PERIOD_PARTS.
PERIOD_PARTS = ("val", "sug", "avg", "yval", "ysug")

GRID_CSS = """
.jg-wrap { overflow: auto; max-height: calc(100vh - 230px); min-height: 240px; border: 1px solid var(--gray-6);
  border-radius: 8px; background: var(--color-panel-solid); -webkit-overflow-scrolling: touch; }
.jg { border-collapse: separate; border-spacing: 0; font-size: 15px; font-variant-numeric: tabular-nums; }
.jg th, .jg td { border-right: 1px solid var(--gray-5); border-bottom: 1px solid var(--gray-5); padding: 0;
  text-align: center; white-space: nowrap; }
.jg thead th { position: sticky; top: 0; z-index: 2; background: var(--gray-3); font-weight: 600; font-size: 12px;
  height: 42px; min-width: 38px; cursor: pointer; user-select: none; }
.jg thead th.sel { background: var(--accent-5); }
.jg thead th .d { display: block; font-size: 14px; line-height: 1.1; }
.jg thead th .m { display: block; color: var(--gray-10); font-weight: 400; }
.jg .nm { position: sticky; left: 0; z-index: 1; background: var(--gray-2); text-align: left; padding: 0 8px;
  min-width: 150px; max-width: 320px; overflow: hidden; text-overflow: ellipsis; font-size: 14px; }
.jg thead th.nm { z-index: 3; background: var(--gray-4); cursor: default; }
.jg .nm small { display: block; color: var(--gray-10); font-size: 11px; line-height: 1; }
.jg td.gc { height: 38px; min-width: 38px; outline: none; cursor: cell; scroll-margin: 48px 8px 8px 200px; }
.jg td.gc:focus { box-shadow: inset 0 0 0 2px var(--accent-9); background: var(--accent-3); }
.jg td.b { font-weight: 700; text-decoration: underline; }
.jg td.a { color: var(--red-11); }
.jg td.ok { background: var(--green-3); }
.jg td.err { background: var(--red-5); box-shadow: inset 0 0 0 2px var(--red-9); }
.jg td.gc[data-wait] { position: relative; color: transparent; background: var(--amber-3); }
.jg td.gc[data-wait]::after { content: attr(data-wait); position: absolute; inset: 0; display: flex;
  align-items: center; justify-content: center; color: var(--amber-11); font-style: italic;
  border-bottom: 2px dashed var(--amber-9); }
.jg td.gc .pct { display: inline-block; width: 100%; font-size: 10.5px; line-height: 1; color: var(--gray-11);
  font-weight: 400; }  /* an inline block: a test's underline (td.b) stays on the mark, not on the percent */
.jg td.gc .pct:empty { display: none; }
.jg td.gc[data-typing] { position: relative; color: transparent; }
.jg td.gc[data-typing]::after { content: attr(data-typing); position: absolute; inset: 0; display: flex;
  align-items: center; justify-content: center; color: var(--accent-11); background: var(--accent-3);
  font-weight: 600; font-size: 14px; }
.jg-outbox { font-size: 13px; color: var(--amber-11); }
.jg-outbox:not([data-count]) { display: none; }
.jg-outbox { border-left: 3px solid var(--amber-9); padding-left: 6px; }
.jg-outbox::before { content: attr(data-count) " "; font-weight: 700; }
.jg td.x { background: repeating-linear-gradient(135deg, var(--gray-3), var(--gray-3) 4px, var(--gray-2) 4px,
  var(--gray-2) 8px); cursor: not-allowed; }
.jg tr.gone .nm { color: var(--gray-10); font-style: italic; }
.jg td.pc { min-width: 64px; background: var(--amber-2); cursor: pointer; line-height: 1.05; }
.jg td.pc:focus { box-shadow: inset 0 0 0 2px var(--accent-9); outline: none; }
.jg td.pc .v { font-weight: 700; font-size: 16px; }
.jg td.pc .s { color: var(--gray-10); font-style: italic; font-size: 14px; }
.jg td.pc .av { display: block; color: var(--gray-10); font-size: 11px; }
.jg th.pc { background: var(--amber-4); min-width: 76px; max-width: 84px; white-space: normal; line-height: 1.1;
  padding: 0 3px; }
.jg-pad { position: sticky; bottom: 0; z-index: 5; display: flex; gap: 6px; flex-wrap: wrap; padding: 8px 0;
  background: var(--color-background); }
.jg-pad button { min-width: 44px; height: 44px; font-size: 18px; border-radius: 8px; border: 1px solid var(--gray-7);
  background: var(--gray-2); color: var(--gray-12); cursor: pointer; }
.jg-pad button.code { color: var(--red-11); }
.jg-pad button.ok { background: var(--accent-9); color: white; border-color: var(--accent-9); min-width: 64px; }
@media (hover: hover) and (pointer: fine) { .jg-pad.touch-only { display: none; } }
@media (max-width: 640px) {
  .jg .nm { min-width: 112px; max-width: 124px; white-space: normal; line-height: 1.1; font-size: 12.5px;
    padding: 0 4px; }
  .jg td.gc { min-width: 34px; height: 40px; scroll-margin: 48px 8px 8px 124px; }
  .jg-wrap { max-height: calc(100vh - 300px); }
  .jg-pad button { min-width: 40px; height: 40px; }
}
"""


class KeyArea(rx.el.Div):
    """A div whose onKeyDown reaches the app (plain divs do not declare the trigger)."""

    on_key_down: rx.EventHandler[key_event]


def _event_js(spec: rx.event.EventSpec) -> Var:
    return LiteralVar.create(spec)


def dispatch(source: str, on_write: rx.event.EventSpec, on_correct: rx.event.EventSpec, on_open: rx.event.EventSpec):
    """A JS function (key or click) that asks journal_grid.js for an entry and queues the matching event.

    `source` is "key" or "pad"; the specs must take the JS values `_c.cell` and `_c.key` as arguments
    (see `entry_args()`); `on_open` gets only the cell.
    """
    write, correct, open_ = _event_js(on_write), _event_js(on_correct), _event_js(on_open)
    body = (
        f"{{const _c = window.bbbmsGrid?.{source}(_e); if (!_c) return;"
        f' const _ev = _c.key === "period" ? {open_} : _c.mode === "correct" ? {correct} : {write};'
        f' if (_c.key === "period" || _c.mode !== "read") addEvents([_ev], [_e], {{}});}}'
    )
    data = VarData.merge(
        write._get_all_var_data(),
        correct._get_all_var_data(),
        open_._get_all_var_data(),
        VarData(imports=Imports.EVENTS, app_wraps=get_event_app_wraps()),
    )
    # Reflex calls a trigger's function with its spec's values first and the DOM event after them:
    # onKeyDown with (key, info, event), onClick with (pointer info, event). journal_grid.js needs the
    # DOM event (its target is the cell or the pad button), so it is the last parameter in both.
    if source == "key":
        return ArgsFunctionOperation.create(("_k", "_i", "_e"), Var(_js_expr=body, _var_data=data))
    return ArgsFunctionOperation.create(("_p", "_e"), Var(_js_expr=body, _var_data=data))


def sync_dispatch(on_sync_factory, source: str = "window.bbbmsGrid?.outbox()") -> Var:
    """The onClick of the hidden button that sends an offline outbox: `on_sync_factory(entries_var)`
    gives the event spec; the entries come from `source` (journal_grid.js's outbox, or another
    script's: quiz_answers.js) at the moment of the click; nothing is sent when it gives none."""
    spec = _event_js(on_sync_factory(Var(_js_expr="_q").to(list)))
    body = f"{{const _q = {source}; if (!_q) return; addEvents([{spec}], [_e], {{}});}}"
    data = VarData.merge(spec._get_all_var_data(), VarData(imports=Imports.EVENTS, app_wraps=get_event_app_wraps()))
    return ArgsFunctionOperation.create(("_p", "_e"), Var(_js_expr=body, _var_data=data))


def entry_args() -> tuple[Var, Var]:
    """The JS values of an entry, to bind as a handler's (cell, key) arguments."""
    return Var(_js_expr="_c.cell").to(str), Var(_js_expr="_c.key").to(str)


def _lesson_head(head: Var, j: Var, topics: Var, selected: Var, on_pick) -> rx.Component:
    """A lesson's column head: the state packs it as «id|day|month» (pages/journal/state.py); its
    tooltip, «date — topic», comes from the lesson's line of `topics` («date␟topic␟homework»)."""
    parts = head.split("|")  # type: ignore[attr-defined]
    topic = topics[j].to(str).split(FIELD)
    return rx.el.th(
        rx.el.span(parts[1], class_name="d"),
        rx.el.span(parts[2], class_name="m"),
        class_name=rx.cond(selected == j, "sel", ""),
        on_click=on_pick(j),
        title=topic[0].to(str) + " — " + topic[1].to(str),
        custom_attrs={"data-l": parts[0]},
        data_testid="lesson-head",
    )


def _header(lessons: Var, topics: Var, selected: Var, on_pick, period_label: rx.Var) -> rx.Component:
    return rx.el.thead(
        rx.el.tr(
            rx.el.th(tr("journal.col.pupil"), class_name="nm"),
            rx.foreach(lessons, lambda head, j: _lesson_head(head, j, topics, selected, on_pick)),
            rx.el.th(period_label, class_name="pc"),
            rx.el.th(tr("journal.col.year"), class_name="pc"),
        )
    )


def _cell(i: int, parts: Var, j: Var) -> rx.Component:
    """One cell of a row: the state packs it as «text|classes|token» (pages/journal/state.pack), and a
    criterion-based cell as «…|token|73%»: its percentage, shown small under the mark."""
    return rx.el.td(
        parts[0],
        rx.el.span(parts[3], class_name="pct"),
        class_name="gc " + parts[1],
        tab_index=0,
        custom_attrs={
            "data-r": str(i),
            "data-c": j,
            "data-off": rx.cond(parts[1].contains("x"), "1", ""),
            "data-v": parts[2],
        },
    )


def _row(i: int, packed_pupil: Var, cells: Var, packed_period: Var, on_period, n_cols: Var) -> rx.Component:
    """Row i: its head «id␟name␟left», its cells, and its period cell «val|sug|avg|yval|ysug» (packed
    by pages/journal/state.py's pupil_view and period_view)."""
    split = packed_pupil.to(str).split(FIELD)
    pupil = {"k": split[0], "name": split[1], "left": split[2]}
    split = packed_period.to(str).split("|")
    period = {part: split[n] for n, part in enumerate(PERIOD_PARTS)}
    return rx.el.tr(
        rx.el.th(
            pupil["name"],
            rx.cond(pupil["left"] != "", rx.el.small(pupil["left"])),
            class_name="nm",
            scope="row",
            title=pupil["name"],
        ),
        rx.foreach(cells, lambda cell, j: _cell(i, cell.split("|"), j)),
        rx.el.td(
            rx.cond(
                period["val"] != "",
                rx.el.span(period["val"], class_name="v"),
                rx.el.span(period["sug"], class_name="s"),
            ),
            rx.el.span(period["avg"], class_name="av"),
            class_name="pc",
            tab_index=0,
            on_click=on_period(i, "term"),
            custom_attrs={"data-r": str(i), "data-c": n_cols.to_string(), "data-period": "1"},
            data_testid="period-cell",
        ),
        rx.el.td(
            rx.cond(
                period["yval"] != "",
                rx.el.span(period["yval"], class_name="v"),
                rx.el.span(period["ysug"], class_name="s"),
            ),
            class_name="pc",
            tab_index=0,
            on_click=on_period(i, "year"),
            custom_attrs={"data-r": str(i), "data-c": (n_cols + 1).to_string(), "data-period": "1"},
        ),
        class_name=rx.cond(pupil["left"] != "", "gone", ""),
        custom_attrs={"data-p": pupil["k"]},
        data_testid="grid-row",
    )


def grade_grid(
    *,
    pupils: Var,
    lessons: Var,
    topics: Var,
    rows: Sequence[Var],
    periods: Sequence[Var],
    n_rows: Var,
    n_cols: Var,
    mode: Var,
    selected: Var,
    period_label: Var,
    owner: Var,
    kind: Var,
    entry: Var,
    on_key,
    on_pick,
    on_period,
) -> rx.Component:
    """The grid itself; `rows`/`periods` are the per-pupil vars, shown for the first `n_rows`."""
    return rx.fragment(
        rx.el.style(GRID_CSS),
        KeyArea.create(
            rx.el.table(
                _header(lessons, topics, selected, on_pick, period_label),
                rx.el.tbody(
                    *[
                        rx.cond(i < n_rows, _row(i, pupils[i], rows[i], periods[i], on_period, n_cols))
                        for i in range(len(rows))
                    ]
                ),
                class_name="jg",
            ),
            class_name="jg-wrap",
            on_key_down=on_key,
            custom_attrs={
                "data-grid": "1",
                "data-rows": n_rows.to_string(),
                "data-cols": n_cols.to_string(),
                "data-mode": mode,
                "data-readonly": rx.cond(mode == "read", "1", ""),
                "data-owner": owner,  # whose outbox entries this tab shows and sends
                "data-kind": kind,  # the kind of mark an entry kept offline will have
                "data-entry": entry,  # "percent": keys collect a percentage in the cell (journal_grid.js)
            },
            data_testid="grade-grid",
        ),
    )


PAD_KEYS = (("5", ""), ("4", ""), ("3", ""), ("2", ""), ("н", "code"), ("б", "code"), ("у", "code"), ("п", "code"),
            ("о", "code"), ("clear", ""), ("undo", ""))  # fmt: skip


# A class assessed by criteria, typing percentages: digits collect in the cell, ✓ sends them.
PERCENT_PAD_KEYS = (*((str(d), "") for d in (1, 2, 3, 4, 5, 6, 7, 8, 9, 0)), ("ok", "ok"), ("clear", ""),
                    ("undo", ""))  # fmt: skip


def mark_pad(on_click, entry: Var | None = None) -> rx.Component:
    """Buttons for a phone without a keyboard: they act on the cell last focused. With `entry`
    "percent" the pad types a percentage instead (digits and ✓)."""
    labels = {"clear": "⌫", "undo": "↶", "ok": "✓ %"}

    def buttons(keys):
        return [
            rx.el.button(labels.get(k, k), class_name=cls, custom_attrs={"data-key": k}, type="button", aria_label=k)
            for k, cls in keys
        ]

    keys = buttons(PAD_KEYS) if entry is None else [rx.cond(entry == "percent", rx.fragment(*buttons(PERCENT_PAD_KEYS)),
                                                             rx.fragment(*buttons(PAD_KEYS)))]  # fmt: skip
    return KeyArea.create(
        *keys,
        class_name="jg-pad touch-only",
        on_click=on_click,
        custom_attrs={"data-pad": "1"},
        data_testid="mark-pad",
    )
