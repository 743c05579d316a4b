"""The class journal: the grade grid of a class × subject × subgroup × term, and every write to it.

The package's modules, each one concern (callers use the names re-exported here):

- `access`  — who may open which journal (`access_for`, `journal_classes`, `journal_subjects`,
  `journal_of_lesson`) and the refusals (`JournalError`, `Stale`, `OutOfScope`);
- `grid`    — the grid itself (`grid`) and its fingerprint for the poll (`grid_stamp`);
- `cells`   — one pupil × lesson cell: what an entry means (`change_for_key`), its save with
  optimistic locking and audit (`save_cell`), a mark from outside the grid (an assignment, a test,
  a learning system) through that same path (`set_mark`), "all present", a lesson's topic and
  homework;
- `periods` — quarter and year marks (`set_period_mark`, `set_year_mark`, `confirm_suggestions`)
  and closing a term (`close_term`, `reopen_term`).

The class teacher's summary sheet and every other report live in `services.reports`.

Scope (checked here, whatever the caller): a teacher writes only his class × subject × subgroup
assignments (TeachingAssignment) and the lessons he taught himself (a substitution); a class
teacher reads every subject of his class; the director and deputies read every journal of the
school. A closed term refuses every edit except a correction by a user with `journal.correct`,
which needs a reason and is audited as action "correction" (the paper journal's signed fix).

Note: `journal.grid` is the function (the module is `bbbms_app.services.journal.grid`).
"""

from __future__ import annotations

from bbbms_app.services.journal.access import (
    JournalAccess,
    JournalError,
    OutOfScope,
    Stale,
    access_for,
    class_in_school,
    class_label,
    is_leader,
    journal_classes,
    journal_of_lesson,
    journal_subjects,
    substituted,
    year_terms,
)
from bbbms_app.services.journal.cells import (
    ABSENT_CODES,
    CODE_KEYS,
    KIND_ORDER,
    LATE,
    MARK_KEYS,
    MAX_HOMEWORK,
    MAX_LATE_MINUTES,
    MAX_PERCENT_KEY,
    MAX_REASON,
    MAX_TOPIC,
    PERCENT_KEY,
    PERIOD_SPECIALS,
    Cell,
    CellChange,
    Saved,
    already_synced,
    change_for_key,
    clean_text,
    criterion_change,
    fill_column_present,
    lesson_text,
    load_cell,
    parse_token,
    percent_of_key,
    record_refusal,
    save_cell,
    set_lesson_text,
    set_mark,
    undo_of,
    write_session,
)
from bbbms_app.services.journal.grid import (
    Grid,
    GridLesson,
    GridPupil,
    PeriodCell,
    cells_of,
    grid,
    grid_stamp,
    journal_term_labels,
    lesson_of_day,
    lesson_stamps,
    period_column,
    period_stamp,
    pupils_of,
)
from bbbms_app.services.journal.periods import (
    CLOSE_SCOPES,
    MissingMarks,
    close_check,
    close_term,
    closed_classes,
    confirm_suggestions,
    period_suggestion,
    period_suggestions,
    pupil_suggestion,
    reopen_term,
    set_period_mark,
    set_year_mark,
    term_closed_for,
    year_suggestion,
)

__all__ = [
    "ABSENT_CODES",
    "CLOSE_SCOPES",
    "CODE_KEYS",
    "KIND_ORDER",
    "LATE",
    "MARK_KEYS",
    "MAX_HOMEWORK",
    "MAX_LATE_MINUTES",
    "MAX_PERCENT_KEY",
    "MAX_REASON",
    "MAX_TOPIC",
    "PERCENT_KEY",
    "PERIOD_SPECIALS",
    "Cell",
    "CellChange",
    "Grid",
    "GridLesson",
    "GridPupil",
    "JournalAccess",
    "JournalError",
    "MissingMarks",
    "OutOfScope",
    "PeriodCell",
    "Saved",
    "Stale",
    "access_for",
    "already_synced",
    "cells_of",
    "change_for_key",
    "class_in_school",
    "class_label",
    "clean_text",
    "close_check",
    "close_term",
    "closed_classes",
    "confirm_suggestions",
    "criterion_change",
    "fill_column_present",
    "grid",
    "grid_stamp",
    "is_leader",
    "journal_classes",
    "journal_of_lesson",
    "journal_subjects",
    "journal_term_labels",
    "lesson_of_day",
    "lesson_stamps",
    "lesson_text",
    "load_cell",
    "parse_token",
    "percent_of_key",
    "period_column",
    "period_stamp",
    "period_suggestion",
    "period_suggestions",
    "pupil_suggestion",
    "pupils_of",
    "record_refusal",
    "reopen_term",
    "save_cell",
    "set_lesson_text",
    "set_mark",
    "set_period_mark",
    "set_year_mark",
    "substituted",
    "term_closed_for",
    "undo_of",
    "write_session",
    "year_suggestion",
    "year_terms",
]
