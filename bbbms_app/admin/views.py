"""Components of the generated screens, built with Python loops over the spec at compile time.

Only the rows, the form values and the detail card are state; the columns, fields, widgets and
labels come from the EntitySpec. Choices and yes/no travel as codes and are shown in the current
language in the browser, so switching language needs no round trip.
"""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from bbbms_app.admin.state import NONE_VALUE, CrudMixin
from bbbms_app.auth.state import AuthState
from bbbms_app.components import spreadsheet_upload
from bbbms_app.components.date_input import date_input
from bbbms_app.components.i18n import tr
from bbbms_app.i18n import LANGUAGES, translations
from bbbms_app.services.engine import exports
from bbbms_app.services.engine.registry import ENTITIES
from bbbms_app.services.engine.spec import EntitySpec, FieldSpec

NO_PRINT = "no-print"


def _lookup(table: dict[str, dict[str, str]], code: rx.Var) -> rx.Var:
    # An empty or unknown code shows nothing instead of failing in the browser.
    table = {"": dict.fromkeys(LANGUAGES, ""), **table}
    return rx.Var.create(table).to(dict)[code].to(dict)[AuthState.lang].to(str)


def choice_labels(f: FieldSpec) -> dict[str, dict[str, str]]:
    return {v: translations(f.choice_key(v)) for v in f.choices}


YES_NO = {"yes": translations("yes"), "no": translations("no")}


def cell_text(f: FieldSpec, value: rx.Var) -> rx.Var:
    """A list cell's text: choice and yes/no codes translated in the browser, anything else as is."""
    if f.widget == "choice":
        return _lookup(choice_labels(f), value)
    if f.widget == "bool":
        return _lookup(YES_NO, value)
    return value


def _phone_display(f: FieldSpec):
    return ["none", "table-cell"] if f.hide_on_phone else None


# ------------------------------------------------------------------------------ toolbar


def search_box(state: type[CrudMixin]) -> rx.Component:
    return rx.input(
        rx.input.slot(rx.icon("search", size=16)),
        placeholder=tr("list.search"),
        value=state.search,
        on_change=state.set_search.debounce(300),  # type: ignore[attr-defined]
        size="3",
        width="100%",
        max_width="360px",
        data_testid="search",
    )


def filter_select(state: type[CrudMixin], spec: EntitySpec, name: str) -> rx.Component:
    f = spec.fields[name]
    select = rx.select.root(
        rx.select.trigger(placeholder=tr(f.label_key), min_width="140px", data_testid=f"filter-{name}"),
        rx.select.content(
            rx.select.item(tr("admin.filter_all"), value=NONE_VALUE),
            rx.foreach(state.filter_options[name], lambda o: rx.select.item(o["label"], value=o["id"])),
        ),
        value=rx.cond(state.filters[name], state.filters[name].to(str), NONE_VALUE),
        on_change=lambda value: state.set_filter(name, value),
        size="3",
    )
    return rx.hstack(rx.text(tr(f.label_key), size="2", color_scheme="gray"), select, align="center", spacing="2")


def _export_menu(state: type[CrudMixin]) -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("download", size=16),
                rx.cond(
                    state.selected_count > 0,
                    tr("admin.selected").replace("{count}", state.selected_count.to_string()),
                    "",
                ),  # type: ignore[attr-defined]
                variant="soft",
                size="3",
                loading=state.export_busy,
                aria_label="export",
                data_testid="export-menu",
            )
        ),
        rx.menu.content(
            rx.menu.item(tr("admin.export_xlsx"), on_click=state.export_file("xlsx"), data_testid="export-xlsx"),
            rx.menu.item(tr("admin.export_csv"), on_click=state.export_file("csv"), data_testid="export-csv"),
        ),
    )


def _export_purpose(state: type[CrudMixin]) -> rx.Component:
    """The required purpose of a personal-data export: audited with it and written into the file."""
    return rx.input(
        rx.input.slot(rx.icon("shield-check", size=16)),
        default_value=state.export_purpose,
        on_blur=state.set_export_purpose,  # the click on the export menu blurs it first
        placeholder=tr("admin.export_purpose_hint"),
        title=tr("admin.export_purpose_note"),
        max_length=300,
        required=True,
        size="3",
        width=rx.breakpoints(initial="240px", sm="330px"),  # beside the export button at phone width
        aria_label=tr("admin.export_purpose"),
        data_testid="export-purpose",
    )


