"""OneRoster 1.2 (issue 19 §3): refusals of a result a learning system sends back, the audit
trail's word for OneRoster calls, and the CSV bundle's command line."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    "oneroster.error.missing": (
        "«{field}» талаасы жок же бош.",
        "Поле «{field}» отсутствует или пустое.",
        "The field “{field}” is missing or empty.",
    ),
    "oneroster.error.mismatch": (
        "«{field}» дарекке дал келбейт.",
        "Поле «{field}» не совпадает с адресом запроса.",
        "The field “{field}” does not match the address.",
    ),
    "oneroster.error.bad_status": (
        "«{field}» талаасы OneRoster'дин баалоо абалдарынын бири болушу керек.",
        "Поле «{field}» должно быть одним из статусов оценивания OneRoster.",
        "The field “{field}” must be one of OneRoster's score statuses.",
    ),
    "oneroster.error.bad_score": (
        "«{field}» талаасы 0дөн 100гө чейинки пайыз болушу керек.",
        "Поле «{field}» должно быть процентом от 0 до 100.",
        "The field “{field}” must be a percentage from 0 to 100.",
    ),
    "oneroster.error.no_marks": (
        "Бул класста баа коюлбайт (баалоо саясаты боюнча).",
        "В этом классе отметки не ставятся (по положению об оценивании).",
        "This class is not marked (its grading policy has no marks).",
    ),
    "audit.entity.api_oneroster": ("API: OneRoster", "API: OneRoster", "API: OneRoster"),
    "audit.entity.api_guardians": ("API: ата-энелер", "API: родители", "API: guardians"),
    "audit.entity.api_timetable": ("API: сабактардын жадыбалы", "API: расписание", "API: timetable"),
    "audit.entity.api_lessons": ("API: сабактар", "API: уроки", "API: lessons"),
    "audit.entity.api_attendance": ("API: катышуу", "API: посещаемость", "API: attendance"),
    "audit.entity.api_period_marks": ("API: жыйынтык баалар", "API: итоговые отметки", "API: period marks"),
    "oneroster.csv.written": (
        "OneRoster CSV топтому жазылды: {path} ({files} файл).",
        "Пакет OneRoster CSV записан: {path} (файлов: {files}).",
        "OneRoster CSV bundle written: {path} ({files} files).",
    ),
    # The director's screen of API clients (/api-clients)
    "apiclients.nav": ("API кардарлары", "API-клиенты", "API clients"),
    "rights.perm.api.manage": (
        "API кардарларын каттоо жана өчүрүү (окутуу системалары, панелдер)",
        "Регистрировать и отзывать API-клиентов (системы обучения, панели)",
        "Register and revoke API clients (learning systems, dashboards)",
    ),
    "apiclients.lead": (
        "Окутуу системасы же башкармалыктын панели мектептин маалыматын ушул кардар аркылуу гана окуйт: "
        "ага берилген уруксаттар гана, ушул мектептики гана.",
        "Система обучения или панель управления читают данные школы только через такого клиента: "
        "только с его правами и только этой школы.",
        "A learning system or a dashboard reads the school's data only as such a client: with its "
        "scopes only, and this school's only.",
    ),
    "apiclients.new": ("Жаңы кардар", "Новый клиент", "New client"),
    "apiclients.name_hint": (
        "Аталышы, мисалы: Moodle 5-мектеп",
        "Название, например: Moodle школы 5",
        "Name, e.g. Moodle of school 5",
    ),
    "apiclients.scopes": ("Уруксаттары", "Права", "Scopes"),
    "apiclients.scope.roster_read": (
        "Тизмелер: класстар, окуучулар, мугалимдер, ата-энелер",
        "Списки: классы, ученики, учителя, родители",
        "Roster: classes, pupils, teachers, parents",
    ),
    "apiclients.scope.gradebook_read": ("Бааларды окуу", "Чтение оценок", "Read marks"),
    "apiclients.scope.gradebook_write": (
        "Бааларды журналга жазуу (жабык чейрекке эмес)",
        "Запись оценок в журнал (не в закрытую четверть)",
        "Write marks into the journal (never a closed quarter)",
    ),
    "apiclients.scope.demographics_read": (
        "Туулган күнү жана жынысы (макулдук болсо гана)",
        "Дата рождения и пол (только при согласии)",
        "Birth date and sex (only with consent)",
    ),
    "apiclients.scope.resources_read": (
        "Курстардын жарыяланган материалдары",
        "Опубликованные материалы курсов",
        "The courses' published materials",
    ),
    "apiclients.create": ("Каттоо", "Зарегистрировать", "Register"),
    "apiclients.secret_once": (
        "Сыр сөз азыр бир гана жолу көрсөтүлөт: аны кардар системага дароо киргизиңиз.",
        "Секрет показан только сейчас, один раз: сразу внесите его в систему-клиент.",
        "The secret is shown this once only: put it into the client system now.",
    ),
    "apiclients.secret_saved": ("Киргиздим", "Внёс", "Done"),
    "apiclients.col.name": ("Кардар", "Клиент", "Client"),
    "apiclients.col.scopes": ("Уруксаттары", "Права", "Scopes"),
    "apiclients.col.state": ("Абалы", "Состояние", "State"),
    "apiclients.col.used": ("Акыркы жолу", "Последнее обращение", "Last use"),
    "apiclients.col.created": ("Катталган", "Зарегистрирован", "Registered"),
    "apiclients.col.action": ("Аракет", "Действие", "Action"),
    "apiclients.never": ("азырынча жок", "ещё не было", "not yet"),
    "apiclients.revoke": ("Өчүрүү", "Отозвать", "Revoke"),
    "apiclients.revoke_title": ("Кардарды өчүрөсүзбү?", "Отозвать клиента?", "Revoke the client?"),
    "apiclients.revoke_text": (
        "Анын бардык токендери ошол замат жараксыз болот; кайра иштетүү үчүн жаңы кардар катталат.",
        "Все его токены сразу станут недействительны; чтобы снова подключить систему, зарегистрируйте нового.",
        "All its tokens are void at once; to connect the system again, register a new client.",
    ),
    "apiclients.cancel": ("Жокко чыгаруу", "Отмена", "Cancel"),
    "apiclients.revoked": ("Кардар өчүрүлдү.", "Клиент отозван.", "Client revoked."),
}
