"""Typed settings read once from the environment; no Reflex import, so services and the CLI can use them."""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = ROOT / "data" / "bbbms.db"
DEV_SECRET_KEY = "dev-only-insecure-secret-key"  # noqa: S105 - the default production refuses
ENVIRONMENTS = {"dev": "dev", "development": "dev", "test": "test", "prod": "prod", "production": "prod"}
# OWASP Password Storage Cheat Sheet: the argon2id memory (KiB) that each time cost needs at least.
OWASP_ARGON2_MIN_MEMORY_KIB = {1: 47104, 2: 19456, 3: 12288, 4: 9216, 5: 7168}
SSO_KEY = re.compile(r"^[a-z0-9_]{1,20}$")
SECRET_FILE = "secret_key"  # noqa: S105 - a file name; under <data_dir>/private: made once by `toolchain serve`, mode 0600
UPLOAD_MAX_MB = 12  # a 10 MB scan or a 5 MB spreadsheet, plus the multipart envelope
SESSION_COOKIE = "bbbms_session"  # the one name of the session cookie: auth state, private downloads, upload gate
STATE_MANAGERS = ("memory", "redis")  # the disk manager pickles signed-in tabs to files: never chosen


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _list(name: str, sep: str = ",") -> tuple[str, ...]:
    return tuple(x.strip() for x in os.environ.get(name, "").split(sep) if x.strip())


