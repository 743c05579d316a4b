"""The authorized HTTP routes for consent scans and marked exports: who gets the file, who gets 401/403."""

from __future__ import annotations

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from bbbms_app import db
from bbbms_app.api.private_files import private_files_api
from bbbms_app.models import AuditEvent, Consent
from bbbms_app.services import accounts, private_files
from tests.consent_support import PDF, give, private_dir  # noqa: F401  (fixture)
from tests.factories import PASSWORD

pytestmark = pytest.mark.usefixtures("private_dir")


def token_of(username: str) -> str:
    with db.session() as s:
        result = accounts.authenticate(s, username, PASSWORD)
    assert result.token
    return result.token


def get(url: str, username: str | None = None, token: str | None = None):
    client = TestClient(private_files_api)
    if username or token:
        client.cookies.set("bbbms_session", token or token_of(username or ""))
    return client.get(url)


@pytest.fixture
def second_parent(school):
    """A parent account for the other family (guardian 2, father of the first pupil of 6-Б)."""
    with db.session(write=True) as s:
        accounts.create_user(
            s, "t_parent_b", "parent", PASSWORD, school_id=school.school_id, guardian_id=school.guardian_2
        )
    return "t_parent_b"


def _denials() -> list[AuditEvent]:
    with db.session() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == "denied")).all())


def test_scan_route_answers_each_user_by_permission_and_scope(school, second_parent):
    cid = give(school)  # pupil 5-А[0], family of t_parent
    url = f"/private/consent-scan/{cid}"
    # No session, another family's scan, a missing id, no right: one answer (ids tell nothing), audited.
    assert get(url).status_code == 404
    assert get(url, token="not-a-live-session").status_code == 404
    assert get(url, second_parent).status_code == 404
    assert get("/private/consent-scan/999999", second_parent).status_code == 404
    assert get(url, "t_teacher").status_code == 404  # teaches 6-Б only
    assert get(url, "t_admin").status_code == 404  # accounts, not personal data
    for username in ("t_clerk", "t_director", "t_deputy", "t_classteacher", "t_parent"):
        r = get(url, username)
        assert r.status_code == 200, username
        assert r.content == PDF
        assert r.headers["content-type"] == "application/pdf"
        assert r.headers["content-disposition"].startswith("attachment")
        assert r.headers["cache-control"].startswith("no-store")
        assert r.headers["x-content-type-options"] == "nosniff"
    assert len(_denials()) == 6
    with db.session() as s:
        views = s.exec(select(AuditEvent).where(AuditEvent.action == "view", AuditEvent.entity_id == cid)).all()
    assert {v.username for v in views} == {"t_clerk", "t_director", "t_deputy", "t_classteacher", "t_parent"}
    assert all(v.pupil_id == school.pupils_5a[0] for v in views)


def test_class_teacher_of_another_class_and_unknown_ids(school):
    other = give(school, subject_id=school.pupils_6b[0], representative_id=school.guardian_2)
    assert get(f"/private/consent-scan/{other}", "t_classteacher").status_code == 404  # as a missing id
    assert get("/private/consent-scan/999999", "t_clerk").status_code == 404
    assert get("/private/consent-scan/999999", "t_teacher").status_code == 404
    assert get("/private/consent-scan/abc", "t_clerk").status_code == 404  # not a route at all


def test_a_revoked_session_is_refused_at_once(school):
    cid = give(school)
    token = token_of("t_clerk")
    assert get(f"/private/consent-scan/{cid}", token=token).status_code == 200
    with db.session() as s:
        accounts.revoke(s, token)
    assert get(f"/private/consent-scan/{cid}", token=token).status_code == 404


def test_an_altered_scan_is_not_served(school):
    cid = give(school)
    with db.session() as s:
        c = s.get(Consent, cid)
        assert c is not None
    private_files.path_of("consents", c.scan_name).write_bytes(b"%PDF-1.4 forged")
    assert get(f"/private/consent-scan/{cid}", "t_clerk").status_code == 410


def test_export_download_is_for_its_owner_once(school):
    with db.session() as s:
        clerk_id = accounts.resolve(s, token_of("t_clerk")).user_id  # type: ignore[union-attr]
    stored = private_files.store_export(school.school_id, clerk_id, b"{}", "json")
    url = private_files.export_url(stored.name)
    assert get(url).status_code == 404
    assert get(url, "t_director").status_code == 404  # somebody else's export
    assert get("/private/export/1/not-an-export.txt", "t_clerk").status_code == 404
    assert [d.reason for d in _denials()][-3:] == [
        "no session: export_download",
        f"OutOfScope: export.personal: export of user {clerk_id}",
        "NotFound: export 1/not-an-export.txt",
    ]
    r = get(url, "t_clerk")
    assert r.status_code == 200 and r.content == b"{}"
    assert get(url, "t_clerk").status_code == 410  # gone after its one download
    assert not private_files.path_of("exports", stored.name).exists()


def test_unfetched_exports_expire(school):
    import time

    stored = private_files.store_export(school.school_id, 1, b"{}", "json")
    path = private_files.path_of("exports", stored.name)
    assert private_files.purge_exports(now=time.time()) == 0 and path.exists()
    assert private_files.purge_exports(now=time.time() + private_files.EXPORT_TTL_S + 5) == 1
    assert not path.exists()
