"""CrudMixin: the state behind every generated entity screen (list, form, detail card, import, export).

Each entity's screen State (admin/states.py) mixes this in with its spec. It is composed of four
parts, one module each: the list (state_list.py), one record (state_record.py), the import
(state_import.py) and the export (state_export.py). Their handlers declare their permission through
`entity_event(action)` (state_base.py): the permission is the entity's own for that action
(pupil.read, class.write, export.personal …), fixed per class when the class is made, and checked
by the same guard as every other handler. The state holds one page of display-ready rows, the form
being edited and one detail card; never ORM objects.
"""

from typing import Any

import reflex as rx

from bbbms_app.admin.state_base import ACTION_ATTR, MAX_SEARCH, NONE_VALUE, EntityState, entity_event
from bbbms_app.admin.state_export import ExportPart
from bbbms_app.admin.state_import import ImportPart
from bbbms_app.admin.state_list import ListPart
from bbbms_app.admin.state_record import RecordPart
from bbbms_app.auth.guard import PERMISSION_ATTR

__all__ = ["MAX_SEARCH", "NONE_VALUE", "CrudMixin", "EntityState", "entity_event"]


class CrudMixin(ListPart, RecordPart, ImportPart, ExportPart, rx.State, mixin=True):
    """List, search, sort, filter, select, open, create, edit, delete, restore, import and export."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        spec = cls.__dict__.get("spec")
        if spec is None:
            return
        # Each entity's copy of a mixin handler declares that entity's permission (the walk in
        # tests/test_handlers.py reads it); entity_event checks the same one at every call.
        for handler in cls.event_handlers.values():
            action = getattr(handler.fn, ACTION_ATTR, None)
            if action is not None:
                setattr(handler.fn, PERMISSION_ATTR, spec.permission(action))
