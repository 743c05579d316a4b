"""Reports: academic results and attendance (the /reports page, its XLSX, the `report` command)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    "nav.reports": ("Отчеттор", "Отчёты", "Reports"),
    "reports.title": ("Отчеттор", "Отчёты", "Reports"),
    "reports.tab.results": ("Окуу жыйынтыктары", "Итоги успеваемости", "Academic results"),
    "reports.tab.attendance": ("Катышуу", "Посещаемость", "Attendance"),
    "reports.results.title": (
        "Окуу жыйынтыктары боюнча отчет",
        "Отчёт об итогах успеваемости",
        "Academic results report",
    ),
    "reports.attendance.title": (
        "Сабакка катышуу боюнча отчет",
        "Отчёт о посещаемости",
        "Attendance report",
    ),
    # Filters
    "reports.pick.period": ("Чейрек", "Период", "Period"),
    "reports.pick.subject": ("Предмет", "Предмет", "Subject"),
    "reports.pick.sex": ("Жынысы", "Пол", "Sex"),
    "reports.pick.month": ("Ай", "Месяц", "Month"),
    "reports.all_subjects": ("Бардык предметтер", "Все предметы", "All subjects"),
    "reports.all_pupils": ("Бардык окуучулар", "Все ученики", "All pupils"),
    "reports.sex.m": ("Уул балдар", "Мальчики", "Boys"),
    "reports.sex.f": ("Кыз балдар", "Девочки", "Girls"),
    "reports.whole_period": ("Бардык айлар", "Все месяцы", "All months"),
    "reports.year": ("Окуу жылы", "Учебный год", "School year"),
    "reports.threshold": (
        "Жүйөсүз калтырган сабактын чеги",
        "Порог пропусков без уважительной причины",
        "Threshold of unexcused lessons",
    ),
    "reports.download": ("Excel'ге жүктөө", "Скачать в Excel", "Download Excel"),
    "reports.print": ("Басып чыгаруу", "Печать", "Print"),
    "reports.downloaded": ("Файл даяр: {name}", "Файл готов: {name}", "The file is ready: {name}"),
    "reports.no_data": (
        "Бул чейректе эсепке алына турган баа жок",
        "За этот период нет оценок для учёта",
        "No marks to count for this period",
    ),
    "reports.none_above": (
        "Мындай окуучу жок",
        "Таких учеников нет",
        "No such pupils",
    ),
    "reports.lists_need_right": (
        "Окуучулардын аты-жөнү жазылган тизмелер «Жеке маалыматтарды топтоп экспорттоо» укугу барларга гана "
        "көрсөтүлөт; сандар жана пайыздар баарына жеткиликтүү.",
        "Списки с фамилиями учеников видны только при праве «Массовая выгрузка персональных данных»; "
        "количества и проценты доступны всем.",
        "The lists naming pupils are shown only with the right «Bulk export of personal data»; the counts "
        "and percents are open to every reader.",
    ),
    "reports.above_count": (
        "Чегинен ашкан окуучулар: {count}",
        "Учеников выше порога: {count}",
        "Pupils above the threshold: {count}",
    ),
    # Rows
    "reports.group.grade": ("{grade}-класстар", "{grade}-е классы", "Grade {grade}"),
    "reports.group.level": ("{grades}-класстар", "{grades} классы", "Grades {grades}"),
    "reports.group.school": ("Мектеп боюнча", "По школе", "Whole school"),
    # Columns
    "reports.col.no": ("№", "№", "No."),
    "reports.col.group": ("Класс", "Класс", "Class"),
    "reports.col.roll": ("Тизмеде", "По списку", "On roll"),
    "reports.col.n": ("Эсепке алынган окуучулар", "Учтено", "Counted"),
    "reports.col.n5": ("«5»", "«5»", "“5”"),
    "reports.col.n4": ("«4»", "«4»", "“4”"),
    "reports.col.n3": ("«3»", "«3»", "“3”"),
    "reports.col.n2": ("«2»", "«2»", "“2”"),
    "reports.col.n_na": ("н/а", "н/а", "n/a"),
    "reports.col.success": ("Үлгүрүү, %", "Успеваемость, %", "Success rate, %"),
    "reports.col.quality": ("Билим сапаты, %", "Качество, %", "Quality, %"),
    "reports.col.sou": ("СОУ, %", "СОУ, %", "SOU, %"),
    "reports.col.average": ("Орточо балл", "Средний балл", "Average mark"),
    "reports.col.prev_success": ("Үлгүрүү мурун, %", "Успеваемость ранее, %", "Success before, %"),
    "reports.col.prev_quality": ("Сапат мурун, %", "Качество ранее, %", "Quality before, %"),
    "reports.col.prev_sou": ("СОУ мурун, %", "СОУ ранее, %", "SOU before, %"),
    "reports.col.subject": ("Предмет", "Предмет", "Subject"),
    "reports.col.pupil": ("Окуучу", "Ученик", "Pupil"),
    "reports.col.list": ("Тизме", "Список", "List"),
    "reports.col.subjects": ("Предметтер", "Предметы", "Subjects"),
    "reports.col.lessons": ("Калтырган сабактар", "Пропущено уроков", "Lessons missed"),
    "reports.col.days": ("Калтырган күндөр", "Пропущено дней", "Days missed"),
    "reports.col.ill": ("оорулуу", "по болезни", "ill"),
    "reports.col.excused": ("жүйөлүү", "уважит.", "excused"),
    "reports.col.unexcused": ("жүйөсүз", "неуважит.", "unexcused"),
    "reports.col.unknown": ("себеби белгисиз", "причина не указана", "reason unknown"),
    "reports.col.late": ("Кечигүү", "Опоздания", "Late"),
    "reports.col.late_minutes": ("Кечигүү, мүнөт", "Опоздания, мин", "Late, minutes"),
    "reports.counted": ("Эсептелген баалар: {period}", "Учтены оценки: {period}", "Marks counted: {period}"),
    "reports.previous": ("Мурунку чейрек: {period}", "Предыдущий период: {period}", "Previous period: {period}"),
    "reports.sou_note": (
        "Бардык предметтер боюнча СОУ жана орточо балл окуучу × предмет ар бир баасынан эсептелет;"
        " үлгүрүү жана сапат — ар бир окуучунун эң төмөн баасынан.",
        "СОУ и средний балл по всем предметам считаются по всем оценкам «ученик × предмет»;"
        " успеваемость и качество — по каждому ученику (его низшая оценка).",
        "For all subjects, SOU and the average mark are over every pupil × subject mark;"
        " the success rate and quality are per pupil (his lowest mark).",
    ),
    # Lists
    "reports.list.excellent": ("Мыкты окуучулар («5»)", "Отличники", "Excellent (all 5)"),
    "reports.list.good": ("«4» жана «5» менен окугандар", "Хорошисты", "Good (4 and 5)"),
    "reports.list.one_three": ("Бир гана «3» менен", "С одной «3»", "With a single 3"),
    "reports.list.one_four": ("Бир гана «4» менен", "С одной «4»", "With a single 4"),
    "reports.list.failing": ("Үлгүрбөгөндөр", "Неуспевающие", "Failing (2 or n/a)"),
    "reports.above": (
        "Жүйөсүз {threshold} жана андан көп сабак калтыргандар",
        "Пропустили без уважительной причины {threshold} уроков и больше",
        "Pupils with {threshold} or more unexcused lessons",
    ),
    # The workbook
    "reports.sheet.results": ("Жыйынтыктар", "Итоги", "Results"),
    "reports.sheet.subjects": ("Предметтер боюнча", "По предметам", "By subject"),
    "reports.sheet.lists": ("Тизмелер", "Списки", "Lists"),
    "reports.sheet.classes": ("Класстар боюнча", "По классам", "By class"),
    "reports.sheet.pupils": ("Окуучулар боюнча", "По ученикам", "By pupil"),
    "reports.heading": (
        "{school} · {title} · {period}",
        "{school} · {title} · {period}",
        "{school} · {title} · {period}",
    ),
    "reports.filter": ("{subject} · {sex}", "{subject} · {sex}", "{subject} · {sex}"),
    "reports.signature": (
        "Директордун окуу-тарбия иштери боюнча орун басары ______________________   {date}",
        "Заместитель директора по учебно-воспитательной работе ______________________   {date}",
        "Deputy director for academic affairs ______________________   {date}",
    ),
    "reports.period.month": ("{month}, {period}", "{month}, {period}", "{month}, {period}"),
    # The command line
    "cli.report.written": (
        "Отчет жазылды: {path} ({size} байт)",
        "Отчёт записан: {path} ({size} байт)",
        "Report written: {path} ({size} bytes)",
    ),
    "cli.report.no_term": (
        "Мындай чейрек же жарым жыл жок: {term}. Туурасы: {choices}",
        "Нет такой четверти или полугодия: {term}. Есть: {choices}",
        "No such term: {term}. There are: {choices}",
    ),
    "cli.report.no_subject": (
        "Бул чейректе мындай коду бар предмет боюнча баа жок: {subject}. Бар: {choices}",
        "За этот период нет оценок по предмету с таким кодом: {subject}. Есть: {choices}",
        "No marks in this period for a subject with the code {subject}. There are: {choices}",
    ),
    "cli.report.no_year": (
        "Мектептин учурдагы окуу жылы жок",
        "У школы нет текущего учебного года",
        "The school has no current school year",
    ),
    "cli.report.bad_month": (
        "Ай ЖЖЖЖ-АА түрүндө жазылат, чейректин же окуу жылынын ичинде: {month}",
        "Месяц пишется как ГГГГ-ММ, внутри периода: {month}",
        "A month is written YYYY-MM and lies inside the period: {month}",
    ),
}
