"""Every generated page builds its component tree (a wrong Var use fails here, not in a browser build)."""

from __future__ import annotations

import pytest

import bbbms_app.app  # noqa: F401  (registers every state)
from bbbms_app.admin import pages
from bbbms_app.auth.state import AuthState
from bbbms_app.services.engine.registry import ENTITIES


@pytest.mark.parametrize("spec", list(ENTITIES), ids=lambda s: s.name)
def test_every_entity_page_renders(spec):
    component = pages.entity_page(spec)()
    rendered = str(component.render())
    assert f"{spec.route.rstrip('/').rsplit('/', 1)[-1]}-table" in rendered
    assert AuthState.get_full_name() in rendered  # the shell: the page shows only once signed in


def test_the_reference_hub_renders_a_card_per_reference_entity():
    rendered = str(pages.hub_page().render())
    for spec in ENTITIES:
        if spec.route.startswith("/admin/"):
            assert f"hub-{spec.name}" in rendered
