"""Facts about the browser tests' demo school, read from an identical copy generated in-process.

The server's database is the demo with DEMO_PUPILS pupils and the default seed (conftest.py); the
generator is deterministic, so a copy made here in a temporary SQLite file has the same rows and
ids. Tests use it to know, before they click, which cell will clash and what a diary must show.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from sqlmodel import Session, SQLModel, select

import bbbms_app.models  # noqa: F401  (registers every table)
from bbbms_app import demo
from bbbms_app.db import make_engine
from bbbms_app.models import SchoolClass, TeachingAssignment, TimetableSlot, User
from bbbms_app.services import accounts, diary, timetable
from bbbms_app.services.school import class_name, context, own_children
from tests.browser.conftest import DEMO_PUPILS

TODAY = date.today()


@dataclass(frozen=True)
class Edit:
    """A cell of a class the deputy opens, the choice he makes there, and what follows."""

    class_name: str
    weekday: int
    number: int
    choice_ky: str  # the option's label in Kyrgyz
    other_class: str = ""  # for a clash: the class where that teacher already is


@dataclass(frozen=True)
class Facts:
    clash: Edit
    free: Edit
    children: list[dict[str, str]]
    weeks: dict[str, dict]  # pupil id -> the diary week the page opens on
    term_label: str  # the header's term today, in Kyrgyz (the demo lives in today's year)


def _engine():
    path = Path(tempfile.mkdtemp(prefix="bbbms-facts-")) / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    demo.generate(engine, pupils=DEMO_PUPILS)
    return engine


def _principal(s: Session, username: str):
    return accounts.principal_for(s.exec(select(User).where(User.username == username)).one())


@cache
def facts() -> Facts:
    engine = _engine()
    with Session(engine) as s:
        deputy = _principal(s, "deputy")
        parent = _principal(s, "parent")
        classes = {c.id: c for c in s.exec(select(SchoolClass)).all()}
        q1 = min(s.exec(select(TimetableSlot.term_id)).all())
        start = s.exec(select(TimetableSlot.valid_from).where(TimetableSlot.term_id == q1)).first()
        slots = s.exec(select(TimetableSlot).where(TimetableSlot.term_id == q1)).all()
        at = {(x.class_id, x.weekday, x.number): x for x in slots}
        busy = {(x.teacher_id, classes[x.class_id].shift, x.weekday, x.number): x for x in slots}
        bells = timetable.load_bells(s, deputy.school_id)  # type: ignore[arg-type]
        # Middle-school classes first: seven rows, teachers shared between parallel classes.
        assignments = sorted(
            s.exec(select(TeachingAssignment)).all(), key=lambda ta: (abs(classes[ta.class_id].grade - 7), ta.id)
        )
        clash = free = None
        for ta in assignments:
            cls = classes[ta.class_id]
            rows = set(bells.numbers(cls.shift, cls.grade))
            for (teacher, shift, weekday, number), other in sorted(busy.items()):
                here = at.get((cls.id, weekday, number))
                if (
                    clash is None
                    and number in rows
                    and teacher == ta.teacher_id
                    and shift == cls.shift
                    and other.class_id != cls.id
                    and (here is None or here.teacher_id != teacher)
                ):
                    clash = (ta, cls, weekday, number, classes[other.class_id])
            for weekday in range(1, 6):
                number = 1 + max((n for (c, w, n) in at if c == cls.id and w == weekday), default=0)
                if free is None and number in rows and (ta.teacher_id, cls.shift, weekday, number) not in busy:
                    free = (ta, cls, weekday, number)
            if clash and free:
                break
        assert clash and free, "the demo has no cell to test with"

        def label(ta: TeachingAssignment, cls: SchoolClass) -> str:
            options = timetable.class_choices(s, deputy, cls.id)  # type: ignore[arg-type]
            return next(o["label_ky"] for o in options if o["id"] == str(ta.id))

        ta, cls, weekday, number, other = clash
        clash_edit = Edit(
            class_name(cls.grade, cls.letter), weekday, number, label(ta, cls), class_name(other.grade, other.letter)
        )
        ta, cls, weekday, number = free
        free_edit = Edit(class_name(cls.grade, cls.letter), weekday, number, label(ta, cls))
        assert start is not None
        term_label = context(s, deputy, TODAY)["term_labels"]["ky"]
        children = own_children(s, parent, TODAY)
        weeks = {}
        for child in children:
            pid = int(child["id"])
            weeks[child["id"]] = diary.pupil_week(s, parent, pid, diary.default_monday(s, parent, pid, TODAY))
    engine.dispose()
    return Facts(clash_edit, free_edit, children, weeks, term_label)
