"""Issue 10: names typed with look-alike letters (a Latin «c» in «Асанов», «Ɵ» for «Ө», «ҥ» for «ң»)
are refused beside their field on the form and in the import, with the spelling they most likely
mean; the same person typed with look-alikes, another case or other spaces is found as a duplicate."""

from __future__ import annotations

import unicodedata

import pytest
from sqlmodel import func, select

from bbbms_app import db
from bbbms_app.i18n import t
from bbbms_app.models import Pupil, Staff
from bbbms_app.services.engine import writes
from bbbms_app.services.engine.profile import reference_fold
from bbbms_app.services.engine.registry import ENTITIES
from bbbms_app.services.names import canonical, name_problem
from tests.factories import principal_of
from tests.test_admin_crud import NEW_PUPIL
from tests.test_admin_import import KY_HEADERS, admission_order, run, xlsx  # noqa: F401 - its order «3-у»

PUPILS = ENTITIES.get("pupil")
STAFF = ENTITIES.get("staff")
GUARDIANS = ENTITIES.get("guardian")
USERS = ENTITIES.get("user")

LATIN_C = "А\u0063анов"  # «Асанов» with a Latin c
LATIN_G = "Т\u006fкто\u0067улов"  # a Latin o, and a Latin g that has no Cyrillic twin


def test_a_word_mixing_alphabets_is_found_with_the_spelling_it_means():
    problem = name_problem(f"{LATIN_C} Бакыт")
    assert problem is not None and problem.key == "names.mixed.latin"
    assert (problem.word, problem.letters, problem.suggestion) == (LATIN_C, "c", "Асанов")
    assert all(unicodedata.name(c).startswith("CYRILLIC") for c in problem.suggestion)
    # A Latin «Ɵ» (U+019F) passes for the Kyrgyz «Ө».
    assert name_problem("\u019fмүрбекова").suggestion == "Өмүрбекова"  # type: ignore[union-attr]
    # «ҥ» is Altai, not Kyrgyz: the same alphabet, the wrong letter.
    kyrgyz_ng = name_problem("Жаҥыл")
    assert kyrgyz_ng is not None and kyrgyz_ng.key == "names.lookalike" and kyrgyz_ng.suggestion == "Жаңыл"
    # A Latin name with a Cyrillic «о» in it.
    latin = name_problem("J\u043ehn")
    assert latin is not None and latin.key == "names.mixed.cyrillic" and latin.suggestion == "John"
    # A Latin letter with no Cyrillic twin: retype it, no guess.
    other = name_problem(LATIN_G)
    assert other is not None and other.key == "names.mixed.other" and other.letters == "o, g"
    # Names in one alphabet pass, a hyphen, an apostrophe and a foreign pupil's Latin name too.
    for fine in ("Асанов-Үсөнов", "Ңаматов", "O'Brien", "Ли Мин", "Kim Sergey", "", None):
        assert name_problem(fine) is None, fine


def test_the_canonical_spelling_folds_case_spaces_and_look_alikes():
    assert canonical(f"  {LATIN_C.upper()}   Бакыт ") == canonical("асанов бакыт") == "асанов бакыт"
    assert canonical("\u019fмүрбекова") == canonical("Өмүрбекова")
    assert canonical("Алёна") == canonical("Алена")
    assert canonical("Асанова - Үсөнова") == canonical("асанова-үсөнова")
    assert canonical("Асанов") != canonical("Асанова") and canonical("Усөнов") != canonical("Үсөнов")
    assert reference_fold("5-A") == reference_fold("5а")  # a Latin A in a class name


@pytest.mark.parametrize("lang", ["ky", "ru", "en"])
def test_the_message_names_the_word_and_the_spelling_it_means(lang):
    problem = name_problem(LATIN_C)
    assert problem is not None
    text = t(problem.key, lang, **problem.params)
    assert LATIN_C in text and "«Асанов»" in text and "{" not in text


def test_the_form_refuses_a_mixed_name_beside_its_field_and_writes_nothing(school):
    clerk = principal_of("t_clerk")
    with db.session(write=True) as s, pytest.raises(writes.RecordInvalid) as refused:
        writes.create(s, PUPILS, clerk, {**NEW_PUPIL, "last_name": "Бакир\u006fв", "first_name": "Эрмек"})
    assert refused.value.errors == {
        "last_name": ("names.mixed.latin", {"word": "Бакирoв", "letters": "o", "suggestion": "Бакиров"})
    }
    with db.session() as s:
        assert s.exec(select(func.count()).select_from(Pupil).where(Pupil.pin == NEW_PUPIL["pin"])).one() == 0
    director = principal_of("t_director")
    with db.session(write=True) as s:  # a Cyrillic а (U+0430) is no mix
        writes.create(
            s, STAFF, director, {"last_name": "Жумабеков", "first_name": "Т\u0430лант", "position": "teacher"}
        )
    with db.session(write=True) as s, pytest.raises(writes.RecordInvalid) as refused:
        writes.create(s, STAFF, director, {"last_name": "Жумабеков", "first_name": "Тaлант", "position": "teacher"})
    assert list(refused.value.errors) == ["first_name"]
    admin = principal_of("t_admin")
    form = {"username": "mixed", "full_name": "Жаңы Мугалиm", "role": "teacher", "password": "Ала-Тоо көлү 2025"}
    with db.session(write=True) as s, pytest.raises(writes.RecordInvalid) as refused:
        writes.create(s, USERS, admin, form)
    assert refused.value.errors["full_name"][0] == "names.mixed.other"


