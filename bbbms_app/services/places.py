"""Where a pupil came from or went to: a category over Kyrgyzstan's regions (oblasts), rayons and
cities of republican significance, and a few countries (the list ships as data:
bbbms_app/data/kg_places.csv, one row per place with its names in ky, ru and en).

A movement names a category (same rayon, another rayon, another region, another country) and,
for the last three, which one; the school's name stays free text. Old records written before the
categories keep their text and are counted as «not specified».
"""

from __future__ import annotations

from bbbms_app.i18n.catalog.places import PLACES, Place

CATEGORIES = ("same_rayon", "other_rayon", "other_oblast", "abroad")
UNSPECIFIED = "unspecified"
# Which kinds of place each category names (a city of republican significance counts as a rayon
# of its own and as a region of its own).
FITS = {
    "same_rayon": frozenset(),
    "other_rayon": frozenset({"rayon", "city"}),
    "other_oblast": frozenset({"oblast", "rayon", "city"}),
    "abroad": frozenset({"country"}),
}
CODES = tuple(PLACES)

__all__ = ["CATEGORIES", "CODES", "FITS", "PLACES", "UNSPECIFIED", "Place", "fits", "name"]


def fits(category: str, code: str) -> bool:
    """Whether a place of `code` may be named under `category` (no place: always)."""
    if not code:
        return True
    place = PLACES.get(code)
    return place is not None and place.kind in FITS.get(category, frozenset())


def name(code: str, lang: str) -> str:
    place = PLACES.get(code)
    if place is None:
        return ""
    text = {"ky": place.name_ky, "ru": place.name_ru}.get(lang, place.name_en)
    if place.kind == "rayon" and place.parent in PLACES:
        parent = PLACES[place.parent]
        text = f"{text} ({ {'ky': parent.name_ky, 'ru': parent.name_ru}.get(lang, parent.name_en) })"
    return text
