"""Issue 13: the pupil form and the import warn — never refuse — when the PIN's sex digit or its
DDMMYYYY birth date disagrees with the sex and birth date entered; the clerk confirms by saving the
same values again (audited), and the import writes the file and lists the rows to check."""

from __future__ import annotations

from sqlmodel import select

from bbbms_app import db
from bbbms_app.admin.states import PupilAdminState
from bbbms_app.i18n import t
from bbbms_app.models import AuditEvent, Order, Pupil
from bbbms_app.services.engine import imports
from bbbms_app.services.engine.registry import ENTITIES
from tests.states import new_tab, sub
from tests.test_admin_crud import admission_order
from tests.test_admin_import import KY_HEADERS, run, xlsx

PUPILS = ENTITIES.get("pupil")
PIN = "21503201500999"  # a boy (2) born 15.03.2015


def _pupil(pin: str) -> Pupil | None:
    with db.session() as s:
        return s.exec(select(Pupil).where(Pupil.pin == pin)).first()


def _confirmations() -> list[AuditEvent]:
    with db.session() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == "confirm")).all())


def _order(school) -> int:
    """The admission order «3-у»: a new pupil reaches a class only through the movement book."""
    with db.session() as s:
        found = s.exec(select(Order.id).where(Order.school_id == school.school_id, Order.number == "3-у")).first()
    return found or admission_order(school.school_id)


async def _new_pupil_form(school) -> PupilAdminState:
    pupils = sub(new_tab("t_clerk"), PupilAdminState)
    await pupils.load()
    await pupils.new_record()
    return pupils


async def test_a_pin_that_disagrees_is_warned_beside_its_field_and_saved_when_confirmed(school):
    pupils = await _new_pupil_form(school)
    form = {
        **pupils.form,
        "last_name": "Жаңы",
        "first_name": "Окуучу",
        "birth_date": "2015-03-16",  # the PIN says 15.03.2015
        "sex": "m",
        "pin": PIN,
        "class_id": str(school.class_6b),
        "order_id": str(_order(school)),
    }
    await pupils.save(form)
    assert pupils.mode == "form" and pupils.form_errors == {}
    assert pupils.form_warnings == {"birth_date": t("pin.warning.birth_date", "ky", date="15.03.2015")}
    assert pupils.form_message == t("admin.warnings_confirm", "ky")
    assert _pupil(PIN) is None and _confirmations() == []
    # Another value changed meanwhile: the new warnings are shown, nothing saved yet.
    await pupils.save({**form, "sex": "f"})
    assert set(pupils.form_warnings) == {"sex", "birth_date"} and _pupil(PIN) is None
    # The same values again: the clerk confirms what the birth certificate says.
    await pupils.save({**form, "sex": "f"})
    assert pupils.mode == "detail" and pupils.form_warnings == {}
    saved = _pupil(PIN)
    assert saved is not None and str(saved.birth_date) == "2015-03-16" and saved.sex == "f"
    [confirmed] = _confirmations()
    assert (confirmed.entity, confirmed.entity_id, confirmed.pupil_id) == ("pupil", saved.id, saved.id)
    assert confirmed.field == "birth_date,sex"


async def test_a_pin_that_agrees_saves_at_once_and_an_edit_is_warned_on_what_it_changes(school):
    pupils = await _new_pupil_form(school)
    form = {
        **pupils.form,
        "last_name": "Жаңы",
        "first_name": "Окуучу",
        "birth_date": "2015-03-15",
        "sex": "m",
        "pin": PIN,
        "class_id": str(school.class_6b),
        "order_id": str(_order(school)),
    }
    await pupils.save(form)
    assert pupils.mode == "detail" and pupils.form_warnings == {}
    saved = _pupil(PIN)
    assert saved is not None
    await pupils.edit_record(str(saved.id))
    await pupils.save({**pupils.form, "birth_date": "2015-05-15"})
    assert pupils.form_warnings == {"birth_date": t("pin.warning.birth_date", "ky", date="15.03.2015")}
    assert str(_pupil(PIN).birth_date) == "2015-03-15"  # type: ignore[union-attr]
    # An edit of another field of a pupil whose PIN disagrees is not held up again.
    await pupils.save({**pupils.form, "birth_date": "2015-05-15"})
    assert str(_pupil(PIN).birth_date) == "2015-05-15"  # type: ignore[union-attr]
    await pupils.edit_record(str(saved.id))
    await pupils.save({**pupils.form, "alpha_book_no": "Ж/9"})
    assert pupils.mode == "detail" and pupils.form_warnings == {}


def test_the_import_writes_the_file_and_lists_the_rows_to_check(school):
    _order(school)
    rows = [
        ["21001201500101", "Токтогулов", "Азамат", "", "10.01.2015", "Эркек", "", "5-А", "3-у"],  # agrees
        ["21102201500102", "Сыдыкова", "Бүбүсара", "", "11.02.2015", "Аял", "", "5-А", "3-у"],  # a 2 for a girl
    ]
    result = run(PUPILS, xlsx(KY_HEADERS, rows))
    assert result.written and result.errors == [] and result.created == 2
    [warning] = result.warnings
    assert (warning.row, warning.column) == (3, "Жынысы")
    assert warning.message == t("pin.warning.sex", "ky", digit="2")
    assert t("admin.import.warnings", "ky", n=1) in imports.summary(result, "ky")
    assert _pupil("21102201500102") is not None
