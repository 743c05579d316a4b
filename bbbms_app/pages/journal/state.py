"""/journal's State: pick a class × subject × term, then the grade grid, period marks, topics and the export.

State discipline (research/performance.md §1.3, §6 B2): each pupil's row is its own var `r{i}`
(a list of cells packed as «text|classes|token» strings, see `pack`) and his period cell `p{i}`, so
one mark saved sends one row (≈1–2 KiB), never the whole grid.
The cells' version tokens, the ids behind row and column numbers and the undo stack live in
backend vars (`_…`) and are never sent. The browser moves the cursor itself (journal_grid.js);
an entry reaches `key` (enter marks: journal.write) or `correct_key` (a closed term's audited
correction: journal.correct) as ("row:column", key).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from datetime import UTC, date, datetime
from typing import Any, ClassVar

import reflex as rx

from bbbms_app import db
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current, requires
from bbbms_app.components.grade_grid import FIELD, PERIOD_PARTS
from bbbms_app.components.packed import free
from bbbms_app.i18n import t, translations
from bbbms_app.services import grading, journal, journal_export
from bbbms_app.services import school as school_service
from bbbms_app.services.journal import CellChange

MAX_ROWS = 60  # pupils shown at once; a class never has more (the biggest Bishkek classes have ~45)
MAX_UNDO = 50
KINDS = ("class", "home", "test", "control")
MAX_OFFLINE_ENTRIES = 300  # cells kept by one phone while offline; a lesson is ~40
MAX_OFFLINE_KEYS = 20  # entries into one cell before it was sent
OFFLINE_ID = re.compile(r"^[A-Za-z0-9-]{8,40}$")
PAD_LABELS = {"clear": "⌫"}


def _day_month(d: date) -> str:
    # «02.09» as the journal writes it; formatted by hand because the grid needs it 100 times an open,
    # and interned: a school has ~170 such dates, so every open journal holds the same strings.
    return sys.intern(f"{d.day:02d}.{d.month:02d}")


STAMP_BYTES = 8  # a lesson's fingerprint, kept per tab as this many bytes of a digest


def _stamp_digests(lesson_ids: list[int], stamps: dict[int, str]) -> bytes:
    """The lessons' fingerprints (journal.lesson_stamps) as one bytes object, STAMP_BYTES per lesson
    in column order: what an open journal keeps to tell at its poll which columns moved (70 strings
    and their dict were ~9 KiB of each tab; this is ~0.6). A 64-bit digest: deterministic in every
    worker (a district's tab may poll through another), a missed change one in 2**64."""
    return b"".join(
        hashlib.blake2b(stamps.get(lid, "").encode(), digest_size=STAMP_BYTES).digest() for lid in lesson_ids
    )


def _version_slot(kind: str, row: int) -> int:
    """Where `_pversions` keeps row's period ("term") or year mark's version: two slots a row."""
    return 2 * row + (kind == "year")


def _decimal(value: float, lang: str) -> str:
    """4.67 as «4,67» in Kyrgyz and Russian, «4.67» in English (what Babel gives, without its cost per cell)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if lang == "en" else text.replace(".", ",")


def _term_option(term) -> dict[str, str]:
    lock = " 🔒" if term.closed_at else ""
    return {"id": str(term.id), **{k: v + lock for k, v in school_service.term_labels(term).items()}}


# A cell as the browser gets it is one string «text|classes|token»: a 40 × 70 journal is 2,800 cells,
# and as dicts they kept ~800 KiB per open tab in the server's memory; as strings (interned, so the
# many empty cells and every tab of the same journal share them) about a quarter of that.
# None of the three parts can hold «|»: marks and codes, class names, and «kind=value@version;…».
# A criterion-based cell has a fourth, its percentages («73%», shown small beside the mark); the
# others do without it, so the grid's strings did not grow.
SEP = "|"
EMPTY = sys.intern(SEP * 2)
OFF = sys.intern(f"{SEP}x{SEP}")


def pack(text: str, classes: str = "", token: str = "", note: str = "") -> str:
    return sys.intern(f"{text}{SEP}{classes}{SEP}{token}" + (f"{SEP}{note}" if note else ""))


def unpack(cell: str) -> tuple[str, str, str]:
    """(text, classes, token) of a packed cell."""
    text, classes, rest = cell.split(SEP, 2)
    return text, classes, rest.split(SEP, 1)[0]


def note_of(cell: str) -> str:
    """The percentages a packed cell shows beside its mark ("" for a cell typed as marks)."""
    parts = cell.split(SEP, 3)
    return parts[3] if len(parts) > 3 else ""


def _cell_view(cell: journal.Cell | None, *, off: bool = False, status: str = "") -> str:
    """A cell as the browser gets it: its text, its classes, and the version token a save (or an
    entry typed offline and sent later) names as what it was typed over; an empty cell has none."""
    if off:
        return OFF
    if cell is None:
        return pack("", status) if status else EMPTY
    flags = [status] if status else []
    if cell.weighty:
        flags.append("b")
    if cell.absent:
        flags.append("a")
    return pack(cell.text(), " ".join(flags), cell.token(), cell.note())


def _without_status(cell: str, drop: tuple[str, ...] = ("ok", "err")) -> str:
    """The cell without the save's status flags (saved «ok», refused «err»)."""
    text, classes, token = unpack(cell)
    return pack(text, " ".join(f for f in classes.split() if f not in drop), token, note_of(cell))


# A pupil's row head and a lesson's line of the topics list are one string each, their parts joined by
# FIELD (components/grade_grid.py, which splits them: names and topics are stored without it, and
# `free` takes out any that came another way); a period cell is «val|sug|avg|yval|ysug», interned as
# the grid's cells are. As a dict or a list of strings per row they were ~30 KiB of each open 40 × 70
# journal (the objects' headers: 40 pupils' dicts, 70 lists of three strings); as strings, a third of
# that. The browser splits them.
NO_PERIOD = SEP * (len(PERIOD_PARTS) - 1)


def pupil_view(key: str, name: str, left: str) -> str:
    """A pupil's row head: «id␟name␟left» (left: «03.09 чыккан», or "" while he is in the class)."""
    return f"{key}{FIELD}{free(name)}{FIELD}{left}"


def pupil_of(view: str) -> dict[str, str]:
    """A packed pupil row head as {"k", "name", "left"}."""
    return dict(zip(("k", "name", "left"), view.split(FIELD), strict=True))


def topic_view(day: str, topic: str, homework: str) -> str:
    """A lesson's line of the topics list: «02.09␟topic␟homework»."""
    return f"{day}{FIELD}{free(topic)}{FIELD}{free(homework)}"


def topic_of(view: str) -> list[str]:
    """A packed topics line as [date, topic, homework]."""
    return view.split(FIELD)


def period_view(val: str, sug: str, avg: str, yval: str, ysug: str) -> str:
    """A pupil's period and year cells as one interned string «val|sug|avg|yval|ysug»."""
    return sys.intern(SEP.join((val, sug, avg, yval, ysug)))


def period_of(view: str) -> dict[str, str]:
    """A packed period cell as {"val", "sug", "avg", "yval", "ysug"} (all "" for a row not shown)."""
    return dict(zip(PERIOD_PARTS, (view or NO_PERIOD).split(SEP), strict=True))


def _typed_label(key: str) -> str:
    """An entry as the teacher typed it: «5», «н», «⌫», «73%»."""
    if key.startswith(journal.PERCENT_KEY):
        return f"{key[len(journal.PERCENT_KEY) :]}%"
    return PAD_LABELS.get(key, key)


def _criterion_table(rules: grading.Rules) -> str:
    """The policy's criterion table as a legend: «0–39 % → 2 · 40–64 % → 3 · 65–84 % → 4 · 85–100 % → 5»."""
    bands = rules.criterion_bands
    ends = [lowest - 1 for lowest, _mark in bands[1:]] + [100]
    return " · ".join(f"{lowest}–{end} % → {mark}" for (lowest, mark), end in zip(bands, ends, strict=True))


class JournalState(rx.State):
    """One open journal: choices, the grid rows, the lesson panel, the period dialog."""

    class_options: list[dict[str, str]] = []
    subject_options: list[dict[str, str]] = []
    term_options: list[dict[str, str]] = []
    class_id: str = ""
    subject_key: str = ""
    term_id: str = ""

    heading: str = ""
    period_head: dict[str, str] = {}
    pupils: list[str] = []  # pupil_view per row
    # A lesson's column head packed as «id|day|month» («812|02|сен.»); its tooltip is made in the
    # browser from `topics`, so a saved topic shows there at once and no text is kept twice.
    lessons: list[str] = []
    n_rows: int = 0
    n_cols: int = 0
    mode: str = "read"  # write | correct | read
    closed: bool = False
    can_close: bool = False
    needs_split: bool = False  # a subgroup journal of a class not split for the subject yet
    substitute_dates: str = ""  # a substitute's own lessons in this journal («02.09, 05.09»); "" otherwise
    kind: str = "class"
    # A class assessed by criteria (its policy's scale «criterion»): the teacher may type a work's result
    # as a percentage (`entry` "percent"), the grid shows the mark it gives with the percentage beside it.
    criterion: bool = False
    criterion_table: str = ""  # the policy's table as the legend under the grid shows it: «0–39 % → 2 · …»
    entry: str = "mark"  # mark | percent: what the keys and the pad type into a cell
    last_saved: str = ""
    undo_count: int = 0
    correction_reason: str = ""
    outbox_owner: str = ""
    close_open: bool = False
    close_scope: str = "school"  # "school", "grade:<n>" or "class:<id>"
    close_scopes: list[dict[str, str]] = []
    close_rows: list[dict[str, str]] = []  # journals still lacking term marks in the chosen scope
    close_classes: int = 0
    close_missing: int = 0
    close_summary: dict[str, str] = {}  # tells this user's entries kept offline from another's on a shared phone

    sel_lesson: int = -1
    topic_draft: str = ""
    homework_draft: str = ""
    # «date␟topic␟homework» of each lesson (`topic_view`: one string, not a list or a dict, per lesson).
    topics: list[str] = []

    period_open: bool = False
    period_info: dict[str, str] = {}
    period_value: str = ""
    period_reason: str = ""
    # What the period dialog offers: the scale's marks, «н/а», «осв», and «зач»/«незач» where the policy says so.
    period_choices: list[str] = ["5", "4", "3", "2", "н/а", "осв"]

    _class: int = 0
    _subject: int = 0
    _subgroup: int = 0
    _term: int = 0
    _pupil_ids: list[int] = []
    _lesson_ids: list[int] = []
    _pversions: list[int] = []  # the period and year marks' versions as shown, `_version_slot`
    _undo: list[dict[str, Any]] = []
    _lstamps: bytes = b""  # each column's fingerprint when the tab last read it (_stamp_digests)
    _pstamp: str = ""  # fingerprint of the period and year marks
    _substitute: bool = False  # he writes only the columns in _own_cols (the lessons he taught)
    _own_cols: list[int] = []
    _today_col: int = 0  # the column of today's lesson (or the last one before today)
    # Q1 / Q3 of a grade assessed by half-year (10–11): {"half": n, "quarter": q}, its mark is set in quarter q.
    _later: dict[str, int] = {}
    _period_kind: str = "quarter"  # the kind of the period column's mark: "quarter" or "half_year"

    row_vars: ClassVar[tuple[str, ...]] = tuple(f"r{i}" for i in range(MAX_ROWS))
    period_vars: ClassVar[tuple[str, ...]] = tuple(f"p{i}" for i in range(MAX_ROWS))

    # -- loading -------------------------------------------------------------------------------

    def _lang(self) -> str:
        return current().language

    def _choose_subjects(self, s) -> None:
        principal = current()
        options = journal.journal_subjects(s, principal, int(self.class_id)) if self.class_id else []
        for o in options:
            for lang in ("ky", "ru", "en"):
                group = f" · {t('journal.subgroup', lang)} {o['subgroup']}" if o["subgroup"] != "0" else ""
                o[lang] = f"{o[lang]}{group} — {o['teacher']}"
        self.subject_options = options
        keys = [o["key"] for o in self.subject_options]
        if self.subject_key not in keys:
            own = [o["key"] for o in self.subject_options if o["own"]]
            self.subject_key = (own or keys or [""])[0]

    def _clear_grid(self) -> None:
        self.heading = ""
        self.pupils, self.lessons, self.topics = [], [], []
        self.n_rows = self.n_cols = 0
        self.mode = "read"
        self.needs_split = False
        self.substitute_dates = ""
        self._substitute, self._own_cols = False, []
        self._pupil_ids, self._lesson_ids = [], []
        self.sel_lesson = -1
        for name in (*self.row_vars, *self.period_vars):
            if getattr(self, name):
                setattr(self, name, [] if name.startswith("r") else "")

    def _open(self, s) -> bool:
        """Load the chosen journal into the row vars (only the rows that changed are set).

        Returns whether another journal than the one shown was opened."""
        principal = current()
        if not (self.class_id and self.subject_key and self.term_id):
            self._clear_grid()
            return False
        subject_id, subgroup = (int(x) for x in self.subject_key.split(":"))
        try:
            g = journal.grid(s, principal, int(self.class_id), subject_id, int(self.term_id), subgroup)
        except journal.OutOfScope:
            self._clear_grid()
            raise
        switched = (self._class, self._subject, self._subgroup, self._term) != (
            g.cls.id,
            subject_id,
            subgroup,
            g.term.id,
        )
        self._class, self._subject, self._subgroup, self._term = g.cls.id, subject_id, subgroup, g.term.id  # type: ignore[assignment]
        lang = principal.language
        self.closed = g.closed
        self.needs_split = g.needs_split
        marks = range(g.rules.max_value, g.rules.min_value - 1, -1) if g.rules.has_marks else ()
        self.criterion = g.rules.scale == "criterion"
        self.criterion_table = _criterion_table(g.rules) if self.criterion else ""
        if not self.criterion:
            self.entry = "mark"
        self.period_choices = [*(str(v) for v in marks), *g.specials]
        self._substitute = g.access.substitute and not g.access.leader
        self._own_cols = [j for j, lesson in enumerate(g.lessons) if lesson.teacher_id == principal.staff_id]
        self.substitute_dates = (
            ", ".join(_day_month(g.lessons[j].date) for j in self._own_cols) if self._substitute else ""
        )
        self.can_close = principal.can("term.close")
        if not g.closed and g.access.write:
            self.mode = "write"
        elif g.closed and g.access.correct:
            self.mode = "correct"
        else:
            self.mode = "read"
        names = {"ky": g.subject.name_ky, "ru": g.subject.name_ru, "en": g.subject.name_en or g.subject.name_ru}
        group = f" · {t('journal.subgroup', lang)} {subgroup}" if subgroup else ""
        self.heading = f"{journal.class_label(g.cls)} · {names.get(lang, names['ky'])}{group}"
        # The period column: the quarter, or for grades 10–11 the half-year (set in Q2 / Q4 only).
        head = journal.period_column(g)
        self.period_head = journal.journal_term_labels(g)[1]
        self._period_kind = head.kind
        self._later = {} if g.assessed else {"half": head.number, "quarter": head.closing_quarter}
        pupils = g.pupils[:MAX_ROWS]
        names = [p.name for p in pupils]
        dates = [_day_month(lesson.date) for lesson in g.lessons]
        self._pupil_ids = [p.id for p in pupils]
        self._lesson_ids = [lesson.id for lesson in g.lessons]
        self._today_col = journal.lesson_of_day(g.lessons, date.today())
        # `k`: the pupil's and the lesson's ids, so that an entry typed offline names its cell by what it is,
        # not by a row and column that may have moved by the time it is sent.
        pupils_view = [
            pupil_view(
                str(p.id),
                name,
                t("journal.left_on", lang, date=_day_month(p.ends_on))
                if p.ends_on is not None and p.ends_on < g.term.ends_on
                else "",
            )
            for p, name in zip(pupils, names, strict=True)
        ]
        months = journal_export.MONTHS.get(lang, journal_export.MONTHS["ky"])
        lessons_view = [
            sys.intern(f"{lesson.id}{SEP}{lesson.date.day:02d}{SEP}{months[lesson.date.month]}") for lesson in g.lessons
        ]
        if self.pupils != pupils_view:
            self.pupils = pupils_view
        if self.lessons != lessons_view:
            self.lessons = lessons_view
        self.n_rows, self.n_cols = len(pupils), len(g.lessons)
        versions: list[int] = []
        for i, pupil in enumerate(pupils):
            row = [
                _cell_view(g.cells.get((pupil.id, lesson.id)), off=not pupil.in_class_on(lesson.date))
                for lesson in g.lessons
            ]
            old = getattr(self, f"r{i}")
            if switched or [_without_status(c, ("ok",)) for c in old] != row:
                # A copy of exactly 70 slots (the comprehension's list grows by steps): kept while the tab lives.
                setattr(self, f"r{i}", list(row))
            pc, yc = g.period[pupil.id], g.year[pupil.id]
            versions += (pc.version, yc.version)
            view = self._period_view(pc.text, pc.suggestion, yc.text, yc.suggestion.text)
            if getattr(self, f"p{i}") != view:
                setattr(self, f"p{i}", view)
        self._pversions = versions
        for i in range(len(pupils), MAX_ROWS):
            if getattr(self, f"r{i}"):
                setattr(self, f"r{i}", [])
                setattr(self, f"p{i}", "")
        if switched:
            self._undo = []
            self.undo_count = 0
            self.last_saved = ""
            self.sel_lesson = -1
        topics = [topic_view(day, lesson.topic, lesson.homework) for day, lesson in zip(dates, g.lessons, strict=True)]
        if self.topics != topics:
            self.topics = topics
        self._lstamps = _stamp_digests(self._lesson_ids, journal.lesson_stamps(s, self._lesson_ids))
        self._pstamp = journal.period_stamp(s, self._pupil_ids, subject_id)
        return switched

    def _period_view(self, val: str, sug: grading.Suggestion, yval: str, ysug: str) -> str:
        avg = _decimal(sug.average, self._lang()) if sug.average is not None else ""
        return period_view(val, sug.text, avg, yval, ysug)

    @rx.event
    @requires("journal.read")
    def load(self):
        principal = current()
        self.outbox_owner = f"u{principal.user_id}"
        with db.session() as s:
            ctx = school_service.context(s, principal, date.today())
            self.class_options = journal.journal_classes(s, principal, ctx["year_id"])
            terms = journal.year_terms(s, ctx["year_id"])
            self.term_options = [_term_option(term) for term in terms]
            if self.term_id not in {o["id"] for o in self.term_options}:
                self.term_id = str(ctx["term_id"] or (terms[0].id if terms else ""))
            ids = [o["id"] for o in self.class_options]
            if self.class_id not in ids:
                self.class_id = ids[0] if ids else ""
                if principal.staff_id is not None and not journal.is_leader(principal):
                    # A teacher starts in a class he teaches (his own class first), not just the first he may read.
                    own_first = sorted(self.class_options, key=lambda o: o["own_class"] != "1")
                    for cid in (o["id"] for o in own_first):
                        if any(o["own"] for o in journal.journal_subjects(s, principal, int(cid))):
                            self.class_id = cid
                            break
            target = self._lesson_target(s)
            if target is not None:
                self.class_id, self.subject_key, self.term_id = str(target[0]), target[1], str(target[2])
            self._choose_subjects(s)
            switched = self._open(s)
            if target is not None and target[3] in self._lesson_ids:
                self._select_lesson(self._lesson_ids.index(target[3]))
                return self._reveal()
            return self._reveal(today=switched or self.sel_lesson < 0)

    def _reveal(self, *, today: bool = False):
        """Select today's lesson (or keep the selected one) and scroll the grid to its column.

        A teacher marks the lesson he is giving: on a phone only a few columns fit, so the journal
        opens there rather than at the first week of the quarter."""
        if not self._lesson_ids:
            return None
        if today or not 0 <= self.sel_lesson < len(self._lesson_ids):
            self._select_lesson(self._today_col)
        # journal_grid.js may still be loading on a first visit: it then finds the column in bbbmsReveal.
        col = int(self.sel_lesson)
        return rx.call_script(f"window.bbbmsGrid ? window.bbbmsGrid.reveal({col}) : (window.bbbmsReveal = {col})")

    def _lesson_target(self, s) -> tuple[int, str, int, int] | None:
        """The journal of `?lesson=<id>` (a link from the teacher's week), if he may read it."""
        raw = str(self.router.url.query_parameters.get("lesson", ""))[:12]
        if not raw.isdigit():
            return None
        found = journal.journal_of_lesson(s, current(), int(raw))
        if found is None or str(found[0]) not in {o["id"] for o in self.class_options}:
            return None
        if str(found[2]) not in {o["id"] for o in self.term_options}:
            return None
        return (*found, int(raw))

    @rx.event
    @requires("journal.read")
    def set_class(self, value: str):
        value = inputs.offered(value, self.class_options)
        if value is None:
            return
        self.class_id = value
        with db.session() as s:
            self._choose_subjects(s)
            self._open(s)
        return self._reveal(today=True)

    @rx.event
    @requires("journal.read")
    def set_subject(self, value: str):
        value = str(value)[:24]
        if value not in {o["key"] for o in self.subject_options}:
            return
        self.subject_key = value
        with db.session() as s:
            self._open(s)
        return self._reveal(today=True)

    @rx.event
    @requires("journal.read")
    def set_term(self, value: str):
        value = inputs.offered(value, self.term_options)
        if value is None:
            return
        self.term_id = value
        with db.session() as s:
            self._open(s)
        return self._reveal(today=True)

    @rx.event
    @requires("journal.read")
    def set_kind(self, value: str):
        if value in KINDS:
            self.kind = value

    @rx.event
    @requires("journal.read")
    def set_entry(self, value: str | list[str]):
        """Type marks, or (in a class assessed by criteria) percentages; the grid and the pad follow.
        (A segmented control hands its value as a string; the list is only its type's other half.)"""
        if isinstance(value, str) and value in ("mark", "percent") and (value == "mark" or self.criterion):
            self.entry = value

    @rx.event
    @requires("journal.read")
    def poll(self):
        """Every few seconds: if anyone saved into this journal, send the rows that changed.

        Only the columns whose fingerprint moved since the tab's last read are read again, and only
        the rows whose cells differ are set (each row is its own var: the delta carries just those),
        and their period suggestions are read in one go. A changed period mark reads the whole grid
        again (its versions and the year column follow it).
        """
        if not self._lesson_ids:
            return
        with db.session() as s:
            lesson_ids = self._raw("_lesson_ids")
            stamps = _stamp_digests(lesson_ids, journal.lesson_stamps(s, lesson_ids))
            pstamp = journal.period_stamp(s, self._raw("_pupil_ids"), self._subject)
            known = self._raw("_lstamps")
            n = STAMP_BYTES
            changed = [lid for c, lid in enumerate(lesson_ids) if stamps[c * n : c * n + n] != known[c * n : c * n + n]]
            if pstamp != self._pstamp:
                self._open(s)
                return
            if not changed:
                return
            cells = journal.cells_of(s, changed)
            cols = {lid: c for c, lid in enumerate(lesson_ids)}
            moved: list[int] = []
            for r, pupil_id in enumerate(self._raw("_pupil_ids")):
                row = self._raw(f"r{r}")
                new_row = None
                for lid in changed:
                    c = cols[lid]
                    old = unpack(row[c])
                    if "x" in old[1].split():
                        continue  # not in the class that day: nothing to show
                    view = _cell_view(cells.get((pupil_id, lid)))
                    if unpack(view)[::2] != old[::2] or note_of(view) != note_of(row[c]):
                        new_row = new_row or list(row)
                        new_row[c] = view
                if new_row is not None:
                    setattr(self, f"r{r}", new_row)
                    moved.append(r)
            if moved:
                pupil_ids = self._raw("_pupil_ids")
                sugs = journal.period_suggestions(
                    s, self._class, self._subject, self._term, [pupil_ids[r] for r in moved], self._subgroup
                )
                for r in moved:
                    self._show_suggestion(r, sugs[pupil_ids[r]])
            self._lstamps = stamps

    # -- entering marks ------------------------------------------------------------------------

    def _where(self, cell: str) -> tuple[int, int] | None:
        parts = str(cell)[:12].split(":")
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            return None
        r, c = int(parts[0]), int(parts[1])
        if r >= len(self._raw("_pupil_ids")) or c > len(self._raw("_lesson_ids")) + 1:
            return None
        return r, c

    def _save(self, r: int, c: int, change: CellChange, correcting: bool, *, record_undo: bool = True):
        principal = current()
        lang = principal.language
        if not correcting and self._raw("_substitute") and c not in self._raw("_own_cols"):
            # A substitute writes only the lessons he taught (the service refuses the rest too).
            self._mark_cell(r, c, "err")
            return rx.toast.error(t("journal.substitute.only_own", lang), duration=6000)
        token = self._token(r, c)
        reason = self.correction_reason if correcting else ""
        lesson_id, pupil_id = self._raw("_lesson_ids")[c], self._raw("_pupil_ids")[r]
        try:
            with journal.write_session() as s:
                saved = journal.save_cell(s, principal, lesson_id, pupil_id, change, token, reason=reason)
        except journal.JournalError as exc:
            with db.session() as s:
                journal.record_refusal(s, principal, "lesson", exc)
                if isinstance(exc, journal.Stale):
                    self._reload_cell(s, r, c)
            self._mark_cell(r, c, "err")
            return rx.toast.error(t(exc.key, lang, **exc.params), duration=6000)
        if record_undo and saved.undo is not None:
            undo = self._raw("_undo")
            back = saved.undo
            entry = {
                "r": r,
                "c": c,
                "mark_kind": back.mark_kind,
                "mark_value": back.mark_value,
                "percent": back.percent,
            }
            entry |= {"attendance": back.attendance, "late_minutes": back.late_minutes}
            self._undo = [*undo[-(MAX_UNDO - 1) :], entry]
            self.undo_count = len(undo) + 1 if len(undo) < MAX_UNDO else MAX_UNDO
        self._put_cell(r, c, saved.cell, "ok", saved.suggestion)
        value = saved.cell.text() or t("journal.empty_value", lang)
        if saved.cell.note():
            value = f"{value} ({saved.cell.note()})"
        self.last_saved = t(
            "journal.saved_cell",
            lang,
            pupil=self._pupil_name(r),
            date=self._lesson_date(c),
            value=value,
        )
        return None

    def _raw(self, name: str) -> Any:
        # Reflex wraps every mutable var it hands out in a change-tracking proxy (and each element read
        # through it); the hot path reads plain values and assigns whole values back instead.
        return self.get_value(name)

    def _pupil_name(self, r: int) -> str:
        """Row r's pupil as the grid names him (the status line, the dialogs): read from the shown row."""
        return pupil_of(self._raw("pupils")[r])["name"]

    def _lesson_date(self, c: int) -> str:
        """Column c's lesson date «02.09», read from its row of the topics list."""
        return topic_of(self._raw("topics")[c])[0]

    def _token(self, r: int, c: int) -> str:
        """The version token of cell (r, c) as the grid shows it."""
        row = self._raw(f"r{r}")
        return unpack(row[c])[2] if c < len(row) else ""

    def _put_cell(
        self, r: int, c: int, cell: journal.Cell, status: str, suggestion: grading.Suggestion | None = None
    ) -> None:
        row = list(self._raw(f"r{r}"))
        row[c] = _cell_view(cell, status=status)
        setattr(self, f"r{r}", row)  # a whole new list: the one row var is sent, never the grid
        if suggestion is not None:
            self._show_suggestion(r, suggestion)

    def _mark_cell(self, r: int, c: int, status: str) -> None:
        row = list(self._raw(f"r{r}"))
        text, classes, token = unpack(_without_status(row[c]))
        row[c] = pack(text, " ".join(filter(None, (classes, status))), token, note_of(row[c]))
        setattr(self, f"r{r}", row)

    def _reload_cell(self, s, r: int, c: int) -> None:
        self._put_cell(r, c, journal.load_cell(s, self._lesson_ids[c], self._pupil_ids[r]), "")

    def _show_suggestion(self, r: int, sug: grading.Suggestion) -> None:
        old = period_of(self._raw(f"p{r}"))
        view = self._period_view(old["val"], sug, old["yval"], old["ysug"])
        if view != self._raw(f"p{r}"):
            setattr(self, f"p{r}", view)

    def _apply(self, cell: str, key: str, correcting: bool):
        where = self._where(cell)
        key = str(key)[:8]
        if where is None:
            return None
        r, c = where
        if key == "undo":
            return self._undo_last(correcting)
        if c >= len(self._raw("_lesson_ids")):
            return None
        try:
            change = journal.change_for_key(self._token(r, c), key, self.kind)
        except journal.JournalError as exc:  # a percentage that is no whole number: shown in its cell
            with db.session() as s:
                journal.record_refusal(s, current(), "lesson", exc)
            self._mark_cell(r, c, "err")
            return rx.toast.error(t(exc.key, self._lang(), **exc.params), duration=6000)
        if change is None:
            return None
        return self._save(r, c, change, correcting)

    def _undo_last(self, correcting: bool):
        if not self._undo:
            return rx.toast.info(t("journal.undo.none", self._lang()))
        entry = self._undo[-1]
        self._undo = self._undo[:-1]
        self.undo_count = len(self._undo)
        change = CellChange(
            mark_kind=entry.get("mark_kind"),
            mark_value=entry.get("mark_value"),
            attendance=entry.get("attendance"),
            late_minutes=entry.get("late_minutes", 0),
            percent=entry.get("percent"),
        )
        return self._save(entry["r"], entry["c"], change, correcting, record_undo=False)

    @rx.event
    @requires("journal.write")
    def key(self, cell: str, key: str):
        """An entry from the grid: a mark, an attendance code, clear or undo, for one cell."""
        if self.mode != "write":
            return None
        return self._apply(cell, key, correcting=False)

    @rx.event
    @requires("journal.correct")
    def correct_key(self, cell: str, key: str):
        """The same entry as a correction of a closed term (needs the correction reason)."""
        if self.mode != "correct":
            return None
        if not self.correction_reason.strip():
            return rx.toast.error(t("journal.error.reason_required", self._lang()))
        return self._apply(cell, key, correcting=True)

    @rx.event
    @requires("journal.write")
    def undo(self):
        return self._undo_last(correcting=False)

    @rx.event
    @requires("journal.correct")
    def set_correction_reason(self, value: str):
        self.correction_reason = str(value)[: journal.MAX_REASON]

    # -- entries typed while the connection was down -------------------------------------------

    @staticmethod
    def _offline_entry(raw: dict[str, Any]) -> tuple[str, int, int, str, list[tuple[str, str, datetime]]]:
        """(id, lesson, pupil, token typed over, [(key, kind, typed at)]) of one outbox entry, or BadInput."""
        entry_id = str(raw.get("id", ""))
        if not OFFLINE_ID.match(entry_id):
            raise inputs.BadInput("id", "not an entry id")
        lesson_id = inputs.record_id(raw.get("l"), "lesson")
        pupil_id = inputs.record_id(raw.get("p"), "pupil")
        token = inputs.text(raw.get("v", ""), 300, "version")
        keys = raw.get("keys")
        if not isinstance(keys, list) or not 0 < len(keys) <= MAX_OFFLINE_KEYS:
            raise inputs.BadInput("keys", "not a list of entries")
        now = datetime.now(UTC)
        out = []
        for item in keys:
            if not isinstance(item, dict):
                raise inputs.BadInput("keys", "not an entry")
            raw_key = item.get("k")
            if isinstance(raw_key, str) and raw_key.startswith(journal.PERCENT_KEY):
                # A percentage typed offline: checked when it is saved (journal.percent_of_key), so a
                # malformed one is refused and named like any refused entry, not the whole batch.
                key = inputs.text(raw_key, journal.MAX_PERCENT_KEY, "key")
            else:
                key = inputs.choice(raw_key, [*journal.MARK_KEYS, *journal.CODE_KEYS, "clear"], "key")
            kind = inputs.choice(item.get("kind"), KINDS, "kind")
            try:
                at = datetime.fromisoformat(str(item.get("at", ""))[:40])
                at = at if at.tzinfo else at.replace(tzinfo=UTC)
            except ValueError:
                at = now
            # The phone's clock decides when it was typed, but never later than it arrived.
            out.append((key, kind, min(at, now)))
        return entry_id, lesson_id, pupil_id, token, out

    @rx.event
    @requires("journal.write")
    def sync_offline(self, entries: list[dict[str, Any]]):
        """Entries typed while the connection was down, sent by journal_grid.js when it came back.

        One entry is one cell: {"id", "l": lesson id, "p": pupil id, "v": the version token the first
        key was typed over, "keys": [{"k", "kind", "at": when typed}]}. Each cell is saved in its own
        transaction against that version: if someone changed the cell meanwhile, nothing is written,
        the cell turns red with what it holds now and a message names it — never overwritten. An
        entry saved before (its answer lost on the way back) is found in the audit and not saved
        twice. The answer tells the browser which entries it may forget.
        """
        principal = current()
        lang = principal.language
        if len(entries) > MAX_OFFLINE_ENTRIES:
            raise inputs.BadInput("entries", "too many")
        parsed = [self._offline_entry(raw) for raw in entries]
        rows = {pid: r for r, pid in enumerate(self._raw("_pupil_ids"))}
        cols = {lid: c for c, lid in enumerate(self._raw("_lesson_ids"))}
        done: list[str] = []
        saved_n = 0
        problems: list[str] = []
        for entry_id, lesson_id, pupil_id, token, keys in parsed:
            r, c = rows.get(pupil_id), cols.get(lesson_id)
            where = {
                "pupil": self._pupil_name(r) if r is not None else "—",
                "date": self._lesson_date(c) if c is not None else "—",
                "typed": _typed_label(keys[-1][0]),
            }
            with db.session() as s:
                if journal.already_synced(s, lesson_id, pupil_id, entry_id):
                    done.append(entry_id)
                    continue
            seen = token
            try:
                with journal.write_session() as s:
                    last = None
                    for key, kind, at in keys:
                        change = journal.change_for_key(seen, key, kind)
                        if change is None:
                            continue
                        last = journal.save_cell(
                            s, principal, lesson_id, pupil_id, change, seen, offline=(entry_id, at)
                        )
                        seen = last.cell.token()
            except journal.OutOfScope:
                with db.session() as s:
                    refusal = journal.JournalError("journal.offline.not_yours")
                    journal.record_refusal(s, principal, "lesson", refusal)
                problems.append(t("journal.offline.refused", lang, why=t("journal.offline.not_yours", lang), **where))
            except journal.JournalError as exc:
                with db.session() as s:
                    journal.record_refusal(s, principal, "lesson", exc)
                    now = journal.load_cell(s, lesson_id, pupil_id)
                if r is not None and c is not None:
                    self._put_cell(r, c, now, "err")
                if isinstance(exc, journal.Stale):
                    now_text = now.text() or t("journal.empty_value", lang)
                    problems.append(t("journal.offline.conflict", lang, now=now_text, **where))
                else:
                    problems.append(t("journal.offline.refused", lang, why=t(exc.key, lang, **exc.params), **where))
            else:
                saved_n += 1
                if last is not None and r is not None and c is not None:
                    self._put_cell(r, c, last.cell, "ok", last.suggestion)
            done.append(entry_id)
        events: list[Any] = [rx.call_script(f"window.bbbmsGrid && window.bbbmsGrid.synced({json.dumps(done)})")]
        if saved_n:
            events.append(rx.toast.success(t("journal.offline.sent", lang, count=saved_n)))
        events += [rx.toast.error(text, duration=20000) for text in problems[:10]]
        return events

    @rx.event
    @requires("journal.write")
    def all_present(self):
        """Clear every absence in the selected lesson's column."""
        if self.mode != "write" or not 0 <= self.sel_lesson < len(self._lesson_ids):
            return None
        principal = current()
        c = self.sel_lesson
        expected = {pid: self._token(r, c) for r, pid in enumerate(self._pupil_ids)}
        try:
            with journal.write_session() as s:
                cleared, skipped = journal.fill_column_present(s, principal, self._lesson_ids[c], expected)
        except journal.JournalError as exc:
            with db.session() as s:
                journal.record_refusal(s, principal, "lesson", exc)
            return rx.toast.error(t(exc.key, principal.language, **exc.params))
        index = {pid: r for r, pid in enumerate(self._pupil_ids)}
        for pid, cell in cleared.items():
            if pid in index:
                self._put_cell(index[pid], c, cell, "ok")
        msg = t("journal.all_present.done", principal.language, count=len(cleared))
        if skipped:
            return [rx.toast.success(msg), rx.toast.warning(t("journal.error.stale", principal.language))]
        return rx.toast.success(msg)

    # -- lesson topic and homework -------------------------------------------------------------

    @rx.event
    @requires("journal.read")
    def pick_lesson(self, index: int):
        if not isinstance(index, int) or not 0 <= index < len(self._lesson_ids):
            return
        self._select_lesson(index)

    def _select_lesson(self, index: int) -> None:
        self.sel_lesson = index
        topics = self._raw("topics")
        _date, self.topic_draft, self.homework_draft = topic_of(topics[index]) if index < len(topics) else ("", "", "")

    @rx.event
    @requires("journal.read")
    def set_topic_draft(self, value: str):
        self.topic_draft = str(value)[: journal.MAX_TOPIC]

    @rx.event
    @requires("journal.read")
    def set_homework_draft(self, value: str):
        self.homework_draft = str(value)[: journal.MAX_HOMEWORK]

    def _show_topic(self, topic: str, homework: str) -> None:
        """The selected lesson's topic and homework as saved (a new list: the whole var is sent)."""
        topics = list(self._raw("topics"))
        topics[self.sel_lesson] = topic_view(topic_of(topics[self.sel_lesson])[0], topic, homework)
        self.topics = topics

    def _save_lesson(self, correcting: bool):
        if not 0 <= self.sel_lesson < len(self._lesson_ids):
            return None
        principal = current()
        reason = self.correction_reason if correcting else ""
        try:
            with journal.write_session() as s:
                _date, shown_topic, shown_homework = topic_of(self._raw("topics")[self.sel_lesson])
                lesson = journal.set_lesson_text(
                    s,
                    principal,
                    self._lesson_ids[self.sel_lesson],
                    self.topic_draft,
                    self.homework_draft,
                    reason=reason,
                    seen=(shown_topic, shown_homework),
                )
        except journal.JournalError as exc:
            with db.session() as s:
                journal.record_refusal(s, principal, "lesson", exc)
                if isinstance(exc, journal.Stale):
                    # Show what the other teacher saved; the draft stays in the editor to be merged by hand.
                    self._show_topic(*journal.lesson_text(s, self._lesson_ids[self.sel_lesson]))
            return rx.toast.error(t(exc.key, principal.language, **exc.params))
        self._show_topic(lesson.topic, lesson.homework)
        self.topic_draft, self.homework_draft = lesson.topic, lesson.homework
        return rx.toast.success(t("journal.lesson.saved", principal.language))

    @rx.event
    @requires("journal.write")
    def save_lesson(self, form_data: dict):
        """The lesson panel's form: its topic and homework as the inputs show them."""
        if self.mode != "write":
            return None
        self._take_drafts(form_data)
        return self._save_lesson(correcting=False)

    @rx.event
    @requires("journal.correct")
    def correct_lesson(self, form_data: dict):
        if self.mode != "correct":
            return None
        self._take_drafts(form_data)
        return self._save_lesson(correcting=True)

    def _take_drafts(self, form_data: Any) -> None:
        """The topic and homework the form was submitted with. The inputs send their text to the
        drafts only after a pause in typing; a tap on «Save» sooner came first and saved the text
        before the last keys (an empty topic with «saved» shown): the submitted form is what was typed."""
        if not isinstance(form_data, dict):
            return
        self.topic_draft = str(form_data.get("topic", self.topic_draft))[: journal.MAX_TOPIC]
        self.homework_draft = str(form_data.get("homework", self.homework_draft))[: journal.MAX_HOMEWORK]

    # -- period and year marks -----------------------------------------------------------------

    def _period_dialog(self, r: int, kind: str) -> None:
        lang = self._lang()
        view = period_of(self._raw(f"p{r}"))
        if kind == "year":
            current_text, suggestion, average = view["yval"], view["ysug"], ""
        else:
            current_text, suggestion, average = view["val"], view["sug"], view["avg"]
        self.period_info = {
            "row": str(r),
            "kind": kind,
            "title": t(
                "journal.period.year_dialog"
                if kind == "year"
                else "journal.period.half_year_dialog"
                if self._period_kind == "half_year"
                else "journal.period.dialog",
                lang,
            ),
            "pupil": self._pupil_name(r),
            "current": current_text,
            "suggestion": suggestion,
            "average": average,
        }
        self.period_value = current_text or suggestion
        self.period_reason = ""
        self.period_open = True

    @rx.event
    @requires("journal.read")
    def open_period(self, row: int, kind: str):
        if not isinstance(row, int) or not 0 <= row < len(self._pupil_ids) or kind not in ("term", "year"):
            return None
        if kind == "term" and self._later:
            return self._later_toast()
        self._period_dialog(row, kind)
        return None

    def _later_toast(self):
        """Q1 / Q3 of grades 10–11: no period mark here; the half-year's is set in Q2 / Q4."""
        return rx.toast.info(t("journal.half_year.later", self._lang(), **self._later))

    @rx.event
    @requires("journal.read")
    def open_period_cell(self, cell: str):
        """Enter on a period cell (from the keyboard)."""
        where = self._where(cell)
        if where is None:
            return
        r, c = where
        kind = "year" if c == len(self._lesson_ids) + 1 else "term"
        if kind == "term" and self._later:
            return self._later_toast()
        self._period_dialog(r, kind)
        return None

    @rx.event
    @requires("journal.read")
    def close_period(self):
        self.period_open = False

    @rx.event
    @requires("journal.read")
    def set_period_dialog(self, is_open: bool):
        self.period_open = bool(is_open) and self.period_open

    @rx.event
    @requires("journal.read")
    def set_period_value(self, value: str):
        self.period_value = str(value)[:6]

    @rx.event
    @requires("journal.read")
    def set_period_reason(self, value: str):
        self.period_reason = str(value)[: journal.MAX_REASON]

    def _save_period(self, action: str, correcting: bool):
        principal = current()
        lang = principal.language
        info = self.period_info
        if not info or action not in ("confirm", "save", "clear"):
            return None
        r, kind = int(info["row"]), info["kind"]
        if not 0 <= r < len(self._pupil_ids):
            return None
        text = {"confirm": info.get("suggestion", ""), "save": self.period_value, "clear": ""}[action]
        value = int(text) if text.isdigit() else None
        special = "" if value is not None else text
        reason = self.period_reason
        if correcting:
            reason = reason or self.correction_reason
        slot = _version_slot(kind, r)
        try:
            with journal.write_session() as s:
                common = {
                    "value": value,
                    "special": special,
                    "reason": reason,
                    "expected_version": self._pversions[slot] if slot < len(self._pversions) else 0,
                    "subgroup": self._subgroup,
                }
                if kind == "year":
                    row = journal.set_year_mark(s, principal, self._class, self._subject, self._pupil_ids[r], **common)
                else:
                    row = journal.set_period_mark(
                        s, principal, self._class, self._subject, self._term, self._pupil_ids[r], **common
                    )
                    sug = journal.pupil_suggestion(
                        s, self._class, self._subject, self._term, self._pupil_ids[r], self._subgroup
                    )
        except journal.JournalError as exc:
            with db.session() as s:
                journal.record_refusal(s, principal, "periodmark", exc)
            return rx.toast.error(t(exc.key, lang, **exc.params), duration=6000)
        self._pversions = [*self._pversions[:slot], row.version if row else 0, *self._pversions[slot + 1 :]]
        view = period_of(self._raw(f"p{r}"))
        view["yval" if kind == "year" else "val"] = text
        setattr(self, f"p{r}", period_view(*(view[part] for part in PERIOD_PARTS)))
        if kind == "term":
            self._show_suggestion(r, sug)  # «осв» set or cleared changes it
        self.period_open = False
        return rx.toast.success(t("journal.saved", lang))

    @rx.event
    @requires("journal.write")
    def save_period(self, action: str):
        if self.mode != "write":
            return None
        return self._save_period(str(action), correcting=False)

    @rx.event
    @requires("journal.correct")
    def correct_period(self, action: str):
        if self.mode != "correct":
            return None
        return self._save_period(str(action), correcting=True)

    @rx.event
    @requires("journal.write")
    def confirm_all(self):
        if self.mode != "write":
            return None
        principal = current()
        try:
            with journal.write_session() as s:
                n = journal.confirm_suggestions(s, principal, self._class, self._subject, self._term, self._subgroup)
        except journal.JournalError as exc:
            with db.session() as s:
                journal.record_refusal(s, principal, "periodmark", exc)
            return rx.toast.error(t(exc.key, principal.language, **exc.params))
        with db.session() as s:
            self._open(s)
        return rx.toast.success(t("journal.period.confirmed", principal.language, count=n))

    # -- term and export -----------------------------------------------------------------------

    # -- closing the term: check who lacks a mark, choose the school, a grade or a class, confirm ----

    def _close_check(self) -> None:
        principal = current()
        scope, _, raw = self.close_scope.partition(":")
        with db.session() as s:
            classes, missing = journal.close_check(s, principal, self._term, scope, int(raw or 0))
        self.close_classes = len(classes)
        self.close_missing = sum(m.missing for m in missing)
        self.close_summary = translations(
            "journal.close.summary", classes=self.close_classes, missing=self.close_missing
        )
        self.close_rows = [
            {
                "class": m.class_name,
                **{lang: m.subject[lang] + (f" · {m.subgroup}" if m.subgroup else "") for lang in ("ky", "ru", "en")},
                "teacher": m.teacher,
                "count": f"{m.missing} / {m.pupils}",
                "names": ", ".join(m.names) + (" …" if m.missing > len(m.names) else ""),
            }
            for m in missing[:200]
        ]

    @rx.event
    @requires("term.close")
    def close_term(self):
        """Open the closing dialog: for the whole school by default, with who still lacks a term mark."""
        if not self._term:
            return None
        principal = current()
        with db.session() as s:
            ctx = school_service.context(s, principal, date.today())
            classes = journal.journal_classes(s, principal, ctx["year_id"])
        grades = sorted({int(c["name"].split("-")[0]) for c in classes if c["name"].split("-")[0].isdigit()})
        scopes = [{"id": "school", **translations("journal.close.school")}]
        scopes += [{"id": f"grade:{g}", **translations("journal.close.grade", grade=g)} for g in grades]
        scopes += [{"id": f"class:{c['id']}", "ky": c["name"], "ru": c["name"], "en": c["name"]} for c in classes]
        self.close_scopes = scopes
        self.close_scope = "school"
        self._close_check()
        self.close_open = True
        return None

    @rx.event
    @requires("term.close")
    def set_close_scope(self, value: str):
        value = str(value)[:24]
        if value not in {o["id"] for o in self.close_scopes}:
            return
        self.close_scope = value
        self._close_check()

    @rx.event
    @requires("term.close")
    def set_close_dialog(self, is_open: bool):
        self.close_open = bool(is_open) and self.close_open

    @rx.event
    @requires("term.close")
    def confirm_close(self):
        """Close the term for the chosen scope (the check above was shown and confirmed)."""
        principal = current()
        if not self.close_open or not self._term:
            return None
        scope, _, raw = self.close_scope.partition(":")
        try:
            with journal.write_session() as s:
                n = journal.close_term(s, principal, self._term, scope, int(raw or 0))
        except journal.JournalError as exc:
            return rx.toast.error(t(exc.key, principal.language, **exc.params))
        self.close_open = False
        self._reload_terms()
        return rx.toast.success(t("journal.close.done", principal.language, count=n))

    @rx.event
    @requires("term.close")
    def reopen_term(self):
        """Reopen the open journal's term: for its class if it was closed for the class alone, else the school's."""
        principal = current()
        try:
            with journal.write_session() as s:
                own = self._class in journal.closed_classes(s, self._term)
                journal.reopen_term(
                    s, principal, self._term, self.correction_reason, class_id=self._class if own else None
                )
        except journal.JournalError as exc:
            return rx.toast.error(t(exc.key, principal.language, **exc.params))
        self._reload_terms()
        return rx.toast.success(t("journal.term.reopened", principal.language))

    def _reload_terms(self) -> None:
        with db.session() as s:
            ctx = school_service.context(s, current(), date.today())
            self.term_options = [_term_option(term) for term in journal.year_terms(s, ctx["year_id"])]
            self._open(s)

    @rx.event
    @requires("journal.read")
    def export_xlsx(self):
        """The journal's XLSX, written to a private file and downloaded through the authorized route
        /journal-files/<token> (only this user, while he may read this journal), never over the websocket."""
        principal = current()
        if not self._term:
            return None
        with db.session(write=True) as s:
            url, name = journal_export.write_download(
                s, principal, self._class, self._subject, self._term, self._subgroup, principal.language
            )
        return rx.download(url=url, filename=name)


for _i in range(MAX_ROWS):
    JournalState.add_var(f"r{_i}", list[str], [])
    JournalState.add_var(f"p{_i}", str, "")
