"""People's names typed with look-alike letters: found, explained, and folded for duplicate checks.

A name copied from a Latin keyboard layout or an old database often hides Latin letters that look
Cyrillic («Аcанов» with a Latin «c»), a Latin «Ɵ» for the Kyrgyz «Ө», or «ҥ» (Altai) for the Kyrgyz
«ң». Such a name sorts in the wrong place, is not found by a search typed correctly, and the
correct spelling later imports as a second person (issue 10).

- `name_problem(text)`: the first word of a name that mixes alphabets or carries a non-Kyrgyz
  look-alike letter, as a catalog key, its parameters and the spelling it most likely means; the
  engine refuses such a name on the form and in the import, beside the field (writes.name_errors).
- `canonical(text)`: the name folded for comparison: NFC, case, white space, spaces round a
  hyphen, «ё» as «е», and every look-alike letter as its Cyrillic twin. Two spellings of one
  person fold alike, so the duplicate checks find him (`reference_fold`, `writes.duplicate_errors`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bbbms_app.i18n.collation import normalize

# Latin (and Greek) letters that look like a Cyrillic one, and that Cyrillic letter.
_TO_CYRILLIC = {
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М", "O": "О", "P": "Р",
    "T": "Т", "X": "Х", "Y": "У", "a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х",
    "y": "у", "k": "к", "Ɵ": "Ө", "ɵ": "ө", "Ë": "Ё", "ë": "ё",
    "Α": "А", "Β": "В", "Ε": "Е", "Η": "Н", "Κ": "К", "Μ": "М", "Ο": "О", "Ρ": "Р", "Τ": "Т",
    "Χ": "Х", "ο": "о", "α": "а", "ε": "е", "ρ": "р", "κ": "к", "χ": "х",
}  # fmt: skip
# Cyrillic letters that look like a Latin one (a Latin name with a Cyrillic letter typed in it).
_TO_LATIN = {
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "К": "K", "М": "M", "О": "O", "Р": "P",
    "Т": "T", "Х": "X", "У": "Y", "а": "a", "с": "c", "е": "e", "о": "o", "р": "p", "х": "x",
    "у": "y", "к": "k", "і": "i", "І": "I", "ј": "j", "Ј": "J", "ѕ": "s", "Ѕ": "S",
}  # fmt: skip
# Cyrillic letters of other languages that Kyrgyz text takes for its own.
_NOT_KYRGYZ = {"ҥ": "ң", "Ҥ": "Ң", "ӧ": "ө", "Ӧ": "Ө", "ӱ": "ү", "Ӱ": "Ү"}

# After casefold: every look-alike as the Cyrillic letter it passes for (and «ё» as «е»).
_FOLD = str.maketrans(
    {
        **{k.casefold(): v.casefold() for k, v in _TO_CYRILLIC.items() if len(k.casefold()) == 1},
        "b": "в",
        "h": "н",
        "m": "м",
        "t": "т",
        **{k: v for k, v in _NOT_KYRGYZ.items() if k.islower()},
        "ё": "е",
    }
)
_WORD = re.compile(r"[^\s\-‐‑–—'’ʼ`.,]+")


def script_of(ch: str) -> str:
    """The alphabet of a letter: "cyrillic", "latin", "greek" … ("" for what is not a letter)."""
    if not ch.isalpha():
        return ""
    return unicodedata.name(ch, "?").split(" ")[0].lower()


@dataclass(frozen=True)
class NameProblem:
    """Why a name is flagged: the catalog key, the word, the odd letters and the likely spelling."""

    key: str
    word: str
    letters: str
    suggestion: str

    @property
    def params(self) -> dict[str, str]:
        return {"word": self.word, "letters": self.letters, "suggestion": self.suggestion}


def _word_problem(word: str) -> NameProblem | None:
    counts: dict[str, int] = {}
    for ch in word:
        if script := script_of(ch):
            counts[script] = counts.get(script, 0) + 1
    if len(counts) > 1:
        # The word's own alphabet is the one most of its letters are in (a tie: Cyrillic).
        main = max(counts, key=lambda s: (counts[s], s == "cyrillic"))
        odd = [ch for ch in word if script_of(ch) not in ("", main)]
        letters = ", ".join(dict.fromkeys(odd))
        foreign = {"cyrillic": "latin", "latin": "cyrillic"}.get(main, "")
        table = {"cyrillic": _TO_CYRILLIC, "latin": _TO_LATIN}.get(main, {})
        if foreign and all(script_of(ch) == foreign and ch in table for ch in odd):
            fixed = "".join(table.get(ch, ch) if script_of(ch) == foreign else ch for ch in word)
            return NameProblem(f"names.mixed.{foreign}", word, letters, fixed)
        return NameProblem("names.mixed.other", word, letters, "")
    odd = [ch for ch in word if ch in _NOT_KYRGYZ]
    if odd:
        fixed = "".join(_NOT_KYRGYZ.get(ch, ch) for ch in word)
        return NameProblem("names.lookalike", word, ", ".join(dict.fromkeys(odd)), fixed)
    return None


def name_problem(text: str | None) -> NameProblem | None:
    """The first word of `text` that mixes alphabets or has a non-Kyrgyz look-alike letter, or None.

    A name wholly in one alphabet passes (a foreign pupil's Latin name, «Ли Мин»); so do digits,
    hyphens and apostrophes."""
    for word in _WORD.findall(normalize(text or "")):
        problem = _word_problem(word)
        if problem is not None:
            return problem
    return None


def canonical(text: str | None) -> str:
    """The name folded for comparison (see the module docstring): «АCАНОВ  Ерлан» = «асанов ерлан»."""
    folded = normalize(text or "").casefold().translate(_FOLD)
    return re.sub(r"\s*-\s*", "-", folded)
