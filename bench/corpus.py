"""Synthetic articles for the benchmarks: realistic titles and 2-8 KB HTML bodies.

Words follow a Zipf distribution over a 20,000-word vocabulary, as words in
real text do: a few are everywhere, most are rare. That matters for search,
whose cost depends on how many articles a word appears in.
"""

from __future__ import annotations

import itertools
import random

_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]


def _vocabulary(size: int = 20_000, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    words: dict[str, None] = {}
    while len(words) < size:
        words["".join(rng.choices(_SYLLABLES, k=rng.randint(1, 4)))] = None
    return list(words)


VOCABULARY = _vocabulary()
_CUMULATIVE = list(itertools.accumulate(1 / (rank + 1) ** 1.05 for rank in range(len(VOCABULARY))))


def words(rng: random.Random, count: int) -> list[str]:
    return rng.choices(VOCABULARY, cum_weights=_CUMULATIVE, k=count)


def title(rng: random.Random) -> str:
    return " ".join(words(rng, rng.randint(5, 11))).capitalize()


def html_body(rng: random.Random) -> str:
    target = rng.randint(2048, 8192)
    parts: list[str] = []
    size = 0
    while size < target:
        sentence = " ".join(words(rng, rng.randint(40, 90))).capitalize() + "."
        if rng.random() < 0.3:
            sentence += f' See <a href="https://example.org/{rng.randint(1, 10**6)}">more</a>.'
        paragraph = f"<p>{sentence}</p>\n"
        parts.append(paragraph)
        size += len(paragraph)
    return "".join(parts)
