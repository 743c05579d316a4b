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
    # The command line
    "cli.migrated": (
        "Маалымат базасы акыркы абалга келтирилди: {url}",
        "База данных приведена к последней версии: {url}",
        "Database migrated: {url}",
    ),
    "cli.demo.working": (
        "Демо мектеп түзүлүүдө…",
        "Создаётся демонстрационная школа…",
        "Making the demo school…",
    ),
    "cli.demo.loaded": (
        "Демо ({year} окуу жылы) {seconds} секундада жүктөлдү: "
        "{schools} мектеп, {pupils} окуучу, {classes} класс, {staff} кызматкер, "
        "{lessons} сабак, {marks} баа, {attendance} катышуу жазуусу.",
        "Демо ({year} учебный год) загружено за {seconds} с: "
        "школ {schools}, учеников {pupils}, классов {classes}, сотрудников {staff}, "
        "уроков {lessons}, оценок {marks}, записей посещаемости {attendance}.",
        "Demo ({year} school year) loaded in {seconds} s: "
        "{schools} schools, {pupils} pupils, {classes} classes, {staff} staff, "
        "{lessons} lessons, {marks} marks, {attendance} attendance records.",
    ),
    "cli.demo.accounts": (
        "Демо аккаунттар (баарынын сырсөзү: {password}):",
        "Демо-аккаунты (пароль у всех: {password}):",
        "Demo accounts (password for all: {password}):",
    ),
    "cli.demo.kept": (
        "Маалымат базасында мектеп бар; демо жүктөлгөн жок.",
        "В базе данных уже есть школа; демо не загружено.",
        "The database already holds a school; demo not loaded.",
    ),
    "cli.demo.not_empty": (
        "Маалымат базасы бош эмес: демо маалыматтар бош базага гана жүктөлөт.",
        "База данных не пуста: демо-данные загружаются только в пустую базу.",
        "The database is not empty: demo data goes only into an empty database.",
    ),
    "cli.error.positive": (
        "{option} оң бүтүн сан болушу керек ({value} эмес).",
        "{option} должно быть целым положительным числом (не {value}).",
        "{option} must be a positive whole number (not {value}).",
    ),
    "cli.error.no_database": (
        "Маалымат базасы жок: {path}. DATABASE_URL туура жазылганын текшериңиз; жаңы база "
        "«python -m bbbms_app migrate» менен түзүлөт.",
        "Базы данных нет: {path}. Проверьте DATABASE_URL; новая база создаётся командой «python -m bbbms_app migrate».",
        "There is no database at {path}. Check DATABASE_URL; a new database is made with "
        "«python -m bbbms_app migrate».",
    ),
    "cli.error.db_unreachable": (
        "Маалымат базасына туташуу мүмкүн болгон жок ({url}): DATABASE_URL жана сервердин иштеп жатканын текшериңиз.",
        "Не удалось подключиться к базе данных ({url}): проверьте DATABASE_URL и что сервер базы работает.",
        "Could not connect to the database ({url}): check DATABASE_URL and that the database server runs.",
    ),
    "cli.error.not_migrated": (
        "{url} — BBBMS маалымат базасы эмес же даярдала элек: «python -m bbbms_app migrate» иштетиңиз "
        "(же DATABASE_URL текшериңиз).",
        "{url} — не база BBBMS или она не подготовлена: выполните «python -m bbbms_app migrate» "
        "(или проверьте DATABASE_URL).",
        "{url} is not a BBBMS database or is not migrated: run «python -m bbbms_app migrate» (or check DATABASE_URL).",
    ),
    "cli.error.old_schema": (
        "{url} маалымат базасынын версиясы {version}, программага {head} керек: "
        "«python -m bbbms_app migrate» иштетиңиз.",
        "Версия базы данных {url} — {version}, программе нужна {head}: выполните «python -m bbbms_app migrate».",
        "The database {url} is at {version}, this release needs {head}: run «python -m bbbms_app migrate».",
    ),
    "cli.error.unknown_revisions": (
        "Маалымат базасында белгисиз миграциялар бар: {revisions}. Аны түзгөн версия менен иштетиңиз.",
        "В базе данных неизвестные миграции: {revisions}. Работайте с ней версией, которая её создала.",
        "The database holds unknown migrations: {revisions}. Use it with the release that made it.",
    ),
    "cli.error.missing_revisions": (
        "Маалымат базасында {revisions} миграциялары жок: адегенде аны түзгөн версия менен жаңыртыңыз.",
        "В базе данных нет миграций {revisions}: сначала обновите её версией, которая её создала.",
        "The database lacks {revisions}: migrate it with the release that made it first.",
    ),
    "cli.error.no_school": (
        "{id} номерлүү мектеп жок.",
        "Школы с номером {id} нет.",
        "There is no school {id}.",
    ),
    "cli.error.no_schools": (
        "Маалымат базасында бир да мектеп жок: адегенде мектепти кошуңуз.",
        "В базе данных нет ни одной школы: сначала добавьте школу.",
        "The database holds no school yet: add a school first.",
    ),
    "cli.error.several_schools": (
        "Мектептер бирөө эмес ({ids}): кайсынысы экенин --school ID менен көрсөтүңүз.",
        "Школ несколько ({ids}): укажите нужную через --school ID.",
        "There are several schools ({ids}): say which with --school ID.",
    ),
    "cli.error.school_required": (
        "«{role}» ролундагы колдонуучуга мектеп керек: --school ID көрсөтүңүз.",
        "Пользователю с ролью «{role}» нужна школа: укажите --school ID.",
        "A user with the role «{role}» needs a school: give --school ID.",
    ),
    "cli.error.username_format": (
        "«{username}» колдонуучунун аты боло албайт: 3–80 белги, кичине латын тамгалары, сандар, «.», «_», «-».",
        "«{username}» не может быть именем пользователя: 3–80 знаков, строчные латинские буквы, цифры, «.», «_», «-».",
        "«{username}» cannot be a username: 3 to 80 characters, lower-case Latin letters, digits, «.», «_», «-».",
    ),
    "cli.error.username_taken": (
        "«{username}» деген колдонуучу мурдатан бар.",
        "Пользователь «{username}» уже существует.",
        "A user «{username}» already exists.",
    ),
    "cli.error.no_file": ("Файл жок: {path}", "Файла нет: {path}", "No such file: {path}"),
    "cli.error.not_a_file": (
        "{path} — файл эмес, папка.",
        "{path} — не файл, а папка.",
        "{path} is a folder, not a file.",
    ),
    "cli.error.unreadable": (
        "Файлды окуу мүмкүн эмес: {path}",
        "Файл не читается: {path}",
        "Cannot read the file {path}",
    ),
    "cli.error.is_folder": (
        "{path} — папка: жазыла турган файлдын атын бериңиз.",
        "{path} — папка: укажите имя файла для записи.",
        "{path} is a folder: give the name of the file to write.",
    ),
    "cli.error.no_folder": (
        "Папка жок: {path}. Эч нерсе жазылган жок.",
        "Папки нет: {path}. Ничего не записано.",
        "There is no folder {path}. Nothing was written.",
    ),
    "cli.error.cannot_write": (
        "{path} файлына жазуу мүмкүн эмес (укук жок). Эч нерсе жазылган жок.",
        "В файл {path} нельзя записать (нет прав). Ничего не записано.",
        "Cannot write {path} (no permission). Nothing was written.",
    ),
    "cli.error.no_pupil": ("{id} номерлүү окуучу жок.", "Ученика с номером {id} нет.", "There is no pupil {id}."),
    "cli.error.no_guardian": (
        "{id} номерлүү ата-эне жок.",
        "Родителя с номером {id} нет.",
        "There is no guardian {id}.",
    ),
    "cli.error.no_staff": (
        "{id} номерлүү кызматкер жок.",
        "Сотрудника с номером {id} нет.",
        "There is no staff member {id}.",
    ),
    "cli.error.unexpected": (
        "Күтүлбөгөн ката ({kind}), шилтеме {ref}. Жарым-жартылай эч нерсе жазылган жок. "
        "Толук маалымат үчүн BBBMS_DEBUG=1 менен кайра иштетиңиз.",
        "Непредвиденная ошибка ({kind}), код {ref}. Ничего не записано наполовину. "
        "Подробности: запустите снова с BBBMS_DEBUG=1.",
        "Unexpected error ({kind}), reference {ref}. Nothing was half written. "
        "For the details run it again with BBBMS_DEBUG=1.",
    ),
    "cli.prompt.password": ("Сырсөз: ", "Пароль: ", "Password: "),
    "cli.prompt.new_password": ("Жаңы сырсөз: ", "Новый пароль: ", "New password: "),
    "cli.prompt.again": ("Дагы бир жолу: ", "Ещё раз: ", "Again: "),
    "cli.user.passwords_differ": ("Сырсөздөр дал келген жок.", "Пароли не совпадают.", "The passwords differ."),
    "cli.user.created": (
        "Колдонуучу түзүлдү: {username} ({role})",
        "Пользователь создан: {username} ({role})",
        "Created user {username} ({role})",
    ),
    "cli.user.no_such": (
        "«{username}» деген колдонуучу жок.",
        "Пользователя «{username}» нет.",
        "There is no user «{username}».",
    ),
    "cli.user.password_changed": (
        "{username}: сырсөз өзгөртүлдү, бардык сеанстары жабылды.",
        "{username}: пароль изменён, все сеансы закрыты.",
        "Password changed for {username}; their sessions were closed.",
    ),
    "cli.sso.no_provider": (
        "Жөндөөлөрдө «{provider}» SSO провайдери жок (BBBMS_SSO_PROVIDERS).",
        "В настройках нет SSO-провайдера «{provider}» (BBBMS_SSO_PROVIDERS).",
        "There is no SSO provider «{provider}» in the settings (BBBMS_SSO_PROVIDERS).",
    ),
    "cli.sso.unlinked": (
        "{username}: SSO байланышы алынды, сеанстары жабылды.",
        "{username}: связь с SSO удалена, сеансы закрыты.",
        "{username}: SSO link removed; their sessions were closed.",
    ),
    "cli.sso.linked": (
        "{username} эми {issuer} аркылуу {subject} катары кирет.",
        "{username} теперь входит через {issuer} как {subject}.",
        "{username} now signs in as {subject} at {issuer}.",
    ),
    "cli.check.ok": (
        "Өндүрүш үчүн кооптуу жөндөө жок.",
        "Небезопасных для работы настроек нет.",
        "No unsafe setting for production.",
    ),
    "cli.export_person.written": (
        "{path} жазылды ({size} байт); экспорт аудит журналына {operator} атынан жазылды.",
        "Записан {path} ({size} байт); выгрузка записана в журнал аудита от имени {operator}.",
        "Wrote {path} ({size} bytes); the export is recorded in the audit log as {operator}.",
    ),
    "cli.import.not_importable": (
        "«{entity}» жүктөлбөйт; жүктөөгө болот: {names}",
        "«{entity}» не загружается; можно загрузить: {names}",
        "Cannot import «{entity}»; importable: {names}",
    ),
    "cli.import.row": ("{row}-сап", "строка {row}", "row {row}"),
    "cli.import.credentials": (
        "{n} жаңы аккаунттун бир жолку сырсөздөрү (файлды ээсинен башка эч ким окуй албайт): {path}",
        "Одноразовые пароли новых аккаунтов ({n}), файл доступен только владельцу: {path}",
        "One-time passwords of {n} new accounts (a file only its owner can read): {path}",
    ),
    "cli.export.unknown": (
        "Белгисиз тизме «{entity}»; бары: {names}",
        "Неизвестный список «{entity}»; есть: {names}",
        "Unknown entity «{entity}»; known: {names}",
    ),
    "cli.export.needs_purpose": (
        "{entity}: {message} (--purpose)",
        "{entity}: {message} (--purpose)",
        "{entity}: {message} (--purpose)",
    ),
    "cli.export.written": (
        "{path} файлына {n} жазуу жазылды.",
        "В файл {path} записано записей: {n}.",
        "Wrote {n} records to {path}.",
    ),
    "cli.export.audited": (
        "Экспорт аудит журналына {operator} атынан жазылды.",
        "Выгрузка записана в журнал аудита от имени {operator}.",
        "The export is recorded in the audit log as {operator}.",
    ),
    # The import's report (services/engine/imports.py), for the command line and the import screen
    "admin.import.failed_one": (
        "Файлда 1 ката бар ({rows} сап). Эч нерсе жазылган жок: катаны оңдоп, кайра жүктөңүз.",
        "В файле 1 ошибка (строк: {rows}). Ничего не записано: исправьте её и загрузите снова.",
        "The file has 1 error (rows read: {rows}). Nothing was written: fix it and import again.",
    ),
    "admin.import.allowed": (
        "Болушу мүмкүн: {values}",
        "Допустимые значения: {values}",
        "Allowed values: {values}",
    ),
    "cli.report.bad_date": (
        "«{value}» күн эмес: 2025-09-01 же 01.09.2025 түрүндө жазыңыз",
        "«{value}» — не дата: пишите 2025-09-01 или 01.09.2025",
        "«{value}» is not a date: write 2025-09-01 or 01.09.2025",
    ),
    "cli.report.contingent_written": (
        "Отчет жазылды: {path} (аягында {end} окуучу)",
        "Отчёт записан: {path} (на конец периода учащихся: {end})",
        "Report written: {path} ({end} pupils at the end)",
    ),
}
