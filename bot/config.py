"""Settings from the environment (and an optional `.env`), validated once at start-up."""

from __future__ import annotations

import ipaddress
import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_DEADLINES = {  # how long a queued message may wait (an outage) before it expires
    "reply": timedelta(days=1),  # a reply Telegram would not take at once
    "application": timedelta(days=7),  # a decision or a question to an applicant
    "review": timedelta(days=7),  # an application's card for a reviewer
    "newsletter": timedelta(days=3),
    # Forum notices expire when their forum starts; this bounds them in any case.
    "announcement": timedelta(days=60),
    "reminder": timedelta(days=60),
    "moved": timedelta(days=60),
    "place": timedelta(days=60),
    "promoted": timedelta(days=60),
    "cancelled": timedelta(days=3),
    "report": timedelta(days=7),  # a broadcast's final report to staff
    "needs": timedelta(days=2),  # staff's summary of access needs, a week before a forum
    "feedback": timedelta(days=3),  # the question after a forum
    "minutes": timedelta(days=7),  # a forum's minutes
    # The yearly follow-up: worth sending until its deadline (not sent once it has closed).
    "followup": timedelta(days=60),
    "followup_remind": timedelta(days=7),
}
DURATION_UNITS = {"d": "days", "h": "hours", "m": "minutes"}
DATABASE_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
TOKEN = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{1,100}")

Language = Literal["sv", "sv-easy", "en", "ar", "fi", "so", "syr", "tr", "ku", "fa"]
# In the picker's order. "sv-easy" is easy-to-read Swedish (lätt svenska): Swedish to Babel
# and to Telegram, a language of its own to the bot.
SUPPORTED_LANGUAGES: tuple[Language, ...] = (
    "sv", "sv-easy", "en", "ar", "fi", "so", "syr", "tr", "ku", "fa",
)  # fmt: skip


