"""Pupil: the school's children; a new one given a class arrives in it through the movement book
(an arrival record under the admission order named on the form or in the import file); the card
shows his guardians, classes, marks, consent and movements. His class changes only through the
movement book, and a pupil on a class list is not deleted (his departure is recorded instead). A
teacher reaches the pupils of his classes, a family its own children."""

from sqlalchemy import func
from sqlmodel import select

from bbbms_app.i18n import format_date, format_number, t
from bbbms_app.models import (
    AcademicYear,
    Enrollment,
    Lesson,
    Mark,
    Pupil,
    SchoolClass,
    Subject,
    Term,
)
from bbbms_app.models.people import SEXES
from bbbms_app.services import curriculum, places
from bbbms_app.services.access import SCHOOL_WIDE_ROLES, visible_class_ids, visible_pupil_ids_own
from bbbms_app.services.engine.profile import PERSON, Profile, current_enrollment, person_name_column
from bbbms_app.services.engine.profiles.staff import PHONE, PIN
from bbbms_app.services.engine.spec import FieldSpec, RelatedSpec
from bbbms_app.services.school import class_name, current_year, localized_name

ADMISSION = ("class_id", "order_id", "admitted_on", "from_category", "from_place", "from_school")


class PupilProfile(Profile):
    model = Pupil
    name = "pupil"
    route = "/pupils"
    title_key = "nav.pupils"
    item_key = "admin.pupil"
    icon = "graduation-cap"
    read = "pupil.read"
    write = "pupil.write"
    columns = ("name", "class_name", "birth_date", "sex", "pin", "alpha_book_no")
    form = (
        ("admin.section.person", (*PERSON, "birth_date", "sex", "pin", "alpha_book_no")),
        ("pupil.section.admission", ADMISSION),
        ("admin.section.contacts", ("phone", "address")),
    )
    # The class is reached through the movement book: on a new pupil's form with the admission
    # order; afterwards by a class change or a departure in the book, never by editing the pupil.
    create_only = ADMISSION
    choices = {"sex": ("sex", SEXES)}
    overrides = {"pin": PIN, "phone": PHONE}
    virtual = (
        person_name_column(),
        FieldSpec("class_name", "col.class", "text", virtual=True),
        FieldSpec("class_id", "field.pupil.class_id", "fk", virtual=True, fk_table="schoolclass"),
        FieldSpec("order_id", "field.pupil.order_id", "fk", virtual=True, fk_table="order"),
        FieldSpec("admitted_on", "field.pupil.admitted_on", "date", virtual=True, nullable=True),
        FieldSpec(
            "from_category",
            "field.pupil.from_category",
            "choice",
            virtual=True,
            choices=places.CATEGORIES,
            choice_prefix="place.category",
        ),
        FieldSpec(
            "from_place", "field.pupil.from_place", "choice", virtual=True, choices=places.CODES, choice_prefix="place"
        ),
        FieldSpec("from_school", "field.pupil.from_school", "text", virtual=True, max_length=300),
    )
    import_columns = ("pin", *PERSON, "birth_date", "sex", "alpha_book_no", *ADMISSION)
    natural_key = ("pin",)
    filters = ("class_id",)
    order = ("sort_key",)
    related_tables = (
        RelatedSpec(
            "guardians",
            "admin.related.guardians",
            (("name", "col.name"), ("relation", "admin.col.relation"), ("phone", "col.phone")),
        ),
        RelatedSpec(
            "enrollments",
            "admin.related.enrollments",
            (
                ("class_name", "col.class"),
                ("year", "header.year"),
                ("starts_on", "admin.col.from"),
                ("ends_on", "admin.col.to"),
            ),
        ),
        RelatedSpec(
            "marks",
            "admin.related.marks",
            (("subject", "col.subject"), ("count", "admin.col.count"), ("average", "col.average")),
        ),
        RelatedSpec(
            "consent",
            "admin.related.consent",
            (("status", "admin.col.consent_status"), ("categories", "admin.col.consent_categories")),
        ),
        RelatedSpec(
            "movements",
            "movement.related",
            (
                ("date", "movement.col.date"),
                ("kind", "movement.col.kind"),
                ("order", "movement.col.order"),
                ("from", "movement.col.from"),
                ("to", "movement.col.to"),
            ),
        ),
    )
    hide_on_phone = ("birth_date", "sex", "pin", "alpha_book_no")
    personal = True
    menu = "sidebar"
    menu_order = 10
    search_parts = (*PERSON, "pin")
    sort_parts = PERSON
    picker_searched = True

    def scope(self, session, principal, query, today):
        query = super().scope(session, principal, query, today)
        if principal.role in SCHOOL_WIDE_ROLES:
            return query
        if principal.role in ("parent", "pupil"):
            return query.where(Pupil.id.in_(visible_pupil_ids_own(session, principal) or [-1]))  # type: ignore[union-attr]
        classes = visible_class_ids(session, principal, today) or [-1]
        on_roll = select(Enrollment.pupil_id).where(Enrollment.class_id.in_(classes), current_enrollment(today))  # type: ignore[union-attr]
        return query.where(Pupil.id.in_(on_roll))  # type: ignore[union-attr]

    def computed(self, session, rows, lang, today):
        out = super().computed(session, rows, lang, today)
        ids = [r.id for r in rows]
        if ids:
            for pupil_id, grade, letter in session.exec(
                select(Enrollment.pupil_id, SchoolClass.grade, SchoolClass.letter)
                .join(SchoolClass, SchoolClass.id == Enrollment.class_id)  # type: ignore[arg-type]
                .where(Enrollment.pupil_id.in_(ids), current_enrollment(today))  # type: ignore[union-attr]
            ).all():
                out[pupil_id]["class_name"] = class_name(grade, letter)
        return out

    def filter_options(self, session, principal, name, lang):
        if name == "class_id":
            from bbbms_app.services.engine.listing import picker_options

            return picker_options(session, principal, "schoolclass", lang)
        return None

    def apply_filter(self, name, value, query, today):
        if name == "class_id":
            on_roll = select(Enrollment.pupil_id).where(Enrollment.class_id == int(value), current_enrollment(today))
            return query.where(Pupil.id.in_(on_roll))  # type: ignore[union-attr]
        return None

    def check_save(self, session, principal, record_id, values):
        from bbbms_app.services import consent

        consent.check_save("pupil", session, principal, record_id, values)
        self.check_alpha_book(session, principal, record_id, values)

    def check_alpha_book(self, session, principal, record_id, values):
        """A number the clerk types: «letter/number», his surname's letter, no other pupil's."""
        from bbbms_app.services import alpha_book

        alpha_book.check(session, principal.school_id if principal else None, record_id, dict(values))

    def after_create(self, session, principal, created, today):
        """A new pupil given a class arrives in it: an arrival record under the admission order."""
        from bbbms_app.services import movement

        for row, values in created:
            movement.admit(session, principal, row, values)

    def delete_refusal(self, session, principal, row, today):
        """A pupil on a class list leaves through the movement book (a departure with its order)."""
        from bbbms_app.services import movement

        cls = movement.enrolled_class(session, row.id, today)
        if cls is None:
            return None
        return "pupil.error.delete_enrolled", {"name": class_name(cls.grade, cls.letter)}

    def pupil_of(self, row):
        return row.id

    def related(self, session, row, lang, today):
        from bbbms_app.services import movement
        from bbbms_app.services.engine.profiles.guardian import pupil_guardians

        return {
            "guardians": pupil_guardians(session, row.id, lang),
            "enrollments": _enrollments(session, row.id, lang),
            "marks": _marks(session, row, lang),
            "consent": consent_status(session, "pupil", row.id, lang, today),
            "movements": movement.pupil_movements(session, row.id, lang),
        }

    def match_import(self, session, principal, rows, school_id, today, report):
        """A pupil already on another class's list moves through the movement book, not an import;
        a row giving a class names the admission order too (checked here, before anything is written)."""
        from bbbms_app.services import movement
        from bbbms_app.services.engine.hooks import FieldError

        classes_now = current_class_of(session, [r.existing.id for r in rows if r.existing is not None], today)
        numbers: dict[str, int] = {}
        for r in rows:
            if r.existing is not None and not r.values.get("alpha_book_no") and r.existing.alpha_book_no:
                r.values.pop("alpha_book_no", None)  # an empty cell does not take his number away
            number = r.values.get("alpha_book_no")
            if number:
                if number in numbers:
                    report(r, "alpha_book_no", "admin.import.duplicate_in_file", row=numbers[number])
                numbers.setdefault(number, r.number)
            now = classes_now.get(r.existing.id) if r.existing is not None else None
            if now is not None and r.values.get("class_id") not in (None, now):
                report(r, "class_id", "admin.import.class_change")
                continue
            if now is not None:
                continue  # already on this class's list: the admission columns say nothing new
            try:
                movement.check_admission(session, principal, school_id, r.values)
            except FieldError as exc:
                report(r, exc.field, exc.key, **exc.params)

    def after_import(self, session, principal, written):
        """A pupil of the school on no class list whom the file gives a class arrives in it."""
        from datetime import date

        from bbbms_app.services import movement

        existing = [(record_id, r) for record_id, r in written if r.existing is not None and r.values.get("class_id")]
        if not existing:
            return
        on_roll = current_class_of(session, [record_id for record_id, _r in existing], date.today())
        for record_id, r in existing:
            if record_id not in on_roll:
                movement.admit(session, principal, session.get(Pupil, record_id), r.values)

    def export_values(self, session, records, names, lang, today):
        """The class of today, and the admission (the latest arrival: its order, date and origin)
        in the words the import reads back."""
        if "class_id" not in names:
            return {}
        from bbbms_app.models import MovementRecord, Order

        classes = self.computed(session, records, lang, today)
        arrivals: dict[int, dict[str, object]] = {}
        ids = [r.id for r in records]
        for start in range(0, len(ids), 500):
            for m, o in session.exec(
                select(MovementRecord, Order)
                .join(Order, Order.id == MovementRecord.order_id)  # type: ignore[arg-type]
                .where(
                    MovementRecord.pupil_id.in_(ids[start : start + 500]),  # type: ignore[union-attr]
                    MovementRecord.kind == "arrival",
                    MovementRecord.deleted_at.is_(None),  # type: ignore[union-attr]
                )
                .order_by(MovementRecord.date, MovementRecord.id)  # type: ignore[arg-type]
            ).all():
                arrivals[m.pupil_id] = {
                    "order_id": f"{o.number} {o.date:%d.%m.%Y}",
                    "admitted_on": m.date,
                    "from_category": t(f"place.category.{m.from_category}", lang) if m.from_category else "",
                    "from_place": t(f"place.{m.from_place}", lang) if m.from_place else "",
                    "from_school": m.from_school,
                }
        return {
            r.id: [{"class_id": classes.get(r.id, {}).get("class_name", ""), **arrivals.get(r.id, {})}] for r in records
        }


