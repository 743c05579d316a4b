"""Messages of the account rules and the director's approvals, the login throttle and error references."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    "accounts.error.rank": (
        "Өзүңүздүн ролуңуздай же андан жогору ролдогу эсепке өзгөртүү кире албайсыз",
        "Нельзя изменять учётную запись с ролью не ниже вашей",
        "You cannot act on an account whose role is at or above your own",
    ),
    "accounts.request_filed": (
        "Өтүнүч директорго жөнөтүлдү: ал ырастагандан кийин күчүнө кирет",
        "Запрос отправлен директору: изменение вступит в силу после его подтверждения",
        "Request sent to the director: the change takes effect once he confirms it",
    ),
    "accounts.sessions_ended": (
        "Колдонуучунун бардык сеанстары жабылды: {n}",
        "Все сеансы пользователя завершены: {n}",
        "All of the user's sessions were ended: {n}",
    ),
    "accounts.end_sessions": ("Бардык сеанстарды жабуу", "Завершить все сеансы", "End all sessions"),
    "requests.nav": ("Өтүнүчтөр", "Запросы", "Requests"),
    "requests.title": ("Эсептер боюнча өтүнүчтөр", "Запросы по учётным записям", "Account requests"),
    "requests.empty": ("Күтүлгөн өтүнүч жок", "Ожидающих запросов нет", "No pending requests"),
    "requests.account": ("Эсеп", "Учётная запись", "Account"),
    "requests.change": ("Өзгөртүү", "Изменение", "Change"),
    "requests.by": ("Ким сурады", "Кто запросил", "Requested by"),
    "requests.at": ("Качан", "Когда", "When"),
    "requests.approve": ("Ырастоо", "Подтвердить", "Approve"),
    "requests.reject": ("Четке кагуу", "Отклонить", "Reject"),
    "requests.approved": ("Өтүнүч ырасталды", "Запрос подтверждён", "Request approved"),
    "requests.rejected": ("Өтүнүч четке кагылды", "Запрос отклонён", "Request rejected"),
    "requests.kind.link": ("Адамга байланыштыруу", "Привязка к человеку", "Link to a person"),
    "requests.kind.role": ("Роль", "Роль", "Role"),
    "requests.kind.password": ("Жаңы сырсөз", "Новый пароль", "New password"),
    "error.reference": (
        "Ката кетти. Администраторго бул кодду айтыңыз: {ref}",
        "Произошла ошибка. Сообщите администратору этот код: {ref}",
        "Something went wrong. Give the administrator this code: {ref}",
    ),
    "consent.col.third_parties": (
        "Кимге берилет (үчүнчү жактар)",
        "Кому передаются (третьи лица)",
        "Passed on to (third parties)",
    ),
    "consent.third_parties_hint": (
        "Мисалы: Билим берүү министрлигинин БМС, райондук билим берүү бөлүмү",
        "Например: ИСУО Министерства образования, районный отдел образования",
        "E.g. the ministry's EMIS, the district education office",
    ),
    "export.rate_limited": (
        "Өтө көп жүктөп алуу: {seconds} секунддан кийин кайра аракет кылыңыз",
        "Слишком много выгрузок: повторите через {seconds} с",
        "Too many exports: try again in {seconds} s",
    ),
}
