"""For whoever runs the bot: /healthz (is it working?) and /metrics (Prometheus).

/healthz answers 200 when the database answers and the delivery worker (if this process
runs one) is alive and has finished a round recently, else 503, with JSON that says which
part failed. The time since the last update is reported, not judged: a quiet night is not
an outage."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.context import IdeApplication
from bot.metrics import CONTENT_TYPE
from bot.web import bot_of
from storage import outbox

log = logging.getLogger(__name__)

DATABASE_TIME_LIMIT = 5.0  # seconds the database may take to answer SELECT 1
ROUND_AGE_LIMIT = 300.0  # seconds since the worker's last round (429 pauses make rounds long)


async def _database(bot: IdeApplication) -> dict[str, Any]:
    db = bot.bot_data.db
    if db is None:
        return {"ok": False, "error": "not connected"}
    started = time.perf_counter()
    try:
        async with asyncio.timeout(DATABASE_TIME_LIMIT), db.transaction() as session:
            await session.execute(text("SELECT 1"))
    except Exception as error:  # any failure is the answer to "does it work?"
        reason = str(getattr(error, "orig", None) or error).splitlines()[0:1]
        return {"ok": False, "error": reason[0] if reason else type(error).__name__}
    return {"ok": True, "seconds": round(time.perf_counter() - started, 4)}


def _worker(bot: IdeApplication) -> dict[str, Any]:
    settings, worker = bot.bot_data.settings, bot.bot_data.worker
    if settings is not None and not settings.delivery_worker:
        return {"ok": True, "running": False, "note": "DELIVERY_WORKER=false: another process"}
    if worker is None or not worker.alive:
        return {"ok": False, "running": False}
    since = worker.last_round or worker.started_at or 0.0  # no round yet: since it started
    age = time.monotonic() - since
    return {
        "ok": age <= ROUND_AGE_LIMIT,
        "running": True,
        "last_round_seconds_ago": None if worker.last_round is None else round(age, 3),
    }


async def healthz(request: Request) -> Response:
    bot = bot_of(request)
    database, worker = await _database(bot), _worker(bot)
    last = bot.bot_data.metrics.last_update
    checks = {
        "database": database,
        "worker": worker,
        "updates": {
            "last_seconds_ago": None if last is None else round(time.monotonic() - last, 3)
        },
    }
    ok = database["ok"] and worker["ok"]
    if not ok:
        log.warning("health check failing: %s", checks)
    return JSONResponse(
        {"ok": ok, **checks},
        status_code=200 if ok else 503,
        headers={"Cache-Control": "no-store"},
    )


async def metrics(request: Request) -> Response:
    """Counters of this process, and the outbox by status (left out while the database
    cannot be read: /healthz says so)."""
    bot = bot_of(request)
    counts: dict[str, int] = {}
    if bot.bot_data.db is not None:
        try:
            async with (
                asyncio.timeout(DATABASE_TIME_LIMIT),
                bot.bot_data.db.transaction() as session,
            ):
                counts = await outbox.status_counts(session)
        except Exception:
            log.warning("metrics: could not count the outbox", exc_info=True)
    body = bot.bot_data.metrics.exposition(counts)
    return Response(body, media_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})


ROUTES = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
]
