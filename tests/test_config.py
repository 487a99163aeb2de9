"""Configuration that cannot work stops the start with one line naming the variable."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import DEFAULT_DEADLINES, ConfigError, load_settings


def test_a_webhook_without_a_secret_is_refused() -> None:
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET is required when WEBHOOK_URL is set"):
        load_settings(_env_file=None, webhook_url="https://bot.example.org/idebot")

    settings = load_settings(
        _env_file=None, webhook_url="https://bot.example.org/idebot", webhook_secret="s3cret_ok"
    )
    assert settings.webhook_secret is not None


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
