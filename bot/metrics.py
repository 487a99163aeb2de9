"""What the bot counts for Prometheus (`/metrics`): updates by kind and how long they took,
sends, 429s and their waits, failures, questions by language and outcome, and the outbox by
status (read from the database when scraped).

Each application has its own `CollectorRegistry`, not prometheus-client's global one: tests
build many applications in one process, and each must count only its own."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST
# Seconds from an update's arrival until its handlers (and their replies) are done.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """The counters of one application; `last_update` (monotonic seconds) feeds /healthz."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.updates = Counter(
            "idebot_updates", "Updates handled, by kind", ["kind"], registry=registry
        )
        self.update_seconds = Histogram(
            "idebot_update_seconds",
            "Seconds from an update's arrival until it was handled and answered",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.sends = Counter(
            "idebot_sends",
            "Messages Telegram accepted: replies, and bulk sends of the delivery worker",
            ["path"],
            registry=registry,
        )
        self.rate_limited = Counter(
            "idebot_telegram_429", "Calls Telegram answered with 429 (too many)", registry=registry
        )
        self.rate_limited_wait = Counter(
            "idebot_telegram_429_wait_seconds",
            "Seconds Telegram asked us to wait, summed over its 429s",
            registry=registry,
        )
        self.failures = Counter(
            "idebot_send_failures",
            "Calls to Telegram that failed, by reason (blocked, refused, unreachable)",
            ["reason"],
            registry=registry,
        )
        self.questions = Counter(
            "idebot_questions",
            "Questions about the agreement, by language and outcome (answered or not_sure)",
            ["language", "outcome"],
            registry=registry,
        )
        self.outbox = Gauge(
            "idebot_outbox_rows", "Rows in the outbox, by status", ["status"], registry=registry
        )
        self.last_update: float | None = None

    def update_handled(self, kind: str, seconds: float) -> None:
        self.updates.labels(kind).inc()
        self.update_seconds.observe(seconds)
        self.last_update = time.monotonic()

    def sent(self, *, bulk: bool) -> None:
        self.sends.labels("bulk" if bulk else "reply").inc()

    def told_to_wait(self, seconds: float) -> None:
        self.rate_limited.inc()
        self.rate_limited_wait.inc(seconds)

    def failed(self, reason: str) -> None:
        self.failures.labels(reason).inc()

    def question(self, language: str, *, confident: bool) -> None:
        self.questions.labels(language, "answered" if confident else "not_sure").inc()

    def exposition(self, outbox: dict[str, int]) -> bytes:
        """The text format Prometheus scrapes, with the outbox counts just read."""
        for status, count in outbox.items():
            self.outbox.labels(status).set(count)
        return bytes(generate_latest(self.registry))
