"""The demo school generator: deterministic, realistic Kyrgyz schools with a first quarter of journal.

`generate()` fills an empty (or not empty) database with schools as a Bishkek school keeps them:
2025–2026 calendar with four quarters, grades 1–11 in Kyrgyz- and Russian-language classes, staff,
a curriculum, teaching assignments, pupils with PINs and guardians, a weekly timetable, every lesson
of the first quarter with topics and homework, marks and absences; and eight demo accounts for the
first school. The same seed gives the same data: one `random.Random` per school, no clock.

Rows are built as tuples in Python with ids allocated here (no round trip per row) and written in
one transaction per school: SQLAlchemy Core executemany on SQLite, COPY on PostgreSQL (psycopg 3).
"""

from __future__ import annotations

import math
import os
import random
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day

from sqlalchemy import func, insert, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, SQLModel, select

from bbbms_app.i18n.collation import search_key, sort_key
from bbbms_app.models import School, User
from bbbms_app.services import accounts

DEMO_PASSWORD = "bbbms-demo"  # noqa: S105 - public on purpose: the demo's sign-in page shows it
DEMO_ACCOUNTS: list[tuple[str, str]] = [
    ("admin", "administrator"),
    ("director", "director"),
    ("deputy", "deputy"),
    ("teacher", "teacher"),
    ("classteacher", "class_teacher"),
    ("clerk", "clerk"),
    ("parent", "parent"),
    ("pupil", "pupil"),
]
PUPILS_PER_SCHOOL = 700

YEAR_NAME = "2025–2026"
YEAR_STARTS, YEAR_ENDS = date(2025, 9, 1), date(2026, 5, 31)
# Quarter dates of 2025–2026 as the ministry set them (research/mission.md §2.1).
TERMS = (
    (1, date(2025, 9, 1), date(2025, 11, 4)),
    (2, date(2025, 11, 10), date(2025, 12, 30)),
    (3, date(2026, 1, 12), date(2026, 3, 5)),
    (4, date(2026, 3, 9), date(2026, 5, 31)),
)
# Bells: (shift, grades, first bell, lesson minutes, breaks after lessons 1, 2, …). The first shift
# ends before the second begins, so a teacher of both shifts is never due in two places at once;
# first graders have 35-minute lessons and a long «dynamic pause» after the second (mission §2.1).
BELLS = (
    (1, (2, 12), (8, 0), 45, (10, 10, 15, 10, 10, 5)),
    (1, (1, 1), (8, 0), 35, (10, 20, 10, 10)),
    (2, (2, 12), (14, 25), 45, (10, 10, 15, 10, 10, 5)),
    (2, (1, 1), (14, 25), 35, (10, 20, 10, 10)),
)
# Breaks and public holidays of 2025–2026 (research/mission.md §2.1): (kind, ky, ru, en, from, to, grades).
HOLIDAYS: tuple[tuple[str, str, str, str, date, date, tuple[int, int] | None], ...] = (
    ("vacation", "Күзгү каникул", "Осенние каникулы", "Autumn break", date(2025, 11, 5), date(2025, 11, 9), None),
    ("holiday", "Тарых жана ата-бабаларды эскерүү күндөрү", "Дни истории и памяти предков",
     "Days of History and Remembrance of Ancestors", date(2025, 11, 7), date(2025, 11, 8), None),
    ("vacation", "1-класстар үчүн кышкы каникул", "Зимние каникулы первоклассников", "First graders' winter break",
     date(2025, 12, 24), date(2026, 1, 18), (1, 1)),
    ("vacation", "Кышкы каникул", "Зимние каникулы", "Winter break", date(2025, 12, 31), date(2026, 1, 11), None),
    ("holiday", "Мекенди коргоочулар күнү", "День защитника Отечества", "Defender of the Fatherland Day",
     date(2026, 2, 23), date(2026, 2, 23), None),
    ("vacation", "1-класстар үчүн жазгы каникул", "Весенние каникулы первоклассников", "First graders' spring break",
     date(2026, 3, 2), date(2026, 3, 8), (1, 1)),
    ("vacation", "Жазгы каникул", "Весенние каникулы", "Spring break", date(2026, 3, 6), date(2026, 3, 8), None),
    ("holiday", "Эл аралык аялдар күнү", "Международный женский день", "International Women's Day",
     date(2026, 3, 8), date(2026, 3, 8), None),
    ("holiday", "Нооруз", "Нооруз", "Nooruz", date(2026, 3, 21), date(2026, 3, 21), None),
    ("holiday", "Эмгек майрамы", "Праздник труда", "Labour Day", date(2026, 5, 1), date(2026, 5, 1), None),
    ("holiday", "Конституция күнү", "День Конституции", "Constitution Day", date(2026, 5, 5), date(2026, 5, 5), None),
    ("holiday", "Жеңиш күнү", "День Победы", "Victory Day", date(2026, 5, 9), date(2026, 5, 9), None),
)  # fmt: skip
NO_ROOM_SUBJECTS = frozenset({"PE", "DPM"})  # the gym and the sports ground hold several classes at once
_WEEK_ATTEMPTS = 30  # draws of one class's week before the whole timetable is drawn again
_TIMETABLE_ATTEMPTS = 50
# English is taught in two groups from the 5th grade in classes of 25 pupils or more (the norm of
# the Ministry for foreign languages); the second group has its own teacher and language room.
SPLIT_SUBJECTS = frozenset({"ENG"})
SPLIT_FROM_GRADE = 5
SPLIT_MIN_PUPILS = 25
LETTERS = "АБВГДЕЖЗИКЛМН"  # Cyrillic class letters
_CREATED_AT = datetime(2025, 8, 25, 3, 0, tzinfo=UTC)  # a fixed "created" time keeps runs identical

# Every column written per table, in tuple order. All NOT NULL columns are here: the models'
# defaults live in Python only, and COPY (like any raw insert) does not apply them.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "school": ("id", "okpo", "name_ky", "name_ru", "name_en", "languages", "address", "created_at"),
    "academicyear": ("id", "school_id", "name", "starts_on", "ends_on", "is_current"),
    "term": ("id", "school_id", "academic_year_id", "kind", "number", "starts_on", "ends_on"),
    "gradingpolicy": (
        "id", "school_id", "academic_year_id", "grade_from", "grade_to", "scale", "min_value", "max_value",
        "threshold_5", "threshold_4", "threshold_3", "min_marks", "weights_json",
    ),
    "subject": ("id", "school_id", "code", "name_ky", "name_ru", "name_en"),
    "staff": (
        "id", "school_id", "last_name", "first_name", "patronymic", "position", "phone", "email",
        "search_key", "sort_key", "deleted_reason", "version",
    ),
    "schoolclass": ("id", "school_id", "academic_year_id", "grade", "letter", "language", "shift", "class_teacher_id"),
    "teachingassignment": ("id", "school_id", "class_id", "subject_id", "teacher_id", "subgroup", "hours_per_week"),
    "bellschedule": ("id", "school_id", "shift", "grade_from", "grade_to", "number", "starts_at", "ends_at"),
    "holiday": (
        "id", "school_id", "academic_year_id", "kind", "name_ky", "name_ru", "name_en", "starts_on", "ends_on",
        "grade_from", "grade_to",
    ),
    "timetableslot": (
        "id", "school_id", "class_id", "term_id", "valid_from", "valid_to", "weekday", "number", "subject_id",
        "teacher_id", "subgroup", "room",
    ),
    "guardian": (
        "id", "school_id", "last_name", "first_name", "patronymic", "pin", "phone", "search_key", "sort_key",
        "deleted_reason", "version",
    ),
    "pupil": (
        "id", "school_id", "pin", "last_name", "first_name", "patronymic", "birth_date", "sex", "alpha_book_no",
        "search_key", "sort_key", "deleted_reason", "version",
    ),
    "pupilguardian": ("id", "pupil_id", "guardian_id", "relation", "is_primary"),
    "enrollment": ("id", "school_id", "pupil_id", "class_id", "starts_on", "ends_on"),
    "subgroupmember": ("id", "school_id", "class_id", "subject_id", "subgroup", "pupil_id", "updated_at"),
    "lesson": (
        "id", "school_id", "class_id", "subject_id", "teacher_id", "term_id", "date", "number", "subgroup",
        "topic", "homework", "cancelled",
    ),
    "mark": ("id", "school_id", "lesson_id", "pupil_id", "value", "kind", "version", "updated_at"),
    "attendance": ("id", "school_id", "lesson_id", "pupil_id", "code", "late_minutes", "version", "updated_at"),
    "order": (
        "id", "school_id", "number", "date", "kind", "summary", "signed_by_id", "note", "search_key", "deleted_reason",
        "version",
    ),
    "movementrecord": (
        "id", "school_id", "pupil_id", "kind", "date", "order_id", "from_class_id", "to_class_id", "from_school",
        "to_school", "reason", "note", "search_key", "deleted_reason", "version",
    ),
}  # fmt: skip
_TABLE_ORDER = tuple(_COLUMNS)  # parents before children (foreign keys are checked per row)


@dataclass
class DemoSummary:
    """What one `generate()` call wrote, and how long it took."""

    schools: int = 0
    pupils: int = 0
    guardians: int = 0
    staff: int = 0
    classes: int = 0
    lessons: int = 0
    marks: int = 0
    attendance: int = 0
    users: int = 0
    seconds: float = 0.0


# ---------------------------------------------------------------------------------------------
# Reference data: subjects, curriculum, names, topics
# ---------------------------------------------------------------------------------------------

SUBJECTS: tuple[tuple[str, str, str, str], ...] = (
    ("KYR", "Кыргыз тили", "Кыргызский язык", "Kyrgyz language"),
    ("KYRLIT", "Кыргыз адабияты", "Кыргызская литература", "Kyrgyz literature"),
    ("RUS", "Орус тили", "Русский язык", "Russian language"),
    ("RUSLIT", "Орус адабияты", "Русская литература", "Russian literature"),
    ("READ", "Адабий окуу", "Литературное чтение", "Literary reading"),
    ("ENG", "Англис тили", "Английский язык", "English"),
    ("MATH", "Математика", "Математика", "Mathematics"),
    ("ALG", "Алгебра", "Алгебра", "Algebra"),
    ("GEOM", "Геометрия", "Геометрия", "Geometry"),
    ("INF", "Информатика", "Информатика", "Computer science"),
    ("PHYS", "Физика", "Физика", "Physics"),
    ("CHEM", "Химия", "Химия", "Chemistry"),
    ("BIO", "Биология", "Биология", "Biology"),
    ("GEO", "География", "География", "Geography"),
    ("HIST", "Тарых", "История", "History"),
    ("SOC", "Адам жана коом", "Человек и общество", "Man and society"),
    ("MEKEN", "Мекен таануу", "Родиноведение", "Homeland studies"),
    ("ADEP", "Адеп", "Этика", "Ethics"),
    ("ART", "Сүрөт", "Изобразительное искусство", "Art"),
    ("MUS", "Музыка", "Музыка", "Music"),
    ("TECH", "Технология", "Технология", "Technology"),
    ("PE", "Дене тарбия", "Физкультура", "Physical education"),
    ("DPM", "Аскерге чейинки даярдоо", "Допризывная подготовка", "Pre-conscription training"),
)

