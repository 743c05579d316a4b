"""Typed settings read once from the environment; no Reflex import, so services and the CLI can use them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = ROOT / "data" / "bbbms.db"


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    """Everything configurable about a running BBBMS, with development defaults."""

    database_url: str
    environment: str  # "dev", "test" or "prod"
    secret_key: str
    default_language: str = "ky"
    session_idle_minutes: int = 60
    session_absolute_hours: int = 12
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 1
    page_size: int = 25
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    data_dir: Path = ROOT / "data"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load() -> Settings:
    """Read the settings from the environment (call again after changing it, e.g. in tests)."""
    url = os.environ.get("DATABASE_URL") or os.environ.get("REFLEX_DB_URL") or f"sqlite:///{DEFAULT_SQLITE}"
    if url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; SQLAlchemy's bare scheme means psycopg2.
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    env = os.environ.get("BBBMS_ENV", "dev")
    testing = env == "test"
    origins = tuple(o.strip() for o in os.environ.get("BBBMS_CORS_ORIGINS", "").split(",") if o.strip())
    return Settings(
        database_url=url,
        environment=env,
        secret_key=os.environ.get("BBBMS_SECRET_KEY", "dev-only-insecure-secret-key"),
        default_language=os.environ.get("BBBMS_DEFAULT_LANGUAGE", "ky"),
        session_idle_minutes=_int("BBBMS_SESSION_IDLE_MINUTES", 60),
        session_absolute_hours=_int("BBBMS_SESSION_ABSOLUTE_HOURS", 12),
        # Tests hash many passwords; production keeps OWASP's argon2id floor or stronger.
        argon2_time_cost=_int("BBBMS_ARGON2_TIME_COST", 1 if testing else 3),
        argon2_memory_kib=_int("BBBMS_ARGON2_MEMORY_KIB", 8 if testing else 65536),
        argon2_parallelism=_int("BBBMS_ARGON2_PARALLELISM", 1),
        page_size=_int("BBBMS_PAGE_SIZE", 25),
        cors_origins=origins,
        data_dir=Path(os.environ.get("BBBMS_DATA_DIR", str(ROOT / "data"))),
    )


_current: Settings | None = None


def get() -> Settings:
    """The process-wide settings, loaded on first use."""
    global _current
    if _current is None:
        _current = load()
    return _current


def reload() -> Settings:
    """Forget the cached settings and read the environment again."""
    global _current
    _current = load()
    return _current
