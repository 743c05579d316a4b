"""Messages of the district summary (issue 16, `/district`): a row per school and the district's totals."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    "district.summary.nav": ("Район боюнча жыйынтык", "Сводка по району", "District summary"),
    "district.summary.heading": (
        "{area} · Мектептер боюнча жыйынтык · {date}",
        "{area} · Сводка по школам · {date}",
        "{area} · Summary by school · {date}",
    ),
    "district.summary.lead": (
        "Ар бир мектептин акыркы бүткөн чейреги боюнча (мектептин атынын астында). Жыйынтык катардагы "
        "пайыздар мектептердин сандарынын суммасынан эсептелет, орточо эмес.",
        "По последней завершённой четверти каждой школы (под названием школы). Проценты итоговой строки "
        "рассчитаны по суммам школ, а не как среднее.",
        "Each school's last finished quarter (under its name). The totals' rates are computed from the "
        "schools' sums, not averaged.",
    ),
    "district.summary.sheet": ("Жыйынтык", "Сводка", "Summary"),
    "district.summary.total": ("Район боюнча бардыгы", "Итого по району", "District total"),
    "district.summary.empty": ("Азырынча мектеп жок", "Школ пока нет", "No schools yet"),
    "district.summary.col.school": ("Мектеп", "Школа", "School"),
    "district.summary.col.term": ("Чейрек", "Четверть", "Term"),
    "district.summary.col.pupils": ("Окуучулар", "Ученики", "Pupils"),
    "district.summary.col.classes": ("Класстар", "Классы", "Classes"),
    "district.summary.col.teachers": ("Мугалимдер", "Учителя", "Teachers"),
    "district.summary.col.success": ("Үлгүрүү, %", "Успеваемость, %", "Pass rate, %"),
    "district.summary.col.quality": ("Билим сапаты, %", "Качество, %", "Quality, %"),
    "district.summary.col.missed": ("Калтырылган сабактар", "Пропущено уроков", "Lessons missed"),
    "district.summary.col.backup": ("Акыркы камдык көчүрмө", "Последняя резервная копия", "Last backup"),
    "district.summary.figures": (
        "{pupils} окуучу · {classes} класс · {teachers} мугалим",
        "Учеников: {pupils} · классов: {classes} · учителей: {teachers}",
        "{pupils} pupils · {classes} classes · {teachers} teachers",
    ),
    "district.summary.rates": (
        "Үлгүрүү {success} · сапат {quality} · калтырылган сабак {missed}",
        "Успеваемость {success} · качество {quality} · пропущено уроков {missed}",
        "Pass rate {success} · quality {quality} · lessons missed {missed}",
    ),
    "audit.entity.district_summary": ("Район боюнча жыйынтык", "Сводка по району", "District summary"),
}
