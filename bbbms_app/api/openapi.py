"""The OpenAPI 3 document of REST API v1 (served at /api/v1/openapi.json), written by hand.

Each list route answers `{"data": [item…], "paging": {...}}`; ITEMS names each item's properties
(all required), PARAMS the query parameters besides `limit`/`offset`. tests/test_api_rest.py checks
that every route listed here answers and that every item carries exactly the documented keys.
"""

from __future__ import annotations

from typing import Any

from bbbms_app.api import openapi_oneroster
from bbbms_app.services.api_clients import SCOPES
from bbbms_app.services.api_v1 import MAX_ID

INT = {"type": "integer"}
ID = {"type": "integer", "minimum": 0, "maximum": MAX_ID}
INT_OR_NULL = {"type": ["integer", "null"]}
STR = {"type": "string"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}

ITEMS: dict[str, dict[str, dict]] = {
    "classes": {
        "id": INT,
        "name": STR,
        "grade": INT,
        "letter": STR,
        "language": STR,
        "shift": INT,
        "academic_year_id": INT,
        "class_teacher_id": INT_OR_NULL,
    },
    "pupils": {
        "id": INT,
        "last_name": STR,
        "first_name": STR,
        "patronymic": STR,
        "sex": {"type": "string", "enum": ["m", "f"]},
        "birth_date": DATE,
        "class_id": INT_OR_NULL,
    },
    "staff": {"id": INT, "last_name": STR, "first_name": STR, "patronymic": STR, "position": STR},
    "subjects": {"id": INT, "code": STR, "name_ky": STR, "name_ru": STR, "name_en": STR},
    "terms": {
        "id": INT,
        "academic_year_id": INT,
        "kind": {"type": "string", "enum": ["quarter", "half_year"]},
        "number": INT,
        "starts_on": DATE,
        "ends_on": DATE,
        "closed": {"type": "boolean"},
    },
    "marks": {
        "id": INT,
        "pupil_id": INT,
        "lesson_id": INT,
        "class_id": INT,
        "subject_id": INT,
        "term_id": INT,
        "date": DATE,
        "lesson_number": INT,
        "value": INT,
        "kind": {"type": "string", "enum": ["class", "home", "test", "control"]},
        "updated_at": DATETIME,
    },
    "guardians": {
        "id": INT,
        "last_name": STR,
        "first_name": STR,
        "patronymic": STR,
        "children": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["pupil_id", "relation", "is_primary"],
                "properties": {"pupil_id": INT, "relation": STR, "is_primary": {"type": "boolean"}},
                "additionalProperties": False,
            },
        },
    },
    "timetable": {
        "id": INT, "class_id": INT, "term_id": INT, "valid_from": DATE, "valid_to": DATE,
        "weekday": {"type": "integer", "minimum": 1, "maximum": 7}, "number": INT, "subject_id": INT,
        "teacher_id": INT, "subgroup": INT, "room": STR,
    },
    "lessons": {
        "id": INT, "class_id": INT, "subject_id": INT, "teacher_id": INT, "term_id": INT, "date": DATE,
        "number": INT, "subgroup": INT, "topic": STR, "homework": STR, "cancelled": {"type": "boolean"},
    },
    "attendance": {
        "id": INT, "pupil_id": INT, "lesson_id": INT, "class_id": INT, "subject_id": INT, "date": DATE,
        "lesson_number": INT, "code": {"type": "string", "enum": ["н", "б", "у", "п", "о"]}, "late_minutes": INT,
        "updated_at": DATETIME,
    },
    "period_marks": {
        "id": INT, "pupil_id": INT, "subject_id": INT, "class_id": INT, "academic_year_id": INT,
        "term_id": INT_OR_NULL, "kind": {"type": "string", "enum": ["quarter", "half_year", "year", "exam", "final"]},
        "number": INT, "value": INT_OR_NULL, "special": {"type": "string", "enum": ["", "н/а", "осв", "зач", "незач"]},
        "updated_at": DATETIME,
    },
}  # fmt: skip
EXCHANGE = {
    "get": {
        "operationId": "exchange_export",
        "summary": "A term's marks, attendance and quarter marks as one flat table keyed by PIN and OKPO",
        "tags": ["Exchange"],
        "security": [{"oauth2": ["gradebook:read"]}],
        "parameters": [
            {"name": "term", "in": "query", "required": True, "schema": ID, "description": "the term's id"},
            {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["csv", "xlsx"]}},
        ],
        "responses": {
            "200": {
                "description": "the table (docs/api.md: the exchange files)",
                "headers": {"X-Rows-Without-Pin": {"schema": STR}},
                "content": {
                    "text/csv": {"schema": STR},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                },
            },
            **{
                code: {
                    "description": text,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
                for code, text in (
                    ("400", "a malformed parameter"),
                    ("401", "no valid token"),
                    ("403", "the token lacks gradebook:read"),
                    ("404", "no such term in this school"),
                    ("429", "the client's rate limit"),
                )
            },
        },
    }
}
SUMMARY = {
    "classes": "Classes of the school (every year, or one)",
    "pupils": "Pupils with their current class: names, sex, birth date (no PIN)",
    "staff": "Staff: names and positions",
    "subjects": "Subjects with their names in Kyrgyz, Russian and English",
    "terms": "Quarters and half-years",
    "marks": "Current marks, oldest change first (incremental sync with updated_since)",
    "guardians": "Parents and guardians: names and children (no PIN, phone or address)",
    "timetable": "Timetable slots of the classes (weekday 1 = Monday)",
    "lessons": "Lessons with their topics and homework, in date order",
    "attendance": "Absences and lateness, oldest change first (incremental sync with updated_since)",
    "period_marks": "Quarter, half-year, year, exam and final marks, oldest change first",
}
ROUTE_SCOPES: dict[str, tuple[str, ...]] = {
    "classes": ("roster:read", "gradebook:read"),
    "pupils": ("roster:read",),
    "staff": ("roster:read",),
    "subjects": ("roster:read", "gradebook:read"),
    "terms": ("roster:read", "gradebook:read"),
    "marks": ("gradebook:read",),
    "guardians": ("roster:read",),
    "timetable": ("roster:read", "gradebook:read"),
    "lessons": ("gradebook:read",),
    "attendance": ("gradebook:read",),
    "period_marks": ("gradebook:read",),
}
PARAMS: dict[str, list[tuple[str, dict, str]]] = {
    "classes": [("academic_year_id", ID, "only this academic year's classes")],
    "pupils": [("class_id", ID, "only pupils in this class today")],
    "marks": [
        ("class_id", ID, "only this class's lessons"),
        ("subject_id", ID, "only this subject's lessons"),
        ("updated_since", DATETIME, "only marks changed after this instant (ISO 8601; no zone = UTC)"),
    ],
    "guardians": [("class_id", ID, "only parents of pupils in this class today")],
    "timetable": [("class_id", ID, "only this class's slots")],
    "lessons": [
        ("class_id", ID, "only this class's lessons"),
        ("subject_id", ID, "only this subject's lessons"),
        ("term_id", ID, "only this term's lessons"),
    ],
    "attendance": [
        ("class_id", ID, "only this class's lessons"),
        ("subject_id", ID, "only this subject's lessons"),
        ("updated_since", DATETIME, "only rows changed after this instant (ISO 8601; no zone = UTC)"),
    ],
    "period_marks": [
        ("class_id", ID, "only this class"),
        ("subject_id", ID, "only this subject"),
        ("updated_since", DATETIME, "only rows changed after this instant (ISO 8601; no zone = UTC)"),
    ],
}


