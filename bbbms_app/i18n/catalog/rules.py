"""Messages of the school's rules on names and PINs: mixed alphabets, look-alike letters, the same
person typed twice, and the PIN's warnings on the pupil form."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    "names.mixed.latin": (
        "«{word}» сөзүндө кирилл тамгаларынын арасында латын тамгалары бар ({letters}): "
        "«{suggestion}» деп жазуу керекпи?",
        "В слове «{word}» среди кириллицы есть латинские буквы ({letters}): может быть, «{suggestion}»?",
        "«{word}» has Latin letters among Cyrillic ones ({letters}): did you mean «{suggestion}»?",
    ),
    "names.mixed.cyrillic": (
        "«{word}» сөзүндө латын тамгаларынын арасында кирилл тамгалары бар ({letters}): "
        "«{suggestion}» деп жазуу керекпи?",
        "В слове «{word}» среди латиницы есть кириллические буквы ({letters}): может быть, «{suggestion}»?",
        "«{word}» has Cyrillic letters among Latin ones ({letters}): did you mean «{suggestion}»?",
    ),
    "names.mixed.other": (
        "«{word}» сөзүндө ар башка алфавиттердин тамгалары аралашкан ({letters}): бир алфавит менен кайра териңиз",
        "В слове «{word}» смешаны буквы разных алфавитов ({letters}): наберите его заново одним алфавитом",
        "«{word}» mixes letters of different alphabets ({letters}): type it again in one alphabet",
    ),
    "names.lookalike": (
        "«{word}» сөзүндө кыргыз тамгасына окшош, бирок башка тамга бар ({letters}): «{suggestion}» деп жазуу керекпи?",
        "В слове «{word}» есть буква, похожая на киргизскую, но другая ({letters}): может быть, «{suggestion}»?",
        "«{word}» has a letter that looks Kyrgyz but is not ({letters}): did you mean «{suggestion}»?",
    ),
    "names.same_person": (
        "Ушул эле аты-жөнү жана туулган күнү менен адам тизмеде бар: {person}",
        "Человек с такими же фамилией, именем, отчеством и датой рождения уже есть в списке: {person}",
        "A person with the same name and birth date is already on the list: {person}",
    ),
    "admin.warnings_confirm": (
        "Белгиленген талааларды текшериңиз. Туура болсо, ырастоо үчүн «Сактоо» дегенди дагы бир жолу басыңыз",
        "Проверьте отмеченные поля. Если всё верно, нажмите «Сохранить» ещё раз, чтобы подтвердить",
        "Check the marked fields. If they are right, press Save again to confirm",
    ),
    "admin.import.warnings": (
        "Эскертүүлөр: {n} (ПИН туулган күнгө же жынысына дал келбейт)",
        "Предупреждений: {n} (ПИН не совпадает с датой рождения или полом)",
        "Warnings: {n} (a PIN disagrees with the birth date or sex)",
    ),
    "rights.action.confirm": ("Эскертүү ырасталды", "Предупреждение подтверждено", "Warning confirmed"),
    "exams.error.grade": (
        "{grade}-класста экзамен жана жыйынтык баалар жок: алар 9- жана 11-класстарда гана коюлат",
        "В {grade}-м классе нет экзаменационных и итоговых оценок: они ставятся только в 9-х и 11-х классах",
        "Grade {grade} has no exam or final marks: only grades 9 and 11 have them",
    ),
    "exams.nav": ("Экзамендер", "Экзамены", "Exams"),
    "exams.title": (
        "Экзамендик жана жыйынтык баалар (9-, 11-класстар)",
        "Экзаменационные и итоговые оценки (9-е, 11-е классы)",
        "Exam and final marks (grades 9 and 11)",
    ),
    "exams.hint": (
        "Жыйынтык баа сунушталат: (жылдык + экзамен) / 2, тең болсо окуучунун пайдасына. "
        "Сунуштан башка баага себеп жазылат",
        "Итоговая оценка предлагается как (годовая + экзамен) / 2, при равенстве — в пользу ученика. "
        "Для другой оценки нужна причина",
        "The final mark is suggested as (year + exam) / 2, a tie in the pupil's favour. Another mark needs a reason",
    ),
    "exams.empty": (
        "Бул окуу жылында сиз ача турган 9- же 11-класс жок",
        "В этом учебном году нет 9-х или 11-х классов, доступных вам",
        "No grade 9 or 11 class of this school year is open to you",
    ),
    "exams.col.year": ("Жылдык", "Годовая", "Year"),
    "exams.col.senior": ("10–11-кл. орточо", "Среднее за 10–11 кл.", "Grades 10–11 mean"),
    "exams.hint.senior": (
        "11-класста «жылдык» ордуна 10- жана 11-класстардын жарым жылдык жана жылдык бааларынын орточосу "
        "алынат (математикалык тегеректөө менен)",
        "В 11-м классе вместо годовой берётся среднее полугодовых и годовых оценок за 10-й и 11-й классы "
        "(с математическим округлением)",
        "In grade 11 the year mark is replaced by the mean of the half-year and year marks of grades 10 and 11 "
        "(rounded mathematically)",
    ),
    "exams.col.exam": ("Экзамен", "Экзамен", "Exam"),
    "exams.col.final": ("Жыйынтык", "Итоговая", "Final"),
    "exams.saved": ("Баа сакталды", "Оценка сохранена", "Mark saved"),
}
