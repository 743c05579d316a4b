"""The school's words (issue 13): the Kyrgyz terms a deputy director writes in the school's papers,
and the Russian fixes, in every catalog string (and so in every screen and export that uses them)."""

from __future__ import annotations

import re

import pytest

from bbbms_app.i18n import t
from bbbms_app.i18n.messages import MESSAGES

# Rejected Kyrgyz words (case-insensitive patterns) and why; the replacement is in the comment.
REJECTED_KY = {
    r"алиппе": "the ABC primer — «Алфавиттик китеп боюнча №», «алфавит боюнча»",
    r"жыйынтык ведомост": "жыйынтык = итоговая — «Үлгүрүүнүн жыйынды ведомосту», «Жыйынды ведомость»",
    r"мезгил": "«Чейрек», «Чейректик баа», «Чейректи жабуу» (what teachers say)",
    r"бардык сабактар": "a subject is «предмет» — «Бардык предметтер»",
    r"^сабак(тар)?$": "a subject is «предмет»; «сабак» is the lesson",
    r"алмашуу": "the shift is «Смена» everywhere",
    r"катышпагандар": "it counts lessons — «Калтырылган сабактар»",
    r"(^|\s)(чоң )?апасы": "official forms say «Энеси», «Чоң энеси»",
    r"үй тапшырма(?!сы|ларды|лар)": "«Үй тапшырмасы»",
    r"номур": "«номер»",
    r"жылуу": "reads as «warm» — «өтүү»",
    r"байлоо|байланды\b": "tying with a rope — «байланыштыруу», «Байланыштырылды»",
    r"эсепке алынды": "«Эсепке алынган окуучулар»",
    r"класс журнал": "one term — «Класстык журнал»",
    r"отчёт": "Kyrgyz spelling — «отчет»",
    r"(?<!ата )мекенди коргоочулар": "official name — «Ата Мекенди коргоочулар күнү»",
}
REJECTED_RU = {
    r"(?<!Б)ББМС": "one name for the system — «БББМС»",
    r"По класс\b": "«До класса (включительно)»",
    r"\bуч\.": "no abbreviations in messages",
    r"^Итоговая оценка$": "a quarter's mark is «Четвертная оценка» (the final exam mark keeps «Итоговая»)",
}


# Where «Сабак» names the lesson itself, as it should (the audit trail's lesson rows).
LESSON_KEYS = {"audit.entity.lesson", "audit.field.lessons"}


def _hits(patterns: dict[str, str], lang: int) -> list[str]:
    found = []
    for key, texts in MESSAGES.items():
        text = texts[lang]
        for pattern, why in patterns.items():
            if pattern == r"^сабак(тар)?$" and key in LESSON_KEYS:
                continue
            if re.search(pattern, text, flags=re.IGNORECASE if lang == 0 else 0):
                found.append(f"{key}: {text!r} ({why})")
    return found


def test_no_kyrgyz_string_uses_a_rejected_word() -> None:
    assert _hits(REJECTED_KY, 0) == []


def test_no_russian_string_uses_a_rejected_form() -> None:
    assert _hits(REJECTED_RU, 1) == []


@pytest.mark.parametrize(
    ("pattern", "sample"),
    [
        (r"мезгил", "Мезгилдик баа"),
        (r"алиппе", "Алиппе китеби №"),
        (r"үй тапшырма(?!сы|ларды|лар)", "Үй тапшырма"),
        (r"(^|\s)(чоң )?апасы", "Чоң апасы"),
        (r"(?<!ата )мекенди коргоочулар", "Мекенди коргоочулар күнү"),
        (r"байлоо|байланды\b", "Байланды"),
    ],
)
def test_the_rejections_catch_the_old_words(pattern: str, sample: str) -> None:
    # The check above is only as good as its patterns: each catches the word the issue found.
    assert re.search(pattern, sample, flags=re.IGNORECASE)


def test_the_agreed_words() -> None:
    assert t("nav.journal_summary", "ky") == "Жыйынды ведомость"
    assert t("journal.summary.title", "ky") == "Үлгүрүүнүн жыйынды ведомосту"
    assert t("journal.period.dialog", "ky") == "Чейректик баа"
    assert t("journal.period.dialog", "ru") == "Четвертная оценка"
    assert t("journal.term.close", "ky") == "Чейректи жабуу"
    assert t("journal.summary.all", "ky") == "Бардык предметтер"
    assert t("col.alpha_book_no", "ky") == "Алфавиттик китеп боюнча №"
    assert t("app.name", "ru") == t("app.name", "ky") == "БББМС"
    assert t("field.holiday.grade_to", "ru") == "До класса (включительно)"
    # The legend of the Russian abbreviations the journal keeps.
    assert t("journal.legend.na", "ky") == "н/а — аттестацияланган жок"
    assert t("journal.legend.exempt", "ky") == "осв — бошотулган"
    assert t("journal.legend.na", "ru") == "н/а — не аттестован"
    # The summary sheet's legend line explains them with the absence codes.
    assert t("journal.summary.legend", "ky").startswith("н/а — аттестацияланган жок, осв — бошотулган; б — оорулуу")
    assert t("journal.summary.legend", "ru").startswith("н/а — не аттестован, осв — освобождён; б — болезнь")
