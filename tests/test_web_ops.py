"""For whoever runs the bot: /healthz turns 503 when the database is really gone, /metrics
counts what happened, Telegram's updates arrive by webhook on the same server (and only
with the secret), logs can be JSON, and `idebot run` serves all of it on its port."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import sys
from pathlib import Path

import asyncpg
import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url

from benchmarks.http_api import serve
from bot.local_api import LocalBotApi, LocalUser
from bot.logs import JsonFormatter
from tests.conftest import POSTGRES_URL, _dsn
from tests.forum_helpers import started
from tests.web_helpers import web

SECRET = "s3cret-token_ok"
HOOK = "https://bot.example.org/idebot/telegram"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by name and labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def take_away(database_url: str) -> None:
    """Make the database really unusable: dropped (PostgreSQL), or its folder moved away
    (SQLite: the file can no longer be opened)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        folder = Path(str(url.database)).parent
        folder.rename(folder.with_name(folder.name + "-gone"))
        return
    connection = await asyncpg.connect(_dsn(POSTGRES_URL))
    try:
        await connection.execute(f'DROP DATABASE "{url.database}" WITH (FORCE)')
    finally:
        await connection.close()


async def test_health_is_503_when_the_database_is_gone(database_url: str, tmp_path: Path) -> None:
    async with (
        started(database_url, tmp_path, delivery_worker=True) as bot,
        web(bot.app) as client,
    ):
        for _ in range(500):  # the worker's first round
            if bot.worker.last_round is not None:
                break
            await asyncio.sleep(0.01)
        healthy = await client.get("/healthz")
        await bot.worker.stop()
        no_worker = await client.get("/healthz")
        await bot.app.bot_data.db.engine.dispose()  # type: ignore[union-attr]
        await take_away(database_url)
        failing = await client.get("/healthz")
        scraped = await client.get("/metrics")  # still answers, without the outbox

    assert healthy.status_code == 200, healthy.text
    body = healthy.json()
    assert body["ok"] is True
    assert body["database"]["ok"] is True
    assert body["worker"]["running"] is True
    assert body["worker"]["last_round_seconds_ago"] < 60
    assert no_worker.status_code == 503
    assert no_worker.json()["worker"] == {"ok": False, "running": False}
    assert no_worker.json()["database"]["ok"] is True
    assert failing.status_code == 503
    assert failing.json()["database"]["ok"] is False
    assert failing.json()["database"]["error"]
    assert scraped.status_code == 200
    assert "# TYPE idebot_updates_total counter" in scraped.text
    assert "idebot_outbox_rows{" not in scraped.text


async def test_metrics_count_updates_sends_and_questions(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot, web(bot.app) as client:
        reader = await bot.subscriber(1001, "en")
        await bot.announced()  # the invitation goes to 1001 in bulk
        before = samples((await client.get("/metrics")).text)
        # As Telegram's updates arrive: onto the queue, through the update processor.
        for text in ("How can our association join?", "qwxz vbnm plkj", "/help"):
            reader.queue(text)
            await bot.app.update_queue.join()
        bot.api.refuse_next("sendMessage", retry_after=1)
        reader.queue("/start")  # its reply waits out one 429
        await bot.app.update_queue.join()
        after = samples((await client.get("/metrics")).text)

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert grew("idebot_updates_total", kind="command") == 2, "/help, /start"
    assert grew("idebot_updates_total", kind="message") == 2
    assert grew("idebot_update_seconds_count") == 4
    assert grew("idebot_update_seconds_bucket", le="30.0") == 4
    assert grew("idebot_questions_total", language="en", outcome="answered") == 1
    assert grew("idebot_questions_total", language="en", outcome="not_sure") == 1
    assert grew("idebot_sends_total", path="reply") >= 4
    assert grew("idebot_telegram_429_total") == 1
    assert grew("idebot_telegram_429_wait_seconds_total") == 1
    assert after[("idebot_sends_total", (("path", "bulk"),))] == 2, "invitation, staff's report"
    assert after[("idebot_outbox_rows", (("status", "sent"),))] == 2
    assert after[("idebot_outbox_rows", (("status", "pending"),))] == 0


async def test_an_update_by_webhook_is_answered_and_a_wrong_secret_is_refused(
    database_url: str, tmp_path: Path
) -> None:
    async with (
        started(database_url, tmp_path, webhook_url=HOOK, webhook_secret=SECRET) as bot,
        web(bot.app) as client,
    ):
        person = LocalUser(bot.api, bot.app, 1001, language_code="en")
        update = bot.api.incoming(person.chat_id, person.user, "/start")
        forged = await client.post(
            "/idebot/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}
        )
        missing = await client.post("/idebot/telegram", json=update)
        assert bot.api.bot_messages(person.chat_id) == [], "refused updates are not handled"

        taken = await client.post(
            "/idebot/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
        for _ in range(500):
            if bot.api.bot_messages(person.chat_id):
                break
            await asyncio.sleep(0.01)
        broken = await client.post(
            "/idebot/telegram", content=b"{", headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )

    assert (forged.status_code, missing.status_code) == (403, 403)
    assert taken.status_code == 200
    assert "Welcome" in bot.api.bot_messages(person.chat_id)[0].text
    assert broken.status_code == 400


def fail() -> None:
    raise ValueError("boom\nsecond line")


def test_json_logs_are_one_object_per_line() -> None:
    try:
        fail()
    except ValueError:
        record = logging.getLogger("idebot.test").makeRecord(
            "idebot.test", logging.ERROR, __file__, 1, "failed for %s", ("chat 7",),
            sys.exc_info(),
        )  # fmt: skip
    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed for chat 7"
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "idebot.test"
    assert "ValueError: boom" in entry["exception"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_idebot_run_serves_health_and_feeds_on_its_port(
    database_url: str, tmp_path: Path
) -> None:
    """The real `idebot run`, polling a local Bot API over HTTP, its web server over HTTP."""
    api = LocalBotApi()
    server, base_url = serve(api)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEB"))} | {
        "TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_API_BASE_URL": base_url,
        "DATABASE_URL": database_url, "DATA_DIR": str(tmp_path), "WEB_PORT": str(port),
        "LOG_FORMAT": "json", "ADMIN_IDS": "",
    }  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            health = None
            for _ in range(600):
                try:
                    health = await client.get("/healthz")
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
            feed = await client.get("/calendar.ics")
            person = LocalUser(api, None, 1001, language_code="en")  # type: ignore[arg-type]
            api.push_update(api.incoming(person.chat_id, person.user, "/start"))
            for _ in range(600):
                if api.bot_messages(person.chat_id):
                    break
                await asyncio.sleep(0.05)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
        server.stop()

    assert health is not None, stderr.decode()[-2000:]
    assert health.status_code == 200, health.text
    assert feed.status_code == 200
    assert b"BEGIN:VCALENDAR" in feed.content
    assert api.bot_messages(person.chat_id), "answered by polling, beside the web server"
    assert process.returncode == 0, stderr.decode()[-2000:]
    lines = [line for line in stderr.decode().splitlines() if line.strip()]
    assert lines
    assert all(json.loads(line)["level"] for line in lines), "every log line is JSON"
    assert any(f"web server on http://127.0.0.1:{port}" in line for line in lines)
