"""Messages of the admin lists' print heading and the user-account import (room `speed`)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    # The heading of a printed list: which list, how narrowed and sorted, when and by whom.
    "print.search": ("Издөө: «{text}»", "Поиск: «{text}»", "Search: “{text}”"),
    "print.deleted": ("Өчүрүлгөн жазуулар", "Удалённые записи", "Deleted records"),
    "print.sorted": ("Иреттелди: {column} {order}", "Сортировка: {column} {order}", "Sorted by: {column} {order}"),
    "print.sorted_default": ("Алфавит тартиби боюнча", "По алфавиту", "In alphabetical order"),
    "print.sorted_usual": ("Адаттагы тартипте", "В обычном порядке", "In the usual order"),
    "print.ascending": ("↑ (өсүү)", "↑ (по возрастанию)", "↑ (ascending)"),
    "print.descending": ("↓ (кемүү)", "↓ (по убыванию)", "↓ (descending)"),
    "print.stamp": (
        "Басылды: {when}, {who} ({role})",
        "Напечатано: {when}, {who} ({role})",
        "Printed {when} by {who} ({role})",
    ),
    # The import of user accounts.
    "import.users.no_passwords": (
        "Сырсөздөр импорттолбойт: бул мамычаны алып салыңыз. Жаңы аккаунттар бир жолку сырсөз алышат.",
        "Пароли не импортируются: удалите этот столбец. Новые учётные записи получат одноразовый пароль.",
        "Passwords are never imported: remove this column. New accounts get a one-time password.",
    ),
    "import.users.password": ("Бир жолку сырсөз", "Одноразовый пароль", "One-time password"),
    "import.users.sheet": ("Кирүү маалыматтары", "Данные для входа", "Sign-in details"),
    "import.users.slip_note": (
        "Ар бир адамга өз сабын кесип бериңиз. Биринчи киргенде «Профиль» барагында сырсөздү алмаштырыңыз.",
        "Выдайте каждому его полоску. При первом входе смените пароль на странице «Профиль».",
        "Cut out and hand each person his own line. Change the password on the Profile page at first sign-in.",
    ),
    "import.users.credentials": (
        "{count} жаңы аккаунт түзүлдү. Алардын бир жолку сырсөздөрү ушул файлда гана: азыр жүктөп алыңыз.",
        "Создано учётных записей: {count}. Их одноразовые пароли есть только в этом файле: скачайте его сейчас.",
        "{count} new accounts were made. Their one-time passwords are only in this file: download it now.",
    ),
    "import.users.download": ("Кирүү маалыматтарын жүктөө", "Скачать данные для входа", "Download sign-in details"),
}
