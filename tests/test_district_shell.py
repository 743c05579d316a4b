"""The district account's own shell (issue 16): its header names the district (the rayon or region
of its schools, else «Район») and no quarter; the pages that need a school neither load for it nor
sit in its menu, while a school's accounts load them as before."""

from __future__ import annotations

import pytest
from reflex.istate.data import RouterData
from sqlmodel import select

from bbbms_app import app as app_module
from bbbms_app import db
from bbbms_app.auth.state import AuthState
from bbbms_app.models import School
from bbbms_app.pages.journal import JournalState
from bbbms_app.services import accounts, district
from tests import factories
from tests.factories import PASSWORD
from tests.states import new_refusals, new_tab, sub


@pytest.fixture
def raion(school):
    """Two schools of Alamudun rayon and a district account."""
    with db.session(write=True) as s:
        factories.build_school(s, okpo="10000002", prefix="u_")
        for row in s.exec(select(School)).all():
            row.region, row.rayon = "chui", "chui.alamudun"
            s.add(row)
        accounts.create_user(s, "raion", "director", PASSWORD, full_name="Аламүдүн РайОО")
    return "raion"


def _place_all(region: str, rayon: str | None = None) -> None:
    with db.session(write=True) as s:
        for i, row in enumerate(s.exec(select(School).order_by(School.id)).all()):
            row.region = region
            row.rayon = rayon if rayon is not None else ("chui.alamudun" if i == 0 else "chui.sokuluk")
            s.add(row)


def test_the_district_is_named_by_the_rayon_or_region_of_its_schools(raion):
    with db.session() as s:
        assert district.area_names(s) == {
            "ky": "Аламүдүн району",
            "ru": "Аламудунский район",
            "en": "Alamudun District",
        }
    _place_all("chui")  # two rayons of one region: the region
    with db.session() as s:
        names = district.area_names(s)
    assert names["ky"] == "Чүй облусу" and names["ru"] == "Чуйская область"
    _place_all("", "")  # not placed: the plain word
    with db.session() as s:
        assert district.area_names(s) == {"ky": "Район", "ru": "Район", "en": "District"}


def _open(root, route: str):
    root.router = RouterData.from_router_data({"pathname": route, "headers": root.router_data.get("headers", {})})
    return root


async def test_the_district_account_gets_its_own_header_and_no_school_page_loads(raion):
    tab = new_tab(raion)
    auth = sub(tab, AuthState)
    assert await auth.check_session() is None
    assert auth.no_school and auth.year_name == "" and auth.term_labels == {}
    assert auth.school_names["ky"] == "Аламүдүн району"  # the district's name, not an empty school box
    assert "district.schools" in auth.perms
    # A school's page opened by its URL: no loader runs (nothing refused, no toast), the notice shows.
    assert await sub(_open(tab, "/journal"), AuthState).load_school_page() is None
    assert new_refusals() == []
    assert sub(tab, JournalState).outbox_owner == ""  # the journal's loader did not run


async def test_a_schools_director_loads_the_page_as_before(raion):
    tab = new_tab("t_director")
    auth = sub(tab, AuthState)
    await auth.check_session()
    assert not auth.no_school and auth.year_name
    loaders = await sub(_open(tab, "/journal"), AuthState).load_school_page()
    assert [h.fn.__qualname__ for h in loaders] == ["JournalState.load"]
    await loaders[0].fn(sub(tab, JournalState))
    assert sub(tab, JournalState).outbox_owner.startswith("u")  # it loads for a school's account


def test_only_the_pages_a_district_works_on_are_marked_for_it():
    district_routes = {p.route for p in app_module.PAGES if p.district}
    assert district_routes == {"/", "/schools", "/district", "/rights", "/audit", "/backups", "/profile"}
    # Every other page goes through load_school_page: its own loaders are registered for it.
    for page in app_module.PAGES:
        if not page.district:
            assert AuthState._school_loaders[page.route] == page.loaders, page.route
