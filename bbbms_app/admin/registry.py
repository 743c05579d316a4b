"""The entities the admin engine serves: one `ENTITIES.add(entity(...))` per entity.

Everything not said here comes from the model (see admin/spec.py). Adding an entity: docs/admin.md.
"""

from __future__ import annotations

from bbbms_app.admin.spec import EntitySpec, FieldSpec, Registry, RelatedSpec, entity
from bbbms_app.models import (
    AcademicYear,
    GradingPolicy,
    Guardian,
    Pupil,
    School,
    SchoolClass,
    Staff,
    Subject,
    TeachingAssignment,
    Term,
    User,
)
from bbbms_app.models.academics import LANGUAGES_OF_INSTRUCTION
from bbbms_app.models.accounts import ROLES, UI_LANGUAGES
from bbbms_app.models.movement import MOVEMENT_KINDS, ORDER_KINDS, MovementRecord, Order
from bbbms_app.models.people import POSITIONS, RELATIONS, SEXES
from bbbms_app.models.school import SCALES, TERM_KINDS
from bbbms_app.models.timetable import HOLIDAY_KINDS, BellSchedule, Holiday

PIN = {"pattern": r"\d{14}", "pattern_key": "admin.error.pin"}
PHONE = {"pattern": r"\+?[0-9 ()\-]{5,30}", "pattern_key": "admin.error.phone"}
EMAIL = {"pattern": r"[^@\s]+@[^@\s]+\.[^@\s]+", "pattern_key": "admin.error.email"}
PERSON = ("last_name", "first_name", "patronymic")


def _name(table: str) -> FieldSpec:
    """The full name column of a person list, in Kyrgyz alphabetical order."""
    return FieldSpec("name", "col.name", "text", virtual=True, sort_by=("sort_key",))


ENTITIES = Registry()

SCHOOLS = ENTITIES.add(
    entity(
        School,
        name="school",
        route="/admin/schools",
        title_key="admin.schools",
        item_key="admin.school",
        icon="building-2",
        read="school.read",
        write="school.write",
        columns=("okpo", "name_ky", "name_ru", "address"),
        form=(("admin.section.main", ("okpo", "name_ky", "name_ru", "name_en", "languages", "address")),),
        natural_key=("okpo",),
        order=("okpo",),
        hide_on_phone=("name_ru", "address"),
    )
)

YEARS = ENTITIES.add(
    entity(
        AcademicYear,
        name="academic_year",
        route="/admin/years",
        title_key="admin.years",
        item_key="admin.year",
        icon="calendar-range",
        read="school.read",
        write="school.write",
        columns=("name", "starts_on", "ends_on", "is_current"),
        form=(("admin.section.main", ("name", "starts_on", "ends_on", "is_current")),),
        import_columns=("name", "starts_on", "ends_on", "is_current"),
        natural_key=("name",),
        order=("starts_on",),
    )
)

TERMS = ENTITIES.add(
    entity(
        Term,
        name="term",
        route="/admin/terms",
        title_key="admin.terms",
        item_key="admin.term",
        icon="calendar-days",
        read="school.read",
        write="school.write",
        columns=("academic_year_id", "kind", "number", "starts_on", "ends_on"),
        form=(("admin.section.main", ("academic_year_id", "kind", "number", "starts_on", "ends_on")),),
        choices={"kind": ("admin.term_kind", TERM_KINDS)},
        overrides={"number": {"minimum": 1, "maximum": 4}},
        import_columns=("academic_year_id", "kind", "number", "starts_on", "ends_on"),
        natural_key=("academic_year_id", "kind", "number"),
        filters=("academic_year_id",),
        order=("starts_on",),
        hide_on_phone=("academic_year_id",),
    )
)

POLICIES = ENTITIES.add(
    entity(
        GradingPolicy,
        name="grading_policy",
        route="/admin/policies",
        title_key="admin.policies",
        item_key="admin.policy",
        icon="scale",
        read="school.read",
        write="school.write",
        columns=("academic_year_id", "grade_from", "grade_to", "scale", "min_marks"),
        form=(
            ("admin.section.main", ("academic_year_id", "grade_from", "grade_to", "scale", "min_value", "max_value")),
            ("admin.section.rounding", ("threshold_5", "threshold_4", "threshold_3", "min_marks", "weights_json")),
        ),
        choices={"scale": ("admin.scale", SCALES)},
        overrides={
            "grade_from": {"minimum": 1, "maximum": 12},
            "grade_to": {"minimum": 1, "maximum": 12},
            "min_value": {"minimum": 0, "maximum": 100},
            "max_value": {"minimum": 1, "maximum": 100},
            "min_marks": {"minimum": 0, "maximum": 50},
        },
        natural_key=("academic_year_id", "grade_from", "grade_to"),
        filters=("academic_year_id",),
        order=("grade_from",),
        hide_on_phone=("academic_year_id", "min_marks"),
    )
)

