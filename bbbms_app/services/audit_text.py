"""The audit trail in words a director reads: each event's who, what, change and reason in ky, ru, en.

The trail itself (services.audit, services.audit_log) keeps its codes: entity tables, handler
names, permission codes, «yes»/«no», JSON snapshots. This module only renders one page of rows
(`audit_log.search(...).rows`) for the screen:

- who: the account's full name (the username stays beside it); no account: «not signed in» for a
  refused browser, «system» for the operator's command line;
- what: the entity in words («Pupil», «Rights») and the record by its name («5-А», «Асанов Бакыт»,
  «Teacher: Reports») instead of `user #21`; a refused event names the screen («Class journal»)
  instead of `JournalState.key`;
- change: yes/no, true/false, timestamps and JSON snapshots of created rows in the language;
- reason: the codes the writers leave («unknown user», «reset to default», «journal.write: …»).

Unknown codes pass through unchanged: a new writer never breaks the screen, it only reads
technical until its words are added here.
"""

from __future__ import annotations

import contextlib
import json
import re
from datetime import datetime

from sqlmodel import Session, select

from bbbms_app.i18n import LANGUAGES, MESSAGES, t
from bbbms_app.models import User
from bbbms_app.services.engine import listing
from bbbms_app.services.engine.profile import ENTITIES

