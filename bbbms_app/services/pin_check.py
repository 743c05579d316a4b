"""What a PIN (ПИН, the 14-digit personal identification number) says about its holder.

A Kyrgyz PIN begins with the sex digit (1 a woman or girl, 2 a man or boy) and the birth date as
DDMMYYYY, then five digits of the register. `pin_warnings` compares those with the sex and birth
date entered beside it. A mismatch is a warning the clerk confirms, never a refusal: documents do
carry PINs issued with a typo, and the school copies the PIN as it stands in the birth certificate.
The format itself (14 digits) is the form's and the import's check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

SEX_DIGITS = {"1": "f", "2": "m"}


@dataclass(frozen=True)
class PinWarning:
    """A catalog key naming the field that disagrees with the PIN, and its parameters."""

    field: str
    key: str
    params: dict[str, str] = field(default_factory=dict)


def birth_date_in(pin: str) -> date | None:
    """The DDMMYYYY birth date inside a 14-digit PIN, or None when those digits are no date."""
    if len(pin) != 14 or not pin.isascii() or not pin.isdigit():
        return None
    try:
        return date(int(pin[5:9]), int(pin[3:5]), int(pin[1:3]))
    except ValueError:
        return None


def pin_warnings(pin: str | None, sex: str | None, birth_date: date | None) -> list[PinWarning]:
    """The disagreements between a PIN and the sex and birth date entered with it (empty: none, or no
    PIN to check)."""
    if not pin or len(pin) != 14 or not pin.isascii() or not pin.isdigit():
        return []
    out = []
    pin_sex = SEX_DIGITS.get(pin[0])
    if pin_sex is None:
        out.append(PinWarning("pin", "pin.warning.sex_digit", {"digit": pin[0]}))
    elif sex in ("m", "f") and sex != pin_sex:
        out.append(PinWarning("sex", "pin.warning.sex", {"digit": pin[0]}))
    inside = birth_date_in(pin)
    if inside is None:
        out.append(PinWarning("pin", "pin.warning.no_date", {"digits": pin[1:9]}))
    elif birth_date is not None and inside != birth_date:
        out.append(PinWarning("birth_date", "pin.warning.birth_date", {"date": inside.strftime("%d.%m.%Y")}))
    return out
