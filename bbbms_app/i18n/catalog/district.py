"""Messages of the district (issue 16): the /schools screen, adding a school, the rule across schools."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    "rights.perm.district.schools": (
        "Райондун мектептери: тизмеси жана жаңы мектеп кошуу (райондун эсеби гана)",
        "Школы района: список и добавление школы (только учётная запись района)",
        "The district's schools: list them and add one (a district account only)",
    ),
    "accounts.error.other_school": (
        "Башка мектептин эсебине өзгөртүү кире албайсыз",
        "Нельзя изменять учётную запись другой школы",
        "You cannot act on another school's account",
    ),
    "district.nav": ("Мектептер", "Школы", "Schools"),
    "district.summary": (
        "{schools} мектеп, {pupils} окуучу",
        "Школ: {schools}, учеников: {pupils}",
        "{schools} schools, {pupils} pupils",
    ),
    "district.pupils_n": ("{n} окуучу", "учеников: {n}", "{n} pupils"),
    "district.col.school": ("Мектеп", "Школа", "School"),
    "district.col.place": ("Облус / район", "Область / район", "Region / rayon"),
    "district.col.pupils": ("Окуучулар", "Ученики", "Pupils"),
    "district.col.director": ("Директор", "Директор", "Director"),
    "district.col.backup": ("Акыркы камдык көчүрмө", "Последняя резервная копия", "Last backup"),
    "district.col.added": ("Кошулган", "Добавлена", "Added"),
    "district.not_given": ("көрсөтүлгөн эмес", "не указано", "not given"),
    "district.backup_age": ("{age} мурун", "{age} назад", "{age} ago"),
    "district.no_backup": ("көчүрмө жок", "копии нет", "none yet"),
    "district.add": ("Мектеп кошуу", "Добавить школу", "Add a school"),
    "district.add_lead": (
        "Мектеп учурдагы окуу жылы, чейректери жана баалоо эрежелери менен түзүлөт; "
        "директорго бир жолку сырсөз берилет.",
        "Школа создаётся с текущим учебным годом, четвертями и правилами оценивания; "
        "директор получает одноразовый пароль.",
        "The school is created with the current school year, its quarters and grading policies; "
        "the director gets a one-time password.",
    ),
    "district.field.name": ("Мектептин аталышы (кыргызча)", "Название школы (на кыргызском)", "School name (Kyrgyz)"),
    "district.field.name_ru": ("Мектептин аталышы (орусча)", "Название школы (на русском)", "School name (Russian)"),
    "district.field.okpo": ("ОКПО коду", "Код ОКПО", "OKPO code"),
    "district.field.region": ("Облус же шаар", "Область или город", "Region or city"),
    "district.field.rayon": ("Район", "Район", "Rayon"),
    "district.field.director": ("Директордун колдонуучу аты", "Логин директора", "Director's user name"),
    "district.field.director_name": (
        "Директордун аты-жөнү (Фамилиясы Аты Атасынын аты)",
        "ФИО директора (Фамилия Имя Отчество)",
        "Director's full name (Surname Name Patronymic)",
    ),
    "district.choose": ("Тандаңыз", "Выберите", "Choose"),
    "district.create": ("Мектепти түзүү", "Создать школу", "Create the school"),
    "district.created": ("Мектеп түзүлдү: «{name}»", "Школа «{name}» создана", "School «{name}» created"),
    "district.password_once": (
        "Директордун эсеби жана бир жолку сырсөзү. Ал азыр гана көрсөтүлөт: жазып алып, директорго тапшырыңыз; "
        "биринчи киргенде ал аны өзгөртөт.",
        "Учётная запись директора и одноразовый пароль. Он показан только сейчас: запишите и передайте директору; "
        "при первом входе он его сменит.",
        "The director's account and one-time password. It is shown only now: write it down and hand it over; "
        "he changes it at the first sign-in.",
    ),
    "district.password_saved": ("Жазып алдым, жашыруу", "Записал, скрыть", "Written down, hide it"),
    "district.error.setup": ("Аткарылган жок: {detail}", "Не выполнено: {detail}", "Not done: {detail}"),
    "district.error.name": (
        "Мектептин аталышын жазыңыз (200 белгиден ашпасын)",
        "Укажите название школы (не длиннее 200 знаков)",
        "Give the school's name (at most 200 characters)",
    ),
    "district.error.okpo": (
        "ОКПО коду 8–10 сандан турат",
        "Код ОКПО состоит из 8–10 цифр",
        "An OKPO code is 8 to 10 digits",
    ),
    "district.error.okpo_taken": (
        "{okpo} ОКПО коду менен мектеп мурунтан эле бар",
        "Школа с кодом ОКПО {okpo} уже есть",
        "A school with OKPO {okpo} already exists",
    ),
    "district.error.username": (
        "Колдонуучу аты: 3–40 белги, латын тамгалары, сандар жана . _ -",
        "Логин: 3–40 знаков, латинские буквы, цифры и . _ -",
        "User name: 3 to 40 of a-z, 0-9 and . _ -",
    ),
    "district.error.username_taken": (
        "«{username}» колдонуучу аты бош эмес",
        "Логин «{username}» уже занят",
        "The user name «{username}» is taken",
    ),
    "district.error.director_name": (
        "Директордун аты-жөнүн жазыңыз (200 белгиден ашпасын)",
        "Укажите ФИО директора (не длиннее 200 знаков)",
        "Give the director's full name (at most 200 characters)",
    ),
    "district.error.region": ("Облусту же шаарды тандаңыз", "Выберите область или город", "Choose the region or city"),
    "district.error.rayon": (
        "Ушул облустун районун тандаңыз",
        "Выберите район этой области",
        "Choose a rayon of this region",
    ),
    # The district account's own shell (a director of no school).
    "district.area": ("Район", "Район", "District"),
    "district.department": ("Билим берүү бөлүмү", "Отдел образования", "Education department"),
    "district.needs_school": (
        "Бул барак бир мектептин иши үчүн. Райондун эсебинин өз мектеби жок: мектептердин тизмеси"
        " «Мектептер» барагында.",
        "Эта страница — для работы одной школы. У учётной записи района своей школы нет: список школ"
        " — на странице «Школы».",
        "This page is for the work of one school. The district's account has no school of its own:"
        " the schools are listed on the Schools page.",
    ),
    "district.to_schools": ("Мектептердин тизмесине", "К списку школ", "To the list of schools"),
}
