"""The OneRoster 1.2 CSV bundle (issue 19 §3): one zip for systems that import files (Moodle's
OneRoster/CSV enrolment), built from the same rows as the REST binding (services/oneroster.py).

A bulk bundle: `manifest.csv` names every file of the 1.2 binding as `bulk` or `absent`; `status`
and `dateLastModified` are blank, as the binding asks of bulk files. Rostering files come with
`roster:read`; `demographics.csv` only with `demographics:read`, and only for pupils whose consent
covers identity; `categories.csv`, `lineItems.csv` and `results.csv` only with `gradebook:read`; `resources.csv`,
`classResources.csv` and `courseResources.csv` (the courses' published materials) only with
`resources:read`.
Lists inside a cell are comma-separated, booleans `true`/`false`, dates ISO 8601.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable

from sqlmodel import Session

from bbbms_app.services import oneroster, oneroster_resources
from bbbms_app.services.api_clients import ApiCaller
from bbbms_app.services.api_v1 import require

HEADERS: dict[str, list[str]] = {
    "orgs": ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"],
    "academicSessions": ["sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate",
                         "parentSourcedId", "schoolYear"],
    "courses": ["sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode", "grades",
                "orgSourcedId", "subjects", "subjectCodes"],
    "classes": ["sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode",
                "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods"],
    "users": ["sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds", "givenName",
              "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades",
              "password", "userMasterIdentifier", "resourceSourcedIds", "preferredGivenName", "preferredMiddleName",
              "preferredFamilyName", "primaryOrgSourcedId", "pronouns"],
    "roles": ["sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role", "beginDate", "endDate",
              "orgSourcedId", "userProfileSourcedId"],
    "enrollments": ["sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId",
                    "role", "primary", "beginDate", "endDate"],
    "demographics": ["sourcedId", "status", "dateLastModified", "birthDate", "sex", "americanIndianOrAlaskaNative",
                     "asian", "blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander", "white",
                     "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity", "countryOfBirthCode",
                     "stateOfBirthAbbreviation", "cityOfBirth", "publicSchoolResidenceStatus"],
    "categories": ["sourcedId", "status", "dateLastModified", "title", "weight"],
    "lineItems": ["sourcedId", "status", "dateLastModified", "title", "description", "assignDate", "dueDate",
                  "classSourcedId", "categorySourcedId", "gradingPeriodSourcedId", "resultValueMin", "resultValueMax",
                  "schoolSourcedId"],
    "results": ["sourcedId", "status", "dateLastModified", "lineItemSourcedId", "studentSourcedId", "scoreStatus",
                "score", "scoreDate", "comment"],
    "resources": ["sourcedId", "status", "dateLastModified", "vendorResourceId", "title", "roles", "importance",
                  "vendorId", "applicationId"],
    "classResources": ["sourcedId", "status", "dateLastModified", "title", "classSourcedId", "resourceSourcedId"],
    "courseResources": ["sourcedId", "status", "dateLastModified", "title", "courseSourcedId", "resourceSourcedId"],
}  # fmt: skip
# Every data file of the 1.2 CSV binding, in the manifest's order; those not listed above are absent.
ALL_FILES = (
    "academicSessions", "categories", "classes", "classResources", "courses", "courseResources", "demographics",
    "enrollments", "lineItemLearningObjectiveIds", "lineItems", "lineItemScoreScales", "orgs", "resources",
    "resultLearningObjectiveIds", "results", "resultScoreScales", "roles", "scoreScales", "userProfiles",
    "userResources", "users",
)  # fmt: skip
REQUIRED = ("manifest", "orgs", "academicSessions", "courses", "classes", "users", "roles", "enrollments")


def console_caller(school_id: int) -> ApiCaller:
    """The school's own operator on the server's console: every scope (demographics still need consent)."""
    scopes = {"roster:read", "gradebook:read", "demographics:read", "resources:read"}
    return ApiCaller(0, "console", school_id, frozenset(scopes))


def _sid(ref: dict | None) -> str:
    return ref["sourcedId"] if ref else ""


def _join(values: Iterable[str]) -> str:
    return ",".join(values)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _rows(s: Session, caller: ApiCaller) -> dict[str, list[dict[str, object]]]:
    roster = oneroster.Roster(s, caller)
    out: dict[str, list[dict[str, object]]] = {}
    out["orgs"] = [
        {"sourcedId": o["sourcedId"], "name": o["name"], "type": o["type"], "identifier": o["identifier"],
         "parentSourcedId": _sid(o["parent"])}
        for o in roster.get("orgs")
    ]  # fmt: skip
    out["academicSessions"] = [
        {"sourcedId": a["sourcedId"], "title": a["title"], "type": a["type"], "startDate": a["startDate"],
         "endDate": a["endDate"], "parentSourcedId": _sid(a["parent"]), "schoolYear": a["schoolYear"]}
        for a in roster.get("academicSessions")
    ]  # fmt: skip
    out["courses"] = [
        {"sourcedId": c["sourcedId"], "title": c["title"], "courseCode": c["courseCode"], "grades": _join(c["grades"]),
         "orgSourcedId": _sid(c["org"]), "subjects": _join(c["subjects"]), "subjectCodes": _join(c["subjectCodes"])}
        for c in roster.get("courses")
    ]  # fmt: skip
    out["classes"] = [
        {"sourcedId": c["sourcedId"], "title": c["title"], "grades": _join(c["grades"]),
         "courseSourcedId": _sid(c["course"]), "classCode": c["classCode"], "classType": c["classType"],
         "location": c["location"], "schoolSourcedId": _sid(c["school"]),
         "termSourcedIds": _join(t["sourcedId"] for t in c["terms"]), "subjects": _join(c["subjects"]),
         "subjectCodes": _join(c["subjectCodes"]), "periods": _join(c["periods"])}
        for c in roster.get("classes")
    ]  # fmt: skip
    users = roster.get("users")
    out["users"] = [
        {"sourcedId": u["sourcedId"], "enabledUser": u["enabledUser"], "username": u["username"],
         "givenName": u["givenName"], "familyName": u["familyName"], "middleName": u["middleName"],
         "agentSourcedIds": _join(a["sourcedId"] for a in u["agents"]), "grades": _join(u["grades"]),
         "primaryOrgSourcedId": _sid(u["primaryOrg"])}
        for u in users
    ]  # fmt: skip
    out["roles"] = [
        {"sourcedId": f"role-{u['sourcedId']}-{i}", "userSourcedId": u["sourcedId"], "roleType": r["roleType"],
         "role": r["role"], "orgSourcedId": _sid(r["org"])}
        for u in users
        for i, r in enumerate(u["roles"])
    ]  # fmt: skip
    out["enrollments"] = [
        {"sourcedId": e["sourcedId"], "classSourcedId": _sid(e["class"]), "schoolSourcedId": _sid(e["school"]),
         "userSourcedId": _sid(e["user"]), "role": e["role"], "primary": e["primary"]}
        for e in roster.get("enrollments")
    ]  # fmt: skip
    if "demographics:read" in caller.scopes:
        out["demographics"] = [
            {"sourcedId": d["sourcedId"], "birthDate": d["birthDate"], "sex": d["sex"]}
            for d in roster.get("demographics")
        ]
    if "gradebook:read" in caller.scopes:
        everything = oneroster.Query(limit=10**9)
        out["categories"] = [
            {"sourcedId": c["sourcedId"], "title": c["title"]} for c in oneroster.categories(s, caller, everything)[0]
        ]
        out["lineItems"] = [
            {"sourcedId": li["sourcedId"], "title": li["title"], "description": li["description"],
             "assignDate": li["assignDate"][:10], "dueDate": li["dueDate"][:10], "classSourcedId": _sid(li["class"]),
             "categorySourcedId": _sid(li["category"]), "gradingPeriodSourcedId": _sid(li["gradingPeriod"]),
             "resultValueMin": li["resultValueMin"], "resultValueMax": li["resultValueMax"],
             "schoolSourcedId": _sid(li["school"])}
            for li in oneroster.line_items(s, caller, everything)[0]
        ]  # fmt: skip
        out["results"] = [
            {"sourcedId": r["sourcedId"], "lineItemSourcedId": _sid(r["lineItem"]),
             "studentSourcedId": _sid(r["student"]), "scoreStatus": r["scoreStatus"], "score": r["score"],
             "scoreDate": r["scoreDate"], "comment": r["comment"]}
            for r in oneroster.results(s, caller, everything)[0]
        ]  # fmt: skip
    if "resources:read" in caller.scopes:
        published = oneroster_resources.Published(s, caller)
        out["resources"] = [
            {"sourcedId": r["sourcedId"], "vendorResourceId": r["vendorResourceId"], "title": r["title"],
             "roles": _join(r["roles"]), "importance": r["importance"], "vendorId": r["vendorId"],
             "applicationId": r["applicationId"]}
            for r in published.resources()
        ]  # fmt: skip
        # A link's sourcedId: the resource's and its course's or class's, so a re-export keeps it.
        for kind, name in (("course", "courseResources"), ("class", "classResources")):
            out[name] = [
                {"sourcedId": f"{target}-{resource}", "title": title, f"{kind}SourcedId": target,
                 "resourceSourcedId": resource}
                for k, target, resource, title in published.links() if k == kind
            ]  # fmt: skip
    return out


def _csv(header: list[str], rows: list[dict[str, object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_text(row.get(h)) for h in header])
    return buffer.getvalue().encode("utf-8")


def bundle(s: Session, caller: ApiCaller, system_name: str = "BBBMS") -> tuple[bytes, list[str]]:
    """The zip's bytes and the names of the files in it."""
    require(caller, "roster:read")
    rows = _rows(s, caller)
    manifest = [("manifest.version", "1.0"), ("oneroster.version", "1.2")]
    manifest += [(f"file.{name}", "bulk" if name in rows else "absent") for name in ALL_FILES]
    manifest += [("source.systemName", system_name), ("source.systemCode", f"okpo-{_okpo(rows)}")]
    out = io.BytesIO()
    names = ["manifest.csv"]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.csv", _csv(["propertyName", "value"], [{"propertyName": k, "value": v}
                                                                    for k, v in manifest]))  # fmt: skip
        for name in ALL_FILES:
            if name in rows:
                z.writestr(f"{name}.csv", _csv(HEADERS[name], rows[name]))
                names.append(f"{name}.csv")
    return out.getvalue(), names


def _okpo(rows: dict[str, list[dict[str, object]]]) -> str:
    return str(rows["orgs"][0]["identifier"]) if rows["orgs"] else ""
