"""Messages of the pupil movement book and the director's orders (ky, ru, en)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    # Screens
    "movement.nav": ("Окуучулардын кыймылы", "Движение учащихся", "Pupil movement"),
    "movement.item": ("Кыймыл жазуусу", "Запись движения", "Movement record"),
    "movement.orders": ("Буйруктар", "Приказы", "Orders"),
    "movement.order": ("Буйрук", "Приказ", "Order"),
    "movement.section.movement": ("Кыймыл", "Движение", "Movement"),
    "movement.section.where": ("Кайдан / кайда", "Откуда / куда", "From / to"),
    "movement.section.order": ("Буйрук", "Приказ", "Order"),
    "movement.order_label": ("№ {number}, {date}", "№ {number} от {date}", "No. {number} of {date}"),
    # Kinds of movement
    "movement.kind.arrival": ("Келди", "Прибыл", "Arrival"),
    "movement.kind.departure": ("Кетти", "Выбыл", "Departure"),
    "movement.kind.transfer_in_school": ("Башка класска которулду", "Перевод в другой класс", "Class change"),
    "movement.kind.promotion": ("Кийинки класска которулду", "Перевод в следующий класс", "Promotion"),
    "movement.kind.graduation": ("Мектепти бүтүрдү", "Окончил школу", "Graduation"),
    # Kinds of order
    "movement.order_kind.enrollment": ("Кабыл алуу жөнүндө", "О зачислении", "Enrollment"),
    "movement.order_kind.departure": ("Чыгаруу жөнүндө", "О выбытии", "Departure"),
    "movement.order_kind.transfer": ("Которуу жөнүндө", "О переводе", "Transfer"),
    "movement.order_kind.graduation": ("Бүтүрүү жөнүндө", "О выпуске", "Graduation"),
    "movement.order_kind.other": ("Башка", "Другое", "Other"),
    # Columns and fields
    "field.order.number": ("Буйруктун №", "№ приказа", "Order No."),
    "field.order.date": ("Буйруктун күнү", "Дата приказа", "Order date"),
    "field.order.kind": ("Түрү", "Вид", "Kind"),
    "field.order.summary": ("Мазмуну", "Содержание", "Summary"),
    "field.order.signed_by_id": ("Кол койгон", "Подписал", "Signed by"),
    "field.order.note": ("Эскертүү", "Примечание", "Note"),
    "field.movementrecord.pupil_id": ("Окуучу", "Ученик", "Pupil"),
    "field.movementrecord.kind": ("Кыймылдын түрү", "Вид движения", "Kind of movement"),
    "field.movementrecord.date": ("Күнү", "Дата", "Date"),
    "field.movementrecord.order_id": ("Буйрук", "Приказ", "Order"),
    "field.movementrecord.from_class_id": ("Кайсы класстан", "Из класса", "From class"),
    "field.movementrecord.to_class_id": ("Кайсы класска", "В класс", "To class"),
    "field.movementrecord.from_school": (
        "Кайдан келди (мектеп, район, облус, өлкө)",
        "Откуда прибыл (школа, район, область, страна)",
        "Came from (school, rayon, region, country)",
    ),
    "field.movementrecord.to_school": (
        "Кайда кетти (мектеп, район, облус, өлкө)",
        "Куда выбыл (школа, район, область, страна)",
        "Went to (school, rayon, region, country)",
    ),
    "field.movementrecord.reason": ("Себеби", "Причина", "Reason"),
    "field.movementrecord.note": ("Эскертүү", "Примечание", "Note"),
    "field.movementrecord.academic_year_id": ("Окуу жылы", "Учебный год", "School year"),
    "field.movementrecord.class_id": ("Класс", "Класс", "Class"),
    "movement.col.order": ("Буйрук", "Приказ", "Order"),
    "movement.col.from": ("Кайдан", "Откуда", "From"),
    "movement.col.to": ("Кайда", "Куда", "To"),
    "movement.col.date": ("Күнү", "Дата", "Date"),
    "movement.col.kind": ("Кыймыл", "Движение", "Movement"),
    "movement.related": ("Кыймыл (келүү жана кетүү)", "Движение (прибытие и выбытие)", "Movement"),
    "movement.related.order_records": ("Буйрук боюнча кыймыл", "Движение по приказу", "Movements under this order"),
    # Refusals (beside the field)
    "movement.error.order_required": (
        "Директордун буйругун тандаңыз",
        "Выберите приказ директора",
        "Choose the director's order",
    ),
    "movement.error.order_after": (
        "Буйрук {date} күнү чыккан — кыймылдын күнүнөн кийин",
        "Приказ датирован {date} — позже даты движения",
        "The order is dated {date}, after the movement",
    ),
    "movement.error.class_required": ("Класс тандаңыз", "Выберите класс", "Choose the class"),
    "movement.error.no_class": (
        "Кетүүдө жана бүтүрүүдө класс көрсөтүлбөйт",
        "При выбытии и выпуске класс не указывается",
        "A departure or graduation names no class",
    ),
    "movement.error.already_enrolled": (
        "Окуучу ушул күнү же андан кийин класста турат: ал экинчи жолу келе албайт",
        "Ученик уже числится в классе на эту дату или позже: дважды прибыть нельзя",
        "The pupil is already on a class list on that date or later: he cannot arrive twice",
    ),
    "movement.error.not_enrolled": (
        "Окуучу {date} күнү эч бир класста жок",
        "Ученик не числится ни в одном классе на {date}",
        "The pupil is on no class list on {date}",
    ),
    "movement.error.same_class": (
        "Окуучу ушул класста окуйт",
        "Ученик уже учится в этом классе",
        "The pupil is already in this class",
    ),
    "movement.error.other_year": (
        "Класс башка окуу жылына таандык: кийинки жылга которуу «Кийинки класска которулду» болуп жазылат",
        "Класс из другого учебного года: перевод в новый год оформляется как «Перевод в следующий класс»",
        "The class is of another school year: a move into the next year is a promotion",
    ),
    "movement.error.before_start": (
        "Күнү {date} күнүнөн кийин болушу керек (учурдагы класска кабыл алынган күн)",
        "Дата должна быть позже {date} (начала обучения в нынешнем классе)",
        "The date must be after {date}, when the pupil joined his current class",
    ),
    "movement.error.already_in_year": (
        "Окуучу бул окуу жылында класста турат",
        "Ученик уже числится в классе этого учебного года",
        "The pupil is already in a class of this school year",
    ),
    "movement.error.grade_not_higher": (
        "Класс {name} классынан жогору болушу керек",
        "Класс должен быть старше, чем {name}",
        "The class must be a higher grade than {name}",
    ),
    "movement.error.outside_year": (
        "Күнү окуу жылынын ичинде болушу керек ({start} – {end})",
        "Дата должна быть внутри учебного года ({start} – {end})",
        "The date must lie inside the school year ({start} – {end})",
    ),
    "movement.error.order_in_use": (
        "Бул буйрук боюнча {count} кыймыл жазылган: буйрукту өчүрүүгө болбойт",
        "По этому приказу записано движений: {count}; удалить приказ нельзя",
        "{count} movement record(s) cite this order: it cannot be deleted",
    ),
    "movement.error.no_delete": (
        "Кыймыл китебиндеги жазуу өчүрүлбөйт: катаны карама-каршы кыймыл менен оңдоңуз",
        "Запись книги движения не удаляется: исправьте ошибку обратным движением",
        "A line of the movement book is not deleted: correct a mistake with the opposite movement",
    ),
    # The pupil form's doors into a class: the admission order
    "pupil.section.admission": ("Мектепке кабыл алуу", "Зачисление в школу", "Admission"),
    "field.pupil.order_id": ("Кабыл алуу буйругу", "Приказ о зачислении", "Admission order"),
    "field.pupil.admitted_on": ("Кабыл алынган күнү", "Дата зачисления", "Admission date"),
    "field.pupil.from_school": (
        "Кайдан келди (мектеп, район, облус, өлкө)",
        "Откуда прибыл (школа, район, область, страна)",
        "Came from (school, rayon, region, country)",
    ),
    "movement.error.no_right": (
        "Класска кабыл алуу кыймыл китебине жазылат, ага сиздин укугуңуз жок",
        "Зачисление в класс записывается в книгу движения, а у вас нет права её вести",
        "Admission into a class is written in the movement book, which you may not keep",
    ),
    "pupil.error.delete_enrolled": (
        "Окуучу {name} классынын тизмесинде: аны өчүрбөй, кыймыл китебине «Кетти» жазуусун буйругу менен киргизиңиз",
        "Ученик числится в {name}: не удаляйте его, а запишите выбытие в книгу движения с приказом",
        "The pupil is on the list of {name}: record his departure with its order in the movement book instead",
    ),
}