def _print_button(state: type[CrudMixin] | None = None) -> rx.Component:
    """Print: a list through its handler (which heads the sheet with its filter), a card directly."""
    return rx.icon_button(
        rx.icon("printer", size=16),
        on_click=state.print_list if state is not None else rx.call_script("window.print()"),
        variant="soft",
        size="3",
        aria_label="print",
        data_testid="print",
    )


def toolbar(state: type[CrudMixin], spec: EntitySpec) -> rx.Component:
    return rx.hstack(
        search_box(state) if spec.searchable else rx.fragment(),
        *[filter_select(state, spec, name) for name in spec.filters],
        rx.cond(
            state.can_write,
            rx.button(
                rx.icon("archive-restore", size=16),
                tr("admin.show_deleted"),
                variant=rx.cond(state.show_deleted, "solid", "soft"),
                color_scheme="gray",
                size="3",
                on_click=state.toggle_deleted,
                data_testid="show-deleted",
            ),
        ),
        rx.spacer(),
        rx.cond(
            state.can_write,
            rx.hstack(
                rx.button(
                    rx.icon("plus", size=16),
                    tr("admin.new"),
                    size="3",
                    on_click=state.new_record,
                    data_testid="new-record",
                ),
                rx.button(
                    rx.icon("upload", size=16),
                    tr("admin.import"),
                    size="3",
                    variant="soft",
                    on_click=state.open_import,
                    data_testid="open-import",
                )
                if spec.importable
                else rx.fragment(),
                spacing="2",
            ),
        ),
        rx.cond(
            state.can_export,
            rx.hstack(_export_purpose(state), _export_menu(state), spacing="2", align="center", wrap="nowrap")
            if exports.is_personal(spec)
            else _export_menu(state),
        ),
        _print_button(state),
        width="100%",
        wrap="wrap",
        align="center",
        spacing="2",
        class_name=NO_PRINT,
    )


def print_heading(state: type[CrudMixin]) -> rx.Component:
    """Only on paper, under the page heading: the filter, search, sort and total, when and by whom printed."""
    return rx.box(
        rx.text(state.print_note, weight="bold", size="2", data_testid="print-note"),
        rx.text(state.print_stamp, size="1", data_testid="print-stamp"),
        class_name="print-only",
        width="100%",
    )


def export_status(state: type[CrudMixin]) -> rx.Component:
    return rx.fragment(
        rx.cond(
            state.export_error != "",
            rx.callout(
                state.export_error,
                icon="triangle-alert",
                color_scheme="red",
                size="1",
                width="100%",
                class_name=NO_PRINT,
                data_testid="export-error",
            ),
        ),
        _export_ready(state),
    )


def _export_ready(state: type[CrudMixin]) -> rx.Component:
    return rx.cond(
        state.export_message != "",
        rx.callout(
            rx.hstack(
                rx.text(state.export_message, data_testid="export-message"),
                rx.cond(
                    state.export_url != "",
                    # A document link: routed in the browser (rx.link, and rx.el.a is React Router's
                    # Link too in Reflex 0.10.1) the file's URL showed the app's 404 page.
                    rx.el.a(
                        tr("admin.export_again"),
                        href=state.export_url,
                        reload_document=True,
                        download="",
                        class_name="rt-Text rt-reset rt-Link rt-underline-auto",
                        data_testid="export-link",
                    ),
                ),
                spacing="3",
                wrap="wrap",
            ),
            icon="file-spreadsheet",
            color_scheme="green",
            size="1",
            width="100%",
            class_name=NO_PRINT,
        ),
    )


# -------------------------------------------------------------------------------- table


