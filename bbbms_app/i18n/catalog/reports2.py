"""Teacher reports, the director's dashboard: the texts of room reports2 (Kyrgyz, Russian, English)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    "rights.perm.report.teacher": (
        "Мугалимдер боюнча отчетторду көрүү (мугалим — өзүнүкүн)",
        "Просмотр отчётов по учителям (учитель — своего)",
        "Read teacher reports (a teacher his own)",
    ),
    "nav.teacher_reports": ("Мугалимдер боюнча отчет", "Отчёт по учителям", "Teacher reports"),
    "reports.t.title": ("Мугалимдер боюнча отчет", "Отчёт по учителям", "Teacher reports"),
    "reports.t.all_teachers": ("Бардык мугалимдер", "Все учителя", "All teachers"),
    "reports.t.late_days": (
        "Канча күндөн кийин баа кечиккен болуп саналат",
        "Оценка считается поздней через, дней",
        "A mark is late after, days",
    ),
    "reports.t.late_after": (
        "{days} күндөн кечиккен баалар",
        "оценки позже {days} дн.",
        "marks later than {days} days",
    ),
    "reports.t.pick_teacher": (
        "Тизмелерди көрүү үчүн мугалимди тандаңыз",
        "Чтобы увидеть списки, выберите учителя",
        "Pick a teacher to see the lists",
    ),
    "reports.t.upto": (
        "{date} чейинки сабактар эсептелди",
        "Учтены уроки по {date}",
        "Lessons counted up to {date}",
    ),
    "reports.t.none": ("Жок", "Нет", "None"),
    "reports.t.open": ("Мугалимдер боюнча отчет", "Отчёт по учителям", "Teacher reports"),
    "reports.t.subgroup": ("{n}-топ", "{n}-я подгруппа", "group {n}"),
    "reports.t.substitution": ("алмаштыруу", "замена", "substitution"),
    "reports.t.no_topic": ("тема жок", "нет темы", "no topic"),
    "reports.t.no_homework": ("үй тапшырмасы жок", "нет домашнего задания", "no homework"),
    # Sections and sheets
    "reports.t.sheet.summary": ("Жалпы", "Сводка", "Summary"),
    "reports.t.sheet.hours": ("Сааттар", "Часы", "Hours"),
    "reports.t.sheet.gaps": ("Темасыз сабактар", "Уроки без темы", "Lessons not filled in"),
    "reports.t.sheet.few": ("Баасы аз окуучулар", "Мало оценок", "Too few marks"),
    "reports.t.sheet.late": ("Кечиккен баалар", "Поздние оценки", "Late marks"),
    "reports.t.head.hours": (
        "Окуу планы боюнча сааттар жана өтүлгөн сабактар",
        "Часы по учебному плану и проведённые уроки",
        "Hours by the plan and lessons given",
    ),
    "reports.t.head.gaps": (
        "Темасы же үй тапшырмасы жазылбаган сабактар",
        "Уроки без темы или домашнего задания",
        "Lessons without a topic or homework",
    ),
    "reports.t.head.few": (
        "Чейректик баа коюу үчүн баасы жетишсиз окуучулар",
        "Ученики с недостаточным для четвертной оценки числом оценок",
        "Pupils with too few marks for a term mark",
    ),
    "reports.t.head.late": (
        "Кечиктирилип коюлган баалар",
        "Оценки, выставленные с опозданием",
        "Marks entered late",
    ),
    # Columns
    "reports.t.col.teacher": ("Мугалим", "Учитель", "Teacher"),
    "reports.t.col.group": ("Класс", "Класс", "Class"),
    "reports.t.col.subject": ("Предмет", "Предмет", "Subject"),
    "reports.t.col.weekly": ("Жумасына саат", "Часов в неделю", "Hours a week"),
    "reports.t.col.plan": ("План боюнча саат", "Часов по плану", "Planned hours"),
    "reports.t.col.plan_to_date": ("Бүгүнкү күнгө план", "План на дату", "Plan to date"),
    "reports.t.col.given": ("Өтүлгөн сабактар", "Проведено уроков", "Lessons given"),
    "reports.t.col.by_others": (
        "Алмаштыруучулар өткөргөн",
        "Проведено заменяющими",
        "Given by substitutes",
    ),
    "reports.t.col.substituted": (
        "Алмаштырып өткөргөн",
        "Проведено на замене",
        "Given as a substitute",
    ),
    "reports.t.col.no_topic": ("Темасыз сабактар", "Уроки без темы", "Lessons without a topic"),
    "reports.t.col.no_homework": (
        "Үй тапшырмасы жок сабактар",
        "Уроки без домашнего задания",
        "Lessons without homework",
    ),
    "reports.t.col.few": ("Баасы аз окуучулар", "Учеников с малым числом оценок", "Pupils with too few marks"),
    "reports.t.col.late": ("Кечиккен баалар", "Поздних оценок", "Late marks"),
    "reports.t.col.date": ("Сабактын күнү", "Дата урока", "Lesson date"),
    "reports.t.col.number": ("Сабактын №", "№ урока", "Lesson No."),
    "reports.t.col.missing": ("Эмне жазылган эмес", "Не заполнено", "Not filled in"),
    "reports.t.col.pupil": ("Окуучу", "Ученик", "Pupil"),
    "reports.t.col.marks": ("Баалар саны", "Оценок", "Marks"),
    "reports.t.col.needed": ("Керектүү саны", "Нужно не менее", "At least"),
    "reports.t.col.due": ("Бүгүнкү күнгө керек", "Нужно на дату", "Due by now"),
    "reports.t.col.entered": ("Коюлган күнү", "Дата выставления", "Entered on"),
    "reports.t.col.days_late": ("Кечиккен күндөр", "Дней спустя", "Days after"),
    "reports.t.col.mark": ("Баа", "Оценка", "Mark"),
    # The director's dashboard
    "nav.dashboard": ("Көрсөткүчтөр", "Показатели", "Dashboard"),
    "dash.title": ("Мектептин негизги көрсөткүчтөрү", "Основные показатели школы", "The school's key figures"),
    "dash.period": ("Окуу жыйынтыктары:", "Итоги успеваемости:", "Academic results:"),
    "dash.before": ("Мурунку чейректе:", "В прошлой четверти:", "Last term:"),
    "dash.card.success": ("Үлгүрүү, %", "Успеваемость, %", "Pass rate, %"),
    "dash.card.quality": ("Билим сапаты, %", "Качество знаний, %", "Quality, %"),
    "dash.card.sou": ("СОУ, %", "СОУ, %", "СОУ, %"),
    "dash.card.average": ("Орточо баа", "Средний балл", "Average mark"),
    "dash.card.missed": (
        "Ушул чейректе калтырылган сабактар",
        "Пропущено уроков в этой четверти",
        "Lessons missed this term",
    ),
    "dash.card.unexcused": (
        "Анын ичинде жүйөсүз",
        "Из них без уважительной причины",
        "Of them unexcused",
    ),
    "dash.card.no_topic": ("Темасыз сабактар", "Уроков без темы", "Lessons without a topic"),
    "dash.card.late": ("Кечиккен баалар", "Поздних оценок", "Late marks"),
    "dash.chart.grades": (
        "Параллелдер боюнча үлгүрүү, сапат жана СОУ, %",
        "Успеваемость, качество и СОУ по параллелям, %",
        "Pass rate, quality and СОУ by grade, %",
    ),
    "dash.chart.weeks": (
        "Жумалар боюнча калтырылган сабактар жана кечигүүлөр",
        "Пропуски уроков и опоздания по неделям",
        "Lessons missed and late arrivals by week",
    ),
    "dash.chart.trend": (
        "Чейректер боюнча мектептин көрсөткүчтөрү, %",
        "Показатели школы по четвертям, %",
        "The school's rates term by term, %",
    ),
    # The results workbook's chart
    "reports.sheet.grades": ("Параллелдер боюнча", "По параллелям", "By grade"),
    "reports.chart.grades": (
        "Параллелдер боюнча үлгүрүү, сапат жана СОУ, %",
        "Успеваемость, качество и СОУ по параллелям, %",
        "Pass rate, quality and СОУ by grade, %",
    ),
    # The class journal's print pages
    "journal.print.year": ("{year} окуу жылы", "{year} учебный год", "School year {year}"),
    "journal.print.teacher": ("Мугалим: {name}", "Учитель: {name}", "Teacher: {name}"),
    "journal.print.substitute": ("алмаштыруу", "замена", "substitute"),
    "journal.print.topics": ("Сабактардын темалары", "Темы уроков", "Lesson topics"),
    "journal.print.taught": ("Сабакты өткөргөн", "Урок провёл", "Taught by"),
    # The command line
    "cli.report.no_teacher": (
        "Мындай мугалим жок: {teacher}",
        "Нет такого учителя: {teacher}",
        "No such teacher: {teacher}",
    ),
}
