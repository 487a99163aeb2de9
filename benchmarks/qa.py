"""Accuracy and speed of the knowledge base on a hand-written development set.

    python benchmarks/qa.py [--questions benchmarks/qa_dev.toml] [--verbose]

Each question is asked the way the bot asks it (`bot.asking.answer`: the person's language,
with language detection), in its pack. Prints top-1 and top-3 accuracy per language (top-1:
the best answer is a right one; "answered": right and confident, so the person gets it as
the answer), the share of off-topic questions not answered confidently, p50/p95 latency per
question and the time to build the index for every pack and language. The last line is a
JSON object with those figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import tomllib
from collections import defaultdict
from pathlib import Path

from bot.asking import answer
from bot.config import PROJECT_ROOT, SUPPORTED_LANGUAGES
from bot.content import available_packs, load_pack
from bot.knowledge import Knowledge
from bot.language_detection import Detector

DEFAULT_SET = Path(__file__).with_name("qa_dev.toml")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=DEFAULT_SET)
    parser.add_argument("--verbose", action="store_true", help="list every miss")
    args = parser.parse_args()
    with args.questions.open("rb") as handle:
        questions = tomllib.load(handle)["questions"]

    content = Path(os.environ.get("CONTENT_DIR", PROJECT_ROOT / "content"))
    packs = {name: load_pack(name, content) for name in available_packs(content)}
    knowledge = Knowledge(packs)
    build_seconds = knowledge.build_seconds
    detector = Detector()
    detector.guess("warm up the language models once")

    top1: dict[str, list[bool]] = defaultdict(list)
    top3: dict[str, list[bool]] = defaultdict(list)
    answered: dict[str, list[bool]] = defaultdict(list)
    refused: dict[str, list[bool]] = defaultdict(list)
    latencies: list[float] = []
    for question in questions:
        started = time.perf_counter()
        found = answer(knowledge, detector, question["pack"], question["lang"], question["text"])
        latencies.append(time.perf_counter() - started)
        result = found.result
        ids = [hit.entry.id for hit in result.hits]
        expected = set(question["expected"])
        language = question["lang"]
        if not expected:
            refused[language].append(not result.confident)
            if result.confident and args.verbose:
                print(f"  answered off-topic [{language}] {question['text']!r} -> {ids[:1]}")
            continue
        right = bool(ids) and ids[0] in expected
        top1[language].append(right)
        top3[language].append(bool(expected & set(ids[:3])))
        answered[language].append(right and result.confident)
        if args.verbose and not (right and result.confident):
            state = "confident" if result.confident else "not sure"
            wanted = sorted(expected)
            print(
                f"  miss [{language}] {question['text']!r}: want {wanted}, got {ids[:3]} ({state})"
            )

    def share(values: list[bool]) -> float:
        return round(sum(values) / len(values), 3) if values else 0.0

    every = [v for language in SUPPORTED_LANGUAGES for v in top1[language]]
    figures = {
        "questions": len(questions),
        "top1": share(every),
        "top3": share([v for language in SUPPORTED_LANGUAGES for v in top3[language]]),
        "answered": share([v for language in SUPPORTED_LANGUAGES for v in answered[language]]),
        "top1_by_language": {language: share(top1[language]) for language in SUPPORTED_LANGUAGES},
        "top3_by_language": {language: share(top3[language]) for language in SUPPORTED_LANGUAGES},
        "off_topic_refused": share([v for values in refused.values() for v in values]),
        "latency_ms_p50": round(statistics.median(latencies) * 1000, 3),
        "latency_ms_p95": round(statistics.quantiles(latencies, n=20)[18] * 1000, 3),
        "index_build_s": round(build_seconds, 3),
    }
    print(f"{'lang':6}{'n':>5}{'top-1':>8}{'top-3':>8}{'answered':>10}{'off-topic refused':>19}")
    for language in SUPPORTED_LANGUAGES:
        refusals = refused[language]
        print(
            f"{language:6}{len(top1[language]):>5}{share(top1[language]):>8.0%}"
            f"{share(top3[language]):>8.0%}{share(answered[language]):>10.0%}"
            f"{f'{sum(refusals)}/{len(refusals)}':>19}"
        )
    print(
        f"all   {len(every):>5}{figures['top1']:>8.0%}{figures['top3']:>8.0%}"
        f"{figures['answered']:>10.0%}{figures['off_topic_refused']:>19.0%}"
    )
    print(
        f"latency per question: p50 {figures['latency_ms_p50']} ms, "
        f"p95 {figures['latency_ms_p95']} ms; index build {figures['index_build_s']} s"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
