"""FieldError: how a save rule refuses a value, naming the field and a catalog message.

The rules themselves belong to their areas (consent for personal fields, rights for roles, the
school calendar for bells and holidays, the movement book); each entity's profile calls the rules
of its table from `Profile.check_save` and `Profile.after_create` (services/engine/profile.py), so
no area registers anything and nothing is looked up by module name.
"""

from __future__ import annotations

from bbbms_app.services.errors import Refused


class FieldError(Refused):
    """A value may not be saved: `field` is the column, `key` and `params` the translated message."""

    field: str

    def __init__(self, field: str, key: str, /, **params: object) -> None:
        super().__init__(key, field)
        self.params = params  # a message may itself have a {field} placeholder (error.invalid)
