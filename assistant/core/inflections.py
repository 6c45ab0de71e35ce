"""The inflected forms of the words that name things, per language: "croissants" is a form of
"croissant" (🥐), Russian "Бразилию" of "Бразилия" (🇧🇷), Polish "herbatę" of "herbata". A
dictionary says so, where a shared beginning cannot: French "chopé" (caught) is a form of
"choper", not of "chope" (a beer mug), Spanish "llamé" (I called) of "llamar", not of "llama".

Data: assistant/core/data/inflections/<lang>.txt.gz, one line per name, `name<TAB>form form …`,
written by `python -m training.build_inflections` from the simplemma lemmatizer's dictionaries
(which the runtime does not need). A language without a file has no forms.

>>> forms("fr").get("croissants"), forms("fr").get("chopé"), forms("xx")
('croissant', None, {})
"""
from __future__ import annotations

import gzip
from functools import lru_cache

from .paths import data_file

DATA_DIR = "inflections"


@lru_cache(maxsize=None)
def forms(lang: str) -> dict[str, str]:
    """Folded form → the folded name it inflects, for the lexicon language `lang` (loaded once)."""
    try:
        lines = gzip.decompress(data_file(DATA_DIR, f"{lang}.txt.gz").read_bytes()).decode("utf-8").splitlines()
    except (OSError, EOFError, ValueError):  # no file, or a damaged one: only the forms are lost
        return {}
    table: dict[str, str] = {}
    for line in lines:
        name, _, written = line.partition("\t")
        for form in written.split():
            table.setdefault(form, name)
    return table
