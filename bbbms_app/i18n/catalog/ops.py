"""Messages of operations: the backups screen and the home page's backup warning (room `ops`)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    "rights.perm.backup.read": (
        "Камдык көчүрмөлөрдүн тизмесин жана эскертүүсүн көрүү",
        "Просмотр списка резервных копий и предупреждений о них",
        "See the backups list and the backup warning",
    ),
    "rights.perm.backup.run": (
        "Камдык көчүрмөнү азыр жасатуу",
        "Запуск резервного копирования вручную",
        "Make a backup now",
    ),
    "ops.backup_now": ("Азыр көчүрмө жасоо", "Сделать копию сейчас", "Back up now"),
    "ops.backup_queued": (
        "Көчүрмө кезекке коюлду: бир нече мүнөттөн кийин тизмеде пайда болот.",
        "Копирование поставлено в очередь: копия появится в списке через несколько минут.",
        "The backup is queued: it appears in the list in a few minutes.",
    ),
    "ops.backup_waiting": (
        "Көчүрмө {age} мурун суралган жана дагы жасалып жатат. Тизмени бир аздан кийин жаңылаңыз.",
        "Копия была запрошена {age} назад и ещё делается. Обновите список чуть позже.",
        "A backup was asked for {age} ago and is still being made. Refresh the list a little later.",
    ),
    "ops.refresh": ("Жаңылоо", "Обновить", "Refresh"),
    "ops.nav": ("Камдык көчүрмөлөр", "Резервные копии", "Backups"),
    "ops.none": (
        "Азырынча текшерилген камдык көчүрмө жок. Сервердин администратору көчүрмө жасашы керек.",
        "Проверенной резервной копии пока нет. Администратор сервера должен её сделать.",
        "There is no checked backup yet. The server's administrator must make one.",
    ),
    "ops.stale": (
        "Акыркы жакшы камдык көчүрмө {age} мурун жасалган: бир күндөн эски. Сервердин администраторуна кайрылыңыз.",
        "Последняя хорошая резервная копия сделана {age} назад: старше суток. Обратитесь к администратору сервера.",
        "The last good backup was made {age} ago: more than a day. Tell the server's administrator.",
    ),
    "ops.fresh": (
        "Акыркы жакшы камдык көчүрмө {age} мурун жасалган.",
        "Последняя хорошая резервная копия сделана {age} назад.",
        "The last good backup was made {age} ago.",
    ),
    "ops.open_backups": ("Камдык көчүрмөлөрдү ачуу", "Открыть резервные копии", "Open the backups"),
    "ops.minutes": ("{n} мүн.", "{n} мин.", "{n} min"),
    "ops.hours": ("{n} саат", "{n} ч", "{n} h"),
    "ops.days": ("{n} күн", "{n} дн.", "{n} days"),
    "ops.col.made": ("Качан жасалган", "Когда сделана", "Made"),
    "ops.col.age": ("Мурун", "Давность", "Age"),
    "ops.col.size": ("Көлөмү", "Размер", "Size"),
    "ops.col.content": ("Мазмуну", "Содержимое", "Content"),
    "ops.col.checked": ("Текшерилди", "Проверена", "Checked"),
    "ops.col.drill": ("Калыбына келтирүү сыноосу", "Проверка восстановления", "Restore drill"),
    "ops.content": ("{rows} жазуу, {files} файл", "{rows} записей, {files} файлов", "{rows} rows, {files} files"),
    "ops.good": ("жакшы", "исправна", "good"),
    "ops.bad": ("бузук", "повреждена", "damaged"),
    "ops.not_run": ("жүргүзүлгөн эмес", "не проводилась", "not run"),
    "ops.where": (
        "Көчүрмөлөр папкасы: {folder} · акыркы {keep} сакталат · экинчи папка: {copy}",
        "Папка копий: {folder} · хранятся последние {keep} · вторая папка: {copy}",
        "Backup folder: {folder} · the newest {keep} are kept · second folder: {copy}",
    ),
    "ops.no_copy": ("жок", "нет", "none"),
    "ops.schedule": (
        "Ар бир {hours} саатта өзү жасалат; жумасына бир жолу калыбына келтирүү сыноосу өтөт.",
        "Делается сама каждые {hours} ч; раз в неделю проводится проверка восстановления.",
        "Made by itself every {hours} h; a restore drill runs once a week.",
    ),
    "ops.last_run": ("Акыркы иш: {message}", "Последний запуск: {message}", "Last run: {message}"),
    "ops.last_good_run": (
        "Акыркы иш: {file} — {rows} жазуу, {files} файл, {size}, {seconds} сек.",
        "Последний запуск: {file} — {rows} записей, {files} файлов, {size}, {seconds} с.",
        "Last run: {file} — {rows} rows, {files} files, {size}, {seconds} s.",
    ),
    "ops.copy_failed": (
        "Экинчи папкага көчүрүү ишке ашкан жок: {message}",
        "Копирование во вторую папку не удалось: {message}",
        "The copy to the second folder failed: {message}",
    ),
    "ops.last_failed": (
        "Акыркы көчүрмө ишке ашкан жок: {message}",
        "Последнее копирование не удалось: {message}",
        "The last backup failed: {message}",
    ),
}
