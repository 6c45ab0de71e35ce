"""How popular each emoji is in real chat, per language: the prior that breaks ties between
equally good suggestions and fills a thin list. Data: assistant/core/data/popularity.json,
written by `python -m training.build_popularity`."""
from __future__ import annotations

import json
from functools import lru_cache

from .paths import data_file
from .text import base_language

DATA_FILE = "popularity.json"
ANY = "*"  # the table for languages without one of their own


@lru_cache(maxsize=1)
def _tables() -> dict[str, dict[str, float]]:
    try:
        data = json.loads(data_file(DATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # a missing prior only loses tie-breaking
        return {}
    return data.get("languages", {})


def popularity(lang: str) -> dict[str, float]:
    """emoji → share of uses in `lang`'s chat (the general table where it has none), commonest first.

    >>> next(iter(popularity("ru")))
    '😂'
    """
    tables = _tables()
    return tables.get(base_language(lang)) or tables.get(ANY, {})