def _header(state: type[CrudMixin], spec: EntitySpec, name: str) -> rx.Component:
    f = spec.fields[name]
    label = rx.text(tr(f.label_key))
    if not f.sort_by:
        return rx.table.column_header_cell(label, display=_phone_display(f))
    arrow = rx.cond(
        state.sort == name,
        rx.icon(rx.cond(state.descending, "chevron-down", "chevron-up"), size=14),
        rx.icon("chevrons-up-down", size=14, opacity="0.4"),
    )
    return rx.table.column_header_cell(
        rx.hstack(label, arrow, spacing="1", align="center", cursor="pointer", on_click=state.sort_by(name)),
        display=_phone_display(f),
        data_testid=f"sort-{name}",
    )


def _row_actions(state: type[CrudMixin], row: rx.Var) -> rx.Component:
    return rx.cond(
        state.can_write,
        rx.hstack(
            rx.cond(
                row["deleted"] == "1",
                rx.icon_button(
                    rx.icon("undo-2", size=14),
                    size="1",
                    variant="soft",
                    color_scheme="green",
                    on_click=state.restore_record(row["id"]),
                    aria_label="restore",
                    data_testid="restore-row",
                ),
                rx.hstack(
                    rx.icon_button(
                        rx.icon("pencil", size=14),
                        size="1",
                        variant="soft",
                        on_click=state.edit_record(row["id"]),
                        aria_label="edit",
                        data_testid="edit-row",
                    ),
                    rx.icon_button(
                        rx.icon("trash-2", size=14),
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=state.ask_delete(row["id"]),
                        aria_label="delete",
                        data_testid="delete-row",
                    ),
                    spacing="1",
                ),
            ),
            spacing="1",
        ),
    )


def data_grid(state: type[CrudMixin], spec: EntitySpec) -> rx.Component:
    first = spec.columns[0]

    def cell(row: rx.Var, name: str) -> rx.Component:
        f = spec.fields[name]
        text = cell_text(f, row[name])
        content: rx.Component
        if name == first:
            # A button, not a link: a link's href="#" would navigate and drop the event.
            content = rx.el.button(
                text,
                type="button",
                on_click=state.open_record(row["id"]),
                class_name="link-button",
                data_testid="open-row",
            )
        else:
            content = rx.text(text)
        return rx.table.cell(content, display=_phone_display(f), data_col=name)

    def body_row(row: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(
                rx.checkbox(
                    checked=state.selected.contains(row["id"]),
                    on_change=lambda _v: state.toggle_row(row["id"]),
                    aria_label="select",
                ),
                class_name=NO_PRINT,
                width="32px",
            ),
            *[cell(row, name) for name in spec.columns],
            rx.table.cell(_row_actions(state, row), class_name=NO_PRINT),
            opacity=rx.cond(row["deleted"] == "1", "0.6", "1"),
        )

    table = rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell(
                    rx.checkbox(checked=False, on_change=lambda _v: state.select_page(), aria_label="select page"),
                    class_name=NO_PRINT,
                    width="32px",
                ),
                *[_header(state, spec, name) for name in spec.columns],
                rx.table.column_header_cell("", class_name=NO_PRINT),
            )
        ),
        rx.table.body(rx.foreach(state.rows, body_row)),
        variant="surface",
        size="2",
        width="100%",
        data_testid=f"{_slug(spec)}-table",
    )
    return rx.cond(
        state.rows.length() > 0,  # type: ignore[attr-defined]
        rx.box(table, overflow_x="auto", width="100%", class_name="print-area"),
        _empty(state),
    )


def _empty(state: type[CrudMixin]) -> rx.Component:
    message = rx.cond(
        (state.search != "") | state.show_deleted,
        tr("admin.empty_search"),
        rx.cond(state.can_write, tr("admin.empty"), tr("admin.empty_readonly")),
    )
    return rx.callout(message, icon="info", color_scheme="gray", width="100%", data_testid="empty-state")


def selection_bar(state: type[CrudMixin]) -> rx.Component:
    return rx.cond(
        state.selected_count > 0,
        rx.hstack(
            rx.text(
                tr("admin.selected").replace("{count}", state.selected_count.to_string()),
                size="2",  # type: ignore[attr-defined]
                data_testid="selected-count",
            ),
            rx.button(tr("admin.clear_selection"), size="1", variant="ghost", on_click=state.clear_selection),
            spacing="3",
            align="center",
            class_name=NO_PRINT,
        ),
    )


