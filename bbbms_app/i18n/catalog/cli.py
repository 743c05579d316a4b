"""The command line's messages (`python -m bbbms_app …`) and the database layer's «busy» answer."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    "error.db_busy": (
        "Маалымат базасы азыр бош эмес, эч нерсе сакталган жок. Бир аздан кийин кайра аракет кылыңыз.",
        "База данных сейчас занята, ничего не сохранено. Повторите через минуту.",
        "The database is busy right now; nothing was saved. Try again in a moment.",
    ),
    "rights.load_failed": (
        "Укуктар таблицасы жүктөлгөн жок. Баракты кайра ачыңыз; кайталанса, администраторго кайрылыңыз.",
        "Таблицу прав не удалось загрузить. Откройте страницу заново; если повторится, обратитесь к администратору.",
        "The rights matrix could not be loaded. Open the page again; if it happens again, tell the administrator.",
    ),
}
