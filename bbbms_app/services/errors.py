"""The one error hierarchy of the services: raised here, audited and translated by the guard.

A service refuses by raising one of these; it never writes the message itself (it does not know
the reader's language) and never imports reflex. An event handler lets them pass: the guard
(`auth.guard.requires`) turns each into the audit row (`denied` for a scope refusal, `invalid`
for a refused value) and the translated toast, and puts the tab's vars back as they were. A page
catches one only to show it in place (a form's field error, a line under a button).

- `Refused(key, field=None, **params)`: the input may not be taken (a closed term, a value off the
  scale, a missing reason). `key` is a catalog key, `params` its placeholders (a dict value is a
  per-language text, resolved at display), `field` the form field it belongs to, if any.
- `Stale`: a Refused saved against an older version than the database's (optimistic locking).
- `OutOfScope`: the target lies outside the principal's data scope or the role lacks the right
  (another teacher's class, a pupil who is not his child). The user reads only "forbidden".
- `NotFound`: no such row (or not the caller's): answered like a refusal, so that an id probe
  cannot tell "not yours" from "not there".
"""

from __future__ import annotations

from typing import ClassVar

from bbbms_app.i18n import t


class ServiceError(Exception):
    """A refusal by a service; nothing was written (the caller's transaction rolls back)."""

    audit_action: ClassVar[str] = "denied"

    def __init__(self, detail: object = "") -> None:
        super().__init__(detail)
        self.detail = str(detail)

    def message(self, lang: str) -> str:
        """What the user reads."""
        return t("error.forbidden", lang)


class OutOfScope(ServiceError):
    """The principal may not reach this row (data scope) or lacks the permission the service checks."""


class NotFound(ServiceError):
    """No such row for this caller (or it is deleted and a live one was asked for)."""

    def message(self, lang: str) -> str:
        return t("error.not_found", lang)


class Refused(ServiceError):
    """The input may not be taken: a catalog key, its parameters and (optionally) the field."""

    audit_action: ClassVar[str] = "invalid"

    def __init__(self, key: str, /, field: str | None = None, **params: object) -> None:
        super().__init__(f"{key} {params}" if params else key)
        self.key = key
        self.field = field
        self.params = params

    def message(self, lang: str) -> str:
        values = {k: (v.get(lang) or v.get("ky", "")) if isinstance(v, dict) else v for k, v in self.params.items()}
        if self.field is not None:
            values.setdefault("field", self.field)
        return t(self.key, lang, **values)


class Stale(Refused):
    """Saved against an older version than the database's: someone saved meanwhile."""
