"""The web server of the real `idebot run`, measured over HTTP on loopback.

    python benchmarks/web.py [--forums N] [--seconds S] [--clients C] [--database URL]

Serves the local Bot API over HTTP (as benchmarks/broadcast.py does), creates N published
forums, starts `idebot run` (long polling that API, its web server on a free port), and
for S seconds has C clients ask for /calendar.ics (without and with If-None-Match) and
/healthz, one path at a time. Prints requests per second and latency for each; the last
line is a JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("PTB_TIMEDELTA", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from benchmarks.http_api import serve
from benchmarks.scratch import scratch_database
from bot.forums import lifecycle
from bot.forums.notices import Staff
from bot.forums.reminders import Schedule
from bot.forums.rules import ForumFields
from bot.local_api import LocalBotApi
from storage import migrate
from storage.db import Database
from storage.models import utcnow


async def create_forums(url: str, count: int) -> None:
    db = Database.connect(url)
    try:
        await migrate.upgrade(db.engine)
        async with db.transaction() as session:
            now = utcnow()
            for n in range(count):
                start = (now + timedelta(days=7 + n)).replace(minute=0, second=0, microsecond=0)
                fields = ForumFields(
                    titles={"sv": f"Dialogforum {n + 1}", "en": f"Dialogue forum {n + 1}"},
                    descriptions={"sv": "Vi pratar om överenskommelsen. " * 10},
                    starts_at=start,
                    ends_at=start + timedelta(hours=2),
                    place="Stadshuset, Campusgatan 26",
                )
                forum = await lifecycle.create(session, fields, None, now)
                await lifecycle.publish(session, forum, now, Schedule(), Staff())
    finally:
        await db.close()


async def hammer(
    client: httpx.AsyncClient, path: str, seconds: float, clients: int, headers: dict[str, str]
) -> dict[str, float]:
    latencies: list[float] = []
    statuses: set[int] = set()
    end = time.monotonic() + seconds

    async def one_client() -> None:
        while time.monotonic() < end:
            started = time.perf_counter()
            response = await client.get(path, headers=headers)
            latencies.append(time.perf_counter() - started)
            statuses.add(response.status_code)

    began = time.monotonic()
    await asyncio.gather(*(one_client() for _ in range(clients)))
    elapsed = time.monotonic() - began
    ordered = sorted(latencies)
    return {
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95)] * 1000, 2),
        "statuses": sorted(statuses),  # type: ignore[dict-item]
    }


async def main(args: argparse.Namespace) -> dict[str, object]:
    api = LocalBotApi()
    server, base_url = serve(api)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as folder:
        async with scratch_database(args.database, Path(folder)) as url:
            await create_forums(url, args.forums)
            env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEB"))}
            env |= {
                "TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_API_BASE_URL": base_url,
                "DATABASE_URL": url, "DATA_DIR": folder, "WEB_PORT": str(port),
                "LOG_LEVEL": "WARNING",
            }  # fmt: skip
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "run", env=env
            )
            results: dict[str, object] = {}
            try:
                limits = httpx.Limits(max_connections=args.clients)
                async with httpx.AsyncClient(
                    base_url=f"http://127.0.0.1:{port}", limits=limits
                ) as client:
                    for _ in range(600):
                        try:
                            if (await client.get("/healthz")).status_code == 200:
                                break
                        except httpx.ConnectError:
                            pass
                        await asyncio.sleep(0.05)
                    feed = await client.get("/calendar.ics")
                    etag = {"If-None-Match": feed.headers["etag"]}
                    for name, path, headers in (
                        ("calendar.ics", "/calendar.ics", {}),
                        ("calendar.ics 304", "/calendar.ics", etag),
                        ("healthz", "/healthz", {}),
                    ):
                        figures = await hammer(client, path, args.seconds, args.clients, headers)
                        results[name] = figures
                        print(f"{name:18} {figures}", flush=True)
                    results["feed_bytes"] = len(feed.content)
            finally:
                process.send_signal(signal.SIGTERM)
                await process.wait()
                server.stop()
    return {"forums": args.forums, "clients": args.clients, **results}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--forums", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--database", default=None, help="a PostgreSQL server URL")
    print(json.dumps(asyncio.run(main(parser.parse_args()))))