CLASSES = ENTITIES.add(
    entity(
        SchoolClass,
        name="class",
        route="/classes",
        title_key="nav.classes",
        item_key="admin.class",
        icon="school",
        read="class.read",
        write="class.write",
        columns=("class_name", "class_teacher_id", "pupils", "language", "shift"),
        form=(
            ("admin.section.main", ("academic_year_id", "grade", "letter", "language", "shift", "class_teacher_id")),
        ),
        choices={"language": ("admin.language", LANGUAGES_OF_INSTRUCTION)},
        overrides={"grade": {"minimum": 1, "maximum": 12}, "shift": {"minimum": 1, "maximum": 3}},
        virtual=(
            FieldSpec("class_name", "col.class", "text", virtual=True, sort_by=("grade", "letter")),
            FieldSpec("pupils", "col.pupils", "int", virtual=True),
        ),
        import_columns=("academic_year_id", "grade", "letter", "language", "shift", "class_teacher_id"),
        natural_key=("academic_year_id", "grade", "letter"),
        filters=("academic_year_id",),
        order=("grade", "letter"),
        related=(
            RelatedSpec("pupils", "admin.related.pupils", (("name", "col.name"), ("birth_date", "col.birth_date"))),
        ),
        hide_on_phone=("language", "shift"),
    )
)

SUBJECTS = ENTITIES.add(
    entity(
        Subject,
        name="subject",
        route="/admin/subjects",
        title_key="admin.subjects",
        item_key="admin.subject",
        icon="book-open",
        read="class.read",
        write="subject.write",
        columns=("code", "name_ky", "name_ru", "name_en", "position"),
        form=(("admin.section.main", ("code", "name_ky", "name_ru", "name_en", "position")),),
        import_columns=("code", "name_ky", "name_ru", "name_en", "position"),
        natural_key=("code",),
        order=("position", "name_ky"),  # the curriculum's order (services.curriculum)
        related=(
            RelatedSpec(
                "assignments",
                "admin.related.assignments",
                (("class_name", "col.class"), ("teacher", "col.teacher"), ("hours", "admin.col.hours")),
            ),
        ),
        hide_on_phone=("name_ru", "name_en"),
    )
)

ASSIGNMENTS = ENTITIES.add(
    entity(
        TeachingAssignment,
        name="teaching_assignment",
        route="/admin/assignments",
        title_key="admin.assignments",
        item_key="admin.assignment",
        icon="presentation",
        read="class.read",
        write="subject.write",
        columns=("class_id", "subject_id", "teacher_id", "subgroup", "hours_per_week"),
        form=(("admin.section.main", ("class_id", "subject_id", "teacher_id", "subgroup", "hours_per_week")),),
        overrides={"subgroup": {"minimum": 0, "maximum": 3}, "hours_per_week": {"minimum": 0, "maximum": 20}},
        import_columns=("class_id", "subject_id", "teacher_id", "subgroup", "hours_per_week"),
        natural_key=("class_id", "subject_id", "subgroup"),
        filters=("class_id",),
        order=("class_id", "subject_id"),
        hide_on_phone=("subgroup", "hours_per_week"),
    )
)

STAFF = ENTITIES.add(
    entity(
        Staff,
        name="staff",
        route="/staff",
        title_key="nav.staff",
        item_key="admin.staff_member",
        icon="users",
        read="staff.read",
        write="staff.write",
        columns=("name", "position", "phone", "email"),
        form=(
            ("admin.section.person", (*PERSON, "position")),
            ("admin.section.contacts", ("phone", "email", "address")),
        ),
        choices={"position": ("position", POSITIONS)},
        overrides={"phone": PHONE, "email": EMAIL},
        virtual=(_name("staff"),),
        # Phones and addresses wait for a recorded consent (services.consent), so no import fills them.
        import_columns=(*PERSON, "position", "email"),
        natural_key=PERSON,
        filters=("position",),
        order=("sort_key",),
        related=(
            RelatedSpec(
                "assignments",
                "admin.related.assignments",
                (("class_name", "col.class"), ("subject", "col.subject"), ("hours", "admin.col.hours")),
            ),
        ),
        hide_on_phone=("phone", "email"),
        personal=True,
    )
)

