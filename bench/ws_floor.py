"""What one websocket costs the server we run (Granian) before any of our code: RSS per connection.

Serves a bare ASGI app (it accepts a websocket and echoes; it answers HTTP with two bytes) with the
Granian of this virtualenv, one worker, as `make run` serves BBBMS; opens `--connections` websockets
(each sends one 200-byte message and reads the echo, as a tab's first event does) and, baseline in
the same run, as many plain HTTP/1.1 keep-alive connections held open after one request. Prints
the worker's RSS growth per connection for both. Traffic to 127.0.0.1 only; the server is stopped
at the end.

    .venv/bin/python bench/ws_floor.py [--connections 500]
    .venv/bin/python bench/ws_floor.py --connections 300 --reply-bytes 75000   # one large message back

Granian keeps a websocket's write buffer at the size of the largest message it sent: compare
`--reply-bytes 75000` with `--reply-bytes 9500 --replies 8` (the same bytes in eight messages).

Why: a tab's server memory (bench/tab_memory.py) has a floor no state of ours can cut; this
measures the server's part of it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.server_harness import machine, rss_bytes, tree

APP = textwrap.dedent(
    """
    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                m = await receive()
                done = "startup" if m["type"] == "lifespan.startup" else "shutdown"
                await send({"type": f"lifespan.{done}.complete"})
                if done == "shutdown":
                    return
        if scope["type"] == "websocket":
            await receive()
            await send({"type": "websocket.accept"})
            while True:
                m = await receive()
                if m["type"] == "websocket.disconnect":
                    return
                text = m.get("text") or ""
                if text.startswith("reply:"):  # "reply:N:K": K messages of N bytes
                    size, count = map(int, text[6:].split(":"))
                    for _ in range(count):
                        await send({"type": "websocket.send", "text": "y" * size})
                else:
                    await send({"type": "websocket.send", "text": text})
        else:
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
            await send({"type": "http.response.body", "body": b"ok"})
    """
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def measure(url: str, pid: int, n: int, kind: str, reply: tuple[int, int] = (0, 1)) -> float:
    """KiB of the server's RSS per open connection of `kind` ("ws" or "http"), over n connections."""
    conns = []
    sessions = []

    async def one():
        # A session per connection: its own TCP connection, kept open.
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1, force_close=False))
        sessions.append(session)
        if kind == "ws":
            ws = await session.ws_connect(f"{url}/ws")
            size, count = reply
            await ws.send_str(f"reply:{size}:{count}" if size else "x" * 200)
            for _ in range(count):
                await ws.receive()
            conns.append(ws)
        else:
            async with session.get(f"{url}/") as r:
                await r.read()

    for _ in range(20):  # warm: the runtime's first allocations are not a connection's
        await one()
    await asyncio.sleep(1)
    before = rss_bytes(tree(pid))
    for _ in range(n):
        await one()
    await asyncio.sleep(2)
    after = rss_bytes(tree(pid))
    for c in conns:
        await c.close()
    for s in sessions:
        await s.close()
    return (after - before) / n / 1024


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--connections", type=int, default=500)
    p.add_argument("--reply-bytes", type=int, default=0, help="the server answers with messages of this size")
    p.add_argument("--replies", type=int, default=1, help="… this many of them")
    args = p.parse_args()
    granian = Path(sys.executable).parent / "granian"
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "bare.py").write_text(APP)
        for kind in ("http", "ws"):  # a fresh server for each: neither inherits the other's heap
            port = free_port()
            cmd = [str(granian), "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port)]
            proc = subprocess.Popen(
                [*cmd, "--workers", "1", "--log-level", "warning", "bare:app"],
                cwd=tmp,
                start_new_session=True,
            )
            try:
                url = f"http://127.0.0.1:{port}"
                for _ in range(100):
                    try:
                        with socket.create_connection(("127.0.0.1", port), timeout=1):
                            break
                    except OSError:
                        time.sleep(0.1)
                reply = (args.reply_bytes, args.replies)
                results[kind] = asyncio.run(measure(url, proc.pid, args.connections, kind, reply))
            finally:
                os.killpg(proc.pid, 15)
                proc.wait(timeout=20)
    version = subprocess.run([str(granian), "--version"], capture_output=True, text=True).stdout.strip()
    print(f"One connection's memory in the server ({version}, one worker); {machine()}")
    print(f"  HTTP/1.1 keep-alive connection (baseline)  {results['http']:7.1f} KiB per connection")
    what = f"{args.replies} × {args.reply_bytes} B back" if args.reply_bytes else "one message each way"
    print(f"  websocket, {what:<32}{results['ws']:7.1f} KiB per connection")
    print(f"  ratio websocket / keep-alive               {results['ws'] / max(results['http'], 0.1):7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
