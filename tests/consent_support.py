"""Helpers for the consent tests: a private data folder per test, principals, a recorded consent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bbbms_app import db, settings
from bbbms_app.services import consent as consent_service
from tests.factories import principal_of

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TODAY = date.today()


@pytest.fixture
def private_dir(db_url, tmp_path, monkeypatch):
    """Private files of this test go to its own folder."""
    path = tmp_path / "data"
    monkeypatch.setenv("BBBMS_DATA_DIR", str(path))
    settings.reload()
    return path


def give(
    school,
    subject_type: str = "pupil",
    subject_id: int | None = None,
    categories=("identity", "address", "contacts"),
    by: str = "t_clerk",
    representative_id: int | None = None,
    given_on: date | None = None,
    valid_until: date | None = None,
) -> int:
    sid = subject_id if subject_id is not None else school.pupils_5a[0]
    if subject_type == "pupil" and representative_id is None and sid == school.pupils_5a[0]:
        representative_id = school.guardian_1
    with db.session(write=True) as s:
        scan = consent_service.stage_scan(school.school_id, PDF)
        c = consent_service.record(
            s,
            principal_of(by),
            subject_type=subject_type,
            subject_id=sid,
            categories=list(categories),
            given_on=given_on or TODAY - timedelta(days=3),
            valid_until=valid_until,
            scan=scan,
            representative_id=representative_id,
            purpose="Окуу процесси",
        )
        return c.id  # type: ignore[return-value]
