"""schemathesis (property-based) against the app's own OpenAPI document (issue 19 §5): every
documented operation — REST API v1 and OneRoster 1.2, reads and result writes — is called with
generated parameters and bodies, in process over ASGI against a real database with a token of
every scope; no answer is a 5xx, none breaks the document, and none is given without a token."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance
from starlette.testclient import TestClient

from bbbms_app.api.rest import rest_api
from bbbms_app.services import api_clients, oneroster
from tests.test_api_rest import bearer, token_for

EXAMPLES = 12
SCOPES = ("roster:read", "gradebook:read", "gradebook:write", "demographics:read", "resources:read")


@pytest.fixture
def api_token(school, monkeypatch) -> str:
    monkeypatch.setattr(api_clients, "CALLS_PER_MINUTE", 1_000_000)  # generated calls, not a client's pace
    api_clients.RATE.reset()
    oneroster.SNAPSHOTS.reset()  # client ids restart in every test database
    return token_for(TestClient(rest_api), school.school_id, scopes=SCOPES, name="schemathesis")


def test_the_api_keeps_its_document(api_token):
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", rest_api)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40  # v1's lists and OneRoster's reads and writes
    # Not checked: that every schema-valid request is accepted. A OneRoster `filter`, `sort` or
    # `fields` is a free string in the document and may still name no field (400, documented).
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case):
            case.call_and_validate(
                headers=bearer(api_token), excluded_checks=[positive_data_acceptance], additional_checks=[ignored_auth]
            )

        call()


def test_no_documented_route_answers_without_a_valid_token(school):
    http = TestClient(rest_api)
    doc = http.get("/api/v1/openapi.json").json()
    calls = 0
    for path, item in doc["paths"].items():
        url = re.sub(r"\{[^}]+\}", "x-1", path)
        for method in item:
            for headers in ({}, bearer("not-a-token-" + "y" * 40)):
                answer = http.request(method.upper(), url, headers=headers, json={"results": []})
                assert answer.status_code == 401, (method, path, answer.text)
                assert answer.headers["www-authenticate"].startswith('Bearer realm="bbbms", error="invalid_token"')
                calls += 1
    assert calls >= 80
