"""The OneRoster 1.2 routes in the OpenAPI document (api/openapi.py merges them), by hand.

Items list their properties with types but none as required: OneRoster's `fields` parameter
answers a subset of them. `additionalProperties: false` holds an answer to exactly these.
"""

from __future__ import annotations

from typing import Any

from bbbms_app.services import oneroster
from bbbms_app.services.api_v1 import MAX_ID

R = "/ims/oneroster/rostering/v1p2"
G = "/ims/oneroster/gradebook/v1p2"
CSV = "/ims/oneroster/csv/v1p2/bundle.zip"
RES = "/ims/oneroster/resources/v1p2"

S = {"type": "string"}
S_NULL = {"type": ["string", "null"]}
B = {"type": "boolean"}
NUM = {"type": "number"}
DATE = {"type": "string", "format": "date"}
DATE_NULL = {"type": ["string", "null"], "format": "date"}
STAMP = {"type": "string", "format": "date-time"}
LIST = {"type": "array", "items": {"type": "string"}}
REF = {"$ref": "#/components/schemas/OneRosterRef"}
REF_NULL = {"oneOf": [{"$ref": "#/components/schemas/OneRosterRef"}, {"type": "null"}]}
REFS = {"type": "array", "items": REF}
BASE = {
    "sourcedId": S,
    "status": {"type": "string", "enum": ["active", "tobedeleted"]},
    "dateLastModified": STAMP,
    "metadata": {"type": "object"},
}

ENTITIES: dict[str, dict[str, Any]] = {
    "org": {"name": S, "type": S, "identifier": S, "parent": REF_NULL, "children": REFS},
    "academicSession": {
        "title": S,
        "type": {"type": "string", "enum": ["schoolYear", "gradingPeriod", "semester"]},
        "startDate": DATE,
        "endDate": DATE,
        "parent": REF_NULL,
        "children": REFS,
        "schoolYear": S,
        "org": REF,
    },
    "course": {"title": S, "courseCode": S, "grades": LIST, "subjects": LIST, "subjectCodes": LIST, "org": REF},
    "class": {
        "title": S,
        "classType": {"type": "string", "enum": ["homeroom", "scheduled"]},
        "course": REF_NULL,
        "classCode": S,
        "location": S,
        "grades": LIST,
        "school": REF,
        "terms": REFS,
        "subjects": LIST,
        "subjectCodes": LIST,
        "periods": LIST,
    },
    "user": {
        "enabledUser": B,
        "username": S,
        "userIds": {"type": "array"},
        "givenName": S,
        "familyName": S,
        "middleName": S_NULL,
        "preferredGivenName": S_NULL,
        "roles": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["roleType", "role", "org"],
                "properties": {"roleType": S, "role": S, "org": REF},
            },
        },
        "primaryOrg": REF,
        "agents": REFS,
        "identifier": {"type": "null"},
        "email": {"type": "null"},
        "sms": {"type": "null"},
        "phone": {"type": "null"},
        "grades": LIST,
    },
    "enrollment": {
        "user": REF,
        "class": REF,
        "school": REF,
        "role": {"type": "string", "enum": ["student", "teacher"]},
        "primary": B,
        "beginDate": DATE_NULL,
        "endDate": DATE_NULL,
    },
    "demographics": {"birthDate": DATE, "sex": {"type": "string", "enum": ["male", "female", "other"]}},
    "category": {"title": S},
    "resource": {
        "userIds": {"type": "array"},
        "title": S,
        "roles": LIST,
        "importance": {"type": "string", "enum": ["primary", "secondary"]},
        "vendorResourceId": S,
        "vendorId": S,
        "applicationId": {"type": "null"},
    },
    "lineItem": {
        "title": S,
        "description": S,
        "assignDate": STAMP,
        "dueDate": STAMP,
        "class": REF,
        "school": REF,
        "category": REF,
        "gradingPeriod": REF,
        "resultValueMin": NUM,
        "resultValueMax": NUM,
    },
    "result": {
        "lineItem": REF,
        "student": REF,
        "class": REF,
        "scoreStatus": S,
        "score": NUM,
        "textScore": S,
        "scoreDate": DATE,
        "comment": S_NULL,
    },
}
# Route family → (scopes, any of which is needed)
ROSTER = ("roster:read",)
GRADEBOOK = ("gradebook:read", "gradebook:write")
RESOURCES = ("resources:read",)


def _item(entity: str) -> dict:
    return {"type": "object", "properties": {**BASE, **ENTITIES[entity]}, "additionalProperties": False}


