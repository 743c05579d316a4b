"""Messages of tests, second part (issue 18 #3): answers kept offline, the countdown, editing the bank
and a test's questions, the family's results."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    # Answers kept by the browser while offline (assets/quiz_answers.js, QuizState.sync_answers)
    "quiz.kept_here": (
        "Бул телефондо сакталды: байланыш калыбына келгенде жөнөтүлөт",
        "Сохранено на этом телефоне: отправится, когда появится связь",
        "Kept on this phone: sent when the connection is back",
    ),
    "quiz.outbox": (
        "жооп байланышты күтүүдө",
        "ответ(ов) ждут связи",
        "answer(s) waiting for the connection",
    ),
    "quiz.offline.late": (
        "Убакыт бүткөндөн кийин келген {count} жооп эсептелген жок",
        "Ответов, пришедших после окончания времени, не засчитано: {count}",
        "{count} answer(s) arrived after the time was over and were not counted",
    ),
    # The countdown
    "quiz.time_left": ("Калган убакыт", "Осталось времени", "Time left"),
    "quiz.time_up": (
        "Убакыт бүттү: тест тапшырылды",
        "Время вышло: тест сдан",
        "Time is up: the test was handed in",
    ),
    # Editing the bank
    "quiz.edit": ("Өзгөртүү", "Изменить", "Edit"),
    "quiz.editing": (
        "Суроону өзгөртүү (версия {n})",
        "Изменение вопроса (версия {n})",
        "Editing the question (version {n})",
    ),
    "quiz.edit_help": (
        "Суроону тапшырган окуучулар бар болсо, жаңы версия түзүлөт: алардын жооптору мурунку версия "
        "боюнча калат жана бааланат.",
        "Если вопрос уже попался ученикам, создаётся новая версия: их ответы остаются при прежней версии "
        "и оцениваются по ней.",
        "If pupils were already given the question, a new version is made: their answers stay with the "
        "version they answered and are graded on it.",
    ),
    "quiz.save_question": ("Өзгөртүүнү сактоо", "Сохранить изменения", "Save the changes"),
    "quiz.cancel": ("Жокко чыгаруу", "Отмена", "Cancel"),
    "quiz.field.reason": ("Өчүрүүнүн себеби", "Причина удаления", "Reason for deleting"),
    "quiz.delete_question": ("Банктан өчүрүү", "Удалить из банка", "Delete from the bank"),
    "quiz.question_saved": ("Суроо сакталды", "Вопрос сохранён", "Question saved"),
    "quiz.question_deleted": ("Суроо банктан өчүрүлдү", "Вопрос удалён из банка", "Question deleted from the bank"),
    "quiz.confirm_delete": (
        "Суроону банктан өчүрөсүзбү? Аны «Өчүрүлгөн суроолор» тизмесинен кайра калыбына келтирсе болот;"
        " тесттерге кайра өзүңүз кошосуз.",
        "Удалить вопрос из банка? Его можно вернуть из списка «Удалённые вопросы»; в тесты его нужно добавить заново.",
        "Delete the question from the bank? It can be brought back from «Deleted questions»; add it to"
        " the tests again yourself.",
    ),
    "quiz.deleted_questions": ("Өчүрүлгөн суроолор", "Удалённые вопросы", "Deleted questions"),
    "quiz.restore": ("Калыбына келтирүү", "Восстановить", "Restore"),
    "quiz.question_restored": (
        "Суроо банкка кайтарылды",
        "Вопрос возвращён в банк",
        "The question is back in the bank",
    ),
    "quiz.version": ("в.", "в.", "v."),
    "quiz.error.no_question": ("Суроо тандалган жок", "Вопрос не выбран", "No question chosen"),
    "quiz.error.reason": (
        "Өчүрүүнүн себебин жазыңыз",
        "Напишите причину удаления",
        "Write the reason for deleting",
    ),
    "quiz.error.last_question": (
        "«{title}» тестинде бул суроодон башка суроо жок: адегенде тесттин суроолорун өзгөртүңүз",
        "В тесте «{title}» нет других вопросов: сначала измените вопросы теста",
        "The test «{title}» has no other question: change the test's questions first",
    ),
    # A test's question list
    "quiz.save_test_questions": (
        "Тесттин суроолору: банкта белгиленгендер",
        "Вопросы теста: отмеченные в банке",
        "The test's questions: those ticked in the bank",
    ),
    "quiz.questions_saved": (
        "Тесттин суроолору сакталды (башталган аракеттер өз суроолорун сактайт)",
        "Вопросы теста сохранены (начатые попытки сохраняют свои вопросы)",
        "The test's questions were saved (attempts already started keep theirs)",
    ),
    "quiz.error.no_quiz": ("Тест тандалган жок", "Тест не выбран", "No test chosen"),
    # The family's results on /tests
    "quiz.family_title": ("Балдардын тест жыйынтыктары", "Результаты тестов детей", "The children's test results"),
    "quiz.family_none": (
        "Балдарыңыз азырынча тест тапшыра элек",
        "Ваши дети пока не проходили тесты",
        "Your children have not taken a test yet",
    ),
    "quiz.col.test": ("Тест", "Тест", "Test"),
    "quiz.col.subject": ("Предмет", "Предмет", "Subject"),
    "quiz.col.when": ("Качан", "Когда", "When"),
    "quiz.state.submitted": ("Тапшырылды", "Сдан", "Handed in"),
    "quiz.attempt_n": ("{n}-аракет", "Попытка {n}", "Attempt {n}"),
}
