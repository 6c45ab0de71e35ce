"""wordfreq's most frequent words per language → assistant/core/data/words/<lang>.txt.gz, so that
language detection can ask "is this a word of that language, and how common?" without
wordfreq (and its 58 MB) at run time.

One file per language, loaded only when that language is a candidate. Each line is
`zipf×10<TAB>word word …`, most frequent first (wordfreq's Zipf scale: 6 is one word in
a thousand, 3 one in a million).

    python -m training.build_wordlists [--top 10000]
"""
from __future__ import annotations

import argparse
import gzip
from itertools import groupby
from pathlib import Path

from assistant.core.text import fold, letters_pattern
from training.build_lexicon import DEFAULT_LANGUAGES, WORDFREQ_CODES
from training.lib.defaults import RUNTIME_DATA

OUT = RUNTIME_DATA / "words"
TOP = 10_000  # words per language: enough for everyday chat ("manchi" is Italian's 7,046th)
SKIP = {"ja", "ko", "zh", "zh-Hant", "th"}  # told apart by their scripts (and wordfreq needs MeCab for ja/ko)


def word_lines(lang: str, top: int) -> list[str]:
    from wordfreq import top_n_list, zipf_frequency

    code = WORDFREQ_CODES.get(lang, lang)
    words = [w for w in dict.fromkeys(fold(w) for w in top_n_list(code, top)) if letters_pattern().fullmatch(w)]
    scored = [(round(10 * zipf_frequency(w, code)), w) for w in words]
    scored.sort(key=lambda item: -item[0])
    return [f"{z}\t{' '.join(w for _, w in group)}" for z, group in groupby(scored, key=lambda item: item[0])]


def main(argv: list[str] | None = None) -> None:
    from wordfreq import available_languages

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=TOP)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    known = set(available_languages())
    total = 0
    for lang in DEFAULT_LANGUAGES:
        if lang in SKIP or WORDFREQ_CODES.get(lang, lang) not in known:
            continue
        blob = gzip.compress("\n".join(word_lines(lang, args.top)).encode("utf-8") + b"\n", compresslevel=9, mtime=0)
        (args.out / f"{lang}.txt.gz").write_bytes(blob)
        total += len(blob)
    print(f"wrote {len(list(args.out.glob('*.txt.gz')))} word lists ({total / 1e6:.2f} MB) to {args.out}")


if __name__ == "__main__":
    main()