def pager(state: type[CrudMixin]) -> rx.Component:
    return rx.hstack(
        rx.text(
            tr("list.total").replace("{total}", state.total.to_string() + rx.cond(state.total_more, "+", "")),
            size="2",
            color_scheme="gray",  # type: ignore[attr-defined]
            data_testid="total",
        ),
        rx.spacer(),
        rx.button(
            rx.icon("chevron-left", size=16),
            tr("list.previous"),
            on_click=state.prev_page,
            disabled=state.page <= 1,
            variant="soft",
            size="2",
            data_testid="prev-page",
        ),
        rx.text(
            tr("list.page")
            .replace("{page}", state.page.to_string())
            .replace("{pages}", state.pages.to_string() + rx.cond(state.total_more, "+", "")),  # type: ignore[attr-defined]
            size="2",
        ),
        rx.button(
            tr("list.next"),
            rx.icon("chevron-right", size=16),
            on_click=state.next_page,
            disabled=state.page >= state.pages,
            variant="soft",
            size="2",
            data_testid="next-page",
        ),
        align="center",
        width="100%",
        wrap="wrap",
        class_name=NO_PRINT,
    )


def delete_dialog(state: type[CrudMixin], spec: EntitySpec) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(tr("admin.delete_title").replace("{name}", state.delete_name)),  # type: ignore[attr-defined]
            rx.alert_dialog.description(tr("admin.delete_hint"), size="2"),
            rx.vstack(
                rx.text(tr("admin.delete_reason"), size="2", weight="medium"),
                rx.text_area(
                    value=state.delete_reason,
                    on_change=state.set_delete_reason,
                    width="100%",
                    data_testid="delete-reason",
                ),
                rx.cond(
                    state.delete_error != "",
                    rx.text(state.delete_error, color_scheme="red", size="2", data_testid="delete-error"),
                ),
                rx.hstack(
                    rx.button(tr("admin.cancel"), variant="soft", color_scheme="gray", on_click=state.cancel_delete),
                    rx.button(
                        tr("admin.disable" if spec.soft_delete == "is_active" else "admin.delete"),
                        color_scheme="red",
                        on_click=state.confirm_delete,
                        data_testid="confirm-delete",
                    ),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                margin_top="12px",
            ),
        ),
        open=state.delete_id != "",
    )


# --------------------------------------------------------------------------------- form


def _field_error(state: type[CrudMixin], name: str) -> rx.Component:
    return rx.cond(
        state.form_errors.contains(name),  # type: ignore[attr-defined]
        rx.text(state.form_errors[name], color_scheme="red", size="1", data_testid=f"error-{name}"),
        rx.cond(
            state.form_warnings.contains(name),  # type: ignore[attr-defined]
            rx.text(state.form_warnings[name], color_scheme="amber", size="1", data_testid=f"warning-{name}"),
        ),
    )


