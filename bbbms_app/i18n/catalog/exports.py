"""Whole-school exports in the background, the year archive, results by teacher: the texts of room exports."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    "exports.title": ("Бүт мектеп боюнча экспорт", "Выгрузки по всей школе", "Whole-school exports"),
    "exports.hint": (
        "Тандалган чейрек (же окуу жылы) боюнча бүт мектептин Excel китеби фондо даярдалат: ар бир класска өз барагы. "
        "Файлды 24 саат ичинде өзүңүз гана жүктөй аласыз.",
        "Книга Excel по всей школе за выбранный период готовится в фоне: по листу на каждый класс. "
        "Скачать файл можете только вы, в течение 24 часов.",
        "The whole school's Excel workbook of the chosen period is made in the background, a sheet per "
        "class. Only you can download it, for 24 hours.",
    ),
    "exports.kind.results": ("Окуу жыйынтыктары", "Итоги успеваемости", "Academic results"),
    "exports.kind.attendance": ("Сабакка катышуу", "Посещаемость", "Attendance"),
    "exports.kind.journals": (
        "Чейректин бардык класстык журналдары",
        "Все классные журналы четверти",
        "Every class journal of the term",
    ),
    "exports.kind.marks": ("Окуу жылынын бардык баалары", "Все оценки учебного года", "Every mark of the school year"),
    # Short: the kind is a select on a phone's card (the archive's contents are its manifest's)
    "exports.kind.archive": ("Окуу жылынын архиви (ZIP)", "Архив учебного года (ZIP)", "The year's archive (ZIP)"),
    "exports.journals_term": (
        "Журналдар чейрек боюнча түзүлөт: жогорудан чейректи тандаңыз",
        "Журналы выгружаются по четверти: выберите четверть выше",
        "Journals are exported by term: choose a term above",
    ),
    "exports.personal_hint": (
        "Бул экспортто окуучулардын аты-жөнү жана баалары бар (жеке маалымат): максатын жазыңыз",
        "В этой выгрузке имена и оценки учеников (персональные данные): укажите цель",
        "This export holds pupils' names and marks (personal data): give its purpose",
    ),
    "exports.results.title": (
        "Бүт мектептин окуу жыйынтыктары",
        "Итоги успеваемости по всей школе",
        "Academic results of the whole school",
    ),
    "exports.attendance.title": (
        "Бүт мектептин сабакка катышуусу",
        "Посещаемость по всей школе",
        "Attendance of the whole school",
    ),
    "exports.named": (
        "Окуучулардын аты-жөнү менен тизмелерди кошуу (жеке маалымат)",
        "Добавить поименные списки учеников (персональные данные)",
        "Add the named lists of pupils (personal data)",
    ),
    "exports.purpose": ("Экспорттун максаты", "Цель выгрузки", "Purpose of the export"),
    "exports.start": ("Даярдоо", "Подготовить", "Prepare"),
    "exports.started": (
        "Экспорт даярдала баштады: бул жерден анын жүрүшүн көрөсүз",
        "Выгрузка готовится: её ход виден здесь",
        "The export is being prepared: its progress shows here",
    ),
    "exports.busy": (
        "Мурунку экспортуңуз али даярдалып жатат: ал бүткөнчө күтүңүз",
        "Ваша предыдущая выгрузка ещё готовится: дождитесь её окончания",
        "Your previous export is still being prepared: wait until it is done",
    ),
    "exports.bad_kind": ("Мындай экспорт жок", "Такой выгрузки нет", "There is no such export"),
    "exports.none": ("Экспорт али жок", "Выгрузок пока нет", "No exports yet"),
    "exports.status.queued": ("Кезекте", "В очереди", "Queued"),
    "exports.status.running": ("Даярдалууда: {percent} %", "Готовится: {percent} %", "Being prepared: {percent} %"),
    "exports.status.done": ("Даяр", "Готово", "Ready"),
    "exports.status.failed": ("Ката кетти", "Не удалось", "Failed"),
    "exports.status.expired": (
        "Мөөнөтү бүттү (24 саат)",
        "Срок истёк (24 часа)",
        "Expired (24 hours)",
    ),
    "exports.download": ("Жүктөө", "Скачать", "Download"),
    "reports.col.month": ("Ай", "Месяц", "Month"),
    "exports.total": ("Бардыгы", "Итого", "Total"),
    "cli.export.archive_written": (
        "Окуу жылынын архиви жазылды: {files} файл (калтырылганы: {skipped}) — {path}",
        "Архив учебного года записан: файлов {files} (пропущено: {skipped}) — {path}",
        "The school year's archive written: {files} files ({skipped} left out) — {path}",
    ),
    "reports.col.teacher": ("Мугалим / класс, предмет", "Учитель / класс, предмет", "Teacher / class, subject"),
    "reports.sheet.teachers": ("Мугалимдер боюнча", "По учителям", "By teacher"),
    "reports.tab.teachers": ("Мугалимдер", "Учителя", "Teachers"),
    "reports.teachers_note": (
        "Мугалимдин көрсөткүчтөрү ал койгон бардык окуучу × предмет бааларынан эсептелет; топко бөлүнгөн "
        "предметте окуучунун өз тобунун мугалими.",
        "Показатели учителя — по всем выставленным им оценкам «ученик × предмет»; в предмете, разделённом "
        "на группы, — учитель группы ученика.",
        "A teacher's figures are over every pupil × subject mark of his; in a subject taught in groups, "
        "the teacher of the pupil's own group.",
    ),
}
