"""Messages of the year-end promotion wizard and the whole-class move (issue 15; ky, ru, en)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    "movement.kind.retention": (
        "Ошол эле класста калтырылды",
        "Оставлен на повторное обучение",
        "Kept in the same grade",
    ),
    "movement.error.retention_grade": (
        "Кийинки окуу жылынын ушундай эле класстагы классын тандаңыз ({name})",
        "Выберите класс той же параллели ({name}) следующего учебного года",
        "Choose a class of the same grade as {name} in a later school year",
    ),
    # The wizard's screen
    "promotion.nav": ("Окуу жылын жабуу", "Перевод в следующий класс", "Year-end promotion"),
    "promotion.intro": (
        "Ар бир класс үчүн: кийинки класска которуу, ошол эле класста калтыруу же мектепти бүтүрүү. "
        "Баары бир буйрук менен, бир жолу жазылат.",
        "Для каждого класса: перевод в следующий класс, оставление на повторное обучение или окончание "
        "школы. Всё записывается одним приказом, за один раз.",
        "For each class: promote, keep in the same grade or graduate. Everything is written at once, under one order.",
    ),
    "promotion.year": ("Жабылуучу окуу жылы", "Закрываемый учебный год", "Closing school year"),
    "promotion.next_year": ("Жаңы окуу жылы", "Новый учебный год", "New school year"),
    "promotion.order_number": ("Буйруктун номери", "Номер приказа", "Order number"),
    "promotion.order_date": ("Буйруктун күнү", "Дата приказа", "Order date"),
    "promotion.col.class": ("Класс", "Класс", "Class"),
    "promotion.col.pupils": ("Окуучулар", "Учащиеся", "Pupils"),
    "promotion.col.target": ("Жаңы класс", "Новый класс", "New class"),
    "promotion.col.promote": ("Которулат", "Переводятся", "Promoted"),
    "promotion.col.retain": ("Калтырылат", "Оставлены", "Kept"),
    "promotion.col.graduate": ("Бүтүрөт", "Выпускаются", "Graduate"),
    "promotion.col.teacher": ("Класс жетекчи", "Классный руководитель", "Class teacher"),
    "promotion.action.promote": ("Которуу", "Перевести", "Promote"),
    "promotion.action.retain": ("Калтыруу", "Оставить", "Keep"),
    "promotion.action.graduate": ("Бүтүрүү", "Выпуск", "Graduate"),
    "promotion.show_pupils": ("Окуучулар", "Ученики", "Pupils"),
    "promotion.preview": ("Алдын ала көрүү", "Предпросмотр", "Preview"),
    "promotion.confirm": ("Буйрукту жазуу", "Записать приказ", "Write the order"),
    "promotion.total": (
        "Которулат: {promoted}, калтырылат: {retained}, бүтүрөт: {graduated}",
        "Переводятся: {promoted}, оставлены: {retained}, выпускаются: {graduated}",
        "Promoted: {promoted}, kept: {retained}, graduating: {graduated}",
    ),
    "promotion.done": (
        "Жазылды: {promoted} которулду, {retained} калтырылды, {graduated} бүтүрдү; жаңы класстар: {classes}",
        "Записано: переведено {promoted}, оставлено {retained}, выпущено {graduated}; новых классов: {classes}",
        "Written: {promoted} promoted, {retained} kept, {graduated} graduated; new classes: {classes}",
    ),
    "promotion.none": (
        "Бул окуу жылынын класстарында окуучу жок",
        "В классах этого учебного года нет учащихся",
        "No class of this school year has pupils on its list",
    ),
    "promotion.undo.title": ("Буйрукту жокко чыгаруу", "Отмена приказа", "Reverse an order"),
    "promotion.undo.hint": (
        "Жаңы окуу жылынын класстарында баа же катышуу жок болгондо гана, оңдоочу буйрук менен",
        "Только корректирующим приказом и пока в классах нового года нет отметок и пропусков",
        "Only by a correcting order, and only while the new year's classes have no marks or absences",
    ),
    "promotion.undo.order": ("Жокко чыгарылуучу буйрук", "Отменяемый приказ", "Order to reverse"),
    "promotion.undo.button": ("Жокко чыгаруу", "Отменить", "Reverse"),
    "promotion.undo.done": (
        "{count} жазуу жокко чыгарылды",
        "Отменено записей: {count}",
        "{count} record(s) reversed",
    ),
    "promotion.move.title": (
        "Классты башка класска которуу (окуу жылынын ичинде)",
        "Перевод всего класса в другую параллель (в течение года)",
        "Move a whole class to another grade (during the year)",
    ),
    "promotion.move.class": ("Класс", "Класс", "Class"),
    "promotion.move.grade": ("Кайсы класска", "В какую параллель", "To grade"),
    "promotion.move.day": ("Которуу күнү", "Дата перевода", "Date of the move"),
    "promotion.move.button": ("Которуу", "Перевести", "Move"),
    "promotion.move.done": (
        "{count} окуучу которулду",
        "Переведено учащихся: {count}",
        "{count} pupil(s) moved",
    ),
    "movement.card.school": ("Мектептин аталышы", "Название школы", "School's name"),
    "movement.card.done": (
        "Кыймыл китепке жазылды",
        "Движение записано в книгу",
        "The movement is written in the book",
    ),
    "contingent.part.in": ("Келгендер", "Прибытие", "Arrivals"),
    "contingent.part.out": ("Кеткендер", "Выбытие", "Departures"),
    "contingent.all": ("бардыгы", "всего", "all"),
    "movement.import.title": ("Кыймылды файлдан жүктөө", "Импорт движения учащихся", "Import movements"),
    "movement.import.steps": (
        "1. Үлгүнү жүктөп алыңыз. 2. Ар бир кыймылды бир сапка жазыңыз: окуучунун ПИНи, кыймыл, күнү, "
        "буйрук. 3. Файлды тандап, текшериңиз: ката болсо, сап жана мамыча менен көрсөтүлөт. "
        "4. Ката жок болсо, жазыңыз — баары бирге жазылат же эч нерсе жазылбайт.",
        "1. Скачайте шаблон. 2. Каждое движение — одна строка: ПИН ученика, вид движения, дата, приказ. "
        "3. Выберите файл и проверьте: ошибки покажутся со строкой и столбцом. "
        "4. Если ошибок нет, запишите — всё записывается вместе или ничего.",
        "1. Download the template. 2. One line per movement: the pupil's PIN, the kind, the date, the order. "
        "3. Choose the file and check it: every problem is shown with its row and column. "
        "4. With no problems, write it: all lines or none.",
    ),
    "movement.import.write": ("Китепке жазуу", "Записать в книгу", "Write to the book"),
    # Refusals
    "promotion.error.action": (
        "{name}: бул класстан мындай кылууга болбойт",
        "{name}: для этого класса такой вариант недоступен",
        "{name}: this choice is not open to his class",
    ),
    "promotion.error.not_listed": (
        "Окуучу бул окуу жылынын класстарынын тизмесинде жок",
        "Ученика нет в списках классов этого учебного года",
        "The pupil is on no class list of this school year",
    ),
    "promotion.error.order_exists": (
        "№ {number}, {date} буйругу мурунтан бар",
        "Приказ № {number} от {date} уже есть",
        "Order No. {number} of {date} already exists",
    ),
    "promotion.error.nothing": (
        "Которула турган окуучу жок",
        "Нет учащихся для перевода",
        "There is no pupil to move",
    ),
    "promotion.error.order_date": (
        "Буйруктун күнү окуу жылынын ичинде болушу керек ({start} – {end})",
        "Дата приказа должна быть внутри учебного года ({start} – {end})",
        "The order's date must lie inside the school year ({start} – {end})",
    ),
    "promotion.error.pupil": ("{name}: {problem}", "{name}: {problem}", "{name}: {problem}"),
    "promotion.error.not_year_end": (
        "Бул буйрук боюнча окуучулар кийинки класска которулган эмес",
        "По этому приказу никто не переведён в следующий класс",
        "This order promoted nobody",
    ),
    "promotion.error.has_marks": (
        "Жаңы окуу жылынын класстарында баалар же катышуу жазылган: буйрукту жокко чыгарууга болбойт",
        "В классах нового учебного года уже есть отметки или пропуски: приказ отменить нельзя",
        "The new school year's classes already hold marks or absences: the order cannot be reversed",
    ),
    "promotion.error.moved_since": (
        "{name} андан бери башка кыймылда: адегенде аны оңдоңуз",
        "У ученика {name} после этого есть другое движение: сначала исправьте его",
        "{name} has moved since: correct that first",
    ),
    "promotion.error.grade": (
        "Башка классты тандаңыз (1–12)",
        "Выберите другую параллель (1–12)",
        "Choose another grade (1–12)",
    ),
}
