"""Reports: pure queries from the stored marks and attendance to rows, then XLSX or print.

- `formulas`   — the indicators (успеваемость, качество, СОУ, average) over additive tallies;
- `summary`    — the class teacher's summary sheet (сводная ведомость) of one class × period;
- `results`    — the academic results of a term or the year: by class, parallel, level and
  school, per subject and all subjects, by sex, the lists of pupils, the previous period;
- `attendance` — lessons and full days missed by reason, per pupil, class and school;
- `sheets`     — the reports as XLSX through the one writer (`services/engine/xlsx.py`).

Scope (checked here, whatever the caller): the director and deputies (school-wide roles holding
`report.read`) read the whole school; a class teacher with `report.read` reads his own class.

Note: `reports.summary` is the function (the module is `bbbms_app.services.reports.summary`).
"""

from __future__ import annotations

from bbbms_app.services.reports.summary import (
    ABSENCE_COLUMNS,
    Summary,
    SummaryRow,
    can_read_summary,
    summary,
    summary_classes,
)

__all__ = [
    "ABSENCE_COLUMNS",
    "Summary",
    "SummaryRow",
    "can_read_summary",
    "summary",
    "summary_classes",
]
