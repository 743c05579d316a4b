"""Messages of the consent area: consent register and card, personal fields, subject access, marked exports."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    # Navigation and page
    "nav.consents": ("Макулдуктар", "Согласия", "Consents"),
    "consent.register_title": (
        "Жеке маалыматтарды иштетүүгө макулдуктардын реестри",
        "Реестр согласий на обработку персональных данных",
        "Register of consents to personal-data processing",
    ),
    "consent.type.pupil": ("Окуучулар", "Ученики", "Pupils"),
    "consent.type.guardian": ("Ата-энелер", "Родители", "Parents"),
    "consent.type.staff": ("Кызматкерлер", "Сотрудники", "Staff"),
    # Statuses
    "consent.status.active": ("Күчүндө", "Действует", "Active"),
    "consent.status.withdrawn": ("Кайтарылып алынган", "Отозвано", "Withdrawn"),
    "consent.status.expired": ("Мөөнөтү бүткөн", "Истекло", "Expired"),
    "consent.status.missing": ("Макулдук жок", "Нет согласия", "No consent"),
    "consent.filter.all_statuses": ("Бардык абалдар", "Все статусы", "All statuses"),
    # Categories of personal data
    "consent.category.identity": ("Инсандыгы", "Личность", "Identity"),
    "consent.category.contacts": ("Байланыш маалыматтары", "Контакты", "Contacts"),
    "consent.category.address": ("Дареги", "Адрес", "Address"),
    "consent.category.photo": ("Сүрөтү", "Фотография", "Photo"),
    "consent.category.health": ("Ден соолугу", "Здоровье", "Health"),
    "consent.category.education": ("Билим алуу маалыматтары", "Сведения об обучении", "Education records"),
    # Gated personal fields
    "consent.field.address": ("Дарек", "Адрес", "Address"),
    "consent.field.phone": ("Телефон", "Телефон", "Phone"),
    "consent.field.photo": ("Сүрөт", "Фотография", "Photo"),
    "consent.field.health_notes": ("Ден соолук боюнча белгилер", "Заметки о здоровье", "Health notes"),
    "consent.required": (
        "«{label}» сакталган жок: бул адамдын «{category}» категориясын камтыган күчүндөгү макулдугу жок. "
        "Адегенде кол коюлган макулдукту каттаңыз.",
        "Поле «{label}» не сохранено: нет действующего согласия этого человека, охватывающего категорию "
        "«{category}». Сначала зарегистрируйте подписанное согласие.",
        "“{label}” was not saved: this person has no active consent covering “{category}”. "
        "Record the signed consent first.",
    ),
    # Columns
    "consent.col.status": ("Абалы", "Статус", "Status"),
    "consent.col.categories": ("Категориялар", "Категории", "Categories"),
    "consent.col.given_on": ("Берилген күнү", "Дата согласия", "Given on"),
    "consent.col.valid_until": ("Жарактуу мөөнөтү", "Действует до", "Valid until"),
    "consent.col.withdrawn_on": ("Кайтарылган күнү", "Дата отзыва", "Withdrawn on"),
    "consent.col.signed_by": ("Кол койгон", "Подписал", "Signed by"),
    "consent.col.basis": ("Өкүлдүн негизи", "Основание представителя", "Representative's basis"),
    "consent.col.purpose": ("Иштетүүнүн максаты", "Цель обработки", "Purpose of processing"),
    "consent.col.stored_without": (
        "Макулдуксуз сакталган",
        "Хранится без согласия",
        "Stored without consent",
    ),
    "consent.col.scan": ("Скан", "Скан", "Scan"),
    "consent.col.reason": ("Себеби", "Причина", "Reason"),
    # Card
    "consent.card.title": ("Жеке маалыматтарга макулдук", "Согласие на персональные данные", "Personal-data consent"),
    "consent.card.covers": ("Камтыйт", "Охватывает", "Covers"),
    "consent.card.stored_warning": (
        "Макулдуксуз сакталган маалымат бар: {fields}. Аны өчүрүңүз же макулдук алыңыз.",
        "Есть данные, хранящиеся без согласия: {fields}. Удалите их или получите согласие.",
        "Data stored without consent: {fields}. Erase it or obtain consent.",
    ),
    "consent.open": ("Ачуу", "Открыть", "Open"),
    "consent.close": ("Жабуу", "Закрыть", "Close"),
    "consent.history": ("Макулдуктар", "Согласия", "Consents"),
    "consent.history_empty": ("Катталган макулдук жок", "Согласий не зарегистрировано", "No consent recorded"),
    "consent.open_scan": ("Сканды ачуу", "Открыть скан", "Open the scan"),
    # Recording
    "consent.record.title": ("Макулдукту каттоо", "Зарегистрировать согласие", "Record a consent"),
    "consent.record.submit": ("Каттоо", "Зарегистрировать", "Record"),
    "consent.record.saved": ("Макулдук катталды", "Согласие зарегистрировано", "Consent recorded"),
    "consent.representative": (
        "Кол койгон мыйзамдуу өкүл",
        "Подписавший законный представитель",
        "Legal representative who signed",
    ),
    "consent.relation.mother": ("энеси", "мать", "mother"),
    "consent.relation.father": ("атасы", "отец", "father"),
    "consent.relation.grandmother": ("чоң энеси", "бабушка", "grandmother"),
    "consent.relation.grandfather": ("чоң атасы", "дедушка", "grandfather"),
    "consent.relation.guardian": ("камкорчусу", "опекун", "guardian"),
    "consent.relation.other": ("башка өкүлү", "другой представитель", "other representative"),
    "consent.representative_self": ("Адамдын өзү", "Сам человек", "The person himself"),
    "consent.basis_hint": (
        "Өкүлдүн негизи (мисалы, камкорчулук жөнүндө буйрук №)",
        "Основание (например, приказ об опеке №)",
        "Basis (e.g. guardianship order no.)",
    ),
    "consent.purpose_default": (
        "Билим берүү процессин уюштуруу жана окуучунун иш кагаздарын жүргүзүү",
        "Организация образовательного процесса и ведение личного дела",
        "Organising education and keeping the personal file",
    ),
    "consent.scan.drop": (
        "Кол коюлган макулдуктун сканын тандаңыз (PDF, JPEG, PNG, 10 МБ чейин)",
        "Выберите скан подписанного согласия (PDF, JPEG, PNG, до 10 МБ)",
        "Choose the scan of the signed consent (PDF, JPEG, PNG, up to 10 MB)",
    ),
    "consent.scan.attached": ("Тиркелди: {kb} КБ {type}", "Прикреплено: {kb} КБ {type}", "Attached: {kb} KB {type}"),
    "consent.scan.missing": ("Скан тиркеле элек", "Скан не прикреплён", "No scan attached"),
    # Withdrawal
    "consent.withdraw.title": ("Макулдукту кайтарып алуу", "Отзыв согласия", "Withdraw the consent"),
    "consent.withdraw.button": ("Кайтарып алуу", "Отозвать", "Withdraw"),
    "consent.withdraw.erase": (
        "Макулдук менен гана сакталган маалыматты азыр өчүрүү",
        "Сразу удалить данные, которые хранились только по этому согласию",
        "Erase now the data kept only under this consent",
    ),
    "consent.withdraw.done": ("Макулдук кайтарылып алынды", "Согласие отозвано", "Consent withdrawn"),
    "consent.withdraw.erased": ("Өчүрүлдү: {fields}", "Удалено: {fields}", "Erased: {fields}"),
    # Personal fields
    "consent.personal.title": (
        "Кошумча жеке маалыматтар",
        "Дополнительные персональные данные",
        "Additional personal data",
    ),
    "consent.personal.hint": (
        "Бул талаалар күчүндөгү макулдук аларды камтыса гана сакталат.",
        "Эти поля сохраняются, только если их охватывает действующее согласие.",
        "These fields are saved only when an active consent covers them.",
    ),
    "consent.personal.save": ("Сактоо", "Сохранить", "Save"),
    "consent.personal.saved": ("Сакталды", "Сохранено", "Saved"),
    # Errors of the consent form
    "consent.error.categories": (
        "Жок дегенде бир категорияны тандаңыз",
        "Выберите хотя бы одну категорию",
        "Choose at least one category",
    ),
    "consent.error.given_on": (
        "Макулдуктун күнү туура эмес (келечектеги күн болбошу керек)",
        "Неверная дата согласия (не может быть в будущем)",
        "Wrong consent date (it cannot be in the future)",
    ),
    "consent.error.valid_until": (
        "Жарактуу мөөнөтү берилген күндөн мурун болбошу керек",
        "Срок действия не может быть раньше даты согласия",
        "The validity date cannot be before the consent date",
    ),
    "consent.error.representative": (
        "Кол койгон адам бул окуучунун ата-энеси же мыйзамдуу өкүлү болушу керек",
        "Подписавший должен быть родителем или законным представителем этого ученика",
        "The signer must be a parent or legal representative of this pupil",
    ),
    "consent.error.minor": (
        "Окуучу 18 жашка толо элек: макулдукка анын мыйзамдуу өкүлү кол коёт",
        "Ученику нет 18 лет: согласие подписывает его законный представитель",
        "The pupil is under 18: his legal representative signs the consent",
    ),
    "consent.error.scan": (
        "Кол коюлган макулдуктун сканын тиркеңиз",
        "Прикрепите скан подписанного согласия",
        "Attach the scan of the signed consent",
    ),
    "consent.error.already_withdrawn": (
        "Бул макулдук буга чейин кайтарылып алынган",
        "Это согласие уже отозвано",
        "This consent has already been withdrawn",
    ),
    "consent.error.withdrawn_on": (
        "Кайтарып алуу күнү туура эмес",
        "Неверная дата отзыва",
        "Wrong withdrawal date",
    ),
    "consent.error.reason": ("Себебин жазыңыз", "Укажите причину", "Give the reason"),
    # Files
    "files.type": (
        "Бул файлдын түрү кабыл алынбайт: PDF, JPEG же PNG гана",
        "Этот тип файла не принимается: только PDF, JPEG или PNG",
        "This file type is not accepted: PDF, JPEG or PNG only",
    ),
    "files.empty": ("Файл бош", "Файл пустой", "The file is empty"),
    "files.too_big": (
        "Файл өтө чоң (эң көп {mb} МБ)",
        "Файл слишком большой (не более {mb} МБ)",
        "The file is too big (at most {mb} MB)",
    ),
    # Marked exports
    "export.mark_line": (
        "Жеке маалыматтар. Экспорттогон: {user}, {at} UTC. Максаты: {purpose}. Башкаларга берүүгө болбойт.",
        "Персональные данные. Выгрузил: {user}, {at} UTC. Цель: {purpose}. Передача третьим лицам запрещена.",
        "Personal data. Exported by {user} at {at} UTC. Purpose: {purpose}. Do not pass on.",
    ),
    "export.subject": ("Жеке маалыматтар", "Персональные данные", "Personal data"),
    "export.purpose": ("Экспорттун максаты", "Цель выгрузки", "Purpose of the export"),
    "export.purpose_hint": (
        "Эмне үчүн экспорттоп жатасыз? (милдеттүү)",
        "Зачем нужна выгрузка? (обязательно)",
        "Why is this export needed? (required)",
    ),
    "export.purpose_required": (
        "Экспорттун максатын жазыңыз (жок дегенде {min} белги)",
        "Укажите цель выгрузки (не менее {min} символов)",
        "Give the purpose of the export (at least {min} characters)",
    ),
    "export.xlsx": ("XLSX жүктөп алуу", "Выгрузить XLSX", "Export XLSX"),
    "export.ready": ("Файл даяр, жүктөлүүдө", "Файл готов, загружается", "The file is ready and downloading"),
    # Subject access request
    "sar.heading": ("Адамдын бардык маалыматтары", "Все данные о человеке", "Everything held on the person"),
    "sar.hint": (
        "Адамдын же анын өкүлүнүн суроо-талабы боюнча (бир жуманын ичинде, акысыз).",
        "По запросу человека или его представителя (в течение недели, бесплатно).",
        "On request of the person or his representative (within a week, free of charge).",
    ),
    "sar.export": ("Жүктөп алуу", "Выгрузить", "Export"),
    "sar.json": ("JSON", "JSON", "JSON"),
    "sar.xlsx": ("XLSX", "XLSX", "XLSX"),
    "sar.title": (
        "{name}: сакталган жеке маалыматтар",
        "{name}: хранимые персональные данные",
        "{name}: personal data held",
    ),
    "sar.sheet.about": ("Мазмуну", "Содержание", "Contents"),
    "sar.col.section": ("Бөлүм", "Раздел", "Section"),
    "sar.col.rows": ("Саптар", "Строк", "Rows"),
}