# Hours per week in grades 1..11. NATIVE / SECOND are the class's language of instruction and the
# other state language: Kyrgyz and Russian in a Kyrgyz class, the other way round in a Russian one.
CURRICULUM: dict[str, tuple[int, ...]] = {
    "NATIVE":     (4, 4, 4, 4, 4, 4, 3, 3, 2, 1, 1),
    "NATIVE_LIT": (0, 0, 0, 0, 2, 2, 2, 2, 3, 3, 3),
    "SECOND":     (2, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2),
    "SECOND_LIT": (0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1),
    "READ":       (3, 3, 3, 3, 0, 0, 0, 0, 0, 0, 0),
    "ENG":        (0, 2, 2, 2, 3, 3, 3, 2, 2, 2, 2),
    "MATH":       (4, 4, 4, 4, 5, 5, 0, 0, 0, 0, 0),
    "ALG":        (0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3),
    "GEOM":       (0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2),
    "INF":        (0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1),
    "PHYS":       (0, 0, 0, 0, 0, 0, 2, 2, 2, 3, 3),
    "CHEM":       (0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2),
    "BIO":        (0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 2),
    "GEO":        (0, 0, 0, 0, 0, 1, 2, 2, 2, 1, 1),
    "HIST":       (0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2),
    "SOC":        (0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1),
    "MEKEN":      (1, 1, 2, 2, 0, 0, 0, 0, 0, 0, 0),
    "ADEP":       (1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0),
    "ART":        (1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0),
    "MUS":        (1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0),
    "TECH":       (1, 1, 1, 1, 2, 2, 1, 2, 1, 1, 1),
    "PE":         (3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2),
    "DPM":        (0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1),
}  # fmt: skip
_SLOT_CODES = {
    "ky": {"NATIVE": "KYR", "NATIVE_LIT": "KYRLIT", "SECOND": "RUS", "SECOND_LIT": "RUSLIT"},
    "ru": {"NATIVE": "RUS", "NATIVE_LIT": "RUSLIT", "SECOND": "KYR", "SECOND_LIT": "KYRLIT"},
}
# In grades 1–4 the class teacher teaches everything but the second language and English.
PRIMARY_TEACHER_SLOTS = frozenset({"NATIVE", "READ", "MATH", "MEKEN", "ADEP", "ART", "MUS", "TECH", "PE"})
# Subject teachers specialise: one teacher keeps all subjects of a speciality in a class.
SPECIALITY = {
    "KYR": "kyr", "KYRLIT": "kyr", "RUS": "rus", "RUSLIT": "rus", "ENG": "eng", "MATH": "math", "ALG": "math",
    "GEOM": "math", "INF": "inf", "PHYS": "phys", "CHEM": "chem", "BIO": "bio", "GEO": "geo", "HIST": "hist",
    "SOC": "hist", "PE": "pe", "DPM": "pe", "ART": "arts", "MUS": "arts", "TECH": "tech",
}  # fmt: skip
TEACHER_TARGET_HOURS = 20
CONTROL_SUBJECTS = frozenset({"KYR", "RUS", "ENG", "MATH", "ALG", "GEOM", "PHYS", "CHEM"})  # "контрольная работа"
UNTESTED_SUBJECTS = frozenset({"PE", "ART", "MUS", "TECH", "ADEP", "MEKEN", "DPM"})
NO_HOMEWORK_SUBJECTS = frozenset({"PE", "MUS", "ART", "DPM"})

# Kyrgyz names: male surnames (the female form adds «а»), first names, fathers' names (Kyrgyz
# patronymics are built from them: «Асан уулу», «Асан кызы», or Russian style «Асанович»).
KY_SURNAMES = (
    "Өмүрбеков", "Үсөнов", "Төлөгөнов", "Жээнбеков", "Асанов", "Токтогулов", "Сатыбалдиев", "Мамбетов",
    "Исаков", "Абдыкалыков", "Бекмуратов", "Кадыров", "Турдубаев", "Осмонов", "Сыдыков", "Алыбаев",
    "Жумабаев", "Токтосунов", "Шамшиев", "Эшматов", "Калыков", "Жаңыбеков", "Дөөлөтов", "Сүйүнбаев",
    "Өскөнбаев", "Көчкөнов", "Төрөкулов", "Мамытов", "Абдраимов", "Чолпонкулов", "Бөкөнбаев", "Үмөталиев",
    "Иманалиев", "Кеңешбеков", "Абакиров", "Орозбеков", "Бакиров", "Темиров", "Сагынбаев", "Жолдошев",
)  # fmt: skip
KY_MALE = (
    "Нурбек", "Эрмек", "Ырыскелди", "Нурсултан", "Адилет", "Бектур", "Темирлан", "Эрлан", "Байэл", "Элдияр",
    "Нурислам", "Эмир", "Нуржигит", "Санжар", "Алинур", "Бекжан", "Данияр", "Үмүтбек", "Өмүр", "Төлөн",
    "Актан", "Бакай", "Дастан", "Мирлан", "Азамат", "Айбек", "Арген", "Ислам", "Жаңыбек", "Бекзат",
)  # fmt: skip
KY_FEMALE = (
    "Айжан", "Гүлнара", "Мөлдир", "Күнтуу", "Бүбүсара", "Айпери", "Аружан", "Айсулуу", "Бегимай", "Нурай",
    "Айым", "Сезим", "Элнура", "Мээрим", "Нуриза", "Адинай", "Тансулуу", "Аймира", "Акмаанай", "Жаңыл",
    "Айзирек", "Нурайым", "Үмүт", "Назгүл", "Чолпон", "Айдана", "Жибек", "Томирис", "Көкүл", "Бермет",
)  # fmt: skip
KY_FATHERS = (
    "Асан", "Үсөн", "Нурбек", "Эрмек", "Бакыт", "Азамат", "Улан", "Таалай", "Жоомарт", "Курманбек", "Мирлан",
    "Төлөгөн", "Жээнбек", "Алмаз", "Канат", "Кубаныч", "Тилек", "Медет", "Бекболот", "Самат", "Нурлан",
    "Эркин", "Талант", "Болот", "Мурат", "Чыңгыз", "Айбек", "Темир", "Сыймык", "Өмүрбек", "Дөөлөт", "Жаңыбек",
    "Эсен", "Мелис", "Кеңеш",
)  # fmt: skip
KY_MOTHERS = (
    "Гүлнара", "Айнура", "Жылдыз", "Чынара", "Назгүл", "Бурул", "Анара", "Динара", "Гүлмира", "Жаркын", "Мира",
    "Венера", "Айгүл", "Салтанат", "Бактыгүл", "Эльмира", "Гүлзат", "Мээрим", "Асель", "Самара", "Чолпон",
    "Нургүл", "Күлүмкан", "Зууракан",
)  # fmt: skip
KY_GRANDMOTHERS = ("Бүбүсара", "Күлүйпа", "Сайракан", "Зейнеп", "Токтобүбү", "Анаркүл", "Бүбүжан")

RU_SURNAMES = (
    "Иванов", "Петров", "Сидоров", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов",
    "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов",
    "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Захаров", "Белов", "Шевченко",
    "Бондаренко", "Ткаченко", "Грищенко",
)  # fmt: skip
RU_MALE = (
    "Александр", "Дмитрий", "Максим", "Артём", "Иван", "Никита", "Михаил", "Даниил", "Егор", "Кирилл",
    "Андрей", "Илья", "Алексей", "Роман", "Тимофей", "Арсений", "Матвей", "Владислав", "Глеб", "Марк",
)  # fmt: skip
RU_FEMALE = (
    "Анастасия", "Мария", "Дарья", "Анна", "Елизавета", "Полина", "Виктория", "Екатерина", "София", "Алина",
    "Ксения", "Валерия", "Вероника", "Алиса", "Ульяна", "Милана", "Диана", "Варвара", "Ева", "Арина",
)  # fmt: skip
RU_FATHERS = (
    "Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Владимир", "Игорь", "Евгений", "Михаил",
    "Николай", "Олег", "Павел", "Виктор", "Юрий", "Иван", "Константин", "Вячеслав", "Денис", "Роман",
)  # fmt: skip
RU_MOTHERS = (
    "Ольга", "Елена", "Наталья", "Татьяна", "Ирина", "Светлана", "Анна", "Юлия", "Марина", "Екатерина",
    "Оксана", "Виктория", "Людмила", "Галина", "Надежда",
)  # fmt: skip
RU_GRANDMOTHERS = ("Валентина", "Галина", "Людмила", "Нина", "Тамара", "Раиса", "Зинаида")

# The rest of a Bishkek Russian-language class: Korean, Uzbek, Tatar, Dungan, Uyghur, Kazakh families.
OTHER_SURNAMES = (
    "Ким", "Пак", "Цой", "Ли", "Хван", "Юсупов", "Каримов", "Рахимов", "Ахмедов", "Исмаилов", "Галиев",
    "Сафин", "Хайруллин", "Ванахун", "Сушанло", "Турсунов", "Нурланов", "Абдуллаев",
)  # fmt: skip
OTHER_MALE = ("Тимур", "Рустам", "Эльдар", "Руслан", "Артур", "Ильяс", "Амир", "Данияр", "Ринат", "Фарход", "Марсель")
OTHER_FEMALE = ("Камила", "Диляра", "Эльвира", "Алина", "Амина", "Сабина", "Дилноза", "Лейла", "Регина", "Зарина")
OTHER_FATHERS = ("Рустам", "Фарид", "Ильдар", "Равшан", "Шухрат", "Ринат", "Марат", "Тимур", "Эдуард", "Вадим")
OTHER_MOTHERS = ("Гульнара", "Лилия", "Наиля", "Дильбар", "Зульфия", "Светлана", "Елена", "Роза", "Фатима")

_PATRONYMIC_EXCEPTIONS = {
    "Михаил": "Михайлов", "Павел": "Павлов", "Лев": "Львов", "Пётр": "Петров", "Евгений": "Евгеньев",
    "Юрий": "Юрьев", "Василий": "Васильев", "Григорий": "Григорьев", "Илья": "Ильин",
}  # fmt: skip

