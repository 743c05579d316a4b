"""The director's dashboard: its figures are the reports' numbers, checked by hand on tests/reports_factory.py."""

from __future__ import annotations

from datetime import date

import pytest

from bbbms_app import db
from bbbms_app.pages.dashboard import DashboardState, dashboard_page
from bbbms_app.services.journal import OutOfScope
from bbbms_app.services.reports import dashboard as dashboard_service
from tests import reports_factory
from tests.factories import principal_of
from tests.states import is_refusal, new_tab, sub


@pytest.fixture
def marks(school):
    return reports_factory.build(school)


def _board(who: str, school, today: date):
    with db.session() as s:
        return dashboard_service.dashboard(s, principal_of(who), school.year_id, today=today)


def test_between_terms_the_last_finished_term_and_its_weeks(school, marks):
    board = _board("t_director", school, date(2025, 11, 6))  # quarter 1 is over, quarter 2 not begun
    assert (board.period.kind, board.period.number) == ("quarter", 1) and board.previous is None
    # The school's quarter 1 (test_reports.py): N 8, success 75.0, СОУ 57.8.
    assert (board.figures["success"], board.figures["sou"]) == (75.0, 57.8)
    # By grade: 5-е: 5 of 6 pupils without a 2 or «н/а» → 83.3; 6-е: Орозов has a 2 → 50.0; 10-е has no marks.
    assert [(g["grade"], g["success"]) for g in board.by_grade] == [(5, 83.3), (6, 50.0)]
    assert [p.number for p in board.trend] == [1]
    # The attendance of quarter 1 by week: the factory's one «б» on Thursday 04.09.2025.
    assert board.weeks[0]["week"] == date(2025, 9, 1) and board.weeks[0]["б"] == 1
    assert len(board.weeks) == 10 and sum(w["б"] for w in board.weeks) == 1  # 01.09 … 03.11, empty weeks too
    assert board.missed == {"б": 1, "у": 0, "п": 0, "н": 0, "о": 0}
    # The factory's three lessons have topics but no homework; its three marks were written today.
    assert board.teachers == {"no_topic": 0, "no_homework": 3, "late": 3}


def test_the_trend_and_the_previous_term(school, marks):
    board = _board("t_deputy", school, date(2026, 1, 5))  # quarters 1 and 2 are over
    assert board.period.number == 2 and board.previous.number == 1
    # Quarter 2: 5-А maths only, 5, 5, 3 → success 100, quality 2 of 3, СОУ (100 + 100 + 36) ÷ 3.
    assert (board.figures["success"], board.figures["quality"], board.figures["sou"]) == (100.0, 66.7, 78.7)
    assert (board.before["success"], board.before["sou"]) == (75.0, 57.8)
    assert [p.number for p in board.trend] == [1, 2]
    assert [r["sou"] for r in board.trend_rates] == [57.8, 78.7]


def test_a_class_teacher_sees_his_class_and_a_teacher_nothing(school, marks):
    board = _board("t_classteacher", school, date(2025, 11, 6))
    assert [g["grade"] for g in board.by_grade] == [5]  # 5-А only
    assert board.teachers is None  # he does not read every teacher
    for who in ("t_teacher", "t_clerk", "t_parent"):
        with pytest.raises(OutOfScope):
            _board(who, school, date(2025, 11, 6))


async def test_the_page_loads_for_the_director_and_refuses_a_teacher_also_by_a_forged_event(school, marks):
    state = sub(new_tab("t_director"), DashboardState)
    assert not is_refusal(await state.load())
    assert state.loaded
    keys = [c["key"] for c in state.cards]
    assert keys == ["success", "quality", "sou", "average", "missed", "unexcused", "no_topic", "late"]
    assert all(c["href"] in ("/reports", "/teacher-reports") for c in state.cards)
    # The trend's terms in every language (the chart's axis follows a language switch without a round trip).
    assert [r["term_ru"] for r in state.trend] == [f"{n}-я четверть" for n in (1, 2, 3, 4)]
    assert state.trend[1]["term_ky"] == "2-чейрек" and state.trend[1]["sou"] == 78.7
    teacher = sub(new_tab("t_teacher"), DashboardState)
    assert is_refusal(await teacher.load())
    assert teacher.cards == [] and not teacher.loaded


def test_the_page_compiles():
    assert dashboard_page().render()
