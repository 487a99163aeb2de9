"""Settings from the environment (and an optional `.env`), validated once at start-up."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

Language = Literal["sv", "en", "ar", "fi", "so"]
SUPPORTED_LANGUAGES: tuple[Language, ...] = ("sv", "en", "ar", "fi", "so")


class Settings(BaseSettings):
    """Everything an operator can set; each field is one environment variable."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    database_url: str | None = None
    data_dir: Path = Path("data")
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_language: Language = "sv"
    timezone: str = "Europe/Stockholm"
    content_pack: str = Field(default="sodertalje", pattern=r"^[a-z0-9_-]+$")
    content_dir: Path = PROJECT_ROOT / "content"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    contact_name: str = "Kultur- och fritidskontoret, Södertälje kommun"
    contact_email: str | None = None
    contact_phone: str | None = None
    contact_chat_id: int | None = None
    draft_retention_days: int = Field(default=30, ge=1, le=3650)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Dialogue forums and delivery (README: "Dialogue forums and delivery").
    delivery_rate: float = Field(default=30.0, gt=0, le=10_000)
    delivery_chat_rate: float = Field(default=1.0, gt=0, le=100)
    delivery_max_attempts: int = Field(default=5, ge=1, le=100)
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
        units = {"d": "days", "h": "hours", "m": "minutes"}
        offsets = []
        for part in (p.strip() for p in value.split(",")):
            if part and (part[-1] not in units or not part[:-1].isdigit()):
                raise ValueError(f"{part!r} is not like 7d, 12h or 30m")
            if part:
                offsets.append(timedelta(**{units[part[-1]]: int(part[:-1])}))
        return tuple(sorted(set(offsets), reverse=True))

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
    def resolved_database_url(self) -> str:
        """The configured URL, or a SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'idebot.sqlite3').resolve()}"

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admin_ids


class ConfigError(Exception):
    """Configuration that cannot be used; the message names the variable."""


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one line per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{str(error['loc'][0]).upper() if error['loc'] else '?'}: {error['msg']}"
            for error in exc.errors()
        )
        raise ConfigError(f"invalid configuration: {problems}") from None
