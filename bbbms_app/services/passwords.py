"""Password hashing (argon2id) and the password rules: NFC, minimum length, no common passwords."""

from __future__ import annotations

import gzip
import unicodedata
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bbbms_app import settings
from bbbms_app.services.errors import Refused

MIN_LENGTH = 10

# School and local words, on top of the 30,000 most common passwords of public breach lists
# shipped in wordlists/common_passwords.txt.gz (source and licence: wordlists/README.md); the check is
# case-insensitive and also refuses these with digits appended.
LOCAL_PASSWORDS = frozenset(
    """
    123456 1234567 12345678 123456789 1234567890 0123456789 password password1 password123 qwerty
    qwerty123 qwertyuiop 1q2w3e4r 1q2w3e4r5t 1qaz2wsx zaq12wsx 111111 000000 123123 654321 666666
    777777 888888 987654321 abc123 abcdef iloveyou admin admin123 administrator welcome welcome1
    letmein monkey dragon football baseball sunshine princess master login passw0rd starwars
    superman trustno1 whatever freedom qazwsx asdfgh asdfghjkl zxcvbnm michael shadow mektep
    mektep123 school school123 uchitel teacher teacher123 director direktor bishkek bishkek123
    kyrgyzstan kyrgyz manas manas123 parol parol123 parolь пароль пароль123 мектеп мугалим бишкек
    кыргызстан йцукен йцукенгшщз
    """.split()  # noqa: SIM905 - a word list reads best as words
)


class PasswordRejected(Refused):
    """A new password breaks a rule; `key` and `params` name the translated message."""


def normalize(password: str) -> str:
    """NFC, so the same password typed on two keyboards hashes the same."""
    return unicodedata.normalize("NFC", password)


COMMON_LIST = Path(__file__).parent / "wordlists" / "common_passwords.txt.gz"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """Every password refused as common (case-folded), loaded once."""
    with gzip.open(COMMON_LIST, "rt", encoding="utf-8") as f:
        listed = {line.strip().casefold() for line in f if line.strip()}
    return frozenset(listed | LOCAL_PASSWORDS)


def check_rules(password: str) -> None:
    """Raise PasswordRejected if `password` may not be set."""
    pw = normalize(password)
    if len(pw) < MIN_LENGTH:
        raise PasswordRejected("error.password_short", min=MIN_LENGTH)
    folded = pw.casefold()
    common = common_passwords()
    if folded in common or folded.rstrip("0123456789!.") in common or len(set(folded)) <= 2:
        raise PasswordRejected("error.password_common")


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def hasher() -> PasswordHasher:
    """The argon2id hasher with the configured parameters."""
    s = settings.get()
    return _hasher(s.argon2_time_cost, s.argon2_memory_kib, s.argon2_parallelism)


def hash_password(password: str) -> str:
    """An argon2id hash of the NFC form of `password`."""
    return hasher().hash(normalize(password))


def verify(password_hash: str, password: str) -> bool:
    """True when `password` matches; never raises on a malformed or empty hash."""
    if not password_hash:
        return False
    try:
        return hasher().verify(password_hash, normalize(password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the stored hash was made with other parameters than the configured ones."""
    try:
        return hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


# A real hash to verify against when the user does not exist, so that unknown usernames take
# as long as wrong passwords (no user enumeration by timing).
@lru_cache(maxsize=1)
def dummy_hash() -> str:
    return hash_password("not-a-real-password-for-timing")
