"""The district's screen of schools (`/schools`, issue 16): every school with its region and rayon,
pupils, director and last good backup; a form that adds a school with its year, quarters, grading
policies and director, whose one-time password is shown here once (services/district.py, the same
`first_run.create_school` as `python -m bbbms_app init --add`). Only a district account opens it.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from bbbms_app import db
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current, requires
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.components.table import Column, data_table
from bbbms_app.i18n import format_date, format_number, t
from bbbms_app.services import backup, district, first_run, places

# The form's text fields and their longest accepted value.
FIELDS = {"name": 200, "name_ru": 200, "okpo": 10, "director": 40, "director_name": 200}


class SchoolsState(rx.State):
    """The schools as display rows (in the reader's language), the form, and the password just made."""

    rows: list[dict[str, str]] = []
    summary: str = ""
    name: str = ""
    name_ru: str = ""
    okpo: str = ""
    director: str = ""
    director_name: str = ""
    region: str = ""
    rayon: str = ""
    regions: list[dict[str, str]] = []
    rayons: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    new_school: str = ""
    new_username: str = ""
    new_password: str = ""

    def _fetch(self) -> None:
        principal = current()
        lang = principal.language
        with db.session() as s:
            found = district.list_schools(s, principal)
        self.rows = [
            {
                "id": str(r.school_id),
                "name": r.name_ru if lang == "ru" and r.name_ru else r.name_ky,
                "okpo": r.okpo,
                "region": places.name(r.region, lang) or t("district.not_given", lang),
                "rayon": _rayon(r.rayon, lang) or t("district.not_given", lang),
                "pupils": format_number(r.pupils, lang, 0),
                "pupils_line": t("district.pupils_n", lang, n=format_number(r.pupils, lang, 0)),
                "director": ", ".join(r.directors) or "—",
                "backup": t("district.backup_age", lang, age=backup.age_words(_age(r.last_backup))[lang])
                if r.last_backup
                else t("district.no_backup", lang),
                "backed_up": "1" if r.last_backup else "",
                "added": format_date(r.created_at.date(), lang),
            }
            for r in found
        ]
        self.summary = t(
            "district.summary",
            lang,
            schools=len(found),
            pupils=format_number(sum(r.pupils for r in found), lang, 0),
        )
        self.regions = [{"code": c, "label": places.name(c, lang)} for c in district.region_choices()]

    def _rayons(self) -> None:
        lang = current().language
        self.rayons = [{"code": c, "label": _rayon(c, lang)} for c in district.rayon_choices(self.region)]

    @rx.event
    @requires("district.schools")
    def load(self):
        district.check(current())
        self._fetch()
        self._clear()
        self.new_school = self.new_username = self.new_password = ""

    def _clear(self) -> None:
        for field in FIELDS:
            setattr(self, field, "")
        self.errors, self.region, self.rayon, self.rayons = {}, "", "", []

    @rx.event
    @requires("district.schools")
    def set_field(self, field: str, value: str):
        district.check(current())
        field = inputs.choice(field, FIELDS, "field")
        setattr(self, field, inputs.text(value, FIELDS[field], field))
        self.errors = {k: v for k, v in self.errors.items() if k != field}

    @rx.event
    @requires("district.schools")
    def set_region(self, value: str):
        district.check(current())
        self.region = inputs.choice(value, district.region_choices(), "region")
        self._rayons()
        self.rayon = self.region if places.PLACES[self.region].kind == "city" else ""
        self.errors = {k: v for k, v in self.errors.items() if k not in ("region", "rayon")}

    @rx.event
    @requires("district.schools")
    def set_rayon(self, value: str):
        district.check(current())
        self.rayon = inputs.choice(value, district.rayon_choices(self.region), "rayon")
        self.errors = {k: v for k, v in self.errors.items() if k != "rayon"}

    @rx.event(background=True)
    @requires("district.schools")
    async def add(self):
        """Add the form's school; its director's one-time password is shown once, right after.

        A background event, as the sign-in: the school's rows and the director's argon2id hash are
        written in a worker thread while the tab's state is *not* locked (and the event loop keeps
        serving every other tab); only the outcome is written under the lock. The guard checked
        `district.schools`; `district.add_school` checks the district account again."""
        principal = current()
        lang = principal.language
        form = {field: getattr(self, field) for field in FIELDS}
        region, rayon = self.region, self.rayon
        try:
            made = await asyncio.to_thread(_add_school, principal, form, region, rayon, lang)
        except first_run.SetupRefused as exc:
            async with self:
                self.errors = {exc.field or "form": exc.message(lang)}
            return None
        async with self:
            self._fetch()
            self.new_school = form.get("name", "")
            self.new_username, self.new_password = made.username, made.password
            self._clear()
        return rx.toast.success(t("district.created", lang, name=form.get("name", "")))

    @rx.event
    @requires("district.schools")
    def forget_password(self):
        self.new_school = self.new_username = self.new_password = ""


def _add_school(principal, form: dict[str, str], region: str, rayon: str, lang: str):
    """The new school's transaction (a worker thread): its rows and the director's account."""
    with db.session(write=True) as s:
        return district.add_school(
            s,
            principal,
            name=form.get("name", ""),
            name_ru=form.get("name_ru", ""),
            okpo=form.get("okpo", ""),
            region=region,
            rayon=rayon,
            director=form.get("director", ""),
            director_name=form.get("director_name", ""),
            language=lang,
        )


def _rayon(code: str, lang: str) -> str:
    """A rayon's name without its region (the row shows the region above it)."""
    return places.name(code, lang).split(" (")[0] if code else ""


def _age(when):
    import datetime as dt

    return dt.datetime.now(dt.UTC) - when


def _error(field: str) -> rx.Component:
    return rx.cond(
        SchoolsState.errors.contains(field),  # type: ignore[attr-defined]
        rx.text(SchoolsState.errors[field], color_scheme="red", size="2", data_testid=f"error-{field}"),
    )


def _labelled(key: str, control: rx.Component, field: str) -> rx.Component:
    return rx.vstack(rx.text(tr(key), size="2", weight="medium"), control, _error(field), spacing="1", width="100%")


def _input(field: str, key: str, **props) -> rx.Component:
    return _labelled(
        key,
        rx.input(
            value=getattr(SchoolsState, field),
            on_change=lambda v: SchoolsState.set_field(field, v),
            max_length=FIELDS[field],
            width="100%",
            data_testid=f"form-{field}",
            **props,
        ),
        field,
    )


def _select(value: rx.Var, options: rx.Var, handler, testid: str, key: str, field: str) -> rx.Component:
    return _labelled(
        key,
        rx.select.root(
            rx.select.trigger(placeholder=tr("district.choose"), width="100%", data_testid=testid),
            rx.select.content(rx.foreach(options, lambda o: rx.select.item(o["label"], value=o["code"]))),
            value=value,
            on_change=handler,
        ),
        field,
    )


def _form() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(tr("district.add"), size="4"),
            rx.grid(
                _input("name", "district.field.name"),
                _input("name_ru", "district.field.name_ru"),
                _input("okpo", "district.field.okpo", input_mode="numeric"),
                _select(
                    SchoolsState.region,
                    SchoolsState.regions,
                    SchoolsState.set_region,
                    "form-region",
                    "district.field.region",
                    "region",
                ),
                _select(
                    SchoolsState.rayon,
                    SchoolsState.rayons,
                    SchoolsState.set_rayon,
                    "form-rayon",
                    "district.field.rayon",
                    "rayon",
                ),
                _input("director", "district.field.director", auto_capitalize="none", auto_complete="off"),
                _input("director_name", "district.field.director_name"),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            _error("form"),
            rx.text(tr("district.add_lead"), size="2", color_scheme="gray"),
            rx.button(
                rx.icon("school", size=16),
                tr("district.create"),
                on_click=SchoolsState.add,
                data_testid="school-create",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _password() -> rx.Component:
    return rx.cond(
        SchoolsState.new_password != "",
        rx.callout(
            rx.vstack(
                rx.text(tr("district.password_once"), weight="medium"),
                rx.text(SchoolsState.new_school, weight="bold"),
                rx.code(SchoolsState.new_username, data_testid="new-username"),
                rx.code(SchoolsState.new_password, size="5", word_break="break-all", data_testid="new-password"),
                rx.button(
                    tr("district.password_saved"),
                    on_click=SchoolsState.forget_password,
                    variant="soft",
                    data_testid="password-done",
                ),
                spacing="2",
            ),
            icon="key-round",
            color_scheme="amber",
            width="100%",
            data_testid="new-director",
        ),
    )


def _name(row: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(row["name"], weight="medium"),
        rx.text(row["okpo"], size="1", color_scheme="gray"),
        # On a phone the pupils' column is hidden: their number goes under the name.
        rx.text(row["pupils_line"], size="1", color_scheme="gray", display=["block", "none"]),
        # And so is the backup's: a district checks every school's last backup from its phone too.
        rx.box(_backup(row), display=["block", "none"], margin_top="4px", data_testid="backup-on-phone"),
        spacing="0",
    )


def _place(row: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(row["region"]),
        rx.text(row["rayon"], size="1", color_scheme="gray"),
        spacing="0",
    )


def _backup(row: rx.Var) -> rx.Component:
    return rx.badge(row["backup"], color_scheme=rx.cond(row["backed_up"] == "1", "green", "red"))


def _body() -> rx.Component:
    return rx.vstack(
        rx.text(SchoolsState.summary, size="2", color_scheme="gray", data_testid="schools-summary"),
        _password(),
        data_table(
            SchoolsState.rows,
            [
                Column("name", "district.col.school", render=_name),
                Column("region", "district.col.place", render=_place),
                Column("pupils", "district.col.pupils", hide_on_phone=True),
                Column("director", "district.col.director", hide_on_phone=True),
                Column("backup", "district.col.backup", render=_backup, hide_on_phone=True),
                Column("added", "district.col.added", hide_on_phone=True),
            ],
            testid="schools-table",
        ),
        _form(),
        spacing="4",
        width="100%",
    )


schools_page = page_shell("district.nav", _body)
