"""The one error hierarchy (services/errors.py): a service refuses, the guard audits and translates.

A handler lets a service's refusal pass; the guard writes the audit row (`denied` for a scope,
`invalid` for a value) and answers with the toast in the user's language."""

from __future__ import annotations

from sqlmodel import col, select

from bbbms_app import db
from bbbms_app.auth.guard import requires
from bbbms_app.auth.inputs import BadInput
from bbbms_app.i18n import t
from bbbms_app.models import AuditEvent
from bbbms_app.pages.marks import MyMarksState
from bbbms_app.services import consent, diary, subgroups, timetable
from bbbms_app.services.engine import downloads, marking, writes
from bbbms_app.services.errors import NotFound, OutOfScope, Refused, ServiceError, Stale
from bbbms_app.services.journal import JournalError
from bbbms_app.services.journal import OutOfScope as JournalOutOfScope
from bbbms_app.services.journal import Stale as JournalStale
from tests.states import new_tab, sub


def test_every_service_refusal_is_one_of_the_hierarchy():
    # One OutOfScope for every area (no module keeps its own), and every keyed refusal is a Refused.
    assert JournalOutOfScope is OutOfScope
    assert diary.OutOfScope is subgroups.OutOfScope is timetable.OutOfScope is consent.OutOfScope is OutOfScope
    assert writes.OutOfScope is OutOfScope
    assert issubclass(marking.ExportRefused, OutOfScope)
    assert issubclass(writes.RecordNotFound, NotFound) and issubclass(downloads.DownloadRefused, NotFound)
    assert issubclass(writes.StaleRecord, Stale) and issubclass(JournalStale, Stale)
    for keyed in (JournalError, writes.RecordInvalid, timetable.TimetableError, consent.ConsentError, BadInput):
        assert issubclass(keyed, Refused) and issubclass(keyed, ServiceError)


def test_a_refusal_reads_in_each_language_with_its_field_and_per_language_params():
    refused = timetable.TimetableError("number", "error.invalid", field="number")
    assert refused.field == "number"
    assert "number" in refused.message("ru") and refused.message("ru") != refused.message("ky")
    stale = writes.StaleRecord("pupil")
    assert stale.key == "admin.stale" and stale.message("en")


def _rows(username: str) -> list[AuditEvent]:
    with db.session() as s:
        return list(
            s.exec(
                select(AuditEvent)
                .where(AuditEvent.username == username, col(AuditEvent.action).in_(("denied", "invalid")))
                .order_by(col(AuditEvent.id))
            ).all()
        )


async def test_the_guard_audits_a_scope_refusal_as_denied_and_says_forbidden(school):
    marks = sub(new_tab("t_parent"), MyMarksState)

    @requires("own.read")
    def reach(self):
        raise OutOfScope("pupil 424242")

    result = await reach(marks)
    (row,) = _rows("t_parent")
    assert row.action == "denied" and row.reason == "own.read: pupil 424242"
    assert t("error.forbidden", "ky") in repr(result)


async def test_the_guard_audits_a_refused_value_as_invalid_and_shows_its_message(school):
    marks = sub(new_tab("t_parent"), MyMarksState)

    @requires("own.read")
    def save(self):
        raise Refused("journal.error.late", high=45)

    result = await save(marks)
    (row,) = _rows("t_parent")
    assert row.action == "invalid" and row.reason.startswith("own.read: journal.error.late")
    assert t("journal.error.late", "ky", high=45) in repr(result)