def _error(description: str) -> dict:
    schema = {"$ref": "#/components/schemas/OneRosterError"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "401": _error('no valid token; WWW-Authenticate: Bearer error="invalid_token"'),
    "403": _error("the token lacks the route's scope"),
    "429": _error("the client's rate limit; Retry-After says when to retry"),
}
COLLECTION_PARAMS = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": oneroster.MAX_LIMIT}},
    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}},
    {"name": "sort", "in": "query", "schema": S},
    {"name": "orderBy", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}},
    {"name": "filter", "in": "query", "schema": S, "description": "field op 'value' [AND|OR field op 'value']"},
    {"name": "fields", "in": "query", "schema": S, "description": "comma-separated fields to answer"},
]
FIELDS_PARAM = [COLLECTION_PARAMS[-1]]


def _path_param(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}


def _get(op_id: str, summary: str, scopes: tuple[str, ...], key: str, entity: str, many: bool, path_params=()) -> dict:
    body = {"type": "array", "items": _item(entity)} if many else _item(entity)
    ok: dict[str, Any] = {
        "description": "the collection's page" if many else "the object",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": [key],
                    "properties": {key: body},
                    "additionalProperties": False,
                }
            }
        },
    }
    if many:
        ok["headers"] = {"X-Total-Count": {"schema": S}, "Link": {"schema": S}}
    return {
        "get": {
            "operationId": op_id,
            "summary": summary,
            "tags": ["OneRoster"],
            "security": [{"oauth2": [scopes[0]]}],
            "x-scopes-any-of": list(scopes),
            "parameters": [*(_path_param(p) for p in path_params), *(COLLECTION_PARAMS if many else FIELDS_PARAM)],
            "responses": {
                "200": ok,
                "400": _error("a malformed parameter, filter, sort or field"),
                "404": _error("no such object in this school"),
                **ERRORS,
            },
        }
    }


RESULT_IN = {
    "type": "object",
    "required": ["student"],
    "properties": {
        "lineItem": REF,
        "student": REF,
        "score": {"type": "number", "minimum": 0, "maximum": 100},
        "scoreStatus": {
            "type": "string",
            "enum": ["fully graded", "partially graded", "submitted", "not submitted", "exempt"],
        },
    },
}
RESULT_ANSWER = {
    "type": "object",
    "required": ["imsx_codeMajor"],
    "properties": {
        "imsx_codeMajor": {"type": "string", "enum": ["success", "failure"]},
        "sourcedId": S,
        "mark": {"type": ["integer", "null"]},
        "imsx_CodeMinor": S,
        "imsx_description": S,
    },
    "additionalProperties": False,
}


def _writes() -> dict[str, dict]:
    refusals = {
        "400": _error("a malformed body or result"),
        "404": _error("no such line item, pupil or lesson"),
        "413": _error("the body is too large"),
        "415": _error("the body must be application/json"),
        **ERRORS,
    }
    put = {
        "operationId": "oneroster_put_result",
        "summary": "Write one result back: a percentage becomes a mark in the journal",
        "tags": ["OneRoster"],
        "security": [{"oauth2": ["gradebook:write"]}],
        "parameters": [_path_param("sourcedId")],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "object", "required": ["result"], "properties": {"result": RESULT_IN}}
                }
            },
        },
        "responses": {
            "201": {
                "description": "written",
                "content": {
                    "application/json": {
                        "schema": {"type": "object", "required": ["result"], "properties": {"result": RESULT_ANSWER}}
                    }
                },
            },
            **refusals,
        },
    }
    post = {
        "operationId": "oneroster_post_results",
        "summary": "Write a line item's results back, answered one by one",
        "tags": ["OneRoster"],
        "security": [{"oauth2": ["gradebook:write"]}],
        "parameters": [_path_param("sourcedId")],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["results"],
                        "properties": {
                            "results": {"type": "array", "minItems": 1, "maxItems": 200, "items": RESULT_IN}
                        },
                    }
                }
            },
        },
        "responses": {
            "200": {
                "description": "one answer per result, in order",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["results"],
                            "properties": {"results": {"type": "array", "items": RESULT_ANSWER}},
                        }
                    }
                },
            },
            **refusals,
        },
    }
    return {"put": put, "post": post}