_NAMESAKES = (
    ("Ч. Айтматов", "Ч. Айтматова", "Ch. Aitmatov"),
    ("Т. Сатылганов", "Т. Сатылганова", "T. Satylganov"),
    ("Токтогул", "Токтогула", "Toktogul"),
    ("А. С. Пушкин", "А. С. Пушкина", "A. S. Pushkin"),
    ("К. Тыныстанов", "К. Тыныстанова", "K. Tynystanov"),
    ("А. Осмонов", "А. Осмонова", "A. Osmonov"),
    ("Курманжан Датка", "Курманжан Датки", "Kurmanjan Datka"),
    ("Ж. Бөкөнбаев", "Дж. Боконбаева", "J. Bokonbaev"),
    ("Ю. Гагарин", "Ю. Гагарина", "Yu. Gagarin"),
    ("Т. Молдо", "Т. Молдо", "T. Moldo"),
    ("Ж. Баласагын", "Ж. Баласагына", "J. Balasagyn"),
    ("Л. Н. Толстой", "Л. Н. Толстого", "L. N. Tolstoy"),
)
_STREETS = (
    "Чүй пр.", "Манас пр.", "Жибек Жолу пр.", "Ахунбаев көч.", "Токтогул көч.", "Киев көч.", "Исанов көч.",
    "Байтик Баатыр көч.", "Турусбеков көч.", "Боконбаев көч.",
)  # fmt: skip

# Lesson topics: language subjects in their own language, the rest in the class's language.
_TOPICS: dict[str, dict[str, tuple[str, ...]]] = {
    "KYR": {"*": ("Фонетика", "Үндүү тыбыштар", "Үнсүз тыбыштар", "Зат атооч", "Сын атооч", "Сан атооч",
                  "Этиш", "Сүйлөмдүн мүчөлөрү", "Жөнөкөй сүйлөм")},
    "KYRLIT": {"*": ("«Манас» эпосу", "Ч. Айтматов. «Ак кеме»", "Т. Сатылганов. Ырлары", "Токтогул. Ырлары",
                     "А. Осмонов. Лирика", "Ж. Бөкөнбаев. Чыгармачылыгы", "Төкмө акындар")},
    "RUS": {"*": ("Звуки и буквы", "Состав слова", "Имя существительное", "Имя прилагательное", "Глагол",
                  "Местоимение", "Простое предложение", "Сложное предложение", "Причастный оборот")},
    "RUSLIT": {"*": ("А. С. Пушкин. «Капитанская дочка»", "М. Ю. Лермонтов. Лирика", "Н. В. Гоголь. «Шинель»",
                     "И. С. Тургенев. «Муму»", "Л. Н. Толстой. «Кавказский пленник»",
                     "Ч. Айтматов. «Белый пароход»", "А. П. Чехов. Рассказы")},
    "ENG": {"*": ("Greetings", "My family", "My school", "Present Simple", "Past Simple", "Daily routine",
                  "Food and drinks", "Kyrgyzstan, my country", "Travelling")},
    "READ": {"ky": ("Жомоктор", "Табышмактар", "Макал-лакаптар", "Жаныбарлар жөнүндө аңгемелер", "Күз",
                    "Мекен жөнүндө ырлар"),
             "ru": ("Сказки", "Загадки", "Пословицы и поговорки", "Рассказы о животных", "Осень",
                    "Стихи о Родине")},
    "MATH": {"ky": ("Натурал сандар", "Кошуу жана кемитүү", "Көбөйтүү жана бөлүү", "Жөнөкөй бөлчөктөр",
                    "Ондук бөлчөктөр", "Теңдемелер", "Периметр жана аянт", "Маселелер"),
             "ru": ("Натуральные числа", "Сложение и вычитание", "Умножение и деление", "Обыкновенные дроби",
                    "Десятичные дроби", "Уравнения", "Периметр и площадь", "Решение задач")},
    "ALG": {"ky": ("Алгебралык туюнтмалар", "Сызыктуу теңдеме", "Функция жана анын графиги", "Даражалар",
                   "Көп мүчөлөр", "Кыскача көбөйтүү формулалары", "Квадраттык теңдемелер", "Барабарсыздыктар"),
            "ru": ("Алгебраические выражения", "Линейное уравнение", "Функция и её график", "Степени",
                   "Многочлены", "Формулы сокращённого умножения", "Квадратные уравнения", "Неравенства")},
    "GEOM": {"ky": ("Түз сызык жана кесинди", "Бурчтар", "Үч бурчтуктар", "Үч бурчтуктардын барабардыгы",
                    "Параллель түз сызыктар", "Айлана жана тегерек", "Төрт бурчтуктар"),
             "ru": ("Прямая и отрезок", "Углы", "Треугольники", "Признаки равенства треугольников",
                    "Параллельные прямые", "Окружность и круг", "Четырёхугольники")},
    "INF": {"ky": ("Маалымат жана анын түрлөрү", "Компьютердин түзүлүшү", "Файлдар жана папкалар",
                   "Текст редактору", "Алгоритмдер", "Электрондук таблицалар"),
            "ru": ("Информация и её виды", "Устройство компьютера", "Файлы и папки", "Текстовый редактор",
                   "Алгоритмы", "Электронные таблицы")},
    "PHYS": {"ky": ("Физикалык чоңдуктар", "Механикалык кыймыл", "Ылдамдык", "Дененин массасы", "Күч",
                    "Басым", "Иш жана кубаттуулук"),
             "ru": ("Физические величины", "Механическое движение", "Скорость", "Масса тела", "Сила",
                    "Давление", "Работа и мощность")},
    "CHEM": {"ky": ("Заттар жана алардын касиеттери", "Химиялык элементтер", "Валенттүүлүк",
                    "Химиялык реакциялар", "Кычкылтек", "Суутек", "Суу"),
             "ru": ("Вещества и их свойства", "Химические элементы", "Валентность", "Химические реакции",
                    "Кислород", "Водород", "Вода")},
    "BIO": {"ky": ("Клетканын түзүлүшү", "Өсүмдүктөр", "Козу карындар", "Бактериялар", "Жаныбарлар",
                   "Адамдын организми"),
            "ru": ("Строение клетки", "Растения", "Грибы", "Бактерии", "Животные", "Организм человека")},
    "GEO": {"ky": ("Жер планетасы", "Глобус жана карта", "Литосфера", "Гидросфера", "Атмосфера",
                   "Кыргызстандын рельефи", "Ысык-Көл"),
            "ru": ("Планета Земля", "Глобус и карта", "Литосфера", "Гидросфера", "Атмосфера",
                   "Рельеф Кыргызстана", "Иссык-Куль")},
    "HIST": {"ky": ("Байыркы дүйнө", "Байыркы Египет", "Байыркы Греция", "Сак уруулары", "Усундар",
                    "Кыргыз каганаты", "Улуу Жибек жолу"),
             "ru": ("Древний мир", "Древний Египет", "Древняя Греция", "Саки", "Усуни", "Кыргызский каганат",
                    "Великий Шёлковый путь")},
    "SOC": {"ky": ("Адам жана коом", "Мамлекет", "Укук жана мыйзам", "Экономика"),
            "ru": ("Человек и общество", "Государство", "Право и закон", "Экономика")},
    "MEKEN": {"ky": ("Менин үй-бүлөм", "Менин мектебим", "Бишкек — борбор шаар", "Жыл мезгилдери",
                     "Кыргызстандын жаратылышы"),
              "ru": ("Моя семья", "Моя школа", "Бишкек — столица", "Времена года", "Природа Кыргызстана")},
    "ADEP": {"ky": ("Адептүүлүк", "Ата-энени урматтоо", "Достук", "Чынчылдык"),
             "ru": ("Нравственность", "Уважение к родителям", "Дружба", "Честность")},
    "ART": {"ky": ("Түстөр", "Жаратылыш сүрөтү", "Оюу-чийме", "Натюрморт"),
            "ru": ("Цвета", "Пейзаж", "Орнамент", "Натюрморт")},
    "MUS": {"ky": ("Кыргыз элдик музыкасы", "Комуз", "Ыр жана бий", "Композиторлор"),
            "ru": ("Кыргызская народная музыка", "Комуз", "Песня и танец", "Композиторы")},
    "TECH": {"ky": ("Кагаз менен иштөө", "Саймалоо", "Жыгач менен иштөө", "Тамак жасоо"),
             "ru": ("Работа с бумагой", "Вышивка", "Работа с деревом", "Кулинария")},
    "PE": {"ky": ("Жеңил атлетика", "Чуркоо", "Секирүү", "Волейбол", "Баскетбол", "Футбол", "Гимнастика"),
           "ru": ("Лёгкая атлетика", "Бег", "Прыжки", "Волейбол", "Баскетбол", "Футбол", "Гимнастика")},
    "DPM": {"ky": ("Куралдуу Күчтөр", "Саптык даярдык", "Биринчи медициналык жардам", "Жарандык коргонуу"),
            "ru": ("Вооружённые силы КР", "Строевая подготовка", "Первая медицинская помощь",
                   "Гражданская оборона")},
}  # fmt: skip
_HOMEWORK = {
    "ky": ("§{k}, {a}–{b}-көнүгүүлөр", "§{k} окуу, суроолорго жооп берүү", "{a}–{b}-маселелер", "§{k} кайталоо"),
    "ru": ("§{k}, упр. {a}–{b}", "§{k}, прочитать, ответить на вопросы", "№ {a}–{b}", "Повторить §{k}"),
    "en": ("Ex. {a}–{b}, p. {p}", "Learn the new words, p. {p}", "Workbook p. {p}"),
}
_SUBJECT_LANGUAGE = {"KYR": "ky", "KYRLIT": "ky", "RUS": "ru", "RUSLIT": "ru", "ENG": "en"}

# Current marks: 5:22%, 4:42%, 3:30%, 2:6% over all pupils. A pupil's latent score is his stable
# ability (sd 0.8) plus the day's noise (sd 1); the cut points are the quantiles of that sum.
_ABILITY_SD = 0.8
_CUT_2, _CUT_3, _CUT_4 = -1.991, -0.459, 0.989


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _female_surname(surname: str) -> str:
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    if surname.endswith("ский"):
        return surname[:-2] + "ая"
    return surname  # Ким, Шевченко, Ванахун: the same for both sexes


def _russian_patronymic(father: str, sex: str) -> str:
    stem = _PATRONYMIC_EXCEPTIONS.get(father)
    if stem is None:
        stem = father[:-1] + "ев" if father.endswith(("й", "ь")) else father + "ов"
    return stem + ("ич" if sex == "m" else "на")


def _patronymic(father: str, sex: str, kyrgyz_style: bool) -> str:
    if kyrgyz_style:
        return f"{father} {'уулу' if sex == 'm' else 'кызы'}"
    return _russian_patronymic(father, sex)


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth's method: the rates here are small (< 5), so a few draws at most.
    if lam <= 0:
        return 0
    limit = math.exp(-lam)
    k = 0
    p = rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _random_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


