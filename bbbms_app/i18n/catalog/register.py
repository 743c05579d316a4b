"""Messages of the register of internal documents (issue 17 #5)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    "nav.documents": ("Документтер", "Документы", "Documents"),
    "rights.perm.document.read": (
        "Ички документтердин реестрин окуу, өзүнө жиберилгендери менен таанышуу",
        "Читать реестр внутренних документов, ознакамливаться с адресованными себе",
        "Read the register of internal documents, acknowledge those addressed to one",
    ),
    "rights.perm.document.write": (
        "Документти долбоор катары каттоо, өз документинин жаңы версиясын кошуу",
        "Регистрировать документы как черновики, добавлять новые версии своих",
        "Register documents as drafts and add new versions of one's own",
    ),
    "rights.perm.document.approve": (
        "Документтерди бекитүү (номер берүү) жана жокко чыгаруу",
        "Утверждать (присваивать номер) и отменять документы",
        "Approve (number) and cancel documents",
    ),
    "audit.entity.document": ("Документ", "Документ", "Document"),
    "audit.entity.document_version": ("Документтин версиясы", "Версия документа", "Document version"),
    "audit.entity.document_ack": ("Документ менен таанышуу", "Ознакомление с документом", "Document acknowledged"),
    "docs.kind.order": ("Буйрук", "Приказ", "Order"),
    "docs.kind.plan": ("План", "План", "Plan"),
    "docs.kind.minutes": ("Педкеңештин протоколу", "Протокол педсовета", "Minutes of the pedagogical council"),
    "docs.kind.local_act": ("Локалдык акт", "Локальный акт", "Local act"),
    "docs.kind.report": ("Отчет", "Отчёт", "Report"),
    "docs.kind.other": ("Башка", "Другое", "Other"),
    "docs.kind_all": ("Бардык түрлөрү", "Все виды", "All kinds"),
    "docs.status.draft": ("Долбоор", "Черновик", "Draft"),
    "docs.status.approved": ("Бекитилген", "Утверждён", "Approved"),
    "docs.status.cancelled": ("Жокко чыгарылган", "Отменён", "Cancelled"),
    "docs.search": (
        "Издөө: аталышы, мазмуну",  # short enough for a phone's 375 px field
        "Поиск: название, описание",
        "Search: title, description",
    ),
    "docs.none": ("Документтер табылган жок", "Документы не найдены", "No documents found"),
    "docs.new": ("Жаңы документ", "Новый документ", "New document"),
    "docs.create": ("Долбоор катары каттоо", "Зарегистрировать черновик", "Register as a draft"),
    "docs.close": ("Жабуу", "Закрыть", "Close"),
    "docs.created": (
        "Долбоор катталды. Эми анын файлын кошуңуз.",
        "Черновик зарегистрирован. Теперь добавьте его файл.",
        "The draft is registered. Now add its file.",
    ),
    "docs.field.kind": ("Түрү", "Вид", "Kind"),
    "docs.field.date": ("Күнү", "Дата", "Date"),
    "docs.field.title": ("Аталышы", "Название", "Title"),
    "docs.field.description": ("Кыскача мазмуну", "Краткое содержание", "Description"),
    "docs.field.readers": ("Ким окуйт", "Кто читает", "Who reads it"),
    "docs.field.retention": ("Сактоо мөөнөтү, жыл", "Срок хранения, лет", "Kept for, years"),
    "docs.retention_default": ("Түрү боюнча демейки", "По умолчанию для вида", "The kind's default"),
    "docs.readers_help": (
        "Эч ким тандалбаса — мектептин бардык кызматкерлери. Долбоорду автору, директор жана орун басары гана көрөт.",
        "Если никто не выбран — все сотрудники школы. Черновик видят только автор, директор и заместитель.",
        "Nobody chosen: all staff of the school. A draft is seen only by its author, the director and the deputy.",
    ),
    "docs.add_person": ("Кызматкерди кошуу", "Добавить сотрудника", "Add a member of staff"),
    "docs.author": ("Автору", "Автор", "Author"),
    "docs.approved_by": ("Бекиткен", "Утвердил", "Approved by"),
    "docs.retention_line": (
        "Сактоо мөөнөтү: {n} жыл ({year}-жылга чейин)",
        "Срок хранения: {n} лет (до {year} года)",
        "Kept for {n} years (until {year})",
    ),
    "docs.from_movement": ("Кыймыл китебинен", "Из книги движения", "From the movement book"),
    "docs.versions": ("Версиялар", "Версии", "Versions"),
    "docs.no_file": ("Файл азырынча жок", "Файла пока нет", "No file yet"),
    "docs.upload": (
        "Жаңы версиянын файлын тандаңыз: PDF, Word, Excel, OpenDocument, 20 МБ чейин",
        "Выберите файл новой версии: PDF, Word, Excel, OpenDocument, до 20 МБ",
        "Choose the new version's file: PDF, Word, Excel, OpenDocument, up to 20 MB",
    ),
    "docs.version_added": ("{n}-версия кошулду", "Добавлена версия {n}", "Version {n} added"),
    "docs.ack": ("Окудум, тааныштым", "Прочитал(а), ознакомлен(а)", "Read and acknowledged"),
    "docs.acked": ("Таанышканыңыз белгиленди", "Ознакомление отмечено", "Your acknowledgement is recorded"),
    "docs.acked_you": ("Сиз тааныштыңыз", "Вы ознакомлены", "You have acknowledged it"),
    "docs.acked_list": ("Таанышкандар", "Ознакомились", "Acknowledged"),
    "docs.not_acked_list": ("Тааныша электер", "Ещё не ознакомились", "Not yet acknowledged"),
    "docs.approve": ("Бекитүү жана номер берүү", "Утвердить и присвоить номер", "Approve and number"),
    "docs.approved_toast": ("Бекитилди: {number}", "Утверждён: {number}", "Approved: {number}"),
    "docs.cancel": ("Жокко чыгаруу", "Отменить", "Cancel it"),
    "docs.cancel_reason": ("Жокко чыгаруунун себеби", "Причина отмены", "Reason for cancelling"),
    "docs.cancelled_reason": ("Жокко чыгарылды", "Отменён", "Cancelled"),
    "docs.cancelled_toast": ("Документ жокко чыгарылды", "Документ отменён", "The document is cancelled"),
    "docs.error.kind": ("Документтин түрүн тандаңыз", "Выберите вид документа", "Choose the document's kind"),
    "docs.error.title": ("Аталышын жазыңыз", "Укажите название", "Enter the title"),
    "docs.error.too_long": (
        "Текст өтө узун (эң көп {max} белги)",
        "Текст слишком длинный (не больше {max} знаков)",
        "The text is too long (at most {max} characters)",
    ),
    "docs.error.readers": (
        "Тандалган ролдор же кызматкерлер туура эмес",
        "Неверно выбраны роли или сотрудники",
        "The chosen roles or staff are not valid",
    ),
    "docs.error.retention": (
        "Сактоо мөөнөтү 1ден 100 жылга чейин",
        "Срок хранения — от 1 до 100 лет",
        "The retention period is 1 to 100 years",
    ),
    "docs.error.file": ("Бир файл тандаңыз", "Выберите один файл", "Choose one file"),
    "docs.error.cancelled": (
        "Жокко чыгарылган документке жаңы версия кошулбайт",
        "К отменённому документу нельзя добавить версию",
        "A cancelled document takes no new version",
    ),
    "docs.error.busy": (
        "Ошол эле учурда башка өзгөртүү болду, кайра аракет кылыңыз",
        "В тот же момент было другое изменение, попробуйте ещё раз",
        "Another change happened at the same moment, try again",
    ),
    "docs.error.not_draft": (
        "Долбоор гана бекитилет",
        "Утвердить можно только черновик",
        "Only a draft can be approved",
    ),
    "docs.error.no_file": (
        "Бекитүүдөн мурун документтин файлын кошуңуз",
        "Перед утверждением добавьте файл документа",
        "Add the document's file before approving it",
    ),
    "docs.error.not_approved": (
        "Бекитилген документ гана жокко чыгарылат",
        "Отменить можно только утверждённый документ",
        "Only an approved document can be cancelled",
    ),
    "docs.error.reason": ("Жокко чыгаруунун себебин жазыңыз", "Укажите причину отмены", "Enter the reason"),
    "docs.error.not_addressed": (
        "Бул документ сизге жиберилген эмес же бекитиле элек",
        "Этот документ вам не адресован или ещё не утверждён",
        "This document is not addressed to you or not approved yet",
    ),
}

# Announcements (issue 17 #1's remainder): named people and attachments.
MESSAGES.update(
    {
        "comm.audience.people": ("Аты аталган адамдарга", "Выбранным людям", "Named people"),
        "comm.field.people": ("Кимдерге", "Кому именно", "To whom exactly"),
        "comm.add_person": ("Адам кошуу", "Добавить человека", "Add a person"),
        "comm.attach": (
            "Файл тиркөө: PDF, сүрөт, Word, Excel, 10 МБ чейин",
            "Прикрепить файл: PDF, фото, Word, Excel, до 10 МБ",
            "Attach a file: PDF, photo, Word, Excel, up to 10 MB",
        ),
        "comm.error.people": (
            "Жок дегенде бир адамды тандаңыз",
            "Выберите хотя бы одного человека",
            "Choose at least one person",
        ),
        "comm.error.too_many_people": (
            "Эң көп {n} адам; көбүрөөк болсо, ролго же класска жазыңыз",
            "Не больше {n} человек; если больше — пишите роли или классу",
            "At most {n} people; for more, write to a role or a class",
        ),
        "comm.error.files": ("Эң көп {n} файл", "Не больше {n} файлов", "At most {n} files"),
        "comm.error.file_gone": (
            "Тиркелген файл табылган жок, аны кайра тиркеңиз",
            "Прикреплённый файл не найден, прикрепите его снова",
            "An attached file is gone, attach it again",
        ),
        "audit.entity.announcement_file": ("Кулактандыруунун файлы", "Файл объявления", "Announcement file"),
    }
)
