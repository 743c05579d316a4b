"""Teacher reports, the director's dashboard: the texts of room reports2 (Kyrgyz, Russian, English)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    "rights.perm.report.teacher": (
        "Мугалимдердин отчетторун көрүү",
        "Просмотр отчётов по учителям",
        "Read teacher reports",
    ),
}