def test_an_edit_is_checked_on_the_names_it_changes(school):
    clerk = principal_of("t_clerk")
    pupil_id = school.pupils_5a[0]
    with db.session(write=True) as s:
        row = s.get(Pupil, pupil_id)
        row.first_name = "Нурбeк"  # an old import's spelling, Latin e
        s.add(row)
    with db.session(write=True) as s:
        version = s.get(Pupil, pupil_id).version
        # Another field's edit goes through: the old spelling waits for its own review.
        writes.update_values(s, PUPILS, clerk, pupil_id, {"alpha_book_no": "Ү/1"}, version)
    with db.session(write=True) as s, pytest.raises(writes.RecordInvalid) as refused:
        version = s.get(Pupil, pupil_id).version
        writes.update_values(s, PUPILS, clerk, pupil_id, {"last_name": "Үсөн\u006fв"}, version)
    assert list(refused.value.errors) == ["last_name"]
    with db.session(write=True) as s:
        version = s.get(Pupil, pupil_id).version
        writes.update_values(s, PUPILS, clerk, pupil_id, {"first_name": "Нурбек"}, version)
        assert s.get(Pupil, pupil_id).first_name == "Нурбек"


def test_the_same_person_typed_with_look_alikes_is_a_duplicate(school):
    director = principal_of("t_director")
    # The school has «Асанов Бакыт» on its staff: a Latin c, capitals and spaces make no new person.
    with db.session(write=True) as s, pytest.raises(writes.RecordInvalid) as refused:
        writes.create(s, STAFF, director, {"last_name": " АСАНОВ ", "first_name": "бакыт", "position": "teacher"})
    assert refused.value.errors == {"patronymic": ("admin.error.duplicate", {})}
    # A pupil without a PIN: the same canonical name and birth date is the pupil already listed.
    clerk = principal_of("t_clerk")
    twin = {
        **NEW_PUPIL,
        "pin": "",
        "last_name": "ҮСӨНОВ",
        "first_name": "нурбек",
        "birth_date": "2014-03-15",
        "alpha_book_no": "",  # the book gives the next «Ү» number
    }
    with db.session(write=True) as s, pytest.raises(writes.RecordInvalid) as refused:
        writes.create(s, PUPILS, clerk, twin)
    assert refused.value.errors == {"last_name": ("names.same_person", {"person": "Үсөнов Нурбек"})}
    # Another birth date is another child; two different PINs are two children whatever the name.
    with db.session(write=True) as s:
        writes.create(s, PUPILS, clerk, {**twin, "birth_date": "2014-03-16"})
        writes.create(s, PUPILS, clerk, {**twin, "pin": "21503201400099"})


def test_the_import_flags_mixed_names_and_matches_the_canonical_spelling(school):
    rows = [["21001201500101", "Токтогул\u006fв", "Азамат", "", "10.01.2015", "Эркек", "", "5-А", "3-у"]]
    result = run(PUPILS, xlsx(KY_HEADERS, rows))
    assert not result.written
    [error] = result.errors
    assert (error.row, error.column, error.value) == (2, "Фамилиясы", "Токтогулoв")
    assert error.message == t("names.mixed.latin", "ky", word="Токтогулoв", letters="o", suggestion="Токтогулов")
    # A PIN-less row that is a listed pupil under another spelling is refused, not added twice.
    twin = [["", "үсөнов", "НУРБЕК", "", "15.03.2014", "Эркек", "", "5-А", "3-у"]]
    result = run(PUPILS, xlsx(KY_HEADERS, twin))
    assert [e.message for e in result.errors] == [t("names.same_person", "ky", person="Үсөнов Нурбек")]
    # Staff listed with a Latin c: the file's correct spelling is that person, and corrects him.
    with db.session(write=True) as s:
        row = s.exec(select(Staff).where(Staff.last_name == "Асанов")).one()
        row.last_name = LATIN_C
        s.add(row)
    before = _count(Staff)
    result = run(STAFF, xlsx(["Фамилиясы", "Аты", "Кызматы"], [["Асанов", "Бакыт", "Директор"]]), user="t_director")
    assert result.written and (result.created, result.updated) == (0, 1), result.errors
    assert _count(Staff) == before
    with db.session() as s:
        assert s.exec(select(Staff).where(Staff.first_name == "Бакыт")).one().last_name == "Асанов"
    # Two rows of one file that differ only by look-alikes are one person twice.
    result = run(
        STAFF,
        xlsx(["Фамилиясы", "Аты", "Кызматы"], [["Жумабеков", "Талант", "Мугалим"], ["ЖУМАБЕКОВ", "Тaлaнт", "Мугалим"]]),
        user="t_director",
    )
    assert not result.written
    assert any(e.row == 3 and e.message == t("admin.import.duplicate_in_file", "ky", row=2) for e in result.errors)


def _count(model) -> int:
    with db.session() as s:
        return s.exec(select(func.count()).select_from(model)).one()
