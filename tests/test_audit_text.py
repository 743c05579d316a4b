"""The audit screen in words: events written by the real writers read as sentences in ky, ru, en.

No `nobody`, `unknown user`, `yes → no`, handler names or `user #21` reach the director: the
names of people and records, the screen of a refused event, translated values and reasons.
"""

from __future__ import annotations

import re

from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AuditEvent, User
from bbbms_app.pages.audit import AuditState
from bbbms_app.pages.rights import RightsState
from bbbms_app.services import accounts, audit, audit_log, audit_text, rights
from bbbms_app.services.audit_log import AuditFilter
from tests.factories import PASSWORD, principal_of
from tests.states import is_refusal, new_tab, sub

TECHNICAL = re.compile(r"State\.|#\d|\bnobody\b|unknown user|\byes\b|\bno\b|\bTrue\b|\bFalse\b|report\.read|[{}]")


def _rows(director: str = "t_director") -> list[dict[str, str]]:
    with db.session() as s:
        principal = principal_of(director, s)
        page = audit_log.search(s, principal, AuditFilter(), limit=100)
        return audit_text.readable(s, page.rows)


async def test_every_line_of_the_trail_reads_in_the_directors_language(school):
    with db.session(write=True) as s:
        director = principal_of("t_director", s)
        rights.set_permission(s, director, "teacher", "report.read", True, reason="педкеңеш")
        accounts.authenticate(s, "t_director", PASSWORD)  # a sign-in with a password
    for username, password in (("no-such-person", "x"), ("t_teacher", "wrong")):
        try:
            with db.session(write=True) as s:
                accounts.authenticate(s, username, password)
        except accounts.AccountError:
            pass
    assert is_refusal(await sub(new_tab("t_pupil"), RightsState).load())  # a refused screen
    with db.session(write=True) as s:  # the operator's command line changes a password
        user = s.exec(select(User).where(User.username == "t_teacher")).one()
        accounts.set_password(s, user, "another-password-1")
    rows = _rows()
    by = {(r["action"], r["entity"], r["reason"]): r for r in rows}

    cell = next(r for r in rows if r["entity"] == "rights")
    assert (cell["what_ky"], cell["old_ky"], cell["new_ky"]) == (
        "Укуктар: Мугалим: Жалпы отчетторду көрүү",
        "Жок",
        "Ооба",
    )
    assert (cell["what_ru"], cell["old_ru"], cell["new_ru"]) == (
        "Права: Учитель: Просмотр сводных отчётов",
        "Нет",
        "Да",
    )
    assert cell["who_ru"] == "t_director" and cell["reason_ru"] == "педкеңеш"

    unknown = by[("login_failed", "user", "unknown user")]
    assert (unknown["who_ky"], unknown["reason_ky"], unknown["reason_ru"]) == (
        "no-such-person",
        "мындай колдонуучу жок",
        "такого пользователя нет",
    )
    assert by[("login_failed", "user", "wrong password")]["reason_ru"] == "неверный пароль"
    sign_in = by[("login", "user", "password")]
    assert (sign_in["what_ru"], sign_in["reason_ru"]) == ("Пользователь: t_director", "по паролю")

    refused = next(r for r in rows if r["action"] == "denied")
    assert refused["entity"] == "RightsState.load"
    assert (refused["what_ky"], refused["what_ru"]) == ("«Ролдор жана укуктар» бөлүмү", "Раздел «Роли и права»")
    assert refused["reason_ru"].startswith("нет права: ")

    password = next(r for r in rows if r["field"] == "password")
    assert (password["who_ky"], password["who_ru"]) == ("(система)", "(система)")
    assert (password["what_ru"], password["field_ru"], password["new_ru"]) == (
        "Пользователь: t_teacher",
        "Пароль",
        "(изменён)",
    )
    created = next(r for r in rows if r["action"] == "create" and r["new"] == "t_classteacher (class_teacher)")
    assert (created["new_ky"], created["new_ru"]) == (
        "t_classteacher (Класс жетекчи)",
        "t_classteacher (Классный руководитель)",
    )
    # The time is written the school's way.
    assert re.fullmatch(r"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2}", rows[0]["at"])
    for row in rows:
        for lang in ("ky", "ru"):
            assert row[f"who_{lang}"] and row[f"who_{lang}"] != "nobody"  # a name, a typed username or «system»
            text = " ".join(row[f"{k}_{lang}"] for k in ("what", "field", "old", "new", "reason"))
            assert not TECHNICAL.search(text), (lang, text)


def test_json_snapshots_timestamps_and_unknown_codes(school):
    with db.session(write=True) as s:
        director = principal_of("t_director", s)
        audit.record(
            s, director, "create", "schoolclass", school.class_5a, new='{"grade": 5, "letter": "А", "shift": 1}'
        )
        audit.record(
            s, director, "close", "term", school.term_ids[0], field="closed_at", new="2025-11-05T10:30:00+00:00"
        )
        audit.record(s, director, "update", "lesson", 999999, field="cancelled", old=False, new=True)
        audit.record(s, director, "update", "somethingnew", 7, field="colour", old="red", new="blue")
    rows = _rows()
    created = next(r for r in rows if r["entity"] == "schoolclass")
    assert created["what_ru"] == "Класс: 5-А"
    assert created["new_ru"] == "Параллель: 5; Литера: А; Смена: 1"
    assert created["new_ky"] == "Класс (параллель): 5; Тамгасы: А; Смена: 1"
    closed = next(r for r in rows if r["entity"] == "term")
    assert (closed["what_ky"], closed["field_ru"], closed["new_ru"]) == (
        "Чейрек: 1-чейрек",
        "Закрыт",
        "05.11.2025 10:30",
    )
    lesson = next(r for r in rows if r["entity"] == "lesson")
    assert (lesson["what_ru"], lesson["old_ru"], lesson["new_ru"], lesson["field_ru"]) == (
        "Урок № 999999",
        "Нет",
        "Да",
        "Отменён",
    )
    new_code = next(r for r in rows if r["entity"] == "somethingnew")
    assert (new_code["what_en"], new_code["field_en"], new_code["new_en"]) == ("somethingnew № 7", "colour", "blue")


async def test_the_audit_screen_shows_the_words_and_offers_entities_by_name(school):
    assert is_refusal(await sub(new_tab("t_pupil"), RightsState).load())
    screen = sub(new_tab("t_director"), AuditState)
    await screen.load()
    options = {o["code"]: o for o in screen.entity_options}
    assert options["RightsState.load"]["label_ru"] == "Раздел «Роли и права»"
    assert options["user"]["label_ky"] == "Колдонуучу"
    await screen.set_entity("RightsState.load")
    assert [r["what_ru"] for r in screen.rows] == ["Раздел «Роли и права»"]
    with db.session() as s:
        assert s.exec(select(AuditEvent).where(AuditEvent.entity == "RightsState.load")).first() is not None