def _widget(state: type[CrudMixin], spec: EntitySpec, f: FieldSpec) -> rx.Component:
    default = state.form[f.name].to(str)
    common = {"name": f.name, "width": "100%", "data_testid": f"field-{f.name}"}
    trigger = {"width": "100%", "data_testid": f"field-{f.name}"}
    if f.widget == "choice":
        return rx.select.root(
            rx.select.trigger(**trigger),
            rx.select.content(
                *([] if f.required else [rx.select.item("—", value=NONE_VALUE)]),
                *[rx.select.item(tr(f.choice_key(v)), value=v) for v in f.choices],
            ),
            default_value=rx.cond(default != "", default, NONE_VALUE if not f.required else ""),
            name=f.name,
        )
    if f.widget == "fk":
        picker = rx.select.root(
            rx.select.trigger(placeholder="—", **trigger),
            rx.select.content(
                *([] if f.required else [rx.select.item("—", value=NONE_VALUE)]),
                rx.foreach(state.fk_options[f.name], lambda o: rx.select.item(o["label"], value=o["id"])),
            ),
            default_value=rx.cond(default != "", default, NONE_VALUE if not f.required else ""),
            name=f.name,
        )
        if ENTITIES.by_table(f.fk_table).profile.picker_searched:  # type: ignore[arg-type]
            return rx.vstack(
                rx.input(
                    placeholder=tr("admin.search_picker"),
                    size="2",
                    width="100%",
                    on_change=lambda text: state.search_options(f.name, text).debounce(300),  # type: ignore[attr-defined]
                    data_testid=f"search-{f.name}",
                ),
                picker,
                spacing="1",
                width="100%",
            )
        return picker
    if f.widget == "bool":
        return rx.el.input(
            type="checkbox",
            name=f.name,
            default_checked=default == "true",
            value="true",
            data_testid=f"field-{f.name}",
            style={"width": "20px", "height": "20px"},
        )
    if f.widget == "date":  # dd.mm.yyyy in every language (components/date_input.py)
        return date_input(default, name=f.name, size="3", width="100%", testid=f"field-{f.name}")
    if f.widget == "time":
        return rx.input(type="time", default_value=default, size="3", **common)
    if f.widget == "password":
        return rx.input(type="password", auto_complete="new-password", size="3", **common)
    if f.widget in ("int", "float"):
        return rx.input(
            type="text",
            input_mode="decimal" if f.widget == "float" else "numeric",
            default_value=default,
            size="3",
            **common,
        )
    return rx.input(default_value=default, max_length=f.max_length, size="3", **common)


def _fixed_value(state: type[CrudMixin], f: FieldSpec) -> rx.Component:
    """A value that may not change once saved, shown as text: a reference by its label, a choice
    in the UI language (a movement record's pupil, order and kind), anything else as it is."""
    value = state.form[f.name]
    if f.widget == "fk":
        return rx.foreach(
            state.fk_options[f.name],
            lambda o: rx.cond(o["id"] == value, rx.text(o["label"], size="3", padding_y="6px")),
        )
    if f.widget == "choice":
        return rx.text(
            rx.match(value, *[(v, tr(f.choice_key(v))) for v in f.choices], value), size="3", padding_y="6px"
        )
    return rx.text(value, size="3", padding_y="6px")


def _form_field(state: type[CrudMixin], spec: EntitySpec, name: str) -> rx.Component:
    f = spec.fields[name]
    star = rx.text.span(" *", color_scheme="red") if f.required and f.widget != "bool" else rx.fragment()
    label = rx.text(tr(f.label_key), star, size="2", weight="medium", as_="label")
    control: rx.Component
    if name in spec.fixed_after_create:
        control = rx.cond(
            state.editing_id != "",
            _fixed_value(state, f),
            _widget(state, spec, f),
        )
    else:
        control = _widget(state, spec, f)
    box = rx.vstack(label, control, _field_error(state, name), spacing="1", width="100%")
    if name in spec.create_only:
        return rx.cond(state.editing_id == "", box)
    return box