_MOBILE_PREFIXES = ("555", "700", "707", "770", "777", "550", "500", "705", "990", "999")


def _phone(rng: random.Random) -> str:
    n = rng.randrange(1_000_000)
    return f"+996 {rng.choice(_MOBILE_PREFIXES)} {n // 1000:03d} {n % 1000:03d}"


def school_days(start: date, end: date) -> list[date]:
    """Monday–Friday dates from start to end inclusive (the five-day week is law since 2018)."""
    out = []
    d = start
    while d <= end:
        if d.weekday() < 5:
            out.append(d)
        d += timedelta(days=1)
    return out


@dataclass
class _Class:
    id: int
    grade: int
    letter: str
    language: str
    shift: int
    size: int
    teacher_id: int | None = None
    pupils: list[int] = field(default_factory=list)
    # (subject code, subject id, teacher id, hours)
    units: list[tuple[str, int, int, int]] = field(default_factory=list)


def _bell_spans() -> dict[tuple[int, bool, int], tuple[int, int]]:
    """(shift, first grade?, lesson number) -> (start, end) in minutes of the day, from BELLS."""
    spans: dict[tuple[int, bool, int], tuple[int, int]] = {}
    for shift, (grade_from, grade_to), (hour, minute), length, breaks in BELLS:
        start = hour * 60 + minute
        for number in range(1, len(breaks) + 2):
            spans[(shift, grade_from == grade_to == 1, number)] = (start, start + length)
            if number <= len(breaks):
                start += length + breaks[number - 1]
    return spans


class _Busy:
    """When each teacher is taken, per weekday, as clock spans (minutes of the day) of the bells."""

    def __init__(self, partners: dict[tuple[int, str], int] | None = None) -> None:
        self.spans = _bell_spans()
        self.taken: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
        self.partners = partners or {}  # a lesson taught in two groups holds both groups' teachers

    def teachers(self, item: tuple[str, int, int], cls: _Class) -> list[int]:
        second = self.partners.get((cls.id, item[0]))
        return [item[2]] if second is None else [item[2], second]

    def span(self, cls: _Class, number: int) -> tuple[int, int]:
        found = self.spans.get((cls.shift, cls.grade == 1, number))
        if found is not None:
            return found
        start = 10_000 * cls.shift + 100 * number  # past the bells: meets only the same shift and number
        return start, start + 1

    def free(self, item: tuple[str, int, int], weekday: int, cls: _Class, number: int) -> bool:
        a, b = self.span(cls, number)
        return all(b <= x or y <= a for teacher in self.teachers(item, cls) for x, y in self.taken[(teacher, weekday)])

    def take(self, item: tuple[str, int, int], weekday: int, cls: _Class, number: int) -> None:
        for teacher in self.teachers(item, cls):
            self.taken[(teacher, weekday)].append(self.span(cls, number))

    def take_day(self, items: list[tuple[str, int, int]], weekday: int, cls: _Class) -> None:
        for number, item in enumerate(items, start=1):
            self.take(item, weekday, cls, number)

    def release_day(self, items: list[tuple[str, int, int]], weekday: int, cls: _Class) -> None:
        for number, item in enumerate(items, start=1):
            for teacher in self.teachers(item, cls):
                self.taken[(teacher, weekday)].remove(self.span(cls, number))

    def order(self, items: list[tuple[str, int, int]], weekday: int, cls: _Class) -> list[tuple[str, int, int]] | None:
        """An order of the day's lessons in which every teacher is free at his hour, or None (depth-first)."""
        out: list[tuple[str, int, int]] = []
        left = list(items)

        def place(number: int) -> bool:
            if not left:
                return True
            tried: set[tuple[str, int, int]] = set()
            for i, item in enumerate(left):
                if item in tried or not self.free(item, weekday, cls, number):
                    continue
                tried.add(item)
                out.append(left.pop(i))
                if place(number + 1):
                    return True
                left.insert(i, out.pop())
            return False

        return out if place(1) else None


@dataclass
class _Family:
    ethnicity: str  # "ky", "ru", "other"
    kyrgyz_style: bool  # patronymic «уулу / кызы»
    surname: str  # male form
    father: str
    guardians: list[tuple[int, str, bool]] = field(default_factory=list)  # (guardian id, relation, primary)
    children: list[tuple[int, int]] = field(default_factory=list)  # (pupil id, grade)
    first_names: set[str] = field(default_factory=set)  # siblings never share a first name