def _error_response(description: str) -> dict:
    schema = {"$ref": "#/components/schemas/Error"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _operation(name: str) -> dict[str, Any]:
    params = [
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}},
        {"name": "offset", "in": "query", "schema": {**ID, "default": 0}},
        *({"name": n, "in": "query", "schema": schema, "description": d} for n, schema, d in PARAMS.get(name, [])),
    ]
    item = {"type": "object", "required": list(ITEMS[name]), "properties": ITEMS[name], "additionalProperties": False}
    return {
        "get": {
            "operationId": f"list_{name}",
            "summary": SUMMARY[name],
            "security": [{"oauth2": list(ROUTE_SCOPES[name][:1])}],
            "x-scopes-any-of": list(ROUTE_SCOPES[name]),
            "parameters": [
                *params,
                {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"}},
            ],
            "responses": {
                "200": {
                    "description": "one page of the list",
                    "headers": {
                        "Cache-Control": {"schema": {"type": "string", "enum": ["no-store"]}},
                        "ETag": {"schema": {"type": "string"}, "description": "send it back in If-None-Match"},
                    },
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["data", "paging"],
                                "properties": {
                                    "data": {"type": "array", "items": item},
                                    "paging": {"$ref": "#/components/schemas/Paging"},
                                },
                            }
                        }
                    },
                },
                "304": {"description": "If-None-Match matched the ETag: nothing changed"},
                "400": _error_response("a query parameter is malformed (error_description names it)"),
                "401": _error_response('no valid token; WWW-Authenticate: Bearer error="invalid_token"'),
                "403": _error_response("the token lacks the route's scope (insufficient_scope)"),
                "429": _error_response("the client's rate limit; Retry-After says when to retry"),
            },
        }
    }


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "BBBMS integration API",
            "version": "1.0.0",
            "description": "One school's roster and gradebook for registered clients (OAuth 2 client "
            "credentials): REST API v1 and OneRoster 1.2 (rostering, gradebook with results written back, "
            "the CSV bundle). See docs/api.md.",
        },
        "servers": [{"url": "/"}],
        "paths": {
            **{f"/api/v1/{name}": _operation(name) for name in ITEMS},
            "/api/v1/exchange": EXCHANGE,
            **openapi_oneroster.paths(),
        },
        "components": {
            "securitySchemes": {
                "oauth2": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": "/oauth/token",
                            "scopes": {
                                "roster:read": "classes, pupils, staff, subjects, terms",
                                "gradebook:read": "marks, classes, subjects, terms; OneRoster gradebook; exchange file",
                                "gradebook:write": "OneRoster results written back into the journal",
                                "demographics:read": "OneRoster demographics of pupils whose consent allows it",
                                "resources:read": "OneRoster resources: the courses' published materials",
                            },
                        }
                    },
                }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "error_description"],
                    "properties": {"error": STR, "error_description": STR},
                },
                **openapi_oneroster.SCHEMAS,
                "Paging": {
                    "type": "object",
                    "required": ["limit", "offset", "next_offset"],
                    "properties": {"limit": INT, "offset": INT, "next_offset": INT_OR_NULL},
                },
            },
        },
        "x-known-scopes": list(SCOPES),
    }
