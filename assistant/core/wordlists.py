"""How common a word is in a language (wordfreq's Zipf scale), for the ~10,000 commonest words
of each language that has a list in assistant/core/data/words/ (written by
`python -m training.build_wordlists`). Each list loads on first use."""
from __future__ import annotations

import gzip
from functools import lru_cache

from .paths import data_file

WORDS_DIR = "words"


@lru_cache(maxsize=None)
def _table(lang: str) -> dict[str, float] | None:
    path = data_file(WORDS_DIR, f"{lang}.txt.gz")
    try:
        lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
    except (OSError, EOFError):
        return None
    table: dict[str, float] = {}
    for line in lines:
        zipf, _, words = line.partition("\t")
        for word in words.split():
            table.setdefault(word, int(zipf) / 10)
    return table


def has_list(lang: str) -> bool:
    return _table(lang) is not None


def zipf(word: str, lang: str) -> float:
    """Zipf frequency of an already folded word in `lang` (0.0 when it is not among the
    language's commonest words, or the language has no list).

    >>> zipf("manchi", "it") > 3.5 > zipf("manchi", "es")
    True
    """
    table = _table(lang)
    return table.get(word, 0.0) if table else 0.0