class _Ids:
    """Explicit ids for every table, allocated from max(id) + 1 so rows need no round trip."""

    def __init__(self, conn: Connection) -> None:
        self.next: dict[str, int] = {}
        for name in _TABLE_ORDER:
            table = SQLModel.metadata.tables[name]
            self.next[name] = (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1

    def take(self, table: str, n: int = 1) -> int:
        first = self.next[table]
        self.next[table] = first + n
        return first


# ---------------------------------------------------------------------------------------------
# One school
# ---------------------------------------------------------------------------------------------


class _SchoolBuilder:
    """Builds every row of one school as tuples; `rows[table]` follows `_COLUMNS[table]`."""

    def __init__(
        self,
        rng: random.Random,
        ids: _Ids,
        n_pupils: int,
        used_pins: set[str],
        used_okpo: set[str],
        used_numbers: set[int],
        *,
        track_links: bool,
    ) -> None:
        self.rng = rng
        self.ids = ids
        self.n_pupils = n_pupils
        self.used_pins = used_pins
        self.used_okpo = used_okpo
        self.used_numbers = used_numbers
        self.track_links = track_links
        self.rows: dict[str, list[tuple]] = {name: [] for name in _TABLE_ORDER}
        self.staff_names: dict[int, str] = {}
        self.staff_by_position: dict[str, list[int]] = defaultdict(list)
        self.families: list[_Family] = []
        self.pupil_names: dict[int, str] = {}
        self.guardian_names: dict[int, str] = {}
        self.marked_pupils: set[int] = set()

    # -- identity ----------------------------------------------------------------------------

    def _pin(self, sex: str, born: date) -> str:
        head = f"{1 if sex == 'f' else 2}{born.day:02d}{born.month:02d}{born.year:04d}"
        while True:
            pin = f"{head}{self.rng.randrange(100_000):05d}"
            if pin not in self.used_pins:
                self.used_pins.add(pin)
                return pin

    def build(self) -> None:
        rng = self.rng
        while True:
            okpo = f"{rng.randrange(10_000_000, 100_000_000)}"
            if okpo not in self.used_okpo:
                self.used_okpo.add(okpo)
                break
        limit = 250 + len(self.used_numbers)  # always room for a new number, however many schools
        while True:
            number = rng.randrange(1, limit)
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                break
        ky_name, ru_name, en_name = rng.choice(_NAMESAKES)
        self.school_id = sid = self.ids.take("school")
        self.rows["school"].append(
            (
                sid,
                okpo,
                f"№ {number} {ky_name} атындагы жалпы билим берүүчү мектеп",
                f"Средняя общеобразовательная школа № {number} им. {ru_name}",
                f"Secondary school No. {number} named after {en_name}",
                "ky,ru",
                f"Бишкек ш., {rng.choice(_STREETS)}, {rng.randrange(1, 200)}",
                _CREATED_AT,
            )
        )
        self.year_id = year_id = self.ids.take("academicyear")
        self.rows["academicyear"].append((year_id, sid, YEAR_NAME, YEAR_STARTS, YEAR_ENDS, True))
        self.term_ids = {}
        for number_q, starts, ends in TERMS:
            tid = self.ids.take("term")
            self.term_ids[number_q] = tid
            self.rows["term"].append((tid, sid, year_id, "quarter", number_q, starts, ends))
        weights = '{"class": 1, "home": 1, "test": 2, "control": 3}'
        self.rows["gradingpolicy"].append(
            (self.ids.take("gradingpolicy"), sid, year_id, 1, 1, "none", 2, 5, 4.65, 3.65, 2.65, 0, weights)
        )
        self.rows["gradingpolicy"].append(
            (self.ids.take("gradingpolicy"), sid, year_id, 2, 11, "five_point", 2, 5, 4.65, 3.65, 2.65, 3, weights)
        )
        self.subject_ids: dict[str, int] = {}
        for code, ky, ru, en in SUBJECTS:
            subject_id = self.ids.take("subject")
            self.subject_ids[code] = subject_id
            self.rows["subject"].append((subject_id, sid, code, ky, ru, en))
        self._calendar()
        self._classes()
        self._staff_and_assignments()
        self._pupils_and_families()
        self._journal()
        self._movements()

    def _calendar(self) -> None:
        """Bell schedules and the year's breaks and public holidays (no random draws)."""
        sid = self.school_id
        for shift, (grade_from, grade_to), (hour, minute), length, breaks in BELLS:
            start = hour * 60 + minute
            for number in range(1, len(breaks) + 2):
                end = start + length
                self.rows["bellschedule"].append(
                    (
                        self.ids.take("bellschedule"),
                        sid,
                        shift,
                        grade_from,
                        grade_to,
                        number,
                        time_of_day(start // 60, start % 60),
                        time_of_day(end // 60, end % 60),
                    )
                )
                if number <= len(breaks):
                    start = end + breaks[number - 1]
        for kind, ky, ru, en, starts, ends, grades in HOLIDAYS:
            grade_from, grade_to = grades or (None, None)
            self.rows["holiday"].append(
                (self.ids.take("holiday"), sid, self.year_id, kind, ky, ru, en, starts, ends, grade_from, grade_to)
            )

    # -- classes -----------------------------------------------------------------------------

    def _classes(self) -> None:
        rng = self.rng
        n = self.n_pupils
        # 2–3 parallel classes per grade for a school of 600–1000; a bigger school gets more letters.
        count = min(max(22, round(n / 24)), 33) if n <= 33 * 35 else math.ceil(n / 30)
        count = min(count, 11 * len(LETTERS))  # beyond 13 parallels classes just grow
        per_grade = [count // 11] * 11
        for g in rng.sample(range(11), count % 11):
            per_grade[g] += 1
        specs = [(g + 1, LETTERS[i]) for g in range(11) for i in range(per_grade[g])]
        weights = [rng.uniform(0.85, 1.15) for _ in specs]
        total_w = sum(weights)
        sizes = [int(n * w / total_w) for w in weights]
        for i in rng.sample(range(len(specs)), n - sum(sizes)):
            sizes[i] += 1
        self.classes: list[_Class] = []
        for (grade, letter), size in zip(specs, sizes, strict=True):
            # А and В teach in Kyrgyz, Б and Г in Russian: the usual ky+ru Bishkek school.
            language = "ru" if LETTERS.index(letter) % 2 == 1 else "ky"
            shift = 2 if 2 <= grade <= 4 else 1
            self.classes.append(_Class(self.ids.take("schoolclass"), grade, letter, language, shift, size))

    # -- people ------------------------------------------------------------------------------

    def _adult_name(self, sex: str) -> tuple[str, str, str]:
        rng = self.rng
        r = rng.random()
        ethnicity = "ky" if r < 0.65 else "ru" if r < 0.9 else "other"  # a Bishkek staff room
        if ethnicity == "ky":
            surname, first = rng.choice(KY_SURNAMES), rng.choice(KY_FATHERS if sex == "m" else KY_MOTHERS)
            father, kyrgyz_style = rng.choice(KY_FATHERS), rng.random() < 0.3
        elif ethnicity == "ru":
            surname, first = rng.choice(RU_SURNAMES), rng.choice(RU_FATHERS if sex == "m" else RU_MOTHERS)
            father, kyrgyz_style = rng.choice(RU_FATHERS), False
        else:
            surname, first = rng.choice(OTHER_SURNAMES), rng.choice(OTHER_FATHERS if sex == "m" else OTHER_MOTHERS)
            father, kyrgyz_style = rng.choice(OTHER_FATHERS), False
        last = surname if sex == "m" else _female_surname(surname)
        return last, first, _patronymic(father, sex, kyrgyz_style)

    def _add_staff(self, position: str) -> int:
        rng = self.rng
        sex = "f" if rng.random() < (0.8 if position == "teacher" else 0.6) else "m"
        last, first, patronymic = self._adult_name(sex)
        staff_id = self.ids.take("staff")
        self.rows["staff"].append(
            (
                staff_id,
                self.school_id,
                last,
                first,
                patronymic,
                position,
                _phone(rng),
                "",
                search_key(last, first, patronymic),
                sort_key(last, first, patronymic),
                "",
                1,
            )
        )
        self.staff_by_position[position].append(staff_id)
        if self.track_links:
            self.staff_names[staff_id] = f"{last} {first} {patronymic}"
        return staff_id

    def _staff_and_assignments(self) -> None:
        rng = self.rng
        for position, n in (
            ("director", 1),
            ("deputy", 2),
            ("clerk", 1),
            ("administrator", 1),
            ("psychologist", 1),
            ("librarian", 1),
        ):
            for _ in range(n):
                self._add_staff(position)
        # Per speciality: (class, [(code, hours)]) bundles a subject teacher takes as a whole.
        bundles: dict[str, list[tuple[_Class, list[tuple[str, int]]]]] = defaultdict(list)
        for cls in self.classes:
            codes = _SLOT_CODES[cls.language]
            primary_teacher = self._add_staff("teacher") if cls.grade <= 4 else None
            if primary_teacher is not None:
                cls.teacher_id = primary_teacher
            by_spec: dict[str, list[tuple[str, int]]] = defaultdict(list)
            for slot, hours_by_grade in CURRICULUM.items():
                hours = hours_by_grade[cls.grade - 1]
                if not hours:
                    continue
                code = codes.get(slot, slot)
                if primary_teacher is not None and slot in PRIMARY_TEACHER_SLOTS:
                    cls.units.append((code, self.subject_ids[code], primary_teacher, hours))
                else:
                    by_spec[SPECIALITY[code]].append((code, hours))
            for spec, items in by_spec.items():
                bundles[spec].append((cls, items))
        # Split each speciality's classes in runs of neighbouring grades, so a teacher keeps parallels.
        self.teacher_classes: dict[int, set[int]] = defaultdict(set)
        self.teacher_hours: dict[int, dict[int, int]] = defaultdict(dict)  # teacher -> class -> hours
        for spec in sorted(bundles):
            items = sorted(bundles[spec], key=lambda b: (b[0].grade, b[0].letter))
            total = sum(h for _, units in items for _, h in units)
            n_teachers = max(1, round(total / TEACHER_TARGET_HOURS))
            teachers = [self._add_staff("teacher") for _ in range(n_teachers)]
            share = total / n_teachers
            done = 0
            for cls, units in items:
                hours = sum(h for _, h in units)
                # The teacher whose share holds the middle of this bundle: even, contiguous loads.
                teacher = teachers[min(n_teachers - 1, int((done + hours / 2) / share))]
                done += hours
                for code, h in units:
                    cls.units.append((code, self.subject_ids[code], teacher, h))
                self.teacher_classes[teacher].add(cls.id)
                self.teacher_hours[teacher][cls.id] = self.teacher_hours[teacher].get(cls.id, 0) + hours
        # Class teachers of grades 5–11: the subject teacher with most hours in the class who has
        # no class yet; some subject teachers stay without a class, as in any school.
        taken: set[int] = set()
        for cls in self.classes:
            if cls.teacher_id is not None:
                continue
            candidates = sorted(
                (t for t, by_class in self.teacher_hours.items() if cls.id in by_class and t not in taken),
                key=lambda t: (-self.teacher_hours[t][cls.id], t),
            )
            cls.teacher_id = candidates[0] if candidates else rng.choice(sorted(self.teacher_hours))
            taken.add(cls.teacher_id)
        self._second_groups()
        for cls in self.classes:
            self.rows["schoolclass"].append(
                (cls.id, self.school_id, self.year_id, cls.grade, cls.letter, cls.language, cls.shift, cls.teacher_id)
            )
            for code, subject_id, teacher, hours in cls.units:
                second = self.partners.get((cls.id, code))
                groups = [(0, teacher)] if second is None else [(1, teacher), (2, second)]
                for subgroup, teacher_id in groups:
                    self.rows["teachingassignment"].append(
                        (
                            self.ids.take("teachingassignment"), self.school_id, cls.id, subject_id, teacher_id,
                            subgroup, float(hours),
                        )
                    )  # fmt: skip

    def _second_groups(self) -> None:
        """Split SPLIT_SUBJECTS in big classes: group 1 keeps the class's teacher, group 2 gets a second one."""
        self.partners: dict[tuple[int, str], int] = {}  # (class, subject code) -> group 2's teacher
        split = [
            (cls, code, hours)
            for cls in self.classes
            if cls.grade >= SPLIT_FROM_GRADE and cls.size >= SPLIT_MIN_PUPILS
            for code, _sid, _teacher, hours in cls.units
            if code in SPLIT_SUBJECTS
        ]
        if not split:
            return
        total = sum(hours for _cls, _code, hours in split)
        second = [self._add_staff("teacher") for _ in range(max(1, round(total / TEACHER_TARGET_HOURS)))]
        load = dict.fromkeys(second, 0)
        for cls, code, hours in split:
            teacher = min(second, key=lambda t: (load[t], t))  # the least loaded second teacher
            load[teacher] += hours
            self.partners[(cls.id, code)] = teacher
            self.teacher_classes[teacher].add(cls.id)
            self.teacher_hours[teacher][cls.id] = self.teacher_hours[teacher].get(cls.id, 0) + hours

    def _new_family(self, language: str) -> _Family:
        rng = self.rng
        r = rng.random()
        if language == "ky":
            ethnicity = "ky" if r < 0.93 else "ru" if r < 0.96 else "other"
        else:
            ethnicity = "ky" if r < 0.5 else "ru" if r < 0.8 else "other"
        if ethnicity == "ky":
            # Kyrgyz families in Russian classes mostly write Russian-style patronymics.
            kyrgyz_style = rng.random() < (0.7 if language == "ky" else 0.3)
            family = _Family(ethnicity, kyrgyz_style, rng.choice(KY_SURNAMES), rng.choice(KY_FATHERS))
        elif ethnicity == "ru":
            family = _Family(ethnicity, False, rng.choice(RU_SURNAMES), rng.choice(RU_FATHERS))
        else:
            family = _Family(ethnicity, False, rng.choice(OTHER_SURNAMES), rng.choice(OTHER_FATHERS))
        self._family_guardians(family)
        self.families.append(family)
        return family

    def _guardian(self, family: _Family, role: str) -> int:
        rng = self.rng
        sex = "m" if role in ("father", "grandfather") else "f"
        names = {
            "ky": (KY_MOTHERS, KY_GRANDMOTHERS, KY_FATHERS),
            "ru": (RU_MOTHERS, RU_GRANDMOTHERS, RU_FATHERS),
            "other": (OTHER_MOTHERS, RU_GRANDMOTHERS, OTHER_FATHERS),
        }[family.ethnicity]
        mothers, grandmothers, fathers = names
        if role == "father":
            first, last = family.father, family.surname
            born = _random_date(rng, date(1972, 1, 1), date(1993, 12, 31))
        elif role == "grandmother":
            first, last = rng.choice(grandmothers), _female_surname(family.surname)
            born = _random_date(rng, date(1950, 1, 1), date(1968, 12, 31))
        else:  # mother or another guardian
            first = rng.choice(mothers)
            # Many Kyrgyz mothers keep their own surname.
            own = family.ethnicity == "ky" and rng.random() < 0.4
            last = _female_surname(rng.choice(KY_SURNAMES) if own else family.surname)
            born = _random_date(rng, date(1975, 1, 1), date(1996, 12, 31))
        grandfather = rng.choice([name for name in fathers if name != first])
        patronymic = _patronymic(grandfather, sex, family.kyrgyz_style)
        pin = self._pin(sex, born)
        guardian_id = self.ids.take("guardian")
        self.rows["guardian"].append(
            (
                guardian_id,
                self.school_id,
                last,
                first,
                patronymic,
                pin,
                _phone(rng),
                search_key(last, first, patronymic, pin),
                sort_key(last, first, patronymic),
                "",
                1,
            )
        )
        if self.track_links:
            self.guardian_names[guardian_id] = f"{last} {first} {patronymic}"
        return guardian_id

    def _family_guardians(self, family: _Family) -> None:
        r = self.rng.random()
        if r < 0.62:
            roles = [("mother", True), ("father", False)]
        elif r < 0.67:
            roles = [("father", True), ("mother", False)]
        elif r < 0.70:
            roles = [("grandmother", True), ("mother", False)]
        elif r < 0.90:
            roles = [("mother", True)]
        elif r < 0.95:
            roles = [("father", True)]
        elif r < 0.98:
            roles = [("grandmother", True)]
        else:
            roles = [("guardian", True)]
        family.guardians = [(self._guardian(family, role), role, primary) for role, primary in roles]

    def _child(self, family: _Family, cls: _Class) -> None:
        rng = self.rng
        sex = "m" if rng.random() < 0.51 else "f"
        if family.ethnicity == "ky":
            names = KY_MALE if sex == "m" else KY_FEMALE
        elif family.ethnicity == "ru":
            names = RU_MALE if sex == "m" else RU_FEMALE
        else:
            names = (OTHER_MALE + RU_MALE[:8]) if sex == "m" else (OTHER_FEMALE + RU_FEMALE[:8])
        first = rng.choice([n for n in names if n not in family.first_names])
        family.first_names.add(first)
        last = family.surname if sex == "m" else _female_surname(family.surname)
        patronymic = _patronymic(family.father, sex, family.kyrgyz_style)
        # Grade g of 2025–2026 was born from March of 2025-6-g; a few pupils are a year older.
        year = 2025 - 6 - cls.grade - (1 if rng.random() < 0.04 else 0)
        born = _random_date(rng, date(year, 3, 1), date(year + 1, 2, 28))
        pin = self._pin(sex, born)
        pupil_id = self.ids.take("pupil")
        self.rows["pupil"].append(  # a list until the alphabetic-book number is known
            [
                pupil_id,
                self.school_id,
                pin,
                last,
                first,
                patronymic,
                born,
                sex,
                "",
                search_key(last, first, patronymic, pin),
                sort_key(last, first, patronymic),
                "",
                1,
            ]
        )
        for guardian_id, relation, primary in family.guardians:
            self.rows["pupilguardian"].append(
                (self.ids.take("pupilguardian"), pupil_id, guardian_id, relation, primary)
            )
        self.rows["enrollment"].append(
            (self.ids.take("enrollment"), self.school_id, pupil_id, cls.id, YEAR_STARTS, None)
        )
        cls.pupils.append(pupil_id)
        family.children.append((pupil_id, cls.grade))
        if self.track_links:
            self.pupil_names[pupil_id] = f"{last} {first} {patronymic}"

    def _pupils_and_families(self) -> None:
        rng = self.rng
        remaining = {cls.id: cls.size for cls in self.classes}
        by_id = {cls.id: cls for cls in self.classes}
        seats = [cls.id for cls in self.classes for _ in range(cls.size)]
        rng.shuffle(seats)
        while seats:
            class_id = seats.pop()
            if remaining[class_id] <= 0:
                continue  # the seat went to a sibling
            cls = by_id[class_id]
            family = self._new_family(cls.language)
            remaining[class_id] -= 1
            self._child(family, cls)
            # ~15% of families have 2–3 children here, in classes of the same language.
            r = rng.random()
            extra = 2 if r < 0.04 else 1 if r < 0.15 else 0
            grades = {cls.grade}
            for _ in range(extra):
                options = [
                    c
                    for c in self.classes
                    if c.language == cls.language and remaining[c.id] > 0 and c.grade not in grades
                ]
                if not options:
                    break
                sibling_class = rng.choice(options)
                remaining[sibling_class.id] -= 1
                grades.add(sibling_class.grade)
                self._child(family, sibling_class)
        # Alphabetic book: numbered per first letter of the surname in order of admission (older
        # pupils came first); the number is the personal file number «Ө/13».
        grade_of = {pid: cls.grade for cls in self.classes for pid in cls.pupils}
        pupils = self.rows["pupil"]
        order = sorted(range(len(pupils)), key=lambda i: (-grade_of[pupils[i][0]], rng.random()))
        counters: dict[str, int] = defaultdict(int)
        for i in order:
            letter = pupils[i][3][:1].upper()
            counters[letter] += 1
            pupils[i][8] = f"{letter}/{counters[letter]}"
        self.rows["pupil"] = [tuple(row) for row in pupils]

    # -- movement book ---------------------------------------------------------------------

    def _movements(self) -> None:
        """The movement book (services.movement's rules, written as rows), consistent with the
        enrollments: promotions of two classes on the first day; after the first quarter (whose
        journal is generated) a few arrivals, each enrolled from its date with no journal data
        before it, and departures, each enrollment ended on its date; every line under a director's
        order dated on or before it. Only pupils without siblings here move, so the demo accounts' family stays.
        A generator of its own keeps the rest of the demo unchanged."""
        sid = self.school_id
        rng = random.Random(f"movement-{self.rows['school'][-1][1]}")
        director = (self.staff_by_position.get("director") or [None])[0]
        pupils = {r[0]: r for r in self.rows["pupil"]}

        def order(number: str, day: date, kind: str, title: str) -> tuple[int, str]:
            oid = self.ids.take("order")
            self.rows["order"].append(
                (oid, sid, number, day, kind, title, director, "", search_key(number, title), "", 1)
            )
            return oid, number

        def line(pupil: int, kind: str, day: date, order_id: tuple[int, str], **where: object) -> None:
            p = pupils[pupil]
            places = (str(where.get("from_school", "")), str(where.get("to_school", "")))
            key = search_key(p[3], p[4], p[5], p[2], order_id[1], *places)[:400]
            self.rows["movementrecord"].append(
                (
                    self.ids.take("movementrecord"), sid, pupil, kind, day, order_id[0], where.get("from_class"),
                    where.get("to_class"), places[0], places[1], where.get("reason", ""), "", key, "", 1,
                )
            )  # fmt: skip

        promoted = [c for c in self.classes if c.grade in (5, 10)][:2]
        if promoted:
            title = "Окуучуларды кийинки класска которуу жөнүндө"
            promotion = order("1", YEAR_STARTS - timedelta(days=3), "transfer", title)
            for cls in promoted:
                for pupil in cls.pupils:
                    line(pupil, "promotion", YEAR_STARTS, promotion, to_class=cls.id)
        only_children = {f.children[0][0] for f in self.families if len(f.children) == 1}
        movable = [
            (cls, p) for cls in self.classes if cls.grade >= 2 and cls not in promoted for p in cls.pupils
            if p in only_children
        ]  # fmt: skip
        rng.shuffle(movable)
        numbers = iter(range(45, 10_000, 7))
        arrivals = (
            (date(2025, 11, 17), "Ош ш., № 12 мектеп", "ата-энесинин көчүшү"),
            (date(2025, 12, 8), "Казакстан, Алматы ш., № 54 мектеп", "ата-энесинин көчүшү"),
            (date(2026, 1, 19), "Чүй обл., Сокулук р., Шопоков ш., № 3 мектеп", ""),
            (date(2026, 2, 9), "Нарын ш., № 1 мектеп", "ата-энесинин жумушу"),
        )
        departures = (
            (date(2025, 12, 22), "Бишкек ш., № 61 мектеп", "үй-бүлөсү көчтү"),
            (date(2026, 1, 26), "Россия, Москва ш.", "ата-энесинин жумушу"),
            (date(2026, 4, 6), "Жалал-Абад ш., № 7 мектеп", "үй-бүлөсү көчтү"),
        )
        arrived: set[int] = set()
        for (day, where_from, reason), (cls, pupil) in zip(arrivals, movable[: len(arrivals)], strict=False):
            arrived.add(pupil)
            self._set_enrollment(pupil, starts_on=day)
            kind_title = "Окуучуну кабыл алуу жөнүндө"
            enroll = order(f"{next(numbers)}-у", day - timedelta(days=rng.randrange(1, 4)), "enrollment", kind_title)
            line(pupil, "arrival", day, enroll, to_class=cls.id, from_school=where_from, reason=reason)
        for (day, where_to, reason), (cls, pupil) in zip(
            departures, movable[len(arrivals) : len(arrivals) + len(departures)], strict=False
        ):
            self._set_enrollment(pupil, ends_on=day)
            out = order(
                f"{next(numbers)}-ч", day - timedelta(days=rng.randrange(0, 3)), "departure", "Окуучуну чыгаруу жөнүндө"
            )
            line(pupil, "departure", day, out, from_class=cls.id, to_school=where_to, reason=reason)
        if arrived:  # they came after the journal's quarter: no marks or absences before that
            self.rows["mark"] = [r for r in self.rows["mark"] if r[3] not in arrived]
            self.rows["attendance"] = [r for r in self.rows["attendance"] if r[3] not in arrived]
            self.marked_pupils -= arrived

    def _set_enrollment(self, pupil_id: int, *, starts_on: date | None = None, ends_on: date | None = None) -> None:
        rows = self.rows["enrollment"]
        i = next(i for i, r in enumerate(rows) if r[2] == pupil_id)
        row = rows[i]
        rows[i] = (*row[:4], starts_on or row[4], ends_on or row[5])

    # -- timetable and journal ---------------------------------------------------------------

    def _timetable(self) -> dict[int, list[list[tuple[str, int, int]]]]:
        """Per class, per weekday: the day's lessons in order as (code, subject id, teacher id).

        No teacher is ever due in two classes at once (the bells of both shifts and the first
        graders' shorter lessons are compared as clock times, as services.timetable does). A class
        whose week cannot be fitted is drawn again; in the rare school where that is not enough,
        the whole timetable is drawn again (a draw takes a few milliseconds).
        """
        week, clashes = self._draw_timetable()
        for _ in range(_TIMETABLE_ATTEMPTS):
            if not clashes:
                break
            week, clashes = self._draw_timetable()
        return week

    def _draw_timetable(self) -> tuple[dict[int, list[list[tuple[str, int, int]]]], int]:
        """One draw of the school's week and how many class days were left with a clash."""
        rng = self.rng
        left = 0
        busy = _Busy(self.partners)
        teacher_days: dict[tuple[int, int, int], int] = defaultdict(int)  # (teacher, shift, weekday) -> lessons
        week: dict[int, list[list[tuple[str, int, int]]]] = {}
        order = list(self.classes)
        rng.shuffle(order)
        for cls in order:
            # Rarely a class's week has a day no order or swap frees: its week is drawn again.
            for attempt in range(_WEEK_ATTEMPTS):
                days: list[list[tuple[str, int, int]]] = [[] for _ in range(5)]
                for code, subject_id, teacher, hours in sorted(cls.units, key=lambda u: (-u[3], u[0])):
                    used: set[int] = set()
                    for _ in range(hours):
                        # A subject at most once a day where it fits; the class's emptiest day first,
                        # then the day the teacher has fewest lessons in other classes.
                        free = [d for d in range(5) if d not in used] or list(range(5))
                        least = min(len(days[d]) for d in free)
                        fits = [d for d in free if len(days[d]) == least]
                        # (both groups' teachers for a lesson taught in two groups)
                        who = busy.teachers((code, subject_id, teacher), cls)
                        load = {d: sum(teacher_days[(t, cls.shift, d)] for t in who) for d in fits}
                        calm = min(load.values())
                        day = rng.choice([d for d in fits if load[d] == calm])
                        used.add(day)
                        days[day].append((code, subject_id, teacher))
                left_clashes = 0
                for wd in range(5):
                    items = days[wd]
                    # Greedy order: at each hour the first lesson whose teacher is free. A few shuffles
                    # get most days clash-free at no real cost; the rest are searched, or swap a lesson
                    # with another day of the class.
                    best: list[tuple[str, int, int]] = []
                    best_clashes = len(items) + 1
                    for _attempt in range(12):
                        pool = list(items)
                        rng.shuffle(pool)
                        ordered, clashes = [], 0
                        for number in range(1, len(pool) + 1):
                            pick = next((i for i, it in enumerate(pool) if busy.free(it, wd, cls, number)), -1)
                            clashes += pick < 0
                            ordered.append(pool.pop(max(pick, 0)))
                        if clashes < best_clashes:
                            best, best_clashes = ordered, clashes
                        if not clashes:
                            break
                    if best_clashes:
                        greedy = best
                        best = busy.order(items, wd, cls) or self._swap_day(days, wd, cls, busy, teacher_days) or []
                        if not best:  # still none: keep the greedy order for now, try the week again
                            left_clashes += 1
                            best = greedy
                    for number, item in enumerate(best, start=1):
                        busy.take(item, wd, cls, number)
                        for t in busy.teachers(item, cls):
                            teacher_days[(t, cls.shift, wd)] += 1
                    days[wd] = best
                if not left_clashes or attempt == _WEEK_ATTEMPTS - 1:
                    left += left_clashes
                    break
                for wd, items in enumerate(days):
                    busy.release_day(items, wd, cls)
                    for item in items:
                        for t in busy.teachers(item, cls):
                            teacher_days[(t, cls.shift, wd)] -= 1
            week[cls.id] = days
        return week, left

    @staticmethod
    def _swap_day(
        days: list[list[tuple[str, int, int]]],
        wd: int,
        cls: _Class,
        busy: _Busy,
        teacher_days: dict[tuple[int, int, int], int],
    ) -> list[tuple[str, int, int]] | None:
        """Day `wd` of `cls` has no clash-free order: swap one of its lessons with another day's, so both fit."""
        for wd2 in [*range(wd + 1, 5), *range(wd)]:  # later days first: nothing of theirs is placed yet
            placed = wd2 < wd
            for i, x in enumerate(days[wd]):
                for j, y in enumerate(days[wd2]):
                    if x[0] == y[0] or y[0] in {it[0] for it in days[wd]} or x[0] in {it[0] for it in days[wd2]}:
                        continue
                    here = [*days[wd][:i], y, *days[wd][i + 1 :]]
                    there = [*days[wd2][:j], x, *days[wd2][j + 1 :]]
                    if placed:
                        busy.release_day(days[wd2], wd2, cls)
                    mine = busy.order(here, wd, cls)
                    if mine is not None and not placed:
                        days[wd2] = there
                        return mine
                    if mine is not None:
                        busy.take_day(mine, wd, cls)
                        theirs = busy.order(there, wd2, cls)
                        busy.release_day(mine, wd, cls)
                        if theirs is not None:
                            busy.take_day(theirs, wd2, cls)
                            for t in busy.teachers(y, cls):
                                teacher_days[(t, cls.shift, wd2)] -= 1
                            for t in busy.teachers(x, cls):
                                teacher_days[(t, cls.shift, wd2)] += 1
                            days[wd2] = theirs
                            return mine
                    if placed:
                        busy.take_day(days[wd2], wd2, cls)
        return None

    def _slots(self, week: dict[int, list[list[tuple[str, int, int]]]]) -> None:
        """The weekly timetable as TimetableSlot rows, the same in every quarter; a homeroom per class."""
        by_shift = sorted(self.classes, key=lambda c: (c.shift, c.grade, c.letter))
        first = [c for c in by_shift if c.shift == 1]
        rooms: dict[int, str] = {c.id: f"{1 + i // 10}{i % 10 + 1:02d}" for i, c in enumerate(first)}
        # Second-shift classes sit in first-shift rooms: the rooms are free by then.
        for i, c in enumerate(c for c in by_shift if c.shift != 1):
            rooms[c.id] = rooms[first[i % len(first)].id] if first else f"{101 + i}"
        # A second group's teacher keeps a language room of his own: where he is, it is free.
        own_rooms = {t: f"Л-{i}" for i, t in enumerate(sorted(set(self.partners.values())), start=1)}
        slot_rows = self.rows["timetableslot"]
        for number_q, starts, ends in TERMS:
            term_id = self.term_ids[number_q]
            for cls in self.classes:
                for wd, items in enumerate(week[cls.id]):
                    for number, (code, subject_id, teacher) in enumerate(items, start=1):
                        room = "" if code in NO_ROOM_SUBJECTS else rooms[cls.id]
                        second = self.partners.get((cls.id, code))
                        groups = [(0, teacher, room)]
                        if second is not None:
                            groups = [(1, teacher, room), (2, second, own_rooms[second])]
                        for subgroup, teacher_id, where in groups:
                            slot_rows.append(
                                (
                                    self.ids.take("timetableslot"),
                                    self.school_id,
                                    cls.id,
                                    term_id,
                                    starts,
                                    ends,
                                    wd + 1,
                                    number,
                                    subject_id,
                                    teacher_id,
                                    subgroup,
                                    where,
                                )
                            )

    def _absences(
        self, days: list[date], week: dict[int, list[list[tuple[str, int, int]]]]
    ) -> tuple[dict[tuple[int, int], dict[int, str]], dict[tuple[int, int], list[tuple[int, int, str, int]]]]:
        """Whole-day absences per (class, day index) and single-lesson ones (pupil, lesson, code, late min)."""
        rng = self.rng
        n_days = len(days)
        whole: dict[tuple[int, int], dict[int, str]] = defaultdict(dict)
        single: dict[tuple[int, int], list[tuple[int, int, str, int]]] = defaultdict(list)
        for cls in self.classes:
            lessons_per_day = [len(week[cls.id][d.weekday()]) for d in days]
            for pupil_id in cls.pupils:
                m = rng.gammavariate(1.5, 1 / 1.5)  # how often this pupil misses school (mean 1)
                for _ in range(_poisson(rng, 0.37 * m)):  # ill for 2–4 school days in a row
                    start = rng.randrange(n_days)
                    for day in range(start, min(n_days, start + rng.randint(2, 4))):
                        whole[(cls.id, day)].setdefault(pupil_id, "б")
                for _ in range(_poisson(rng, 0.6 * m)):
                    whole[(cls.id, rng.randrange(n_days))].setdefault(pupil_id, "н")
                for _ in range(_poisson(rng, 0.25 * m)):  # excused: a family event, a competition
                    start = rng.randrange(n_days)
                    for day in range(start, min(n_days, start + rng.randint(1, 2))):
                        whole[(cls.id, day)].setdefault(pupil_id, "у")
                for code, lam in (("п", 1.5), ("н", 0.6), ("о", 1.2)):
                    for _ in range(_poisson(rng, lam * m)):
                        day = rng.randrange(n_days)
                        if lessons_per_day[day]:
                            minutes = rng.randint(3, 20) if code == "о" else 0
                            single[(cls.id, day)].append((pupil_id, rng.randrange(lessons_per_day[day]), code, minutes))
        return whole, single

    def _subgroup_members(self) -> dict[tuple[int, str], tuple[list[int], list[int]]]:
        """The split of each class × subject taught in two groups: the alphabetical list cut in halves."""
        sort = {row[0]: row[10] for row in self.rows["pupil"]}
        by_id = {cls.id: cls for cls in self.classes}
        members: dict[tuple[int, str], tuple[list[int], list[int]]] = {}
        for class_id, code in sorted(self.partners):
            ordered = sorted(by_id[class_id].pupils, key=lambda p: (sort[p], p))
            half = (len(ordered) + 1) // 2
            members[(class_id, code)] = (ordered[:half], ordered[half:])
            for subgroup, group in ((1, ordered[:half]), (2, ordered[half:])):
                for pupil_id in group:
                    self.rows["subgroupmember"].append(
                        (
                            self.ids.take("subgroupmember"), self.school_id, class_id, self.subject_ids[code],
                            subgroup, pupil_id, _CREATED_AT,
                        )
                    )  # fmt: skip
        return members

    def _journal(self) -> None:
        rng = self.rng
        sid = self.school_id
        term_id = self.term_ids[1]
        days = school_days(TERMS[0][1], TERMS[0][2])
        week = self._timetable()
        self._slots(week)
        whole, single = self._absences(days, week)
        ability = {pid: rng.gauss(0, _ABILITY_SD) for cls in self.classes for pid in cls.pupils}
        members = self._subgroup_members()
        hours = {(cls.id, code): h for cls in self.classes for code, _s, _t, h in cls.units}
        lesson_rows = self.rows["lesson"]
        mark_rows = self.rows["mark"]
        attendance_rows = self.rows["attendance"]
        next_lesson = self.ids.next["lesson"]
        next_mark = self.ids.next["mark"]
        next_attendance = self.ids.next["attendance"]
        counter: dict[tuple[int, int], int] = defaultdict(int)  # (class, subject) -> lessons so far
        random_ = rng.random
        gauss = rng.gauss
        track = self.track_links
        marked = self.marked_pupils
        for day_index, day in enumerate(days):
            wd = day.weekday()
            for cls in self.classes:
                todays = week[cls.id][wd]
                if not todays:
                    continue
                pupils = cls.pupils
                day_absent = whole.get((cls.id, day_index), {})
                singles = single.get((cls.id, day_index), ())
                topic_language = cls.language
                base_hour = 2 if cls.shift == 1 else 8  # Bishkek is UTC+6: 08:00 and 14:00 local
                for number, (code, subject_id, teacher) in enumerate(todays, start=1):
                    counter[(cls.id, subject_id)] += 1
                    k = counter[(cls.id, subject_id)]
                    language = _SUBJECT_LANGUAGE.get(code, topic_language)
                    titles = _TOPICS[code].get(language) or _TOPICS[code]["*"]
                    topic = f"§{k}. {titles[(k - 1) // 3 % len(titles)]}"
                    homework = ""
                    if code not in NO_HOMEWORK_SUBJECTS and random_() < 0.7:
                        a = rng.randrange(1, 400)
                        homework = rng.choice(_HOMEWORK[language]).format(
                            k=k, a=a, b=a + rng.randint(1, 4), p=a // 3 + 4
                        )
                    second = self.partners.get((cls.id, code))
                    groups: list[tuple[int, int, list[int]]] = [(0, teacher, pupils)]
                    if second is not None:
                        first_half, second_half = members[(cls.id, code)]
                        groups = [(1, teacher, first_half), (2, second, second_half)]
                    stamp = datetime(day.year, day.month, day.day, base_hour + number, 0, tzinfo=UTC)
                    absent = day_absent
                    late: dict[int, int] = {}
                    if singles:
                        absent = dict(day_absent)
                        for pupil_id, position, a_code, minutes in singles:
                            if position == number - 1 and pupil_id not in absent:
                                if a_code == "о":
                                    late.setdefault(pupil_id, minutes)
                                else:
                                    absent[pupil_id] = a_code
                    for subgroup, teacher_id, group in groups:
                        lesson_id = next_lesson
                        next_lesson += 1
                        lesson_rows.append(
                            (lesson_id, sid, cls.id, subject_id, teacher_id, term_id, day, number, subgroup, topic,
                             homework, False)
                        )  # fmt: skip
                        if subgroup:  # a group's lesson: its own pupils only
                            mine = set(group)
                            absent_here = {p: c for p, c in absent.items() if p in mine}
                            late_here = {p: m for p, m in late.items() if p in mine}
                        else:
                            absent_here, late_here = absent, late
                        # One row per pupil and lesson: an absence wins over a lateness drawn for the same lesson.
                        for pupil_id, a_code in absent_here.items():
                            attendance_rows.append((next_attendance, sid, lesson_id, pupil_id, a_code, 0, 1, stamp))
                            next_attendance += 1
                        for pupil_id, minutes in late_here.items():
                            if pupil_id not in absent_here:
                                attendance_rows.append(
                                    (next_attendance, sid, lesson_id, pupil_id, "о", minutes, 1, stamp)
                                )
                                next_attendance += 1
                        if cls.grade == 1 or not group:
                            continue  # first graders get no marks
                        h = hours[(cls.id, code)]
                        period = max(6, 3 * h)  # a test about every three weeks
                        if code not in UNTESTED_SUBJECTS and h >= 2 and k % period == period // 2:
                            kind = "control" if code in CONTROL_SUBJECTS else "test"
                            chosen = [p for p in group if p not in absent_here]
                            noise = 1.1
                        else:
                            n_marks = round(len(group) * (0.20 + 0.15 * random_()))
                            chosen = [p for p in rng.sample(group, n_marks) if p not in absent_here]
                            kind = ""
                            noise = 1.0
                        for pupil_id in chosen:
                            score = ability[pupil_id] + gauss(0, noise)
                            value = 2 if score < _CUT_2 else 3 if score < _CUT_3 else 4 if score < _CUT_4 else 5
                            mark_kind = kind or ("home" if random_() < 0.2 else "class")
                            mark_rows.append((next_mark, sid, lesson_id, pupil_id, value, mark_kind, 1, stamp))
                            next_mark += 1
                            if track:
                                marked.add(pupil_id)
        self.ids.next["lesson"] = next_lesson
        self.ids.next["mark"] = next_mark
        self.ids.next["attendance"] = next_attendance

    # -- demo accounts ---------------------------------------------------------------------

    def links(self) -> dict[str, tuple[str, int, str]]:
        """For each demo role: (User column, linked id, full name)."""
        pos = self.staff_by_position
        out: dict[str, tuple[str, int, str]] = {}
        for role, position in (
            ("administrator", "administrator"),
            ("director", "director"),
            ("deputy", "deputy"),
            ("clerk", "clerk"),
        ):
            staff_id = pos[position][0]
            out[role] = ("staff_id", staff_id, self.staff_names[staff_id])
        class_teachers = {cls.teacher_id for cls in self.classes}
        teachers = sorted(
            (t for t, classes in self.teacher_classes.items() if len(classes) >= 3 and t not in class_teachers),
            key=lambda t: (-len(self.teacher_classes[t]), t),
        ) or sorted(self.teacher_classes)
        out["teacher"] = ("staff_id", teachers[0], self.staff_names[teachers[0]])
        middle = sorted((c for c in self.classes if 5 <= c.grade <= 9), key=lambda c: (abs(c.grade - 7), c.letter))
        cls = middle[0] if middle else self.classes[-1]
        out["class_teacher"] = ("staff_id", cls.teacher_id, self.staff_names[cls.teacher_id])  # type: ignore[index]
        if not self.families:
            return out  # a school without pupils: parent and pupil accounts stay unlinked
        family = next(
            (f for f in self.families if len(f.children) >= 2 and any(g >= 5 for _, g in f.children)),
            None,
        ) or max(self.families, key=lambda f: (len(f.children), max(g for _, g in f.children)))
        guardian_id = next(g for g, _r, primary in family.guardians if primary)
        out["parent"] = ("guardian_id", guardian_id, self.guardian_names[guardian_id])
        # The pupil account is one of the parent's children, so the two demo views agree.
        pupils = [p for p, g in sorted(family.children, key=lambda c: -c[1]) if g >= 5 and p in self.marked_pupils]
        if not pupils:
            pupils = [p for cls in self.classes if cls.grade >= 5 for p in cls.pupils if p in self.marked_pupils]
        if pupils:
            out["pupil"] = ("pupil_id", pupils[0], self.pupil_names[pupils[0]])
        return out


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

_CHUNK = 20_000


def _uses_copy(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"


def _write(conn: Connection, table: str, rows: list[tuple]) -> None:
    """Bulk-write rows: COPY on PostgreSQL + psycopg, Core executemany elsewhere."""
    if not rows:
        return
    columns = _COLUMNS[table]
    if _uses_copy(conn):
        raw = conn.connection.driver_connection
        column_list = ", ".join(f'"{c}"' for c in columns)
        with raw.cursor() as cur, cur.copy(f'COPY "{table}" ({column_list}) FROM STDIN') as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
        return
    stmt = insert(SQLModel.metadata.tables[table])
    for start in range(0, len(rows), _CHUNK):
        conn.execute(stmt, [dict(zip(columns, row, strict=True)) for row in rows[start : start + _CHUNK]])


def _write_school(engine: Engine, rows: dict[str, list[tuple]]) -> None:
    """All rows of one school in one transaction, parents first."""
    with engine.begin() as conn:
        for table in _TABLE_ORDER:
            _write(conn, table, rows[table])


def _reset_sequences(conn: Connection, tables: Iterable[str]) -> None:
    # Explicit ids leave PostgreSQL's sequences behind; the next ORM insert would collide.
    for table in tables:
        # Table names come from _COLUMNS, never from input.
        seq = f"pg_get_serial_sequence('\"{table}\"', 'id')"
        sql = f'SELECT setval({seq}, COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM "{table}"'  # noqa: S608
        conn.execute(text(sql))


def is_empty(engine: Engine) -> bool:
    """True when the database holds no school (the demo may be loaded)."""
    with Session(engine) as session:
        return session.exec(select(School.id).limit(1)).first() is None


def _create_users(engine: Engine, school_id: int, links: dict[str, tuple[str, int, str]]) -> int:
    created = 0
    with Session(engine) as session:
        for username, role in DEMO_ACCOUNTS:
            if session.exec(select(User.id).where(User.username == username)).first() is not None:
                continue  # an earlier demo made it; keep it
            link = links.get(role)
            kwargs: dict[str, int] = {link[0]: link[1]} if link else {}
            accounts.create_user(
                session,
                username,
                role,
                DEMO_PASSWORD,
                school_id=school_id,
                full_name=link[2] if link else username,
                language="ky",
                check_password_rules=True,
                **kwargs,
            )
            created += 1
        session.commit()
    return created


def generate(
    engine: Engine,
    *,
    pupils: int | None = None,
    schools: int = 1,
    seed: int = 2025,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Write `schools` demo schools with `pupils` pupils in all (700 a school by default).

    Same seed, same database state: same data. Demo accounts (password DEMO_PASSWORD) belong to the
    first school written by this call; accounts that already exist are left alone.
    """
    if schools < 1:
        raise ValueError("schools must be at least 1")
    total = PUPILS_PER_SCHOOL * schools if pupils is None else pupils
    if total < 0:
        raise ValueError("pupils must not be negative")
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    summary = DemoSummary()
    with engine.begin() as conn:
        ids = _Ids(conn)
        pupil_table = SQLModel.metadata.tables["pupil"]
        guardian_table = SQLModel.metadata.tables["guardian"]
        school_table = SQLModel.metadata.tables["school"]
        used_pins = {p for (p,) in conn.execute(select(pupil_table.c.pin).where(pupil_table.c.pin.is_not(None)))}
        used_pins |= {p for (p,) in conn.execute(select(guardian_table.c.pin).where(guardian_table.c.pin.is_not(None)))}
        used_okpo = {o for (o,) in conn.execute(select(school_table.c.okpo))}
    used_numbers: set[int] = set()
    links: dict[str, tuple[str, int, str]] = {}
    first_school_id = 0
    write_engine = engine.execution_options(bbbms_write=True)  # SQLite: BEGIN IMMEDIATE
    # PostgreSQL spends its time in index upkeep and foreign-key checks, one core per connection:
    # schools are independent transactions with ids fixed in advance, so several are written at
    # once. SQLite has one writer; its single worker still overlaps writing with building the next.
    workers = min(4, os.cpu_count() or 1) if engine.dialect.name == "postgresql" else 1
    pending: deque[tuple[Future[None], dict[str, int]]] = deque()

    def finish_oldest() -> None:
        future, sizes = pending.popleft()
        future.result()
        summary.schools += 1
        summary.pupils += sizes["pupil"]
        summary.guardians += sizes["guardian"]
        summary.staff += sizes["staff"]
        summary.classes += sizes["schoolclass"]
        summary.lessons += sizes["lesson"]
        summary.marks += sizes["mark"]
        summary.attendance += sizes["attendance"]
        say(
            f"school {summary.schools}/{schools}: {sizes['pupil']} pupils, {sizes['lesson']} lessons, "
            f"{sizes['mark']} marks, {sizes['attendance']} absences ({time.perf_counter() - started:.1f} s)"
        )

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="demo-writer") as pool:
        try:
            for index in range(schools):
                n = total // schools + (1 if index < total % schools else 0)
                # One generator per school, seeded from the run's seed: a school's data does not
                # depend on how many draws the previous schools took (except a rare PIN clash).
                builder = _SchoolBuilder(
                    random.Random(f"bbbms-demo:{seed}:{index}"),
                    ids,
                    n,
                    used_pins,
                    used_okpo,
                    used_numbers,
                    track_links=index == 0,
                )
                builder.build()
                if index == 0:
                    links = builder.links()
                    first_school_id = builder.school_id
                sizes = {table: len(rows) for table, rows in builder.rows.items()}
                pending.append((pool.submit(_write_school, write_engine, builder.rows), sizes))
                del builder  # the writer holds the rows until they are written
                while len(pending) >= workers:
                    finish_oldest()
            while pending:
                finish_oldest()
        except BaseException:
            for future, _sizes in pending:
                future.cancel()
            raise
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            _reset_sequences(conn, _TABLE_ORDER)
            for table in ("lesson", "mark", "attendance", "pupil", "enrollment", "pupilguardian", "guardian"):
                conn.execute(text(f'ANALYZE "{table}"'))  # fresh statistics for the first queries
    summary.users = _create_users(engine, first_school_id, links)
    say(f"demo accounts: {summary.users} created (password {DEMO_PASSWORD!r})")
    summary.seconds = time.perf_counter() - started
    return summary
