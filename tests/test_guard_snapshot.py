"""Issue 12 #3: the refusal snapshot copies only what a handler can change in place, and still puts
back everything a refused event changed. The analysis reads the handler's code (and the methods of
`self` it calls) once; whatever it cannot tell falls back to copying every var."""

from __future__ import annotations

from bbbms_app.auth import guard
from bbbms_app.auth.guard import requires
from bbbms_app.pages.journal import JournalState
from bbbms_app.pages.marks import MyMarksState
from bbbms_app.services.errors import OutOfScope
from tests.states import is_refusal, new_tab, sub


def helper(state):
    state.rows.append(1)


class Plain:
    def _fill(self):
        self.table["x"] = 1

    def reassigns(self):
        self.rows = [1]
        self.count += 1
        setattr(self, "r0", [])  # noqa: B010 - the journal's own way of naming row vars

    def mutates(self):
        self.rows.append(1)
        self.grid[0][1] = "5"
        alias = self.names
        alias.sort()
        self._fill()

    def hands_self_away(self):
        helper(self)

    def dynamic_in_place(self, name):
        getattr(self, name).append(1)


def _names(fn):
    return guard._in_place_names(Plain, fn, set())


def test_reassigned_vars_need_no_copy_and_in_place_changes_are_found():
    assert _names(Plain.reassigns) == {"count"}  # `+=` may work in place
    assert _names(Plain.mutates) == {"rows", "grid", "names", "table"}


def test_what_the_code_cannot_tell_copies_everything():
    assert _names(Plain.hands_self_away) is None
    assert _names(Plain.dynamic_in_place) is None


def test_the_journals_mark_event_copies_a_handful_of_its_many_vars():
    own, copied = guard._plan(JournalState, guard.inspect.unwrap(JournalState.key.fn))
    assert len(own) > 150 and copied is not None and len(copied) <= 6


async def test_a_refused_event_puts_back_an_in_place_change_and_a_reassignment(school, monkeypatch):
    marks = sub(new_tab("t_parent"), MyMarksState)
    await marks.load()
    rows_before = [dict(r) for r in marks.rows]
    assert rows_before

    @requires("own.read")
    def spoil(self):
        self.rows.append({"forged": "1"})  # in place
        self.pupil_id = "999"  # reassigned
        raise OutOfScope("half way")

    result = await spoil(marks)
    assert is_refusal(result)
    assert marks.rows == rows_before and marks.pupil_id != "999"
