"""The inflected forms of the words that name things → assistant/core/data/inflections/<lang>.txt.gz,
so that "croissants" names 🥐 and Russian "Бразилию" 🇧🇷 without a lemmatizer (and its hundreds
of megabytes of dictionaries in memory) at run time.

For each lexicon language with a dictionary in the simplemma lemmatizer (form → lemma, from
Wiktionary and other sources), the forms whose lemma is a thing's whole name
(`Lexicon.thing_names`) are kept: those of its dictionary, and the language's WORDS commonest
written words (wordfreq) that simplemma's rules lemmatize to one ("croissants", which the French
dictionary lacks). Left out:
- a form that does not begin as its name does (Indonesian "penganggur", jobless, has the lemma
  "anggur", grape; the prefix is a derivation, not an inflection);
- the forms of a name that has more than twice as many forms as nine in ten of its language's
  names, and more than VERB_MIN_FORMS: it is a verb as well (Turkish "gül", rose and laugh;
  Spanish "catar", to taste, and Qatar; Swahili "paka", cat and to paint), whose conjugations
  are not the thing.

    python -m training.build_inflections [--out DIR]
"""
from __future__ import annotations

import argparse
import gzip
from collections import Counter, defaultdict
from pathlib import Path

from assistant.core.lexicon import Lexicon
from assistant.core.text import fold, words
from training.build_lexicon import WORDFREQ_CODES
from training.lib.defaults import RUNTIME_DATA

OUT = RUNTIME_DATA / "inflections"
# The lexicon's CLDR codes that simplemma knows by another name.
SIMPLEMMA_CODES = {"no": "nb", "sr": "hbs", "hr": "hbs", "bs": "hbs", "fil": "tl"}
PREFIX = 4  # a form begins with its name's first PREFIX letters (all of a shorter name)
VERB_FACTOR = 2.0  # a name with more forms than this times its language's 90th percentile is a verb too
VERB_MIN_FORMS = 8  # ... and more than this many (French "croissant" has four: croissants, and the adjective's)
WORDS = 300_000  # the commonest written words per language that are lemmatized besides the dictionary


def invert(pairs, names: frozenset[str]) -> dict[str, str]:
    """form → name for the (form, lemma) `pairs` whose folded lemma is one of `names`, filtered
    as the module says.

    >>> invert([("Dogs", "dog"), ("dog", "dog"), ("hotdogs", "dog"), ("cats", "cat")], frozenset({"dog"}))
    {'dogs': 'dog'}
    """
    found: dict[str, str] = {}
    for form, lemma in pairs:
        name = fold(lemma)
        if name not in names:
            continue
        folded = fold(form)
        if folded != name and folded.startswith(name[:PREFIX]) and words(folded) == [folded]:
            found.setdefault(folded, name)
    per_name = Counter(found.values())
    if not per_name:
        return {}
    counts = sorted(per_name.values())
    cap = max(VERB_FACTOR * counts[int(0.9 * len(counts))], VERB_MIN_FORMS)
    return {form: name for form, name in found.items() if per_name[name] <= cap}


def lemma_pairs(lang: str, code: str, top: int = WORDS):
    """(form, lemma) as text: simplemma's dictionary for `code`, then the language's `top`
    commonest written words (wordfreq, where it has a list) with the lemma simplemma gives them.
    Both read one loaded dictionary (a language's takes up to 400 MB and 3 s to load)."""
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory
    from wordfreq import available_languages, top_n_list

    factory = DefaultDictionaryFactory(cache_max_size=1)
    for form, lemma in factory.get_dictionary(code).items():
        yield (form.decode("utf-8") if isinstance(form, bytes) else form,
               lemma.decode("utf-8") if isinstance(lemma, bytes) else lemma)
    wordfreq_code = WORDFREQ_CODES.get(lang, lang)
    if wordfreq_code in available_languages():
        lemmatizer = Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=factory))
        for word in top_n_list(wordfreq_code, top):
            yield word, lemmatizer.lemmatize(word, code)


def lines(table: dict[str, str]) -> list[str]:
    by_name: dict[str, list[str]] = defaultdict(list)
    for form, name in table.items():
        by_name[name].append(form)
    return [f"{name}\t{' '.join(sorted(by_name[name]))}" for name in sorted(by_name)]


def main(argv: list[str] | None = None) -> None:
    from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES
    from tqdm import tqdm

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    lexicon = Lexicon.load()
    languages = [lang for lang in lexicon.languages if SIMPLEMMA_CODES.get(lang, lang) in SUPPORTED_LANGUAGES]
    total = forms = 0
    for lang in tqdm(languages, desc="languages", unit="language"):
        names = lexicon.thing_names(lang)
        if not names:
            continue
        table = invert(lemma_pairs(lang, SIMPLEMMA_CODES.get(lang, lang)), names)
        blob = gzip.compress("\n".join(lines(table)).encode("utf-8") + b"\n", compresslevel=9, mtime=0)
        (args.out / f"{lang}.txt.gz").write_bytes(blob)
        total += len(blob)
        forms += len(table)
    print(f"wrote {forms:,} forms of things' names in {len(list(args.out.glob('*.txt.gz')))} languages "
          f"({total / 1e6:.2f} MB) to {args.out}")


if __name__ == "__main__":
    main()
