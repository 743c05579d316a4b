"""The district's own work (issue 16): the list of its schools and adding a school with its director.

A district account is the top role with no school of its own (`Principal.is_district`: role
director, `school_id` None; made on the console with `python -m bbbms_app user create --role
director` when the database holds several schools, or without `--school`). It alone holds
`district.schools` (services/access.DISTRICT_ONLY, never a cell of the rights matrix). Adding a
school is `first_run.create_school`, the same as `python -m bbbms_app init --add`: the school with
its region and rayon, its current academic year with the quarters and the grading policies, and
its director with a one-time password that is returned once and never stored in clear.

Every function checks the right and the district scope itself: a school's director who forges
the event is refused even though the matrix gives him nearly everything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from bbbms_app.i18n import LANGUAGES, t
from bbbms_app.models import Pupil, School, User
from bbbms_app.services import backup, first_run, places
from bbbms_app.services.access import Principal
from bbbms_app.services.errors import OutOfScope

PERMISSION = "district.schools"


def check(principal: Principal) -> None:
    """Refuse anyone but a district account holding district.schools."""
    if not principal.is_district or not principal.can(PERMISSION):
        raise OutOfScope(f"{PERMISSION}: {principal.username}")


@dataclass(frozen=True)
class SchoolRow:
    school_id: int
    okpo: str
    name_ky: str
    name_ru: str
    region: str
    rayon: str
    pupils: int
    directors: tuple[str, ...]
    created_at: dt.datetime
    last_backup: dt.datetime | None  # the newest good backup made after the school was added


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def list_schools(
    session: Session, principal: Principal, *, last_good: backup.BackupInfo | None = None
) -> list[SchoolRow]:
    """Every live school of the installation, by region, rayon and name, with its live pupils and
    directors. The backup is the whole database's: a school counts as backed up by the newest good
    backup made after it was added (`last_good` defaults to the backup folder's)."""
    check(principal)
    pupils = dict(
        session.exec(
            select(Pupil.school_id, func.count())
            .where(Pupil.deleted_at.is_(None))  # type: ignore[union-attr]
            .group_by(Pupil.school_id)
        ).all()
    )
    directors: dict[int, list[str]] = {}
    for school_id, username in session.exec(
        select(User.school_id, User.username)
        .where(User.role == "director", User.school_id.is_not(None), User.is_active)  # type: ignore[union-attr]
        .order_by(User.username)
    ).all():
        directors.setdefault(school_id, []).append(username)
    if last_good is None:
        last_good = backup.last_good()
    rows = []
    for school in session.exec(select(School).where(School.deleted_at.is_(None))).all():  # type: ignore[union-attr]
        created = _aware(school.created_at)
        # A backup's time is kept to the second: a school added in that very second counts as in it.
        covered = last_good is not None and last_good.created_at >= created.replace(microsecond=0)
        rows.append(
            SchoolRow(
                school_id=school.id,  # type: ignore[arg-type]
                okpo=school.okpo,
                name_ky=school.name_ky,
                name_ru=school.name_ru,
                region=school.region or "",
                rayon=school.rayon or "",
                pupils=int(pupils.get(school.id, 0)),
                directors=tuple(directors.get(school.id, [])),  # type: ignore[arg-type]
                created_at=created,
                last_backup=last_good.created_at if covered and last_good is not None else None,
            )
        )
    rows.sort(key=lambda r: (places.name(r.region, "ky"), places.name(r.rayon, "ky"), r.name_ky, r.school_id))
    return rows


def area_names(session: Session) -> dict[str, str]:
    """The district's name for its account's header, in each language: the one rayon (or city) all
    live schools are in, else their one region, else the plain word «Район» (schools of several
    regions, or none placed yet). A place is a name of Kyrgyzstan, never a school's: the header
    tells a district account where it is without naming any school's data."""
    placed = session.exec(
        select(School.region, School.rayon).where(School.deleted_at.is_(None)).distinct()  # type: ignore[union-attr]
    ).all()
    rayons = {rayon for _region, rayon in placed}
    regions = {region for region, _rayon in placed}
    code = ""
    if len(rayons) == 1 and next(iter(rayons)):
        code = next(iter(rayons))
    elif len(regions) == 1 and next(iter(regions)):
        code = next(iter(regions))
    place = places.PLACES.get(code)
    if place is None:
        return {lang: t("district.area", lang) for lang in LANGUAGES}
    return {"ky": place.name_ky, "ru": place.name_ru, "en": place.name_en}


def add_school(
    session: Session,
    principal: Principal,
    *,
    name: str,
    name_ru: str,
    okpo: str,
    region: str,
    rayon: str,
    director: str,
    director_name: str,
    language: str = "ky",
) -> first_run.NewSchool:
    """Add a school with its year, quarters, policies and director (`first_run.create_school`),
    audited as the district account's. A region and rayon are required here (the console may
    leave them out). Raises first_run.SetupRefused naming the field; the caller commits."""
    check(principal)
    return first_run.create_school(
        session,
        name=name,
        name_ru=name_ru,
        okpo=okpo,
        director=director,
        director_name=director_name,
        language=language if language in ("ky", "ru", "en") else "ky",
        region=region,
        rayon=rayon,
        actor=principal,
        require_place=True,
    )


def region_choices() -> list[str]:
    """The codes a school's region may take: the oblasts and the cities of republican significance."""
    return [code for code, p in places.PLACES.items() if p.kind in ("city", "oblast")]


def rayon_choices(region: str) -> list[str]:
    """The rayons of `region` (a city is its own rayon)."""
    place = places.PLACES.get(region)
    if place is None:
        return []
    if place.kind == "city":
        return [region]
    return [code for code, p in places.PLACES.items() if p.kind == "rayon" and p.parent == region]
