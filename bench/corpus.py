"""Synthetic articles for the benchmarks: realistic titles and 2-8 KB HTML bodies."""

from __future__ import annotations

import random

WORDS = (
    "council harbour library market station river bridge school budget festival "
    "weather ferry museum election court hospital museum railway garden theatre "
    "report plan vote residents volunteers minister city county village region "
    "announced opened closed delayed approved rejected expanded repaired planned "
    "new old local national summer winter spring autumn morning evening public "
    "data software release security update network energy climate water housing "
    "transport policy health science research students teachers workers farmers"
).split()


def title(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(5, 11))
    return " ".join(words).capitalize()


def html_body(rng: random.Random) -> str:
    target = rng.randint(2048, 8192)
    parts: list[str] = []
    size = 0
    while size < target:
        sentence = " ".join(rng.choices(WORDS, k=rng.randint(40, 90))).capitalize() + "."
        if rng.random() < 0.3:
            sentence += f' See <a href="https://example.org/{rng.randint(1, 10**6)}">more</a>.'
        paragraph = f"<p>{sentence}</p>\n"
        parts.append(paragraph)
        size += len(paragraph)
    return "".join(parts)