class Settings(BaseSettings):
    """Everything an operator can set; each field is one environment variable."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str = "https://api.telegram.org/file/bot"
    database_url: str | None = None
    data_dir: Path = Path("data")
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_language: Language = "sv"
    timezone: str = "Europe/Stockholm"
    content_pack: str = Field(default="sodertalje", pattern=r"^[a-z0-9_-]+$")
    content_dir: Path = PROJECT_ROOT / "content"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    # The web server: feeds, open data, pages, health, metrics and the webhook (README:
    # "On the web"). Port 0: no web server (webhook mode needs it).
    web_listen: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=0, le=65535)
    web_base_url: str | None = None
    open_data_licence: Literal["CC0-1.0", "CC-BY-4.0"] = "CC0-1.0"
    log_format: Literal["text", "json"] = "text"
    # Replaced by WEB_LISTEN/WEB_PORT; kept only to say so to an operator who still sets them.
    webhook_listen: str | None = None
    webhook_port: str | None = None
    contact_name: str = Field(
        default="Kultur- och fritidskontoret, Södertälje kommun", min_length=2, max_length=200
    )
    contact_email: str | None = None
    contact_phone: str | None = None
    contact_chat_id: int | None = None
    draft_retention_days: int = Field(default=30, ge=1, le=3650)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Dialogue forums and delivery (README: "Dialogue forums and delivery").
    delivery_rate: float = Field(default=30.0, gt=0, le=10_000)
    delivery_chat_rate: float = Field(default=1.0, gt=0, le=100)
    delivery_deadlines: Annotated[dict[str, timedelta], NoDecode] = Field(
        default_factory=lambda: dict(DEFAULT_DEADLINES)
    )
    concurrent_updates: int = Field(default=64, ge=1, le=10_000)
    reply_budget_seconds: float = Field(default=30.0, ge=1, le=600)
    reply_chat_rate: int = Field(default=3, ge=1, le=1000)
    delivery_lease_seconds: float = Field(default=60.0, ge=1)
    delivery_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    delivery_worker: bool = True
    reminder_offsets: Annotated[tuple[timedelta, ...], NoDecode] = (
        timedelta(days=7),
        timedelta(days=1),
    )
    reminder_audience: Literal["attendees", "subscribers"] = "attendees"
    feed_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    feed_max_bytes: int = Field(default=2_000_000, ge=1_000)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(
                int(part) for part in value.replace(";", ",").split(",") if part.strip()
            )
        return value

    @field_validator("reminder_offsets", mode="before")
    @classmethod
    def _parse_offsets(cls, value: object) -> object:
        """ "7d,1d,2h,30m": how long before a forum each reminder goes out."""
        if not isinstance(value, str):
            return value
        offsets = [_duration(part) for part in value.split(",") if part.strip()]
        return tuple(sorted(set(offsets), reverse=True))

    @field_validator("delivery_deadlines", mode="before")
    @classmethod
    def _parse_deadlines(cls, value: object) -> object:
        """ "reply=2h,newsletter=1d": the kinds to change; the others keep their default."""
        if not isinstance(value, str):
            return value
        deadlines = dict(DEFAULT_DEADLINES)
        for part in (p.strip() for p in value.split(",") if p.strip()):
            kind, _, duration = part.partition("=")
            if kind.strip() not in DEFAULT_DEADLINES:
                known = ", ".join(DEFAULT_DEADLINES)
                raise ValueError(f"{kind.strip()!r} is not one of {known}")
            deadlines[kind.strip()] = _duration(duration)
        return deadlines

    @model_validator(mode="after")
    def _webhook_needs_a_secret(self) -> Settings:
        if self.webhook_url and not self.webhook_secret:
            raise ValueError("WEBHOOK_SECRET is required when WEBHOOK_URL is set")
        return self

    @model_validator(mode="after")
    def _one_web_server(self) -> Settings:
        for old, new in (("webhook_listen", "WEB_LISTEN"), ("webhook_port", "WEB_PORT")):
            if getattr(self, old) is not None:
                raise ValueError(
                    f"{old.upper()} is no longer used: the webhook is served by the web "
                    f"server; set {new} instead"
                )
        if self.webhook_url and self.web_port == 0:
            raise ValueError("WEB_PORT=0 turns off the web server, which WEBHOOK_URL needs")
        return self

    @model_validator(mode="after")
    def _writable_data_dir(self) -> Settings:
        """The embedded database's folder must be one we can write to (checked only when
        it is used)."""
        if self.database_url is None and not _writable(self.data_dir):
            raise ValueError(f"DATA_DIR: cannot write to {self.data_dir}")
        return self

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_format(cls, value: SecretStr | None) -> SecretStr | None:
        """BotFather's form, 123456:ABC-def…; an empty value is a mistake, not "no token"."""
        if value is not None and not TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError("is not a token from @BotFather (like 123456:ABC-def...)")
        return value

    @field_validator("web_base_url")
    @classmethod
    def _public_address(cls, value: str | None) -> str | None:
        """Where people reach the web server: http(s)://host[/prefix], no query."""
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            raise ValueError("is not an address like https://idebot.example.org")
        return value.rstrip("/")

    @field_validator("telegram_api_base_url", "telegram_api_file_url", "webhook_url")
    @classmethod
    def _web_address(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        secure_only = info.field_name == "webhook_url"  # Telegram calls webhooks over https
        schemes = ("https",) if secure_only else ("http", "https")
        if parts.scheme not in schemes or not parts.hostname:
            raise ValueError(
                f"is not an address like {'https' if secure_only else 'http(s)'}://host/path"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _database_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            driver = make_url(value).drivername
        except ArgumentError:
            raise ValueError(
                "is not a database URL like postgresql+asyncpg://user@host/db"
            ) from None
        if driver not in DATABASE_DRIVERS:
            raise ValueError(f"needs one of the drivers {', '.join(DATABASE_DRIVERS)}")
        return value

    @field_validator("content_dir")
    @classmethod
    def _existing_folder(cls, value: Path) -> Path:
        if not value.is_dir():
            raise ValueError(f"{value} is not a folder")
        return value

    @field_validator("web_listen")
    @classmethod
    def _ip_address(cls, value: str) -> str:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            raise ValueError(
                "is not an IP address to listen on, like 127.0.0.1 or 0.0.0.0"
            ) from None
        return value

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise ValueError(str(error)) from None

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            number = phonenumbers.parse(value, "SE")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise ValueError("is not a phone number, like 08-123 456 78 or +46 8 123 456 78")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret_format(cls, value: SecretStr | None) -> SecretStr | None:
        secret = value.get_secret_value() if value else ""
        if value and not (
            1 <= len(secret) <= 256
            and all(c.isascii() and (c.isalnum() or c in "_-") for c in secret)
        ):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def public_url(self) -> str:
        """The web server's address for people: WEB_BASE_URL, else where it listens."""
        if self.web_base_url:
            return self.web_base_url
        host = f"[{self.web_listen}]" if ":" in self.web_listen else self.web_listen
        return f"http://{host}:{self.web_port}"

    @property
    def resolved_database_url(self) -> str:
        """The configured URL, or a SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'idebot.sqlite3').resolve()}"

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admin_ids


def _writable(folder: Path) -> bool:
    existing = next((p for p in (folder, *folder.resolve().parents) if p.exists()), None)
    return existing is not None and existing.is_dir() and os.access(existing, os.W_OK | os.X_OK)


def _duration(text: str) -> timedelta:
    part = text.strip()
    number = part[:-1]
    if not (part and part[-1] in DURATION_UNITS and number.isascii() and number.isdigit()):
        raise ValueError(f"{part!r} is not like 7d, 12h or 30m")
    return timedelta(**{DURATION_UNITS[part[-1]]: int(number)})


class ConfigError(Exception):
    """Configuration that cannot be used; the message names the variable."""


class StartError(Exception):
    """The bot cannot start (the database, the port, the token); one line says why."""


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one line per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{str(error['loc'][0]).upper()}: {error['msg']}"
            if error["loc"]
            else error["msg"].removeprefix("Value error, ")  # about several variables
            for error in exc.errors()
        )
        raise ConfigError(f"invalid configuration: {problems}") from None
