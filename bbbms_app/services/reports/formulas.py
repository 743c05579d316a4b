"""The school's indicators (research/mission.md §2.7) over additive tallies of marks.

A `Tally` counts outcomes by mark (5, 4, 3, 2, «н/а») with the sum and count of the numeric marks.
Tallies add up, so a class's figures are summed into its parallel, level and school without going
back to the marks; the SQL of `results` hands them over per class × subject × sex.

- per subject, N is the pupils with a mark or «н/а» in it (one mark each): успеваемость
  (n5+n4+n3)·100/N, качество (n5+n4)·100/N, СОУ (100·n5+64·n4+36·n3+16·n2+7·n_н/а)/N;
- for all subjects, успеваемость and качество stay per pupil (his worst mark: «only 4s and 5s»),
  while СОУ and the average mark are over **every pupil × subject mark** — the figure an inspector
  compares with the subjects' own (the old sheet took each pupil's worst mark and showed 8 % where
  the subjects showed 23–52 %).
"""

from __future__ import annotations

from dataclasses import dataclass

from bbbms_app.services.grading import NOT_ATTESTED, Indicators

SOU_WEIGHTS = (100, 64, 36, 16, 7)  # 5, 4, 3, 2, «н/а»


@dataclass(frozen=True)
class Tally:
    n5: int = 0
    n4: int = 0
    n3: int = 0
    n2: int = 0
    n_na: int = 0
    total: int = 0  # sum of the numeric marks
    count: int = 0  # how many numeric marks

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.n5 + other.n5,
            self.n4 + other.n4,
            self.n3 + other.n3,
            self.n2 + other.n2,
            self.n_na + other.n_na,
            self.total + other.total,
            self.count + other.count,
        )

    @property
    def n(self) -> int:
        return self.n5 + self.n4 + self.n3 + self.n2 + self.n_na

    @property
    def sou(self) -> float | None:
        if not self.n:
            return None
        weighted = sum(w * k for w, k in zip(SOU_WEIGHTS, (self.n5, self.n4, self.n3, self.n2, self.n_na), strict=True))
        return round(weighted / self.n, 1)

    @property
    def average(self) -> float | None:
        return round(self.total / self.count, 2) if self.count else None


def tally_of(outcomes) -> Tally:
    """The tally of outcomes (a mark, «н/а», or anything else — left out) as plain values."""
    counts = {5: 0, 4: 0, 3: 0, 2: 0}
    n_na = total = count = 0
    for outcome in outcomes:
        if outcome == NOT_ATTESTED:
            n_na += 1
        elif isinstance(outcome, int) and not isinstance(outcome, bool):
            counts[min(5, max(2, outcome))] += 1
            total += outcome
            count += 1
    return Tally(counts[5], counts[4], counts[3], counts[2], n_na, total, count)


def indicators(pupils: Tally, marks: Tally | None = None) -> Indicators:
    """Indicators with counts, успеваемость and качество over `pupils` (one outcome per pupil: his
    mark in a subject, or his worst over all subjects) and СОУ and the average over `marks` (every
    pupil × subject mark; the same tally for one subject)."""
    marks = pupils if marks is None else marks
    n = pupils.n
    if not n:
        return Indicators(average=marks.average)
    return Indicators(
        n=n,
        n5=pupils.n5,
        n4=pupils.n4,
        n3=pupils.n3,
        n2=pupils.n2,
        n_na=pupils.n_na,
        success=round((pupils.n5 + pupils.n4 + pupils.n3) * 100 / n, 1),
        quality=round((pupils.n5 + pupils.n4) * 100 / n, 1),
        sou=marks.sou,
        average=marks.average,
    )