# A refused or invalid event records the handler ("JournalState.key"); the screen it belongs to.
SCREENS: dict[str, str] = {
    "AuthState": "audit.screen.sign_in",
    "SsoState": "audit.screen.sign_in",
    "HomeState": "nav.home",
    "DiaryState": "nav.diary",
    "MyMarksState": "marks.title",
    "ProfileState": "nav.profile",
    "RightsState": "rights.title",
    "AuditState": "rights.audit.title",
    "SubgroupsState": "nav.subgroups",
    "SummaryState": "nav.journal_summary",
    "TimetableState": "nav.timetable",
    "MyLessonsState": "nav.timetable",
    "JournalState": "nav.journal",
    "ConsentRegisterState": "nav.consents",
    "PupilDetailState": "nav.pupils",
}
# The admin engine's States are "<Entity>AdminState": the entity's list.
ADMIN_SCREENS: dict[str, str] = {
    "School": "admin.schools",
    "Year": "admin.years",
    "Term": "admin.terms",
    "Policy": "admin.policies",
    "Class": "nav.classes",
    "Subject": "admin.subjects",
    "Assignment": "admin.assignments",
    "Bell": "admin.bells",
    "Holiday": "admin.holidays",
    "Staff": "nav.staff",
    "Guardian": "admin.guardians",
    "Pupil": "nav.pupils",
    "User": "nav.users",
    "Order": "movement.orders",
    "Movement": "movement.nav",
}
_HANDLER = re.compile(r"^([A-Za-z]+State)\.([a-z_0-9]+)$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ACCOUNT = re.compile(r"^(\S+) \(([a-z_]+)\)$")
_WORDS = {"yes": "yes", "no": "no", "true": "yes", "false": "no"}
# Reasons the writers record as codes.
_REASONS = {
    "unknown user": "audit.reason.unknown_user",
    "reset to default": "audit.reason.reset",
    "password": "audit.reason.password",
    "sso": "audit.reason.sso",
    "wrong password": "audit.reason.wrong_password",
    "disabled": "audit.reason.inactive",
}


def _msg(key: str, lang: str, fallback: str, **params: object) -> str:
    return t(key, lang, **params) if key in MESSAGES else fallback


def _screen(handler: str, lang: str) -> str | None:
    match = _HANDLER.match(handler)
    if not match:
        return None
    state = match.group(1)
    key = SCREENS.get(state)
    if key is None and state.endswith("AdminState"):
        key = ADMIN_SCREENS.get(state.removesuffix("AdminState"))
    name = t(key, lang) if key and key in MESSAGES else state.removesuffix("State")
    return t("audit.screen", lang, screen=name)


def _entity_name(code: str, lang: str) -> str:
    return _msg(f"audit.entity.{code}", lang, code)


def _field_name(entity: str, field: str, lang: str) -> str:
    for key in (f"field.{entity}.{field}", f"audit.field.{field}"):
        if key in MESSAGES:
            return t(key, lang)
    return field


def _permission(code: str, lang: str) -> str:
    return _msg(f"rights.perm.{code}", lang, code)


def _rights_cell(field: str, lang: str) -> str:
    role, _, permission = field.partition(":")
    return f"{_msg(f'role.{role}', lang, role)}: {_permission(permission, lang)}"


def _value(entity: str, text: str, lang: str) -> str:
    """One old or new value in words."""
    raw = text.strip()
    if raw.lower() in _WORDS:
        return t(_WORDS[raw.lower()], lang)
    if raw == "(changed)":
        return t("audit.value.changed", lang)
    account = _ACCOUNT.match(raw)
    if entity == "user" and account and f"role.{account.group(2)}" in MESSAGES:
        return f"{account.group(1)} ({t(f'role.{account.group(2)}', lang)})"  # "teacher (teacher)"
    if _TIMESTAMP.match(raw):
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return text
        return f"{moment:%d.%m.%Y %H:%M}"
    if _DATE.match(raw):
        try:
            return datetime.fromisoformat(raw).strftime("%d.%m.%Y")
        except ValueError:
            return text
    if raw.startswith("{") and raw.endswith("}"):
        try:
            data = json.loads(raw)
        except ValueError:
            return text
        if isinstance(data, dict):
            parts = [
                f"{_field_name(entity, str(k), lang)}: {_value(entity, '' if v is None else str(v), lang)}"
                for k, v in data.items()
                if v not in (None, "")
            ]
            return "; ".join(parts)
    return text


def _reason(action: str, reason: str, lang: str) -> str:
    if not reason:
        return ""
    if reason in _REASONS:
        return t(_REASONS[reason], lang)
    if reason.startswith("sso: "):
        return t("audit.reason.sso_failed", lang, detail=reason[5:])
    if action in ("denied", "invalid"):
        code, _, detail = reason.partition(": ")
        if action == "denied" and (f"rights.perm.{code}" in MESSAGES or code in ("signed_in", "own.read")):
            text = t("audit.reason.no_permission", lang, permission=_permission(code, lang))
            return f"{text} ({detail})" if detail else text
        if action == "invalid":
            return t("audit.reason.invalid", lang, detail=reason)
    return reason


def entity_options(codes: list[str]) -> list[dict[str, str]]:
    """The audit filter's entity choices in words: {code, label_ky, label_ru, label_en}, by Kyrgyz label."""
    out = []
    for code in codes:
        labels = {f"label_{lang}": _screen(code, lang) or _entity_name(code, lang) for lang in LANGUAGES}
        out.append({"code": code, **labels})
    return sorted(out, key=lambda o: (o["label_ky"], o["code"]))


def readable(session: Session, rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The audit page's rows with, per language, `who_*`, `what_*`, `field_*`, `old_*`, `new_*`,
    `reason_*`, and `at` written dd.mm.yyyy HH:MM:SS (UTC); the codes stay under their own keys."""
    names = dict(
        session.exec(
            select(User.username, User.full_name).where(User.username.in_({r["who"] for r in rows if r["who"]}))  # type: ignore[attr-defined]
        ).all()
    )
    wanted: dict[str, set[int]] = {}
    known = {spec.table for spec in ENTITIES}
    for r in rows:
        if r["entity"] in known and r["entity_id"].isdigit():
            wanted.setdefault(r["entity"], set()).add(int(r["entity_id"]))
    labels = {
        lang: {table: listing.labels_for(session, table, ids, lang) for table, ids in wanted.items()}
        for lang in LANGUAGES
    }
    out = []
    for r in rows:
        row = dict(r)
        with contextlib.suppress(ValueError):
            row["at"] = datetime.strptime(r["at"], "%Y-%m-%d %H:%M:%S").strftime("%d.%m.%Y %H:%M:%S")
        entity, field = r["entity"], r["field"]
        for lang in LANGUAGES:
            if r["who"]:
                full = names.get(r["who"], "")
                who = full if full and full != r["who"] else r["who"]
            elif r["action"] in ("denied", "invalid", "login_failed"):
                who = t("rights.audit.not_signed_in", lang)
            else:
                who = t("rights.audit.system", lang)
            row[f"who_{lang}"] = who
            screen = _screen(entity, lang)
            if screen is not None:
                what = screen
            elif entity == "rights" and field:
                what = f"{_entity_name(entity, lang)}: {_rights_cell(field, lang)}"
            elif entity:
                what = _entity_name(entity, lang)
                name = labels[lang].get(entity, {}).get(int(r["entity_id"])) if r["entity_id"].isdigit() else None
                if name:
                    what = f"{what}: {name}"
                elif r["entity_id"]:
                    what = f"{what} № {r['entity_id']}"
            else:
                what = ""
            row[f"what_{lang}"] = what
            row[f"field_{lang}"] = "" if entity == "rights" or screen else _field_name(entity, field, lang)
            row[f"old_{lang}"] = _value(entity, r["old"], lang)
            row[f"new_{lang}"] = _value(entity, r["new"], lang)
            row[f"reason_{lang}"] = _reason(r["action"], r["reason"], lang)
        out.append(row)
    return out
