"""Build the production frontend only when its inputs changed, and serve app + frontend on one port.

`reflex run --env prod` rebuilds the whole frontend at every start (minutes on a small server).
Here the build is keyed by a hash of everything it depends on, so a second `make run` starts in
seconds: the server is Reflex's own production backend with the compiled frontend mounted, and it
skips Reflex's page compile whenever the build stamp matches the sources (the compile only repeats
what the build already did).

`serve` is what a school runs, so it starts safe unless told otherwise: production settings
(`BBBMS_ENV=prod` unless set; dev mode only when asked), the secret key generated once into the
private data directory, files it creates readable by its own user only (umask 077), the bind
address chosen from the public address (`settings.bind_host`), and no `.states/` folder of pickled
tabs left behind by an older start.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bbbms_app import settings

ROOT = Path(__file__).resolve().parent.parent
BUILD_INPUTS = ("bbbms_app", "assets", "rxconfig.py", "requirements.txt")


def web_dir() -> Path:
    return ROOT / os.environ.get("REFLEX_WEB_WORKDIR", ".web")


def _env(port: int) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("REFLEX_USE_NPM", "1")
    # The frontend is built to call its backend on the same port (single-port serving).
    env["REFLEX_API_URL"] = f"http://localhost:{port}"
    env["REFLEX_FRONTEND_PORT"] = str(port)
    env["REFLEX_BACKEND_PORT"] = str(port)
    env["REFLEX_TELEMETRY_ENABLED"] = "false"
    return env


def sources_hash() -> str:
    """A hash of every source file the compiled pages depend on (not the port they are served on)."""
    # The session cookie's Secure flag is compiled into the frontend: https or not is an input too.
    h = hashlib.sha256(f"https={settings.get().https}\n".encode())
    for name in BUILD_INPUTS:
        path = ROOT / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            if "__pycache__" in f.parts:
                continue
            h.update(str(f.relative_to(ROOT)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def inputs_hash(port: int, sources: str | None = None) -> str:
    """The build's key: the sources' hash plus the port the frontend is built to call."""
    return hashlib.sha256(f"port={port}\n{sources or sources_hash()}".encode()).hexdigest()


def _stamp_path() -> Path:
    return web_dir() / ".bbbms-build-stamp"


def read_stamp() -> dict[str, str]:
    """What the last build was made from: {"inputs": …, "sources": …} (empty when unknown)."""
    try:
        lines = _stamp_path().read_text().split()
    except OSError:
        return {}
    return dict(line.split("=", 1) for line in lines if "=" in line)


def build_is_current(port: int | None = None) -> bool:
    """True when the built frontend was made from today's sources (and for `port`, when given)."""
    stamp = read_stamp()
    if not (web_dir() / "build" / "client").is_dir() or not stamp:
        return False
    sources = sources_hash()
    if port is None:
        return stamp.get("sources") == sources
    return stamp.get("inputs") == inputs_hash(port, sources)


def build(port: int, *, force: bool = False) -> bool:
    """Build the production frontend unless an identical build exists; True when it built."""
    if not force and build_is_current(port):
        print("frontend is up to date; not rebuilding")
        return False
    sources = sources_hash()
    print("building the production frontend (the first time takes a few minutes)…", flush=True)
    cmd = [
        sys.executable,
        "-m",
        "reflex",
        "export",
        "--frontend-only",
        "--no-zip",
        "--env",
        "prod",
        "--loglevel",
        "warning",
    ]
    subprocess.run(cmd, cwd=ROOT, env=_env(port), check=True)  # noqa: S603
    _stamp_path().write_text(f"inputs={inputs_hash(port, sources)}\nsources={sources}\n")
    return True


# Reflex 0.10.1 reads its internal switches with two leading underscores (reflex_base.environment,
# `env_var(..., internal=True)`): "REFLEX_SKIP_COMPILE" alone is silently ignored.
SKIP_COMPILE_VAR = "__REFLEX_SKIP_COMPILE"


def prepare_environment(port: int) -> settings.Settings:
    """Set the serving process's environment the safe way, and make what must exist once (the secret)."""
    os.environ.update(_env(port))
    os.environ["REFLEX_ENV_MODE"] = "prod"
    os.environ.setdefault("BBBMS_ENV", "prod")  # development mode only when asked (BBBMS_ENV=dev)
    s = settings.reload()  # the default public address follows the port just set
    for change in settings.secure_data_dir(s.data_dir):
        print(change, flush=True)
    if s.environment != "test" and not os.environ.get("BBBMS_SECRET_KEY"):
        settings.ensure_secret_key(s.data_dir)
        s = settings.reload()
    _drop_pickled_states()
    return s


def _drop_pickled_states() -> None:
    # Reflex 0.10.1's default (disk) state manager left every tab, session token and PIN included,
    # in `.states/`. The state lives in memory or Redis now: what is left there is only a risk.
    folder = settings.states_dir()
    if folder.is_dir() and os.environ.get("REFLEX_STATE_MANAGER_MODE", "").lower() != "disk":
        shutil.rmtree(folder, ignore_errors=True)
        print(f"removed {folder} (tabs' states pickled by an older start)", flush=True)


def serve(port: int, host: str | None = None) -> None:
    """Run the production backend with the built frontend mounted, on one port (blocks)."""
    # Exports, scans, SQLite's -wal/-shm: everything the server creates is its user's alone. (Not
    # the build: a reverse proxy may serve the built frontend under its own user.)
    os.umask(0o077)
    s = prepare_environment(port)
    settings.refuse_unsafe_production(s)
    if build_is_current():
        os.environ[SKIP_COMPILE_VAR] = "true"  # the build already compiled these very sources
    else:
        os.environ.pop(SKIP_COMPILE_VAR, None)
        print("the frontend build is older than the sources (run `make build`): compiling the pages", flush=True)
    os.chdir(ROOT)
    from reflex.utils import exec as rx_exec
    from reflex_base.constants import LogLevel

    # The job queue's consumer (scheduled backups, clean-up) runs beside the server as one child
    # process and stops with it (bbbms_app/jobs/consumer.py says why not a thread).
    from bbbms_app.jobs import consumer

    consumer.start_child()
    host = host or s.bind_host
    print(f"BBBMS is being served at {s.site_url} (listening on {host}:{port})", flush=True)
    rx_exec.run_backend_prod(host, port, LogLevel.WARNING, mount_frontend_compiled_app=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bbbms_app.toolchain")
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    b.add_argument("--force", action="store_true")
    s = sub.add_parser("serve")
    s.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    s.add_argument("--host", default=None, help="the address to listen on (default: settings.bind_host)")
    args = p.parse_args(argv)
    try:
        if args.cmd == "build":
            # The build imports rxconfig, which checks the very settings the server will run with.
            settings.refuse_unsafe_production(prepare_environment(args.port))
            build(args.port, force=args.force)
        else:
            if args.host:
                os.environ["BBBMS_HOST"] = args.host
            serve(args.port)
    except settings.UnsafeConfiguration as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
