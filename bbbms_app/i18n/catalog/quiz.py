"""Messages of tests (issue 18 #3): the question bank, tests, attempts, review, import and export."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    "nav.tests": ("Тесттер", "Тесты", "Tests"),
    "rights.perm.quiz.write": (
        "Тесттер: предметтин суроолор банкы, өз класстарына тест, текшерүү жана бааны журналга коюу",
        "Тесты: банк вопросов предмета, тесты своим классам, проверка и выставление оценки в журнал",
        "Tests: a subject's question bank, tests for one's classes, review and the mark to the journal",
    ),
    "rights.perm.quiz.take": (
        "Өз классына берилген тесттерди тапшыруу (окуучу)",
        "Проходить тесты, выданные своему классу (ученик)",
        "Take the tests given to one's class (a pupil)",
    ),
    "audit.entity.quiz": ("Тест", "Тест", "Test"),
    "audit.entity.quizquestion": ("Тесттин суроосу", "Вопрос теста", "Test question"),
    "audit.entity.quizattempt": ("Тестти тапшыруу аракети", "Попытка теста", "Test attempt"),
    # Refusals (services/quiz.py)
    "quiz.error.kind": ("Суроонун түрү туура эмес", "Неверный тип вопроса", "Unknown question type"),
    "quiz.error.no_text": (
        "Суроонун текстин кыргызча же орусча жазыңыз",
        "Напишите текст вопроса на кыргызском или русском",
        "Write the question in Kyrgyz or Russian",
    ),
    "quiz.error.too_long": (
        "Өтө узун: эң көп {max} белги",
        "Слишком длинно: не больше {max} знаков",
        "Too long: at most {max} characters",
    ),
    "quiz.error.points": ("Упай 1ден 100гө чейин", "Баллы от 1 до 100", "Points from 1 to 100"),
    "quiz.error.options": (
        "Жооптун варианттары 2ден {max}гө чейин болот",
        "Вариантов ответа от 2 до {max}",
        "From 2 to {max} options",
    ),
    "quiz.error.empty_option": ("Бош вариант бар", "Есть пустой вариант", "An option is empty"),
    "quiz.error.same_options": (
        "Эки вариант бирдей",
        "Два варианта совпадают",
        "Two options are the same",
    ),
    "quiz.error.key": (
        "Туура жооп көрсөтүлгөн эмес же туура эмес жазылган",
        "Правильный ответ не указан или записан неверно",
        "The right answer is missing or malformed",
    ),
    "quiz.error.match_pair": (
        "Дал келтирүүнүн ар бир жупу «сол = оң» түрүндө жазылат",
        "Каждая пара соответствия записывается как «левое = правое»",
        "Each matching pair is written «left = right»",
    ),
    "quiz.error.no_title": ("Тесттин аталышын жазыңыз", "Напишите название теста", "Give the test a title"),
    "quiz.error.no_class": ("Жок дегенде бир класс тандаңыз", "Выберите хотя бы один класс", "Pick at least one class"),
    "quiz.error.window": (
        "Тест ачылган убакыт жабылган убакыттан мурун болушу керек",
        "Тест должен открываться раньше, чем закрываться",
        "The test must open before it closes",
    ),
    "quiz.error.time_limit": (
        "Убакыт 1ден 300 мүнөткө чейин",
        "Время от 1 до 300 минут",
        "The time limit is 1 to 300 minutes",
    ),
    "quiz.error.attempts": ("Аракет саны 1ден 10го чейин", "Попыток от 1 до 10", "From 1 to 10 attempts"),
    "quiz.error.mark_kind": ("Баанын түрү туура эмес", "Неверный вид оценки", "Unknown mark kind"),
    "quiz.error.questions": (
        "Суроолор бул предметтин банкынан болушу керек",
        "Вопросы должны быть из банка этого предмета",
        "The questions must come from this subject's bank",
    ),
    "quiz.error.draw": (
        "Теманын суроолорунан канчасы берилерин 1ден {available}гө чейин көрсөтүңүз",
        "Укажите, сколько вопросов темы выдать: от 1 до {available}",
        "Say how many of the topic's questions to draw: 1 to {available}",
    ),
    "quiz.error.lesson": (
        "Бул сабак ошол класстын ушул предмети боюнча эмес",
        "Этот урок не того класса или предмета",
        "That lesson is not of this class and subject",
    ),
    "quiz.error.not_open": ("Тест азырынча ачыла элек", "Тест ещё не открыт", "The test is not open yet"),
    "quiz.error.closed": ("Тест жабылган", "Тест закрыт", "The test is closed"),
    "quiz.error.no_attempts": (
        "Аракеттердин баары колдонулду ({attempts})",
        "Все попытки использованы ({attempts})",
        "Every attempt has been used ({attempts})",
    ),
    "quiz.error.answer": ("Жооп туура эмес жөнөтүлдү", "Ответ передан неверно", "The answer is malformed"),
    "quiz.error.submitted": ("Тест тапшырылып бүткөн", "Тест уже сдан", "The test is already handed in"),
    "quiz.error.time_over": (
        "Убакыт бүттү: жооп сакталган жок",
        "Время вышло: ответ не сохранён",
        "Time is over: the answer was not saved",
    ),
    "quiz.error.late": (
        "Убакыт бүттү: тест убагында сакталган жооптор менен жабылды",
        "Время вышло: тест закрыт с ответами, сохранёнными вовремя",
        "Time is over: the test closed with the answers saved in time",
    ),
    "quiz.error.not_submitted": (
        "Окуучу тестти али тапшыра элек",
        "Ученик ещё не сдал тест",
        "The pupil has not handed the test in yet",
    ),
    "quiz.error.override": (
        "Упай 0дөн {max}гө чейин",
        "Баллы от 0 до {max}",
        "Points from 0 to {max}",
    ),
    "quiz.error.no_lesson": (
        "Адегенде бул класстын журналынан баа коюла турган сабакты тандаңыз",
        "Сначала выберите урок в журнале этого класса, куда ставится оценка",
        "First pick the lesson of this class's journal that gets the mark",
    ),
    "quiz.error.no_marks": (
        "Бул класстын баалоо саясаты баа койбойт",
        "Политика оценивания этого класса не ставит оценок",
        "This class's grading policy gives no marks",
    ),
    "quiz.import.refused": (
        "Файл жүктөлгөн жок: {count} сапта ката бар",
        "Файл не загружен: ошибок в строках — {count}",
        "Nothing was imported: {count} rows have errors",
    ),
    "quiz.import.row": (
        "{row}-сап, «{column}» тилкеси: {problem}",
        "Строка {row}, столбец «{column}»: {problem}",
        "Row {row}, column «{column}»: {problem}",
    ),
    "quiz.import.columns": (
        "Файлда бул тилкелер жок: {columns}",
        "В файле нет столбцов: {columns}",
        "The file lacks the columns: {columns}",
    ),
    "quiz.import.formula": (
        "Формула кабыл алынбайт, текст же сан жазыңыз",
        "Формулы не принимаются, впишите текст или число",
        "Formulas are not taken; type text or a number",
    ),
}