PUPILS = ENTITIES.add(
    entity(
        Pupil,
        name="pupil",
        route="/pupils",
        title_key="nav.pupils",
        item_key="admin.pupil",
        icon="graduation-cap",
        read="pupil.read",
        write="pupil.write",
        columns=("name", "class_name", "birth_date", "sex", "pin", "alpha_book_no"),
        form=(
            ("admin.section.person", (*PERSON, "birth_date", "sex", "pin", "alpha_book_no", "class_id")),
            ("admin.section.contacts", ("phone", "address")),
        ),
        create_only=("class_id",),
        choices={"sex": ("sex", SEXES)},
        overrides={"pin": PIN, "phone": PHONE},
        virtual=(
            _name("pupil"),
            FieldSpec("class_name", "col.class", "text", virtual=True),
            FieldSpec("class_id", "field.pupil.class_id", "fk", virtual=True, fk_table="schoolclass"),
        ),
        import_columns=("pin", *PERSON, "birth_date", "sex", "alpha_book_no", "class_id"),
        natural_key=("pin",),
        filters=("class_id",),
        order=("sort_key",),
        related=(
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
        ),
        hide_on_phone=("birth_date", "sex", "pin", "alpha_book_no"),
        personal=True,
    )
)

GUARDIANS = ENTITIES.add(
    entity(
        Guardian,
        name="guardian",
        route="/guardians",
        title_key="admin.guardians",
        item_key="admin.guardian",
        icon="heart-handshake",
        read="guardian.read",
        write="guardian.write",
        columns=("name", "phone", "children", "pin"),
        form=(
            ("admin.section.person", (*PERSON, "pin")),
            ("admin.section.contacts", ("phone", "address")),
        ),
        overrides={"pin": PIN, "phone": PHONE},
        virtual=(
            _name("guardian"),
            FieldSpec("children", "admin.col.children", "text", virtual=True),
            FieldSpec("pupil_pin", "field.guardian.pupil_pin", "text", virtual=True, **PIN),  # type: ignore[arg-type]
            FieldSpec(
                "relation",
                "admin.col.relation",
                "choice",
                virtual=True,
                choices=RELATIONS,
                choice_prefix="admin.relation",
            ),
        ),
        import_columns=(*PERSON, "pin", "pupil_pin", "relation"),
        natural_key=("pin",),
        order=("sort_key",),
        related=(
            RelatedSpec(
                "children",
                "admin.related.children",
                (("name", "col.name"), ("class_name", "col.class"), ("relation", "admin.col.relation")),
            ),
        ),
        hide_on_phone=("pin", "children"),
        personal=True,
    )
)

USERS = ENTITIES.add(
    entity(
        User,
        name="user",
        route="/users",
        title_key="nav.users",
        item_key="admin.user",
        icon="key-round",
        read="user.read",
        write="user.write",
        columns=("username", "full_name", "role", "is_active", "last_login_at"),
        form=(
            ("admin.section.account", ("username", "full_name", "role", "language", "password")),
            ("admin.section.links", ("staff_id", "pupil_id", "guardian_id")),
        ),
        create_only=("password",),
        fixed_after_create=("username",),
        choices={"role": ("role", ROLES), "language": ("lang", UI_LANGUAGES)},
        overrides={
            "username": {"pattern": r"[a-z0-9._\-]{3,80}", "pattern_key": "admin.error.username"},
            "full_name": {"required": True},
        },
        virtual=(FieldSpec("password", "login.password", "password", virtual=True, required=True),),
        # No password column: new accounts get a one-time password on the credentials sheet.
        import_columns=("username", "full_name", "role", "language", "staff_id", "pupil_id", "guardian_id"),
        natural_key=("username",),
        filters=("role",),
        order=("username",),
        soft_delete="is_active",
        hide_on_phone=("full_name", "last_login_at"),
        personal=True,
    )
)

BELLS = ENTITIES.add(
    entity(
        BellSchedule,
        name="bell_schedule",
        route="/admin/bells",
        title_key="admin.bells",
        item_key="admin.bell",
        icon="bell",
        read="timetable.read",
        write="timetable.write",
        columns=("band", "number", "lesson_time"),
        form=(("admin.section.main", ("shift", "grade_from", "grade_to", "number", "starts_at", "ends_at")),),
        virtual=(
            FieldSpec("band", "field.bellschedule.band", "text", virtual=True, sort_by=("shift", "grade_from")),
            FieldSpec("lesson_time", "field.bellschedule.lesson_time", "text", virtual=True, sort_by=("starts_at",)),
        ),
        overrides={
            "shift": {"minimum": 1, "maximum": 3},
            "grade_from": {"minimum": 1, "maximum": 12},
            "grade_to": {"minimum": 1, "maximum": 12},
            "number": {"minimum": 0, "maximum": 12},
        },
        natural_key=("shift", "grade_from", "number"),
        order=("shift", "grade_from", "number"),
    )
)

