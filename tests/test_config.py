"""Configuration that cannot work stops the start with one line naming the variable."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import DEFAULT_DEADLINES, PROJECT_ROOT, ConfigError, load_settings


def test_a_webhook_without_a_secret_is_refused() -> None:
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET is required when WEBHOOK_URL is set"):
        load_settings(_env_file=None, webhook_url="https://bot.example.org/idebot")

    settings = load_settings(
        _env_file=None, webhook_url="https://bot.example.org/idebot", webhook_secret="s3cret_ok"
    )
    assert settings.webhook_secret is not None


@pytest.mark.parametrize("variable", ["WEBHOOK_LISTEN", "WEBHOOK_PORT"])
def test_the_old_webhook_server_variables_say_what_replaced_them(
    variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, "8443")
    with pytest.raises(ConfigError, match=f"{variable} is no longer used.*set WEB_"):
        load_settings(_env_file=None)


def test_a_webhook_needs_the_web_server() -> None:
    with pytest.raises(ConfigError, match="WEB_PORT=0 turns off the web server"):
        load_settings(
            _env_file=None,
            webhook_url="https://bot.example.org/idebot",
            webhook_secret="s3cret_ok",
            web_port=0,
        )
    assert load_settings(_env_file=None, web_base_url="https://x.example.org/").public_url == (
        "https://x.example.org"
    )


def test_delivery_deadlines_change_only_the_kinds_named() -> None:
    settings = load_settings(_env_file=None, delivery_deadlines="reply=2h, newsletter=1d")

    assert settings.delivery_deadlines["reply"] == timedelta(hours=2)
    assert settings.delivery_deadlines["newsletter"] == timedelta(days=1)
    assert settings.delivery_deadlines["application"] == DEFAULT_DEADLINES["application"]


@pytest.mark.parametrize("value", ["reply=soon", "postcard=1d", "reply=²d", "reply"])
def test_a_bad_deadline_names_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match="DELIVERY_DEADLINES") as refused:
        load_settings(_env_file=None, delivery_deadlines=value)
    assert "\n" not in str(refused.value)


BAD_VALUES = {  # one value per variable of the README's table that must stop the start
    "TELEGRAM_BOT_TOKEN": "",
    "TELEGRAM_API_BASE_URL": "api.telegram.org",
    "TELEGRAM_API_FILE_URL": "ftp://files",
    "DATABASE_URL": "nonsense",
    "DATA_DIR": "/etc/hostname/idebot",  # under a file
    "ADMIN_IDS": "12,abc",
    "DEFAULT_LANGUAGE": "de",
    "TIMEZONE": "Mars/Olympus",
    "CONTENT_PACK": "../etc",
    "CONTENT_DIR": "/no/such/folder",
    "DRAFT_RETENTION_DAYS": "0",
    "WEBHOOK_URL": "not-a-url",
    "WEBHOOK_SECRET": "has spaces",
    "WEB_LISTEN": "999.1.1.1",
    "WEB_PORT": "70000",
    "WEB_BASE_URL": "idebot.example.org",
    "OPEN_DATA_LICENCE": "MIT",
    "LOG_FORMAT": "xml",
    "CONTACT_NAME": "",
    "CONTACT_EMAIL": "not-an-email",
    "CONTACT_PHONE": "call us",
    "CONTACT_CHAT_ID": "the staff group",
    "LOG_LEVEL": "LOUD",
    "DELIVERY_RATE": "0",
    "DELIVERY_CHAT_RATE": "-1",
    "DELIVERY_DEADLINES": "reply=soon",
    "CONCURRENT_UPDATES": "0",
    "REPLY_BUDGET_SECONDS": "0",
    "REPLY_CHAT_RATE": "0",
    "DELIVERY_LEASE_SECONDS": "0",
    "DELIVERY_POLL_SECONDS": "0",
    "DELIVERY_WORKER": "maybe",
    "REMINDER_OFFSETS": "7 days",
    "REMINDER_AUDIENCE": "everyone",
    "FEED_TIMEOUT_SECONDS": "0",
    "FEED_MAX_BYTES": "1",
}


def readme_variables() -> set[str]:
    table = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8").split("## Configuration")[1]
    table = table.split("\n## ")[0]
    rows = table.split("| variable |")[1].splitlines()[2:]
    first_cells = (row.split("|")[1] for row in rows if row.startswith("|"))
    return {name for cell in first_cells for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cell)}


def test_every_variable_in_the_readme_has_a_bad_value_here() -> None:
    assert readme_variables() == set(BAD_VALUES)


@pytest.mark.parametrize(("variable", "value"), sorted(BAD_VALUES.items()))
def test_a_bad_value_is_one_line_naming_the_variable(
    variable: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    if variable == "WEBHOOK_SECRET":
        monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org/idebot")

    with pytest.raises(ConfigError) as refused:
        load_settings(_env_file=None)

    assert variable in str(refused.value)
    assert "\n" not in str(refused.value)


def idebot(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True, text=True, env=env, timeout=timeout, check=False,
    )  # fmt: skip


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    return clean | {"DATA_DIR": str(tmp_path / "data"), "ADMIN_IDS": "", "WEB_PORT": "0"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_database_is_one_line(env: dict[str, str]) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/idebot"
    result = idebot("db", "upgrade", env=env | {"DATABASE_URL": url})

    assert result.returncode == 2
    assert result.stderr.startswith("idebot: DATABASE_URL: cannot use the database")
    assert result.stderr.count("\n") == 1


def test_a_web_port_in_use_is_one_line(env: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = idebot("run", env=env | {
            "TELEGRAM_BOT_TOKEN": "123:abc", "WEBHOOK_URL": "https://bot.example.org/hook",
            "WEBHOOK_SECRET": "s3cret", "WEB_PORT": str(port),
        })  # fmt: skip

    assert result.returncode == 2
    assert f"WEB_LISTEN/WEB_PORT: cannot listen on 127.0.0.1:{port}: in use" in result.stderr
    assert result.stderr.count("\n") == 1


def test_telegram_out_of_reach_at_start_is_waited_for_with_a_log_line(
    env: dict[str, str],
) -> None:
    unreachable = f"http://127.0.0.1:{free_port()}/bot"
    run = env | {"TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_API_BASE_URL": unreachable}
    with pytest.raises(subprocess.TimeoutExpired) as waited:
        idebot("run", env=run, timeout=2.5)

    log = (waited.value.stderr or b"").decode() if isinstance(waited.value.stderr, bytes) else ""
    assert f"Telegram cannot be reached at {unreachable}" in log
    assert "Traceback" not in log