def current_class_of(session, pupil_ids: list[int], today) -> dict[int, int]:
    """pupil id -> class id of the current enrollment."""
    if not pupil_ids:
        return {}
    rows = session.exec(
        select(Enrollment.pupil_id, Enrollment.class_id).where(
            Enrollment.pupil_id.in_(pupil_ids),  # type: ignore[union-attr]
            current_enrollment(today),
        )
    ).all()
    return dict(rows)


def consent_status(session, subject_type: str, subject_id: int, lang: str, today):
    """One line: whether a consent is in force for this person, and the categories it covers."""
    from bbbms_app.services import consent

    status = consent.status_of(consent.consents_of(session, subject_type, subject_id), today)
    categories = sorted(consent.active_categories(session, subject_type, subject_id, today))
    return [
        {
            "status": t(f"consent.status.{status}", lang),
            "categories": ", ".join(t(f"consent.category.{c}", lang) for c in categories),
        }
    ]


def _enrollments(session, pupil_id: int, lang: str) -> list[dict[str, str]]:
    rows = session.exec(
        select(Enrollment, SchoolClass, AcademicYear)
        .join(SchoolClass, SchoolClass.id == Enrollment.class_id)  # type: ignore[arg-type]
        .join(AcademicYear, AcademicYear.id == SchoolClass.academic_year_id)  # type: ignore[arg-type]
        .where(Enrollment.pupil_id == pupil_id)
        .order_by(Enrollment.starts_on.desc())  # type: ignore[attr-defined]
    ).all()
    return [
        {
            "class_name": class_name(c.grade, c.letter),
            "year": y.name,
            "starts_on": format_date(e.starts_on, lang),
            "ends_on": format_date(e.ends_on, lang),
        }
        for e, c, y in rows
    ]


def _marks(session, pupil: Pupil, lang: str) -> list[dict[str, str]]:
    """Marks of the school's current year per subject: how many, and their plain average."""
    year = current_year(session, pupil.school_id)
    if year is None:
        return []
    rows = session.exec(
        select(Subject, func.count(Mark.id), func.avg(Mark.value))
        .join(Lesson, Lesson.subject_id == Subject.id)  # type: ignore[arg-type]
        .join(Mark, Mark.lesson_id == Lesson.id)  # type: ignore[arg-type]
        .join(Term, Term.id == Lesson.term_id)  # type: ignore[arg-type]
        .where(Mark.pupil_id == pupil.id, Term.academic_year_id == year.id)
        .group_by(Subject.id)
        .order_by(*curriculum.SUBJECT_ORDER)
    ).all()
    return [
        {"subject": localized_name(s, lang), "count": str(n), "average": format_number(float(avg or 0), lang)}
        for s, n, avg in rows
    ]
