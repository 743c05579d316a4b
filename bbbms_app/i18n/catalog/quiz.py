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

MESSAGES.update(
    {
        "quiz.error.when": (
            "Күнүн жана убактысын толук жазыңыз",
            "Укажите дату и время полностью",
            "Give the full date and time",
        ),
        "quiz.error.no_attempt": ("Тест ачылган эмес", "Тест не открыт", "No test is open"),
        "quiz.error.no_subject": ("Адегенде предметти тандаңыз", "Сначала выберите предмет", "Pick a subject first"),
        "quiz.submitted": ("Тест тапшырылды", "Тест сдан", "The test is handed in"),
        "quiz.question_added": ("Суроо банкка кошулду", "Вопрос добавлен в банк", "The question is in the bank"),
        "quiz.imported": ("Суроолор кошулду: {count}", "Добавлено вопросов: {count}", "Questions added: {count}"),
        "quiz.created": ("Тест берилди", "Тест выдан", "The test is given"),
        "quiz.confirmed": (
            "Баа журналга коюлду: {mark}",
            "Оценка выставлена в журнал: {mark}",
            "The mark is in the journal: {mark}",
        ),
        "quiz.pick_pair": ("Жубун тандаңыз", "Выберите пару", "Pick its pair"),
        "quiz.your_answer": ("Жообуңуз", "Ваш ответ", "Your answer"),
        "quiz.saved": ("Жооп сакталды", "Ответ сохранён", "Answer saved"),
        "quiz.saved_as_you_go": (
            "Ар бир жооп ошол замат сакталат: барак жаңырса же байланыш үзүлсө, эч нерсе жоголбойт.",
            "Каждый ответ сохраняется сразу: при обновлении страницы или обрыве связи ничего не теряется.",
            "Every answer is saved at once: a reload or a dropped connection loses nothing.",
        ),
        "quiz.result": ("Жыйынтык", "Результат", "Result"),
        "quiz.deadline": ("Тапшыруунун акыркы убактысы", "Сдать до", "Hand in by"),
        "quiz.submit": ("Тестти тапшыруу", "Сдать тест", "Hand the test in"),
        "quiz.back": ("Тесттердин тизмесине", "К списку тестов", "Back to the tests"),
        "quiz.limit": ("{n} мүнөт", "{n} мин", "{n} min"),
        "quiz.attempts_used": ("аракет: {n}", "попытки: {n}", "attempts: {n}"),
        "quiz.start": ("Баштоо", "Начать", "Start"),
        "quiz.continue": ("Улантуу", "Продолжить", "Continue"),
        "quiz.state.coming": ("Али ачыла элек", "Ещё не открыт", "Not open yet"),
        "quiz.state.done": ("Тапшырылды", "Сдан", "Handed in"),
        "quiz.state.closed": ("Жабылган", "Закрыт", "Closed"),
        "quiz.state.running": ("Тапшырып жатат", "Проходит", "In progress"),
        "quiz.state.confirmed": ("Журналда", "В журнале", "In the journal"),
        "quiz.none_for_you": (
            "Азырынча сиздин классыңызга тест берилген жок",
            "Вашему классу пока не выдано тестов",
            "No tests have been given to your class yet",
        ),
        "quiz.kind.single": ("Бир туура жооп", "Один верный ответ", "Single choice"),
        "quiz.kind.multi": ("Бир нече туура жооп", "Несколько верных ответов", "Multiple choice"),
        "quiz.kind.text": ("Кыска жооп", "Краткий ответ", "Short answer"),
        "quiz.kind.number": ("Сан", "Число", "Number"),
        "quiz.kind.match": ("Дал келтирүү", "Соответствие", "Matching"),
        "quiz.kind.order": ("Иретке келтирүү", "Упорядочивание", "Ordering"),
        "quiz.bank": ("Суроолор банкы", "Банк вопросов", "Question bank"),
        "quiz.bank_empty": ("Банкта азырынча суроо жок", "В банке пока нет вопросов", "The bank has no questions yet"),
        "quiz.new_question": ("Жаңы суроо", "Новый вопрос", "New question"),
        "quiz.field.topic": ("Тема", "Тема", "Topic"),
        "quiz.field.kind": ("Суроонун түрү", "Тип вопроса", "Question type"),
        "quiz.field.question": ("Суроо", "Вопрос", "Question"),
        "quiz.field.answer": ("Туура жооп", "Правильный ответ", "Right answer"),
        "quiz.field.points": ("Упай", "Баллы", "Points"),
        "quiz.field.text_ky": ("Суроо кыргызча", "Вопрос на кыргызском", "Question in Kyrgyz"),
        "quiz.field.text_ru": ("Суроо орусча", "Вопрос на русском", "Question in Russian"),
        "quiz.field.options": ("Варианттар", "Варианты", "Options"),
        "quiz.form_help": (
            "Варианттар «|» же жаңы сап менен бөлүнөт; кыргызча жана орусча текст «кы // ру». "
            "Туура жооп: варианттын номери (бир нечеси үтүр менен), кыска жооптун "
            "кабыл алынган варианттары «|» менен, сан «3,14 ± 0,01». Дал келтирүүдө ар бир вариант «сол = оң»; "
            "иретке келтирүүдө варианттар туура иретте жазылат.",
            "Варианты через «|» или с новой строки; текст на кыргызском и русском — «кы // ру». "
            "Правильный ответ: номер варианта (несколько — через запятую), принимаемые краткие ответы через «|», "
            "число «3,14 ± 0,01». В соответствии каждый вариант «левое = правое»; "
            "в упорядочивании варианты пишутся в верном порядке.",
            "Options split by «|» or new lines; Kyrgyz and Russian text as «ky // ru». "
            "Right answer: the option's number (several: with commas), accepted short answers split by «|», "
            "a number as «3.14 ± 0.01». Matching: each option «left = right»; "
            "ordering: the options in their right order.",
        ),
        "quiz.add_question": ("Суроону кошуу", "Добавить вопрос", "Add the question"),
        "quiz.import": ("Excel файлдан жүктөө", "Загрузка из Excel", "Import from Excel"),
        "quiz.import_help": (
            "Биринчи сапта тилкелер: kind, topic, question_ky, question_ru, options, answer, points. "
            "Бир да катасы бар сап болсо, эч бир суроо кошулбайт.",
            "В первой строке столбцы: kind, topic, question_ky, question_ru, options, answer, points. "
            "Если хоть одна строка с ошибкой, не добавляется ни один вопрос.",
            "First row, the columns: kind, topic, question_ky, question_ru, options, answer, points. "
            "If any row has an error, no question is added.",
        ),
        "quiz.import_drop": (
            "XLSX файлды бул жерге таштаңыз же басыңыз",
            "Перетащите XLSX сюда или нажмите",
            "Drop an XLSX file here or click",
        ),
        "quiz.new_test": ("Жаңы тест", "Новый тест", "New test"),
        "quiz.field.title": ("Тесттин аталышы", "Название теста", "Title"),
        "quiz.field.classes": ("Кайсы класстарга", "Каким классам", "To which classes"),
        "quiz.chosen": (
            "Банктан тандалган суроолор: {n} (же төмөндө теманы жана санын жазыңыз)",
            "Выбрано вопросов из банка: {n} (или укажите ниже тему и число)",
            "Questions chosen from the bank: {n} (or give a topic and a number below)",
        ),
        "quiz.field.draw_topic": ("Теманын суроолорунан", "Из вопросов темы", "From the topic's questions"),
        "quiz.field.draw_count": ("Канча суроо (кокустан)", "Сколько вопросов (случайно)", "How many (at random)"),
        "quiz.field.limit": ("Убакыт, мүнөт", "Время, минут", "Time limit, minutes"),
        "quiz.course": ("Курс", "Курс", "Course"),
        "quiz.error.course_subject": (
            "Тест курстун предмети боюнча болушу керек",
            "Тест должен быть по предмету курса",
            "The test must be of the course's subject",
        ),
        "quiz.field.attempts": ("Аракет саны", "Число попыток", "Attempts allowed"),
        "quiz.field.opens": ("Ачылат", "Открывается", "Opens"),
        "quiz.field.closes": ("Жабылат", "Закрывается", "Closes"),
        "quiz.field.mark_kind": ("Журналдагы баанын түрү", "Вид оценки в журнале", "Mark kind in the journal"),
        "quiz.field.subject": ("Предмет", "Предмет", "Subject"),
        "quiz.create": ("Тестти берүү", "Выдать тест", "Give the test"),
        "quiz.export_moodle": ("Moodle XML", "Moodle XML", "Moodle XML"),
        "quiz.lesson_for": (
            "{class} классынын баа коюла турган сабагы",
            "Урок {class}, куда ставится оценка",
            "The lesson of {class} that gets the mark",
        ),
        "quiz.pick_lesson": ("Сабакты тандаңыз", "Выберите урок", "Pick the lesson"),
        "quiz.attempts_title": ("Окуучулардын аракеттери", "Попытки учеников", "Pupils' attempts"),
        "quiz.col.pupil": ("Окуучу", "Ученик", "Pupil"),
        "quiz.col.class": ("Класс", "Класс", "Class"),
        "quiz.col.score": ("Упай", "Баллы", "Score"),
        "quiz.col.mark": ("Баа", "Оценка", "Mark"),
        "quiz.review": ("Жоопторду текшерүү", "Проверка ответов", "Review"),
        "quiz.confirm": ("Журналга коюу", "В журнал", "To the journal"),
        "quiz.per_question": (
            "Суроолор боюнча (көбү ката кеткендери башында)",
            "По вопросам (сначала те, где больше ошибок)",
            "Per question (most got wrong first)",
        ),
        "quiz.wrong_of": ("{n} окуучудан {wrong} ката", "ошибок {wrong} из {n}", "{wrong} wrong of {n}"),
        "quiz.given": ("Окуучунун жообу", "Ответ ученика", "The pupil's answer"),
        "quiz.auto": ("Автоматтык упай", "Баллы автоматически", "Automatic points"),
        "quiz.override": ("Мугалимдин упайы", "Баллы учителя", "Teacher's points"),
        "quiz.no_subjects": (
            "Сиз сабак берген предмет табылган жок",
            "Не найдено предметов, которые вы ведёте",
            "No subjects you teach were found",
        ),
        "quiz.tests": ("Берилген тесттер", "Выданные тесты", "Tests given"),
        "quiz.submitted_n": ("тапшырды: {n}", "сдали: {n}", "handed in: {n}"),
        "quiz.results": ("Жыйынтыктар", "Результаты", "Results"),
        "quiz.none_given": ("Азырынча тест берилген жок", "Тесты пока не выданы", "No tests given yet"),
        "quiz.error.image": (
            "Сүрөт JPEG же PNG болушу керек (эң көп 2 МБ)",
            "Картинка должна быть JPEG или PNG (не больше 2 МБ)",
            "The picture must be a JPEG or PNG (at most 2 MB)",
        ),
        "quiz.image_drop": (
            "Суроонун сүрөтү (милдеттүү эмес): JPEG же PNG",
            "Картинка к вопросу (необязательно): JPEG или PNG",
            "A picture for the question (optional): JPEG or PNG",
        ),
        "quiz.image_attached": (
            "Сүрөт тиркелди ({kb} КБ)",
            "Картинка прикреплена ({kb} КБ)",
            "Picture attached ({kb} KB)",
        ),
        "quiz.nothing_here": ("Бул бет сиз үчүн эмес", "Эта страница не для вас", "Nothing here for you"),
    }
)
