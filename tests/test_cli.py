"""The `idebot` command as an operator meets it.

A few tests run it as its own process (the entry point, exit status and messages of a start
that fails); the rest call the same `main` in this process, with the same environment and
captured output, so that Python's start and imports (about a second) are paid once."""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import PROJECT_ROOT, load_settings
from bot.shell import run_shell


def idebot(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    clean |= {"DATA_DIR": str(tmp_path / "data"), "ADMIN_IDS": "", "WEB_PORT": "0"}
    return clean


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., Ran]:
    """`idebot ARGS` in this process, in the environment `env`."""
    for key in set(os.environ) - set(env):
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    def run(*args: str, stdin: str = "") -> Ran:
        capsys.readouterr()
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(list(args))
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


def console(script: str) -> str:
    """`idebot shell` with `script` as its input (what `main` runs for it); returns what the
    console printed."""
    out = io.StringIO()
    asyncio.run(
        run_shell(load_settings(), user_id=1, language_code=None, stdin=io.StringIO(script),
                  stdout=out)
    )  # fmt: skip
    return out.getvalue()


@pytest.mark.parametrize(
    ("variable", "value"),
    [("TIMEZONE", "Mars/Olympus"), ("ADMIN_IDS", "12,abc"), ("DEFAULT_LANGUAGE", "de")],
)
def test_invalid_configuration_is_one_line_naming_the_variable(
    env: dict[str, str], variable: str, value: str
) -> None:
    result = idebot("db", "upgrade", env=env | {variable: value})

    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert variable in result.stderr
    assert "Traceback" not in result.stderr


def test_run_without_a_token_explains_how_to_get_one(env: dict[str, str]) -> None:
    result = idebot("run", env=env)

    assert result.returncode == 2
    assert "BotFather" in result.stderr
    assert "idebot shell" in result.stderr


def test_help_lists_the_commands(env: dict[str, str]) -> None:
    result = idebot("--help", env=env)

    assert result.returncode == 0
    for command in ("run", "shell", "db"):
        assert command in result.stdout


def test_the_console_can_be_scripted_and_remembers_the_language(cli: Callable[..., Ran]) -> None:
    first = console("/start\n/language\n4\n")
    assert "Välkommen" in first
    assert "[4] العربية" in first

    second = console("/start\n")
    assert "مرحب" in second


def test_db_upgrade_creates_the_sqlite_database(
    env: dict[str, str], cli: Callable[..., Ran]
) -> None:
    result = cli("db", "upgrade")

    assert result.returncode == 0, result.stderr
    assert (Path(env["DATA_DIR"]) / "idebot.sqlite3").exists()


def test_members_add_and_export_from_the_command_line(
    cli: Callable[..., Ran], tmp_path: Path
) -> None:
    added = cli(
        "members",
        "add",
        "Föreningen Ängsö",
        "--org-number",
        "802456-1238",
        "--area",
        "Kultur",
        "--date",
        "2025-10-04",
        "--public",
    )
    assert added.returncode == 0, added.stderr
    refused = cli("members", "add", "Trasig", "--org-number", "802456-1239")
    assert refused.returncode == 2
    assert "organisationsnummer" in refused.stderr

    out = tmp_path / "export"
    exported = cli("export", "--out", str(out))

    assert exported.returncode == 0, exported.stderr
    register = next(out.glob("register-*.csv")).read_bytes()
    assert register.startswith("\ufeff".encode())
    text = register.decode("utf-8")
    assert "Föreningen Ängsö;8024561238;Kultur;2025-10-04;forum;yes" in text


def test_staff_roles_from_the_command_line(cli: Callable[..., Ran]) -> None:
    assert cli("staff", "add", "4242").returncode == 0
    listed = cli("staff", "list")
    assert "4242\treviewer" in listed.stdout
    assert cli("staff", "remove", "4242").returncode == 0
    assert "4242" not in cli("staff", "list").stdout


def test_ask_reads_questions_from_stdin_and_prints_json_lines(cli: Callable[..., Ran]) -> None:
    result = cli(
        "ask",
        "--pack",
        "sodertalje",
        "-",
        stdin="hur går vi med i överenskommelsen?\nwhat is the weather tomorrow\n\n",
    )

    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 2
    joining, weather = lines
    assert set(joining) == {"question", "language", "confident", "answers"}
    assert joining["language"] == "sv"
    assert joining["answers"][0]["id"] == "joining"
    assert {"id", "title", "score", "source", "text"} <= set(joining["answers"][0])
    assert weather["confident"] is False


def test_ask_with_a_language_answers_in_it(cli: Callable[..., Ran]) -> None:
    result = cli("ask", "--lang", "ar", "--json", "كيف ننضم إلى الاتفاقية؟")

    answer = json.loads(result.stdout)
    assert answer["language"] == "ar"
    assert answer["answers"][0]["id"] == "joining"


def test_a_broken_content_pack_stops_the_start_naming_the_entry(
    env: dict[str, str], tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content" / "sodertalje", content / "sodertalje")
    broken = content / "sodertalje" / "en.toml"
    text = broken.read_text(encoding="utf-8")
    at = text.index('id = "iop"')
    broken.write_text(text[:at] + text[at:].replace('title = "', 'title = 42 #"', 1), "utf-8")

    result = idebot("shell", env=env | {"CONTENT_DIR": str(content)}, stdin="/start\n")

    assert result.returncode == 2
    assert "sodertalje/en.toml" in result.stderr
    assert "'iop'" in result.stderr
    assert "Traceback" not in result.stderr
