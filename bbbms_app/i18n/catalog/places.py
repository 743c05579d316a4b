"""The names of Kyrgyzstan's regions, rayons and cities of republican significance, and of a few
countries, read from the shipped list bbbms_app/data/kg_places.csv (ky, ru, en): «place.<code>»."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "data" / "kg_places.csv"


@dataclass(frozen=True)
class Place:
    code: str
    kind: str  # oblast, rayon, city (of republican significance), country
    parent: str  # a rayon's oblast
    name_ky: str
    name_ru: str
    name_en: str


def _read() -> dict[str, Place]:
    with SOURCE.open(encoding="utf-8", newline="") as f:
        return {row["code"]: Place(**row) for row in csv.DictReader(f)}


PLACES: dict[str, Place] = _read()

MESSAGES: dict[str, tuple[str, str, str]] = {
    f"place.{p.code}": (p.name_ky, p.name_ru, p.name_en) for p in PLACES.values()
} | {
    "place.category.same_rayon": ("Ошол эле райондон", "Из того же района", "The same rayon"),
    "place.category.other_rayon": ("Башка райондон", "Из другого района", "Another rayon"),
    "place.category.other_oblast": ("Башка облустан", "Из другой области", "Another region"),
    "place.category.abroad": ("Башка өлкөдөн", "Из другой страны", "Another country"),
    "place.category.unspecified": ("Көрсөтүлгөн эмес", "Не указано", "Not specified"),
    "place.to.same_rayon": ("Ошол эле районго", "В тот же район", "The same rayon"),
    "place.to.other_rayon": ("Башка районго", "В другой район", "Another rayon"),
    "place.to.other_oblast": ("Башка облуска", "В другую область", "Another region"),
    "place.to.abroad": ("Башка өлкөгө", "В другую страну", "Another country"),
    "place.to.unspecified": ("Көрсөтүлгөн эмес", "Не указано", "Not specified"),
}