def paths() -> dict[str, dict]:
    out: dict[str, dict] = {}
    for view, (base, _keep) in oneroster.VIEWS.items():
        entity = oneroster.SINGULAR[view]
        scopes = ("demographics:read",) if view == "demographics" else ROSTER
        out[f"{R}/{view}"] = _get(f"oneroster_{view}", f"OneRoster {view}", scopes, base, entity, True)
        out[f"{R}/{view}/{{sourcedId}}"] = _get(
            f"oneroster_{view}_one", f"One of OneRoster {view}", scopes, entity, entity, False, ("sourcedId",)
        )
    for path in ("students", "teachers"):
        out[f"{R}/classes/{{classSourcedId}}/{path}"] = _get(
            f"oneroster_class_{path}", f"The {path} of a class", ROSTER, "users", "user", True, ("classSourcedId",)
        )
    out[f"{G}/categories"] = _get("oneroster_categories", "Mark kinds", GRADEBOOK, "categories", "category", True)
    out[f"{G}/lineItems"] = _get("oneroster_lineItems", "Lesson × mark kind", GRADEBOOK, "lineItems", "lineItem", True)
    out[f"{G}/lineItems/{{sourcedId}}"] = _get(
        "oneroster_lineItem", "One line item", GRADEBOOK, "lineItem", "lineItem", False, ("sourcedId",)
    )
    out[f"{G}/classes/{{classSourcedId}}/lineItems"] = _get(
        "oneroster_class_lineItems",
        "A class's line items",
        GRADEBOOK,
        "lineItems",
        "lineItem",
        True,
        ("classSourcedId",),
    )
    out[f"{G}/results"] = _get("oneroster_results", "Current marks as results", GRADEBOOK, "results", "result", True)
    writes = _writes()
    out[f"{G}/results/{{sourcedId}}"] = {
        **_get("oneroster_result", "One result", GRADEBOOK, "result", "result", False, ("sourcedId",)),
        "put": writes["put"],
    }
    out[f"{G}/lineItems/{{sourcedId}}/results"] = {
        **_get(
            "oneroster_lineItem_results", "A line item's results", GRADEBOOK, "results", "result", True, ("sourcedId",)
        ),
        "post": writes["post"],
    }
    out[f"{G}/classes/{{classSourcedId}}/results"] = _get(
        "oneroster_class_results", "A class's results", GRADEBOOK, "results", "result", True, ("classSourcedId",)
    )
    out[f"{RES}/resources"] = _get("oneroster_resources", "Published course materials", RESOURCES, "resources",
                                   "resource", True)  # fmt: skip
    out[f"{RES}/resources/{{sourcedId}}"] = _get(
        "oneroster_resource", "One published material", RESOURCES, "resource", "resource", False, ("sourcedId",)
    )
    out[f"{RES}/resources/{{sourcedId}}/file"] = {
        "get": {
            "operationId": "oneroster_resource_file",
            "summary": "A published file material's bytes",
            "tags": ["OneRoster"],
            "security": [{"oauth2": ["resources:read"]}],
            "parameters": [_path_param("sourcedId")],
            "responses": {
                "200": {
                    "description": "the file",
                    "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                },
                "404": _error("no such published file in this school"),
                "410": _error("the stored file is missing or altered"),
                **ERRORS,
            },
        }
    }
    for kind, param in (("courses", "courseSourcedId"), ("classes", "classSourcedId"), ("users", "userSourcedId")):
        out[f"{RES}/{kind}/{{{param}}}/resources"] = _get(
            f"oneroster_{kind}_resources", f"The published materials of one of the {kind}", RESOURCES, "resources",
            "resource", True, (param,),
        )  # fmt: skip
    out[CSV] = {
        "get": {
            "operationId": "oneroster_csv_bundle",
            "summary": "The OneRoster 1.2 CSV bundle (zip)",
            "tags": ["OneRoster"],
            "security": [{"oauth2": ["roster:read"]}],
            "responses": {
                "200": {
                    "description": "the zip",
                    "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
                },
                **ERRORS,
            },
        }
    }
    return out


SCHEMAS = {
    "OneRosterRef": {
        "type": "object",
        "required": ["href", "sourcedId", "type"],
        "properties": {"href": S, "sourcedId": S, "type": S},
    },
    "OneRosterError": {
        "type": "object",
        "required": ["imsx_codeMajor", "imsx_severity", "imsx_description", "imsx_CodeMinor"],
        "properties": {
            "imsx_codeMajor": {"type": "string", "enum": ["failure"]},
            "imsx_severity": {"type": "string", "enum": ["error"]},
            "imsx_description": S,
            "imsx_CodeMinor": {"type": "object"},
        },
    },
}
