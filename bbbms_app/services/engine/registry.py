"""ENTITIES: every entity's spec, its profile loaded (services/engine/profiles/), in menu order."""

from bbbms_app.services.engine.profile import ENTITIES, load

load()

__all__ = ["ENTITIES"]