def entity_form(state: type[CrudMixin], spec: EntitySpec) -> rx.Component:
    sections = [
        rx.card(
            rx.vstack(
                rx.heading(tr(title), size="3"),
                rx.grid(
                    *[_form_field(state, spec, n) for n in names],
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="4",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
        )
        for title, names in spec.form
    ]
    return rx.form(
        rx.vstack(
            rx.heading(
                rx.cond(state.editing_id != "", state.detail_title, tr(spec.item_key)),
                size="5",
                data_testid="form-title",
            ),
            *sections,
            rx.cond(
                state.form_message != "",
                rx.callout(
                    state.form_message,
                    icon="triangle-alert",
                    color_scheme="red",
                    width="100%",
                    data_testid="form-message",
                ),
            ),
            rx.hstack(
                rx.button(rx.icon("save", size=16), tr("admin.save"), type="submit", size="3", data_testid="save"),
                rx.button(
                    tr("admin.cancel"),
                    type="button",
                    variant="soft",
                    color_scheme="gray",
                    size="3",
                    on_click=state.back,
                ),
                spacing="3",
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=state.save,
        reset_on_submit=False,
        key=state.form_key.to_string(),  # type: ignore[attr-defined]
        width="100%",
    )


# ------------------------------------------------------------------------------- detail


def _related_row(columns: tuple[tuple[str, str], ...]) -> Callable[[rx.Var], rx.Component]:
    def render(row: rx.Var) -> rx.Component:
        return rx.table.row(*[rx.table.cell(row[k]) for k, _h in columns])

    return render


def detail_card(state: type[CrudMixin], spec: EntitySpec, extra: Callable[[], rx.Component] | None = None):
    labels = {name: translations(spec.fields[name].label_key) for name in spec.form_fields(creating=False)}
    label_table = rx.Var.create(labels).to(dict)

    def line(item: rx.Var) -> rx.Component:
        return rx.hstack(
            rx.text(
                label_table[item["field"]].to(dict)[AuthState.lang].to(str),
                color_scheme="gray",
                size="2",
                min_width="160px",
            ),
            rx.text(item["value"], size="2", weight="medium", data_testid=f"detail-{item['field']}"),
            spacing="3",
            width="100%",
            wrap="wrap",
        )

    related = [
        rx.card(
            rx.vstack(
                rx.heading(tr(r.title_key), size="3"),
                rx.cond(
                    state.related[r.name].length() > 0,  # type: ignore[attr-defined]
                    rx.box(
                        rx.table.root(
                            rx.table.header(rx.table.row(*[rx.table.column_header_cell(tr(h)) for _k, h in r.columns])),
                            rx.table.body(
                                rx.foreach(
                                    state.related[r.name],
                                    _related_row(r.columns),
                                )
                            ),
                            size="1",
                            width="100%",
                        ),
                        overflow_x="auto",
                        width="100%",
                    ),
                    rx.text(tr("admin.none"), color_scheme="gray", size="2"),
                ),
                spacing="2",
                width="100%",
                data_testid=f"related-{r.name}",
            ),
            width="100%",
        )
        for r in spec.related
    ]
    actions = rx.hstack(
        rx.button(
            rx.icon("arrow-left", size=16), tr("admin.back"), variant="soft", on_click=state.back, data_testid="back"
        ),
        rx.cond(
            state.can_write,
            rx.cond(
                state.detail_deleted,
                rx.button(
                    rx.icon("undo-2", size=16),
                    tr("admin.restore"),
                    color_scheme="green",
                    on_click=state.restore_record(state.detail_id),
                    data_testid="restore",
                ),
                rx.hstack(
                    rx.button(
                        rx.icon("pencil", size=16),
                        tr("admin.edit"),
                        on_click=state.edit_record(state.detail_id),
                        data_testid="edit",
                    ),
                    rx.button(
                        rx.icon("trash-2", size=16),
                        tr("admin.disable" if spec.soft_delete == "is_active" else "admin.delete"),
                        color_scheme="red",
                        variant="soft",
                        on_click=state.ask_delete(state.detail_id),
                        data_testid="delete",
                    ),
                    spacing="2",
                ),
            ),
        ),
        _print_button(),
        spacing="2",
        wrap="wrap",
        class_name=NO_PRINT,
    )
    return rx.vstack(
        actions,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading(state.detail_title, size="5", data_testid="detail-title"),
                    rx.cond(state.detail_deleted, rx.badge(tr("admin.deleted_badge"), color_scheme="red")),
                    align="center",
                    spacing="3",
                    wrap="wrap",
                ),
                rx.text(tr(spec.item_key), color_scheme="gray", size="2"),
                rx.divider(),
                rx.foreach(state.detail, line),
                spacing="2",
                width="100%",
            ),
            width="100%",
            data_testid="detail-card",
        ),
        *related,
        extra() if extra is not None else rx.fragment(),
        spacing="4",
        width="100%",
        class_name="print-card",
    )


# ------------------------------------------------------------------------------- import


def import_panel(state: type[CrudMixin], spec: EntitySpec) -> rx.Component:
    upload_id = f"import-{_slug(spec)}"
    errors = rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(tr(k))
                        for k in (
                            "admin.import.col_row",
                            "admin.import.col_column",
                            "admin.import.col_value",
                            "admin.import.col_problem",
                        )
                    ]
                )
            ),
            rx.table.body(
                rx.foreach(
                    state.import_errors,
                    lambda e: rx.table.row(*[rx.table.cell(e[k]) for k in ("row", "column", "value", "message")]),
                )
            ),
            size="1",
            width="100%",
            data_testid="import-errors",
        ),
        overflow_x="auto",
        width="100%",
    )
    return rx.vstack(
        rx.hstack(
            rx.button(
                rx.icon("arrow-left", size=16),
                tr("admin.back"),
                variant="soft",
                on_click=state.back,
                data_testid="back",
            ),
            rx.heading(tr("admin.import.title").replace("{entity}", tr(spec.title_key)), size="4"),  # type: ignore[attr-defined]
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        rx.text(tr("admin.import.steps"), size="2"),
        rx.button(
            rx.icon("file-down", size=16),
            tr("admin.import.template"),
            variant="soft",
            on_click=state.download_template,
            data_testid="import-template",
        ),
        spreadsheet_upload.drop_zone(upload_id, "import-upload"),
        rx.button(
            rx.icon("search-check", size=16),
            tr("admin.import.check"),
            size="3",
            on_click=state.upload_import(rx.upload_files(upload_id=upload_id)),  # type: ignore[call-arg]
            data_testid="import-check",
        ),
        rx.cond(
            state.import_message != "",
            rx.callout(
                state.import_message,
                icon=rx.cond(state.import_error_count > 0, "triangle-alert", "circle-check"),
                color_scheme=rx.cond(state.import_error_count > 0, "red", "green"),
                width="100%",
                data_testid="import-message",
            ),
        ),
        rx.cond(
            state.import_warnings.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.foreach(
                    state.import_warnings,
                    lambda w: rx.text(
                        tr("admin.import.col_row") + " " + w["row"] + " · " + w["column"] + ": " + w["message"],
                        color_scheme="amber",
                        size="1",
                    ),
                ),
                data_testid="import-warnings",
                width="100%",
            ),
        ),
        rx.cond(
            state.import_error_count > 0,
            rx.vstack(
                rx.button(
                    rx.icon("file-spreadsheet", size=16),
                    tr("admin.import.report"),
                    variant="soft",
                    on_click=state.download_report,
                    data_testid="import-report",
                ),
                errors,
                width="100%",
            ),
        ),
        rx.cond(
            state.import_ready,
            rx.button(
                rx.icon("database", size=16),
                tr("admin.import.commit"),
                size="3",
                color_scheme="green",
                on_click=state.commit_import,
                data_testid="import-commit",
            ),
        ),
        rx.cond(
            state.credentials_count > 0,
            rx.callout(
                rx.vstack(
                    rx.text(tr("import.users.credentials").replace("{count}", state.credentials_count.to_string())),  # type: ignore[attr-defined]
                    rx.button(
                        rx.icon("key-round", size=16),
                        tr("import.users.download"),
                        color_scheme="amber",
                        on_click=state.download_credentials,
                        data_testid="import-credentials",
                    ),
                    spacing="2",
                ),
                icon="key-round",
                color_scheme="amber",
                width="100%",
            ),
        )
        if spec.profile.import_credentials
        else rx.fragment(),
        spacing="3",
        width="100%",
    )


# --------------------------------------------------------------------------------- page


def _slug(spec: EntitySpec) -> str:
    return spec.route.rstrip("/").rsplit("/", 1)[-1]


def entity_body(
    state: type[CrudMixin], spec: EntitySpec, detail_extra: Callable[[], rx.Component] | None = None
) -> Callable[[], rx.Component]:
    """The body of an entity's page: list, form, detail card or import, by the state's mode."""

    def body() -> rx.Component:
        listing = rx.vstack(
            print_heading(state),
            toolbar(state, spec),
            export_status(state),
            selection_bar(state),
            data_grid(state, spec),
            pager(state),
            width="100%",
            spacing="3",
        )
        return rx.box(
            rx.match(
                state.mode,
                ("form", entity_form(state, spec)),
                ("detail", detail_card(state, spec, detail_extra)),
                ("import", import_panel(state, spec)),
                listing,
            ),
            delete_dialog(state, spec),
            width="100%",
        )

    return body