@dataclass(frozen=True)
class SsoProvider:
    """An OpenID Connect provider staff may sign in with: a school's Google Workspace, Microsoft
    tenant or Keycloak realm. Users are matched by (issuer, subject), linked by the administrator."""

    key: str  # short name in settings and URLs: google, microsoft, keycloak
    name: str  # shown on the sign-in button
    issuer: str  # exactly the `iss` of its id tokens; discovery is read from issuer/.well-known/…
    client_id: str
    client_secret: str = field(repr=False, default="")
    scopes: tuple[str, ...] = ("openid", "email", "profile")
    hosted_domains: tuple[str, ...] = ()  # Google Workspace: the token's `hd` must be one of these
    tenants: tuple[str, ...] = ()  # Microsoft Entra: the token's `tid` must be one of these
    token_auth_method: str = "client_secret_basic"  # noqa: S105 - a method name; or client_secret_post


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
    # The address people open (https://mektep.example.kg); the SSO redirect URI is built on it.
    site_url: str = "http://localhost:3000"
    site_url_configured: bool = False
    allow_http: bool = False  # production over plain http only when the operator says so
    trusted_proxy_hops: int = 0  # reverse proxies in front of the app (X-Forwarded-For hops)
    # The address `toolchain serve` listens on (BBBMS_HOST); by default the loopback while the public
    # address is this machine's own, every interface once it names another host.
    bind_host: str = "127.0.0.1"
    redis_url: str = ""  # REFLEX_REDIS_URL: several workers share the tabs' state through Redis
    state_expiry_s: int = 3600  # a tab's server-side state is dropped after this long without events
    upload_max_bytes: int = UPLOAD_MAX_MB * 1024 * 1024
    sso_providers: tuple[SsoProvider, ...] = ()
    problems: tuple[str, ...] = ()  # settings that could not be read; the app refuses them in production

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def https(self) -> bool:
        return self.site_url.startswith("https://")

    @property
    def site_origin(self) -> str:
        parts = urlsplit(self.site_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def site_is_loopback(self) -> bool:
        """The public address is this machine's own (localhost): nothing crosses a network."""
        return is_loopback(urlsplit(self.site_url).hostname or "")

    @property
    def private_dir(self) -> Path:
        """Where secrets and personal files live: readable by the server's user only (0700)."""
        return self.data_dir / "private"

    @property
    def state_manager(self) -> str:
        """Which Reflex state manager runs: Redis when several workers share a URL, else memory."""
        return "redis" if self.redis_url else "memory"

    def sso_provider(self, key: str) -> SsoProvider | None:
        return next((p for p in self.sso_providers if p.key == key), None)


def is_loopback(host: str) -> bool:
    """True for localhost and the loopback addresses (127.0.0.0/8, ::1)."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_secret_file(data_dir: Path) -> str | None:
    """The secret key `ensure_secret_key` wrote into the private data directory, if there is one."""
    try:
        return (data_dir / "private" / SECRET_FILE).read_text().strip() or None
    except OSError:
        return None


def ensure_secret_key(data_dir: Path) -> Path:
    """Generate the server's secret key once into <data_dir>/private/secret_key (0600, folder 0700).

    An existing file is kept: its key must survive restarts. Used when BBBMS_SECRET_KEY is not set.
    """
    private = data_dir / "private"
    private.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = private / SECRET_FILE
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48) + "\n")
    return path


def secure_data_dir(data_dir: Path) -> list[str]:
    """Make the data directory and its private folder the server user's alone (0700); what changed.

    `make run` creates them, with the database, exports and scans inside: they must not be opened
    by other local accounts. Folders owned by someone else are left to check-config to report.
    """
    changed = []
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    for folder in (data_dir, data_dir / "private"):
        if folder.is_dir() and folder.stat().st_uid == os.getuid() and folder.stat().st_mode & 0o077:
            folder.chmod(0o700)
            changed.append(f"{folder} is now readable by its owner only (0700)")
    return changed


def _origin_problem(name: str, value: str) -> str | None:
    parts = urlsplit(value)
    if value == "*":
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/") or parts.query:
        return f"{name}: {value!r} is not an origin like https://mektep.example.kg"
    return None


def _sso_providers(problems: list[str]) -> tuple[SsoProvider, ...]:
    found = []
    for key in _list("BBBMS_SSO_PROVIDERS"):
        key = key.lower()
        if not SSO_KEY.match(key):
            problems.append(f"BBBMS_SSO_PROVIDERS: {key!r} is not a short name of a-z, 0-9 and _")
            continue
        env = f"BBBMS_SSO_{key.upper()}_"
        issuer = os.environ.get(env + "ISSUER", "").strip().rstrip("/")
        client_id = os.environ.get(env + "CLIENT_ID", "").strip()
        missing = [n for n, v in (("ISSUER", issuer), ("CLIENT_ID", client_id)) if not v]
        if missing:
            problems.append(f"SSO provider {key!r}: {', '.join(env + m for m in missing)} not set")
            continue
        if urlsplit(issuer).scheme not in ("http", "https"):
            problems.append(f"{env}ISSUER: {issuer!r} is not a URL")
            continue
        method = os.environ.get(env + "TOKEN_AUTH", "client_secret_basic").strip()
        if method not in ("client_secret_basic", "client_secret_post"):
            problems.append(f"{env}TOKEN_AUTH: {method!r} is neither client_secret_basic nor client_secret_post")
            continue
        scopes = _list(env + "SCOPES", " ") or ("openid", "email", "profile")
        if "openid" not in scopes:
            scopes = ("openid", *scopes)
        found.append(
            SsoProvider(
                key=key,
                name=os.environ.get(env + "NAME", "").strip() or key.capitalize(),
                issuer=issuer,
                client_id=client_id,
                client_secret=os.environ.get(env + "CLIENT_SECRET", ""),
                scopes=scopes,
                hosted_domains=tuple(d.lower() for d in _list(env + "HOSTED_DOMAIN")),
                tenants=_list(env + "TENANTS"),
                token_auth_method=method,
            )
        )
    return tuple(found)


def load() -> Settings:
    """Read the settings from the environment (call again after changing it, e.g. in tests)."""
    url = os.environ.get("DATABASE_URL") or os.environ.get("REFLEX_DB_URL") or f"sqlite:///{DEFAULT_SQLITE}"
    if url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; SQLAlchemy's bare scheme means psycopg2.
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    problems: list[str] = []
    raw_env = os.environ.get("BBBMS_ENV", "dev").strip().lower()
    env = ENVIRONMENTS.get(raw_env, "prod")  # an unknown environment fails closed, as production
    if raw_env not in ENVIRONMENTS:
        problems.append(f"BBBMS_ENV: {raw_env!r} is not one of dev, test, prod")
    testing = env == "test"
    origins = _list("BBBMS_CORS_ORIGINS")
    problems += [p for o in origins if (p := _origin_problem("BBBMS_CORS_ORIGINS", o))]
    site_url = os.environ.get("BBBMS_PUBLIC_URL", "").strip().rstrip("/")
    if site_url and (p := _origin_problem("BBBMS_PUBLIC_URL", site_url)) is not None:
        problems.append(p)
    port = os.environ.get("REFLEX_FRONTEND_PORT") or os.environ.get("PORT") or "3000"
    try:
        hops = _int("BBBMS_TRUSTED_PROXY_HOPS", 0)
    except ValueError:
        hops = 0
        problems.append("BBBMS_TRUSTED_PROXY_HOPS is not a whole number")
    if hops < 0:
        problems.append("BBBMS_TRUSTED_PROXY_HOPS is negative")
        hops = 0
    data_dir = Path(os.environ.get("BBBMS_DATA_DIR", str(ROOT / "data")))
    site_url = site_url or f"http://localhost:{port}"
    site_host = urlsplit(site_url).hostname or ""
    # Loopback while the public address is this machine; all interfaces once people open another.
    bind_host = os.environ.get("BBBMS_HOST", "").strip() or ("127.0.0.1" if is_loopback(site_host) else "0.0.0.0")  # noqa: S104
    try:
        upload_max_bytes = int(float(os.environ.get("BBBMS_UPLOAD_MAX_MB") or UPLOAD_MAX_MB) * 1024 * 1024)
    except ValueError:
        upload_max_bytes = UPLOAD_MAX_MB * 1024 * 1024
        problems.append("BBBMS_UPLOAD_MAX_MB is not a number")
    idle = _int("BBBMS_SESSION_IDLE_MINUTES", 60)
    return Settings(
        database_url=url,
        environment=env,
        secret_key=os.environ.get("BBBMS_SECRET_KEY") or read_secret_file(data_dir) or DEV_SECRET_KEY,
        default_language=os.environ.get("BBBMS_DEFAULT_LANGUAGE", "ky"),
        session_idle_minutes=idle,
        session_absolute_hours=_int("BBBMS_SESSION_ABSOLUTE_HOURS", 12),
        # Tests hash many passwords; production keeps OWASP's argon2id floor or stronger.
        argon2_time_cost=_int("BBBMS_ARGON2_TIME_COST", 1 if testing else 3),
        argon2_memory_kib=_int("BBBMS_ARGON2_MEMORY_KIB", 8 if testing else 65536),
        argon2_parallelism=_int("BBBMS_ARGON2_PARALLELISM", 1),
        page_size=_int("BBBMS_PAGE_SIZE", 25),
        cors_origins=origins,
        data_dir=data_dir,
        site_url=site_url,
        site_url_configured=bool(os.environ.get("BBBMS_PUBLIC_URL", "").strip()),
        allow_http=_bool("BBBMS_ALLOW_HTTP", False),
        trusted_proxy_hops=hops,
        bind_host=bind_host,
        redis_url=os.environ.get("REFLEX_REDIS_URL", "").strip(),
        # A closed tab's state (one tab = one state tree) lives no longer than an idle session.
        state_expiry_s=max(60, idle * 60),
        upload_max_bytes=upload_max_bytes,
        sso_providers=_sso_providers(problems),
        problems=tuple(problems),
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


def argon2_meets_owasp(time_cost: int, memory_kib: int, parallelism: int) -> bool:
    """True when the argon2id parameters reach one of OWASP's minimum configurations."""
    if time_cost < 1 or parallelism < 1:
        return False
    return memory_kib >= OWASP_ARGON2_MIN_MEMORY_KIB[min(time_cost, 5)]


def _sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite"):
        return None
    name = url.split("///", 1)[1] if "///" in url else ""
    return Path(name.split("?", 1)[0]) if name and name != ":memory:" else None


def _others_can_reach(path: Path) -> bool:
    # Another local account can open `path` when every directory above it lets others through (o+x).
    return all(p.stat().st_mode & stat.S_IXOTH for p in path.resolve().parents if p.exists())


def _storage_problems(label: str, path: Path) -> list[str]:
    problems = []
    existing = path if path.exists() else next((p for p in path.parents if p.exists()), None)
    if existing is None:
        return problems
    folder = existing if existing.is_dir() else existing.parent
    if folder.stat().st_mode & stat.S_IWOTH:
        problems.append(f"{label}: {folder} is writable by every local user (chmod o-w, or move it)")
    if path.is_file():
        mode = path.stat().st_mode
        if mode & stat.S_IWOTH:
            problems.append(f"{label}: {path} is writable by every local user (chmod 600 {path})")
        elif mode & stat.S_IROTH and _others_can_reach(path):
            problems.append(f"{label}: {path} holds personal data and is readable by every local user (chmod 600)")
    return problems


def check_production(s: Settings | None = None) -> list[str]:
    """Every setting that is unsafe for a production server, each named with what to change.

    An empty list means the settings may run a school's real data.
    """
    s = s or get()
    problems = list(s.problems)
    if s.secret_key == DEV_SECRET_KEY:
        problems.append("BBBMS_SECRET_KEY is the development default: set a long random value")
    elif len(s.secret_key) < 32:
        problems.append("BBBMS_SECRET_KEY is shorter than 32 characters")
    if "*" in s.cors_origins:
        problems.append("BBBMS_CORS_ORIGINS allows every origin ('*'): list the school's own address")
    # Plain http is safe only while nothing leaves this machine: a localhost address, a loopback bind.
    local_only = s.site_is_loopback and is_loopback(s.bind_host)
    if not s.site_url_configured and not local_only:
        problems.append("BBBMS_PUBLIC_URL is not set: give the address people open, e.g. https://mektep.example.kg")
    elif not s.https and not s.allow_http and not local_only:
        problems.append(
            "BBBMS_PUBLIC_URL is not https: passwords and sessions would cross the network in clear "
            "(set BBBMS_ALLOW_HTTP=1 only for a closed school network)"
        )
    if s.site_is_loopback and not is_loopback(s.bind_host):
        problems.append(
            f"BBBMS_HOST={s.bind_host} listens on the network, but the public address {s.site_url} is this "
            "machine's own: set BBBMS_PUBLIC_URL to the address people open (or BBBMS_HOST=127.0.0.1)"
        )
    if not argon2_meets_owasp(s.argon2_time_cost, s.argon2_memory_kib, s.argon2_parallelism):
        problems.append(
            f"argon2id parameters t={s.argon2_time_cost}, m={s.argon2_memory_kib} KiB, p={s.argon2_parallelism} "
            "are below OWASP's minimum (e.g. BBBMS_ARGON2_TIME_COST=2 with BBBMS_ARGON2_MEMORY_KIB=19456 or more)"
        )
    if not 1 <= s.session_idle_minutes <= 8 * 60:
        problems.append("BBBMS_SESSION_IDLE_MINUTES must be between 1 and 480")
    if not 1 <= s.session_absolute_hours <= 24:
        problems.append("BBBMS_SESSION_ABSOLUTE_HOURS must be between 1 and 24")
    if s.session_idle_minutes > s.session_absolute_hours * 60:
        problems.append("BBBMS_SESSION_IDLE_MINUTES is longer than BBBMS_SESSION_ABSOLUTE_HOURS")
    db_path = _sqlite_path(s.database_url)
    if db_path is not None:
        problems += _storage_problems("database", db_path)
    problems += _storage_problems("BBBMS_DATA_DIR", s.data_dir)
    problems += private_storage_problems(s)
    problems += reflex_environment_problems()
    for p in s.sso_providers:
        env = f"BBBMS_SSO_{p.key.upper()}_"
        if not p.issuer.startswith("https://"):
            problems.append(f"{env}ISSUER is not https")
        if not p.client_secret:
            problems.append(f"{env}CLIENT_SECRET is not set")
    if s.sso_providers and not s.https:
        problems.append("SSO needs an https BBBMS_PUBLIC_URL: the providers send the sign-in back to it")
    return problems


def _group_or_other_bits(path: Path) -> int:
    return path.stat().st_mode & 0o077


def private_storage_problems(s: Settings | None = None) -> list[str]:
    """The private data directory and the secret key file must be the server user's alone (0700/0600)."""
    s = s or get()
    problems = []
    private = s.private_dir
    if private.is_dir() and _group_or_other_bits(private):
        problems.append(f"{private} holds secrets and personal files but is open to other users (chmod 700 {private})")
    secret = private / SECRET_FILE
    if secret.is_file() and _group_or_other_bits(secret):
        problems.append(f"{secret} is readable by other users (chmod 600 {secret})")
    return problems


def states_dir() -> Path:
    """Where Reflex's disk state manager would pickle every tab's state (REFLEX_STATES_WORKDIR)."""
    return ROOT / os.environ.get("REFLEX_STATES_WORKDIR", ".states")


def reflex_environment_problems() -> list[str]:
    """REFLEX_* variables and leftovers of Reflex's defaults that expose data on a school's server."""
    problems = []
    if _bool("REFLEX_ADD_ALL_ROUTES_ENDPOINT", False):
        problems.append("REFLEX_ADD_ALL_ROUTES_ENDPOINT=1 publishes every route of the app: unset it")
    mode = os.environ.get("REFLEX_STATE_MANAGER_MODE", "").strip().lower()
    if mode and mode not in STATE_MANAGERS:
        problems.append(
            f"REFLEX_STATE_MANAGER_MODE={mode} would write every tab's state (session tokens, personal data) "
            "to files: unset it (memory for one worker, REFLEX_REDIS_URL for several)"
        )
    folder = states_dir()
    if folder.is_dir():
        problems.append(
            f"{folder} holds tabs' states pickled by an older start (session tokens, PINs): delete it "
            "(`make run` does so; no state is kept on disk any more)"
        )
    return problems


def check_reflex_config(*, telemetry_enabled: bool, cors_allowed_origins: tuple[str, ...] | list[str]) -> list[str]:
    """Problems in the effective Reflex configuration (REFLEX_* variables can override rxconfig)."""
    problems = []
    if telemetry_enabled:
        problems.append("Reflex telemetry is on (REFLEX_TELEMETRY_ENABLED): turn it off")
    if "*" in cors_allowed_origins:
        problems.append("Reflex allows every origin ('*', REFLEX_CORS_ALLOWED_ORIGINS): list the school's address")
    return problems


class UnsafeConfiguration(RuntimeError):
    """Production settings the app refuses to run with."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"BBBMS refuses to start in production (BBBMS_ENV=prod) because:\n{lines}")


def refuse_unsafe_production(s: Settings | None = None, extra: list[str] | None = None) -> None:
    """Raise UnsafeConfiguration when production runs with any unsafe setting."""
    s = s or get()
    if s.environment != "prod":
        return
    problems = check_production(s) + list(extra or [])
    if problems:
        raise UnsafeConfiguration(problems)


# --- Operations (room `ops`): backups and the job queue -------------------------------------------


@dataclass(frozen=True)
class OpsSettings:
    """Where backups go and how the job queue runs (docs/operations.md)."""

    backup_dir: Path  # BBBMS_BACKUP_DIR, default <data_dir>/backups
    backup_copy_dir: Path | None  # BBBMS_BACKUP_COPY_DIR: a second folder (USB disk, mounted share)
    backup_keep: int  # BBBMS_BACKUP_KEEP: good backups kept in each folder
    backup_every_hours: int  # BBBMS_BACKUP_EVERY_HOURS: a new backup once the last good one is this old
    queue_url: str  # BBBMS_QUEUE_URL: redis://… for a district; empty = a SQLite file under private/
    jobs: str  # BBBMS_JOBS: "child" (make run starts the consumer) or "external" (its own service)


def ops(s: Settings | None = None) -> OpsSettings:
    """The operations settings, read from the environment at each call (they are cheap)."""
    s = s or get()
    copy = os.environ.get("BBBMS_BACKUP_COPY_DIR", "").strip()
    jobs = os.environ.get("BBBMS_JOBS", "child").strip().lower()
    return OpsSettings(
        backup_dir=Path(os.environ.get("BBBMS_BACKUP_DIR", "").strip() or s.data_dir / "backups"),
        backup_copy_dir=Path(copy) if copy else None,
        backup_keep=max(1, _int("BBBMS_BACKUP_KEEP", 14)),
        backup_every_hours=max(1, _int("BBBMS_BACKUP_EVERY_HOURS", 24)),
        queue_url=os.environ.get("BBBMS_QUEUE_URL", "").strip(),
        jobs=jobs if jobs in ("child", "external") else "child",
    )