HOLIDAYS = ENTITIES.add(
    entity(
        Holiday,
        name="holiday",
        route="/admin/holidays",
        title_key="admin.holidays",
        item_key="admin.holiday",
        icon="calendar-off",
        read="timetable.read",
        write="timetable.write",
        columns=("name_ky", "name_ru", "kind", "dates", "grades"),
        form=(
            (
                "admin.section.main",
                ("academic_year_id", "kind", "name_ky", "name_ru", "name_en", "starts_on", "ends_on"),
            ),
            ("admin.section.holiday_grades", ("grade_from", "grade_to")),
        ),
        choices={"kind": ("tt.holiday_kind", HOLIDAY_KINDS)},
        overrides={"grade_from": {"minimum": 1, "maximum": 12}, "grade_to": {"minimum": 1, "maximum": 12}},
        virtual=(
            FieldSpec("dates", "field.holiday.dates", "text", virtual=True, sort_by=("starts_on", "ends_on")),
            FieldSpec("grades", "field.holiday.grades", "text", virtual=True, sort_by=("grade_from", "grade_to")),
        ),
        natural_key=("academic_year_id", "name_ky", "starts_on"),
        filters=("academic_year_id",),
        order=("starts_on",),
        hide_on_phone=("name_ru", "kind", "grades"),
    )
)

ORDERS = ENTITIES.add(
    entity(
        Order,
        name="order",
        route="/orders",
        title_key="movement.orders",
        item_key="movement.order",
        icon="stamp",
        read="movement.read",
        write="movement.write",
        columns=("number", "date", "kind", "summary", "signed_by_id"),
        form=(("movement.section.order", ("number", "date", "kind", "summary", "signed_by_id", "note")),),
        choices={"kind": ("movement.order_kind", ORDER_KINDS)},
        import_columns=("number", "date", "kind", "summary", "signed_by_id"),
        natural_key=("number", "date"),
        filters=("kind",),
        order=("date", "number"),
        related=(
            RelatedSpec(
                "records",
                "movement.related.order_records",
                (
                    ("name", "col.name"),
                    ("kind", "movement.col.kind"),
                    ("date", "movement.col.date"),
                    ("from", "movement.col.from"),
                    ("to", "movement.col.to"),
                ),
            ),
        ),
        hide_on_phone=("kind", "signed_by_id"),
    )
)

# The movement book: a record is created through services.movement's rules (a save rule checks it,
# an after-create hook moves the enrollment); once written only its reason and note change.
MOVEMENTS = ENTITIES.add(
    entity(
        MovementRecord,
        name="movement",
        route="/movement",
        title_key="movement.nav",
        item_key="movement.item",
        icon="arrow-left-right",
        read="movement.read",
        write="movement.write",
        columns=("date", "pupil_id", "kind", "order", "from", "to", "reason"),  # as the paper book: date, who, what
        form=(
            ("movement.section.movement", ("kind", "pupil_id", "date", "order_id", "to_class_id")),
            ("movement.section.where", ("from_school", "to_school", "reason", "note")),
        ),
        fixed_after_create=("kind", "pupil_id", "date", "order_id", "to_class_id"),
        choices={"kind": ("movement.kind", MOVEMENT_KINDS)},
        virtual=(
            FieldSpec("order", "movement.col.order", "text", virtual=True, sort_by=("order_id",)),
            FieldSpec("from", "movement.col.from", "text", virtual=True),
            FieldSpec("to", "movement.col.to", "text", virtual=True),
            FieldSpec(
                "academic_year_id", "field.movementrecord.academic_year_id", "fk", virtual=True, fk_table="academicyear"
            ),
            FieldSpec("class_id", "field.movementrecord.class_id", "fk", virtual=True, fk_table="schoolclass"),
        ),
        filters=("kind", "academic_year_id", "class_id"),
        order=("date",),
        hide_on_phone=("order", "from", "to", "reason"),
        personal=True,
    )
)

# The sidebar shows these directly; the rest are reached from the reference-data hub.
MAIN_ENTITIES: tuple[EntitySpec, ...] = (PUPILS, GUARDIANS, CLASSES, STAFF, USERS, MOVEMENTS, ORDERS)
REFERENCE_ENTITIES: tuple[EntitySpec, ...] = (SCHOOLS, YEARS, TERMS, SUBJECTS, ASSIGNMENTS, POLICIES, BELLS, HOLIDAYS)
