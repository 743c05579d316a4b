"""The journal page's handlers called directly, as real and forged browser events would call them."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AuditEvent, Lesson, Mark, PeriodMark, Pupil, TeachingAssignment, Term
from bbbms_app.pages.journal import JournalState
from bbbms_app.pages.journal.state import FIELD, PERIOD_PARTS, period_of, pupil_of, topic_of
from bbbms_app.pages.journal_summary import SummaryState
from tests.journal_factories import add_journal_data, cell_of
from tests.states import is_refusal, new_tab, sub


@pytest.fixture
def extras(school):
    with db.session() as s:
        return add_journal_data(s, school)


def events(action: str) -> list[AuditEvent]:
    with db.session() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all())


def all_marks() -> set[tuple[int, int, str, int]]:
    with db.session() as s:
        return {(m.lesson_id, m.pupil_id, m.kind, m.value) for m in s.exec(select(Mark)).all()}


async def opened(username: str) -> JournalState:
    """A tab of `username` on /journal, on the first quarter (the machine's today may be past the year)."""
    state = sub(new_tab(username), JournalState)
    assert not is_refusal(await state.load())
    first = state.term_options[0]["id"]
    if state.term_id != first:
        await state.set_term(first)
    return state


def row_of(state: JournalState, name: str) -> int:
    return next(i for i, p in enumerate(state.pupils) if pupil_of(p)["name"] == name)


async def test_class_teacher_opens_her_journal_and_enters_marks(school, extras):
    state = await opened("t_classteacher")
    assert state.class_id == str(school.class_5a) and state.mode == "write"
    assert state.heading == "5-А · Математика"
    assert [pupil_of(p)["name"] for p in state.pupils] == [
        "Абдыкадырова Мөлдир",
        "Бакиров Эмир",
        "Ңаматов Эрмек",
        "Үсөнов Нурбек",
    ]
    assert pupil_of(state.pupils[1])["left"] == "03.09 чыккан"
    # A column head is packed «lesson id|day|month».
    assert state.n_cols == 6 and [head.split("|")[1] for head in state.lessons] == ["02", "03", "04", "08", "09", "10"]
    r = row_of(state, "Ңаматов Эрмек")
    before = all_marks()
    for c, key in enumerate(["5", "4", "н"]):
        assert not is_refusal(await state.key(f"{r}:{c + 3}", key))
    row = [cell_of(state, r, c) for c in range(6)]
    assert [cell["t"] for cell in row[3:6]] == ["5", "4", "н"]
    assert all("ok" in cell["s"] for cell in row[3:6])
    assert "a" in row[5]["s"]  # an absence shows red
    assert all_marks() - before == {
        (extras.lessons_5a_q1[3], school.pupils_5a[2], "class", 5),
        (extras.lessons_5a_q1[4], school.pupils_5a[2], "class", 4),
    }
    assert state.last_saved.startswith("Сакталды: Ңаматов Эрмек, 10.09")
    # Two marks: н/а with the average 4,5 beside it.
    assert period_of(getattr(state, f"p{r}"))["sug"] == "н/а" and period_of(getattr(state, f"p{r}"))["avg"] == "4,5"
    # Typing the same code again takes the absence away; Backspace clears the mark of the chosen kind.
    await state.key(f"{r}:5", "н")
    assert cell_of(state, r, 5)["t"] == ""
    await state.key(f"{r}:4", "clear")
    assert cell_of(state, r, 4)["t"] == ""
    # Undo brings the 4 back.
    await state.undo()
    assert cell_of(state, r, 4)["t"] == "4"
    # A test mark is the second mark of a cell and shows bold.
    await state.set_kind("test")
    await state.key(f"{r}:4", "3")
    assert cell_of(state, r, 4)["t"] == "3/4" and "b" in cell_of(state, r, 4)["s"]


async def test_one_mark_sends_one_row_not_the_grid(school, extras):
    root = new_tab("t_classteacher")
    state = sub(root, JournalState)
    await state.load()
    await state.set_term(str(school.term_ids[0]))
    root._clean()
    await state.key("2:3", "5")
    sent = {name for name in state.dirty_vars if not name.startswith("_")}  # backend vars never leave the server
    assert "r2" in sent and sent <= {"r2", "p2", "last_saved", "undo_count"}
    delta = json.dumps(root.get_delta(), ensure_ascii=False, default=str)
    assert len(delta.encode()) < 2048
    assert "Абдыкадырова" not in delta  # no other row, no pupil list


async def test_a_pupil_cannot_call_the_save_handler(school, extras):
    root = new_tab("t_pupil")
    state = sub(root, JournalState)
    before = all_marks()
    for call in (state.load(), state.key("0:0", "5"), state.undo(), state.all_present(), state.export_xlsx()):
        assert is_refusal(await call)
    assert all_marks() == before
    assert {e.username for e in events("denied")} == {"t_pupil"}
    assert len(events("denied")) == 5


async def test_a_teacher_cannot_open_or_write_another_teachers_journal(school, extras):
    state = await opened("t_teacher")  # teacher B: 6-Б only
    assert [o["name"] for o in state.class_options] == ["6-Б"]
    await state.set_class(str(school.class_5a))  # a forged choice: not among his options
    assert state.class_id == str(school.class_6b)
    # Even a tampered tab whose backend vars point at a 5-А lesson is refused by the service.
    state._lesson_ids = [extras.lessons_5a_q1[3]]
    state._pupil_ids = [school.pupils_5a[2]]
    state.mode = "write"
    before = all_marks()
    assert is_refusal(await state.key("0:0", "5"))
    assert all_marks() == before
    assert any("lesson" in e.reason or "journal" in e.reason for e in events("denied"))


async def test_after_a_handover_the_old_teacher_writes_only_the_lessons_she_taught(school, extras):
    state = await opened("t_classteacher")
    with db.session() as s:
        # From 9 September teacher B takes 5-А maths over: the assignment and the lessons from that day are his.
        ta = s.exec(select(TeachingAssignment).where(TeachingAssignment.class_id == school.class_5a)).one()
        ta.teacher_id = school.teacher_b
        s.add(ta)
        for lesson_id in extras.lessons_5a_q1[4:]:
            lesson = s.get(Lesson, lesson_id)
            lesson.teacher_id = school.teacher_b
            s.add(lesson)
    before = all_marks()
    assert is_refusal(await state.key("2:4", "5"))  # 9 Sep: B's lesson
    assert all_marks() == before and events("denied")
    assert not is_refusal(await state.key("2:3", "5"))  # 8 Sep: she taught it herself
    assert (extras.lessons_5a_q1[3], school.pupils_5a[2], "class", 5) in all_marks()


async def test_save_into_a_closed_term_is_refused_and_audited(school, extras):
    state = await opened("t_classteacher")
    deputy = await opened("t_deputy")
    await deputy.set_class(str(school.class_5a))
    assert deputy.mode == "read" and deputy.can_close
    assert not is_refusal(await deputy.close_term())  # the check and the confirmation first
    assert deputy.close_open and deputy.close_scope == "school"
    assert not is_refusal(await deputy.confirm_close())
    before = all_marks()
    result = await state.key("2:3", "5")  # her tab still thinks the term is open
    assert "Чейрек жабылган" in repr(result)
    assert all_marks() == before
    assert "err" in cell_of(state, 2, 3)["s"]
    refused = events("refused")
    assert refused and refused[-1].reason.startswith("journal.error.term_closed")
    # After reloading she sees the lock; the deputy corrects with a reason, audited as a correction.
    await state.load()
    assert state.closed and state.mode == "read"
    assert deputy.mode == "correct"
    assert "Чейрек жабылган" not in repr(await deputy.correct_key("2:3", "5"))
    assert all_marks() == before  # no reason yet: refused
    await deputy.set_correction_reason("Мугалимдин арызы")
    await deputy.correct_key("2:3", "5")
    assert (extras.lessons_5a_q1[3], school.pupils_5a[2], "class", 5) in all_marks()
    assert events("correction")[-1].reason == "Мугалимдин арызы"
    # A class teacher has no journal.correct: the correction handler itself refuses her.
    assert is_refusal(await state.correct_key("2:4", "5"))
    # The lesson panel's form in the closed term: the deputy's correction saves what she typed, audited
    # with her reason; the class teacher's form goes nowhere (read mode, no journal.correct).
    await deputy.pick_lesson(3)
    corrections = len(events("correction"))
    await deputy.correct_lesson({"topic": "Бөлчөктөр (оңдолду)", "homework": "§12"})
    assert topic_of(deputy.topics[3])[1:] == ["Бөлчөктөр (оңдолду)", "§12"]
    added = events("correction")[corrections:]
    assert sorted(e.field for e in added) == ["homework", "topic"], added
    assert {e.reason for e in added} == {"Мугалимдин арызы"}
    await state.pick_lesson(3)
    await state.save_lesson({"topic": "x", "homework": ""})
    assert is_refusal(await state.correct_lesson({"topic": "x", "homework": ""}))
    await state.load()
    assert topic_of(state.topics[3])[1] == "Бөлчөктөр (оңдолду)"


@pytest.mark.parametrize("key", ["7", "1", "9"])
async def test_out_of_range_marks_are_refused(school, extras, key):
    state = await opened("t_classteacher")
    before = all_marks()
    result = await state.key("2:3", key)
    assert "шкаласында" in repr(result)
    assert all_marks() == before
    assert events("refused")[-1].reason.startswith("journal.error.mark_range")


async def test_garbage_entries_change_nothing(school, extras):
    state = await opened("t_classteacher")
    before = all_marks()
    for cell, key in (("99:0", "5"), ("0:99", "5"), ("a:b", "5"), ("2:3", "x"), ("2:3", "<script>"), ("2:3", "55")):
        assert await state.key(cell, key) is None
    await state.set_kind("bonus")
    assert state.kind == "class"
    assert all_marks() == before and events("refused") == []


async def test_stale_save_from_a_second_tab_is_refused_and_shows_the_newer_value(school, extras):
    one = await opened("t_classteacher")
    two = await opened("t_classteacher")
    r = row_of(one, "Үсөнов Нурбек")
    await one.key(f"{r}:0", "3")  # 5 → 3 in tab one
    result = await two.key(f"{r}:0", "4")  # tab two still holds the 5
    assert "башка бирөө өзгөрткөн" in repr(result)
    assert cell_of(two, r, 0)["t"] == "3" and "err" in cell_of(two, r, 0)["s"]
    with db.session() as s:
        q = select(Mark.value).where(Mark.lesson_id == extras.lessons_5a_q1[0], Mark.pupil_id == school.pupils_5a[0])
        assert s.exec(q).one() == 3
    assert events("refused")[-1].reason.startswith("journal.error.stale")
    # Now that tab two has the newer token, its next save goes through.
    await two.key(f"{r}:0", "4")
    assert cell_of(two, r, 0)["t"] == "4"
    # Tab one sees it at its next poll.
    await one.poll()
    assert cell_of(one, r, 0)["t"] == "4"


async def test_packed_row_heads_topics_and_period_cells_keep_their_text(school, extras):
    """The grid's row heads and topics travel packed (pages/journal/state.py): a «|» in a topic, and the
    packing's own separator in a name that came in another way than the forms, keep the rest intact."""
    with db.session(write=True) as s:
        pupil = s.exec(select(Pupil).where(Pupil.last_name == "Ңаматов")).one()
        pupil.first_name = f"Эр{FIELD}мек"
        s.add(pupil)
        s.commit()
    state = await opened("t_classteacher")
    r = row_of(state, "Ңаматов Эр мек")
    assert pupil_of(state.pupils[r])["k"] == str(pupil.id) and pupil_of(state.pupils[r])["left"] == ""
    await state.pick_lesson(2)
    await state.save_lesson({"topic": f"Бөлчөк | кошуу{FIELD}", "homework": "§12 | 3"})
    assert topic_of(state.topics[2])[1:] == ["Бөлчөк | кошуу", "§12 | 3"]
    assert topic_of(state.topics[2])[0] == topic_of(state.topics[2])[0].strip() != ""
    # A period cell is interned: equal cells of two rows, and of two tabs, are one string.
    other = await opened("t_classteacher")
    assert state.get_value(f"p{r}") is other.get_value(f"p{r}")
    assert period_of(state.get_value(f"p{r}")).keys() == set(PERIOD_PARTS)


async def test_all_present_topic_and_period_marks(school, extras):
    state = await opened("t_classteacher")
    r = row_of(state, "Ңаматов Эрмек")
    await state.key(f"{r}:3", "н")
    await state.pick_lesson(3)
    assert state.sel_lesson == 3 and state.topic_draft == "Тема 4"
    await state.all_present()
    assert cell_of(state, r, 3)["t"] == ""
    # The drafts follow the typing after a pause; «Save» submits what the inputs show, which wins.
    await state.set_topic_draft("Бөлчөктөрдү")
    await state.save_lesson({"topic": "Бөлчөктөрдү кошуу", "homework": "§12, 3–5-көнүгүүлөр"})
    assert (state.topic_draft, state.homework_draft) == ("Бөлчөктөрдү кошуу", "§12, 3–5-көнүгүүлөр")
    assert topic_of(state.topics[3])[1:] == ["Бөлчөктөрдү кошуу", "§12, 3–5-көнүгүүлөр"]  # [date, topic, homework]
    for c, key in ((3, "5"), (4, "5"), (5, "4")):
        await state.key(f"{r}:{c}", key)
    assert period_of(getattr(state, f"p{r}"))["sug"] == "5"  # 14/3 = 4.67 ≥ 4.65
    await state.open_period(r, "term")
    assert state.period_open and state.period_info["suggestion"] == "5"
    await state.save_period("confirm")
    assert period_of(getattr(state, f"p{r}"))["val"] == "5" and not state.period_open
    # An override without a reason is refused; with one it is kept.
    await state.open_period(r, "term")
    await state.set_period_value("4")
    assert "себебин" in repr(await state.save_period("save"))
    await state.set_period_reason("Контролдук иш жок")
    await state.save_period("save")
    with db.session() as s:
        pm = s.exec(select(PeriodMark).where(PeriodMark.pupil_id == school.pupils_5a[2])).one()
    assert (pm.value, pm.reason, pm.suggested_value, pm.version) == (4, "Контролдук иш жок", 5, 2)
    # Confirm all fills the others (н/а for the pupils with too few marks).
    await state.confirm_all()
    assert period_of(getattr(state, f"p{row_of(state, 'Үсөнов Нурбек')}"))["val"] == "н/а"


async def test_export_handler_downloads_the_workbook(school, extras):
    state = await opened("t_classteacher")
    result = await state.export_xlsx()
    text = repr(result)
    # A link to the authorized route, not the workbook's bytes over the websocket (tests/test_journal_files.py).
    assert "_download" in text and "journal-5А-MATH-quarter1.xlsx" in text and "/journal-files/" in text
    assert "base64" not in text and len(text) < 2000
    assert events("export")


async def test_summary_sheet_is_for_the_class_teacher_and_leaders(school, extras):
    sheet = sub(new_tab("t_classteacher"), SummaryState)
    await sheet.load()
    await sheet.set_period(str(school.term_ids[0]))
    assert [o["name"] for o in sheet.class_options] == ["5-А"]
    assert sheet.rows[0]["name"] == "Абдыкадырова Мөлдир"
    assert sheet.rows[-1]["total"] == "1" and sheet.rows[-1]["б"] == "1"  # Үсөнов was ill once
    assert [i["label"] for i in sheet.indicators][:2] == ["Эсепке алынган окуучулар", "Үлгүрүү, %"]
    await sheet.set_class(str(school.class_6b))  # not his class: ignored
    assert sheet.class_id == str(school.class_5a)
    teacher = sub(new_tab("t_teacher"), SummaryState)
    assert is_refusal(await teacher.load())
    deputy = sub(new_tab("t_deputy"), SummaryState)
    await deputy.load()
    assert len(deputy.class_options) == 3
    await deputy.set_period("year")
    assert deputy.period == "year"


async def test_closing_and_reopening_needs_term_close(school, extras):
    teacher = await opened("t_classteacher")
    assert is_refusal(await teacher.close_term())
    director = await opened("t_director")
    await director.set_class(str(school.class_5a))
    await director.close_term()
    with db.session() as s:  # opening the dialog closes nothing
        assert s.get(Term, school.term_ids[0]).closed_at is None
    await director.confirm_close()
    with db.session() as s:
        assert s.get(Term, school.term_ids[0]).closed_at is not None
    assert "Себебин" in repr(await director.reopen_term())  # a reason is required
    await director.set_correction_reason("Ката оңдолду")
    await director.reopen_term()
    with db.session() as s:
        assert s.get(Term, school.term_ids[0]).closed_at is None


def test_exported_workbook_opens(school, extras):
    from bbbms_app.services import journal, journal_export
    from tests.factories import principal_of

    with db.session() as s:
        g = journal.grid(s, principal_of("t_director"), school.class_5a, school.math, school.term_ids[0])
    ws = openpyxl.load_workbook(io.BytesIO(journal_export.render(g, "ru"))).active
    assert ws.title == "Журнал" and ws["B2"].value == "Ученик"


def test_the_pages_compile():
    from bbbms_app.pages.journal import journal_page
    from bbbms_app.pages.journal_summary import summary_page

    for page in (journal_page, summary_page):
        assert page().render()
