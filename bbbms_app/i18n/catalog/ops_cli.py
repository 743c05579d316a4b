"""Messages of the operations commands (`python -m bbbms_app backup/restore/restore-drill/init/
migrate-data/prepare`) and of the backup service's refusals, for the IT teacher at the console."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    "ops.cli.backup_done": (
        "{path} жазылды ({size}): схема {schema}, {tables} таблицада {rows} сап, {files} жеке файл; "
        "кайра окулуп текшерилди",
        "Записан {path} ({size}): схема {schema}, {rows} строк в {tables} таблицах, {files} личных файлов; "
        "прочитан заново и проверен",
        "wrote {path} ({size}): schema {schema}, {rows} rows in {tables} tables, {files} private files; "
        "read back and checked",
    ),
    "ops.cli.backup_failed": (
        "Камдык көчүрмө жасалган жок: {detail}",
        "Резервная копия не создана: {detail}",
        "backup failed: {detail}",
    ),
    "ops.cli.second_copy_failed": (
        "Эскертүү: экинчи көчүрмө жазылган жок: {detail}",
        "Внимание: вторая копия не записана: {detail}",
        "warning: the second copy failed: {detail}",
    ),
    "ops.cli.restore_refused": (
        "Калыбына келтирүүдөн баш тартылды: {detail}\nЭч нерсе өзгөргөн жок.",
        "Восстановление отклонено: {detail}\nНичего не изменено.",
        "restore refused: {detail}\nNothing was changed.",
    ),
    "ops.cli.restore_failed": (
        "Калыбына келтирүү ишке ашкан жок: {detail}",
        "Восстановить не удалось: {detail}",
        "restore failed: {detail}",
    ),
    "ops.cli.restored": (
        "{file} ({created}) {url} базасына калыбына келтирилди: {tables} таблицадагы {rows} сап көчүрмөгө "
        "дал келет, {files} жеке файл",
        "{file} ({created}) восстановлен в {url}: {rows} строк в {tables} таблицах совпадают с копией, "
        "{files} личных файлов",
        "restored {file} ({created}) into {url}: {rows} rows in {tables} tables equal to the backup, "
        "{files} private files",
    ),
    "ops.cli.schema_migrated": (
        "Схема жаңыртылды: {old} → {new}",
        "Схема обновлена: {old} → {new}",
        "schema migrated {old} → {new}",
    ),
    "ops.cli.moved_aside": (
        "Мурунку база {path} болуп сакталды",
        "Прежняя база сохранена как {path}",
        "the previous database was kept as {path}",
    ),
    "ops.cli.drill_good": (
        "Калыбына келтирүүнү текшерүү {name}: жарактуу — {rows} сап жана {files} файл калыбына келди, "
        "схема {schema} ({seconds} с)",
        "Проверка восстановления {name}: копия годна — восстановлено {rows} строк и {files} файлов, "
        "схема {schema} ({seconds} с)",
        "restore drill {name}: good — {rows} rows and {files} files restored, schema {schema} ({seconds} s)",
    ),
    "ops.cli.drill_bad": (
        "Калыбына келтирүүнү текшерүү {name}: ЖАРАКСЫЗ — {detail} ({seconds} с)",
        "Проверка восстановления {name}: копия НЕ годна — {detail} ({seconds} с)",
        "restore drill {name}: NOT good — {detail} ({seconds} s)",
    ),
    "ops.cli.ask_missing": (
        "«{what}» берилген жок: аны параметр катары бериңиз (python -m bbbms_app init --help)",
        "Не указано «{what}»: передайте его параметром (python -m bbbms_app init --help)",
        "missing {what}: give it as a flag (python -m bbbms_app init --help)",
    ),
    "ops.cli.ask.school_name": (
        "Мектептин аталышы (кыргызча)",
        "Название школы (на кыргызском)",
        "School name (Kyrgyz)",
    ),
    "ops.cli.ask.okpo": ("ОКПО коду (8–10 сан)", "Код ОКПО (8–10 цифр)", "OKPO code (8 to 10 digits)"),
    "ops.cli.ask.director": (
        "Директордун колдонуучу аты (мисалы, director)",
        "Имя пользователя директора (например, director)",
        "Director's user name (e.g. director)",
    ),
    "ops.cli.ask.director_name": (
        "Директордун толук аты-жөнү (Фамилиясы Аты)",
        "ФИО директора (Фамилия Имя)",
        "Director's full name (Surname Name)",
    ),
    "ops.cli.init_has_school": (
        "Базада мектеп бар; init биринчи мектепти түзөт (дагы бирөөнү кошуу үчүн --add).",
        "В базе уже есть школа; init создаёт первую (ещё одну — с --add).",
        "The database already holds a school; init creates the first one (--add for another).",
    ),
    "ops.cli.school_created": (
        "Мектеп түзүлдү: «{name}» (ОКПО {okpo}).",
        "Школа создана: «{name}» (ОКПО {okpo}).",
        "School created: “{name}” (OKPO {okpo}).",
    ),
    "ops.cli.director_account": (
        "Директордун аккаунту: {username}",
        "Учётная запись директора: {username}",
        "Director's account: {username}",
    ),
    "ops.cli.one_time_password": (
        "Бир жолку сырсөз:  {password}",
        "Одноразовый пароль:  {password}",
        "One-time password:  {password}",
    ),
    "ops.cli.password_once": (
        "Ал азыр гана көрсөтүлөт: жазып алып, директорго бериңиз; биринчи киргенде аны алмаштыруу керек.",
        "Он показан только сейчас: запишите и передайте директору; при первом входе его нужно сменить.",
        "It is shown only now: write it down and hand it over; it must be changed at the first sign-in.",
    ),
    "ops.cli.same_target": (
        "--to колдонмо азыр иштеп жаткан базаны көрсөтүп турат",
        "--to указывает на базу, с которой приложение уже работает",
        "--to names the database the app already uses",
    ),
    "ops.cli.migrate_source_first": (
        "Адегенде булак базаны жаңыртыңыз: python -m bbbms_app migrate",
        "Сначала обновите исходную базу: python -m bbbms_app migrate",
        "migrate the source first: python -m bbbms_app migrate",
    ),
    "ops.cli.migrate_data_refused": (
        "Көчүрүүдөн баш тартылды: {detail}",
        "Копирование отклонено: {detail}",
        "migrate-data refused: {detail}",
    ),
    "ops.cli.copied": (
        "{tables} таблицанын {rows} сабы {url} базасына көчүрүлдү; ар бир таблицанын саптарынын саны жана "
        "мазмунунун хэштери дал келет",
        "Скопировано {rows} строк из {tables} таблиц в {url}; число строк и хэши содержимого каждой таблицы совпадают",
        "copied {rows} rows of {tables} tables to {url}; row counts and content hashes of every table are equal",
    ),
    "ops.cli.copied_next": (
        "Жеке файлдар BBBMS_DATA_DIR папкасында калат. DATABASE_URL'ге жаңы базаны жазып, кайра иштетиңиз.",
        "Личные файлы остаются в BBBMS_DATA_DIR. Укажите новую базу в DATABASE_URL и перезапустите.",
        "Private files stay in BBBMS_DATA_DIR. Set DATABASE_URL to the new database and restart.",
    ),
    "ops.cli.upgrade_backup": (
        "Базанын схемасы {old}, бул чыгарылыштыкы {new}: жаңыртуудан мурун камдык көчүрмө жасалууда…",
        "Схема базы {old}, этого выпуска {new}: перед обновлением делается резервная копия…",
        "the database is at schema {old}, this release at {new}: backing up before the upgrade…",
    ),
    "ops.cli.upgrade_backup_done": (
        "Жаңыртуу алдындагы камдык көчүрмө: {path}",
        "Резервная копия перед обновлением: {path}",
        "backup before upgrade: {path}",
    ),
    "ops.cli.no_school_ask": (
        "Мектеп азырынча жок. Бир нече суроо аны жана анын директорун түзөт (python -m bbbms_app init).",
        "Школы пока нет. Несколько вопросов создадут её и её директора (python -m bbbms_app init).",
        "No school yet. A few questions create it and its director (python -m bbbms_app init).",
    ),
    "ops.cli.no_school": (
        "Мектеп азырынча жок, демо бул жерде жүктөлбөйт. Адегенде мектепти жана анын директорун түзүңүз:\n  {command}",
        "Школы пока нет, а демо здесь не загружается. Сначала создайте школу и её директора:\n  {command}",
        "No school yet, and the demo is not loaded here. Create the school and its director first:\n  {command}",
    ),
    # What the backup service refuses, in the operator's words (the details of a tool's own failure,
    # e.g. pg_dump's stderr, stay as the tool printed them).
    "ops.err.no_file": ("{path} файлы жок", "Файл {path} не найден", "no such file: {path}"),
    "ops.err.cut_short": (
        "файл бузулган же аягына чейин жазылган эмес ({kind})",
        "файл повреждён или обрезан ({kind})",
        "the file is damaged or cut short ({kind})",
    ),
    "ops.err.no_manifest": (
        "манифест же анын текшерүү суммасы жок",
        "нет манифеста или его контрольной суммы",
        "the manifest or its checksum is missing",
    ),
    "ops.err.checksum": (
        "манифест өзүнүн текшерүү суммасына дал келбейт",
        "манифест не совпадает со своей контрольной суммой",
        "the manifest does not match its checksum",
    ),
    "ops.err.member_missing": ("{name} жок", "нет {name}", "{name} is missing"),
    "ops.err.member_differs": (
        "{name} манифесттен айырмаланат (бузулган)",
        "{name} отличается от манифеста (повреждён)",
        "{name} differs from the manifest (damaged)",
    ),
    "ops.err.newer_schema": (
        "көчүрмөнүн схемасы {schema} бул БББМСке белгисиз (эң жаңысы: {head}): аны жаңыраак чыгарылыш жасаган; "
        "адегенде БББМСти жаңыртыңыз",
        "схема копии {schema} неизвестна этой БББМС (новейшая: {head}): копию сделал более новый выпуск; "
        "сначала обновите БББМС",
        "the backup's database schema {schema} is unknown to this BBBMS (newest known: {head}): it was made by "
        "a newer release; upgrade BBBMS first",
    ),
    "ops.err.dialect": (
        "бул {dialect} көчүрмөсү, ал эми база — {target}: аны {dialect} базасына калыбына келтирип, анан "
        "`migrate-data --to` менен көчүрүңүз",
        "это копия {dialect}, а база — {target}: восстановите её в {dialect}, затем перенесите "
        "командой `migrate-data --to`",
        "this is a {dialect} backup and the target is {target}: restore it into {dialect}, then use "
        "`migrate-data --to` to move",
    ),
    "ops.err.sqlite_holds_data": (
        "{path} базасында маалымат бар: жаңы файлга калыбына келтириңиз же --replace кошуңуз (эски файл "
        "жанында сакталат)",
        "в базе {path} уже есть данные: восстановите в новый файл или добавьте --replace (старый файл "
        "сохранится рядом)",
        "the database {path} already holds data: restore into a new file, or add --replace (the old file "
        "is kept beside it)",
    ),
    "ops.err.pg_has_tables": (
        "{database} базасында таблицалар бар: жаңы, бош базага калыбына келтириңиз (createdb) жана "
        "DATABASE_URL'ди ага багыттаңыз",
        "в базе {database} уже есть таблицы: восстановите в новую пустую базу (createdb) и укажите её в DATABASE_URL",
        "the database {database} already has tables: restore into a new, empty database (createdb) and point "
        "DATABASE_URL at it",
    ),
    "ops.err.no_backup": (
        "{folder} папкасында камдык көчүрмө жок",
        "в папке {folder} нет резервных копий",
        "no backup in {folder}",
    ),
}
