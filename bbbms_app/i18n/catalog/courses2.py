"""Messages of editing a course, modules tied to lessons, the families' view of courses and
projects, and writing to a project's supervisor (issue 18, second round)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    # the teacher edits and deletes
    "courses2.edit": ("Оңдоо", "Изменить", "Edit"),
    "courses2.delete": ("Өчүрүү", "Удалить", "Delete"),
    "courses2.save": ("Сактоо", "Сохранить", "Save"),
    "courses2.cancel": ("Жокко чыгаруу", "Отмена", "Cancel"),
    "courses2.saved": ("Сакталды", "Сохранено", "Saved"),
    "courses2.deleted": ("Өчүрүлдү", "Удалено", "Deleted"),
    # a delete asked twice, and taken back from the course's list of deleted things
    "courses2.confirm_title": ("Өчүрөсүзбү?", "Удалить?", "Delete?"),
    "courses2.confirm_text": (
        "Өчүрүлгөнүн курстун «Өчүрүлгөндөр» тизмесинен кайра калыбына келтирсе болот.",
        "Удалённое можно вернуть из списка «Удалённое» этого курса.",
        "What you delete can be brought back from the course's «Deleted» list.",
    ),
    "courses2.deleted_list": ("Өчүрүлгөндөр", "Удалённое", "Deleted"),
    "courses2.deleted_help": (
        "Бөлүм ичиндеги материалдары жана тапшырмалары менен кошо кайтат.",
        "Раздел возвращается вместе со своими материалами и заданиями.",
        "A module comes back with its materials and assignments.",
    ),
    "courses2.deleted_on": ("өчүрүлдү: {when}", "удалено: {when}", "deleted: {when}"),
    "courses2.restore": ("Калыбына келтирүү", "Восстановить", "Restore"),
    "courses2.restored": ("Калыбына келтирилди", "Восстановлено", "Restored"),
    "courses2.what.module": ("Бөлүм", "Раздел", "Module"),
    "courses2.what.material": ("Материал", "Материал", "Material"),
    "courses2.what.assignment": ("Тапшырма", "Задание", "Assignment"),
    "courses2.edit_module": ("Бөлүмдү оңдоо", "Изменить раздел", "Edit the module"),
    "courses2.edit_material": ("Материалды оңдоо", "Изменить материал", "Edit the material"),
    "courses2.edit_assignment": ("Тапшырманы оңдоо", "Изменить задание", "Edit the assignment"),
    "courses2.file_kept": (
        "Файл ошол бойдон калат: башка файл үчүн бул материалды өчүрүп, жаңысын кошуңуз",
        "Файл остаётся прежним: чтобы заменить его, удалите материал и добавьте новый",
        "The file stays as it is: to replace it, delete this material and add a new one",
    ),
    # modules tied to the journal's lessons
    "courses2.lessons": ("Класстык журналдагы сабактар", "Уроки классного журнала", "Lessons of the class journal"),
    "courses2.lessons_help": (
        "Бул бөлүм кайсы сабактардын темасына туура келет: күндөлүктө ошол сабактарда"
        " «Курстун материалы» шилтемеси чыгат",
        "Темам каких уроков следует раздел: в дневнике у этих уроков появится ссылка «Материалы курса»",
        "Which lessons' topics this module follows: the diary shows a «Course materials» link on those lessons",
    ),
    "courses2.linked": ("Сабактар: {dates}", "Уроки: {dates}", "Lessons: {dates}"),
    "courses2.no_lessons": (
        "Бул класстардын ушул предмет боюнча сабактары азырынча жок",
        "Уроков этого предмета у этих классов пока нет",
        "These classes have no lessons of this subject yet",
    ),
    "courses2.course_materials": ("Курстун материалы", "Материалы курса", "Course materials"),
    # a parent's view of each child
    "courses2.state.none": ("тапшыра элек", "не сдано", "not handed in"),
    "courses2.state.submitted": ("тапшырды", "сдано", "handed in"),
    "courses2.state.late": ("кечигип тапшырды", "сдано с опозданием", "handed in late"),
    "courses2.state.marked": ("бааланды: {mark}", "оценено: {mark}", "marked: {mark}"),
    "courses2.kid_summary": (
        "{name}: {done}/{total} тапшырылды · {late} кечиккен · {marked} бааланган",
        "{name}: сдано {done} из {total} · {late} с опозданием · {marked} оценено",
        "{name}: {done} of {total} handed in · {late} late · {marked} marked",
    ),
    # projects
    "projects.write_supervisor": ("Жетекчиге жазуу", "Написать руководителю", "Write to the supervisor"),
    # messages
    "msg.error.to": (
        "Бул адамга жаза албайсыз",
        "Этому человеку вы написать не можете",
        "You cannot write to this person",
    ),
    # refusals
    "courses2.error.handins": (
        "Бул тапшырманы окуучулар тапшырып коюшкан: аны өчүрүүгө болбойт (кабыл алууну жапсаңыз болот)",
        "Это задание уже сдавали: удалить его нельзя (можно закрыть приём)",
        "Pupils have handed this assignment in: it cannot be deleted (you can close it instead)",
    ),
    "courses2.error.module_handins": (
        "Бул бөлүмдүн тапшырмасын окуучулар тапшырып коюшкан: бөлүмдү өчүрүүгө болбойт",
        "Задание этого раздела уже сдавали: удалить раздел нельзя",
        "Pupils have handed in an assignment of this module: the module cannot be deleted",
    ),
    "courses2.error.kind_handins": (
        "Тапшырылган иштер бар: баанын түрүн өзгөртүүгө болбойт (баалар журналда ушул түр менен турат)",
        "Работы уже сданы: вид оценки менять нельзя (оценки стоят в журнале с этим видом)",
        "Work has been handed in: the kind of mark cannot change (its marks sit in the journal as this kind)",
    ),
    "courses2.error.too_many_lessons": (
        "{n} сабактан ашпасын",
        "Не больше {n} уроков",
        "At most {n} lessons",
    ),
}
