"""Build the production frontend only when its inputs changed, and serve app + frontend on one port.

`reflex run --env prod` rebuilds the whole frontend at every start (minutes on a small server).
Here the build is keyed by a hash of everything it depends on, so a second `make run` starts in
seconds; the server is Reflex's own production backend with the compiled frontend mounted.
"""

from __future__ import annotations

import argparse
import hashlib
import os
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


def inputs_hash(port: int) -> str:
    """A hash of every file the frontend build depends on, plus the port it is built for."""
    # The session cookie's Secure flag is compiled into the frontend: https or not is an input too.
    h = hashlib.sha256(f"port={port}\nhttps={settings.get().https}\n".encode())
    for name in BUILD_INPUTS:
        path = ROOT / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            if "__pycache__" in f.parts:
                continue
            h.update(str(f.relative_to(ROOT)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def build(port: int, *, force: bool = False) -> bool:
    """Build the production frontend unless an identical build exists; True when it built."""
    stamp = web_dir() / ".bbbms-build-stamp"
    digest = inputs_hash(port)
    built = (web_dir() / "build" / "client").is_dir()
    if not force and built and stamp.exists() and stamp.read_text() == digest:
        print("frontend is up to date; not rebuilding")
        return False
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
    stamp.write_text(digest)
    return True


def serve(port: int, host: str = "0.0.0.0") -> None:  # noqa: S104 - a school server listens on its LAN
    """Run the production backend with the built frontend mounted, on one port (blocks)."""
    os.environ.update(_env(port))
    os.environ["REFLEX_ENV_MODE"] = "prod"
    os.environ["REFLEX_SKIP_COMPILE"] = "true"  # the build above already compiled it
    settings.reload()  # the default public address follows the port just set
    os.chdir(ROOT)
    from reflex.utils import exec as rx_exec
    from reflex_base.constants import LogLevel

    # The job queue's consumer (scheduled backups, clean-up) runs beside the server as one child
    # process and stops with it (bbbms_app/jobs/consumer.py says why not a thread).
    from bbbms_app.jobs import consumer

    consumer.start_child()
    print(f"BBBMS is being served at http://localhost:{port}", flush=True)
    rx_exec.run_backend_prod(host, port, LogLevel.WARNING, mount_frontend_compiled_app=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bbbms_app.toolchain")
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    b.add_argument("--force", action="store_true")
    s = sub.add_parser("serve")
    s.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    s.add_argument("--host", default=os.environ.get("BBBMS_HOST", "0.0.0.0"))  # noqa: S104
    args = p.parse_args(argv)
    try:
        settings.refuse_unsafe_production()
    except settings.UnsafeConfiguration as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.cmd == "build":
        build(args.port, force=args.force)
    else:
        serve(args.port, args.host)
    return 0


if __name__ == "__main__":
    sys.exit(main())
