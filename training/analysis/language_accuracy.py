"""How often language detection names the right language: the hand-written messages (their
`lang` field) and XED's subtitle lines (the language of their file), by split.

    python -m training.analysis.language_accuracy --examples build/examples.jsonl

Languages the product does not speak (no names or keywords: XED's Bosnian and Icelandic) are
left out, since detection never names them. Development halves: the feelings suite's and the
explain cases' development files, XED's validation lines; test: the other halves.
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from assistant.core.language import _spoken, detect_language
from assistant.core.text import base_language

HAND_WRITTEN = {"dev": ["training/data/feelings_dev.jsonl", "training/explain/data/dev_cases.jsonl"],
                "test": ["training/data/feelings_test.jsonl", "tests/data/explain_cases.jsonl"]}
XED_SPLIT = {"dev": "val", "test": "test"}


def rows(split: str, examples: Path) -> list[tuple[str, str, str]]:
    """(text, language, kind) of one half."""
    out = []
    for path in HAND_WRITTEN[split]:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                out.append((case["text"], case["lang"], "hand-written"))
    spoken = {base_language(code) for code in _spoken()}
    if examples.exists():
        for line in examples.open(encoding="utf-8"):
            row = json.loads(line)
            if (row["source"].startswith("xed") and row["split"] == XED_SPLIT[split]
                    and base_language(row["lang"]) in spoken):
                out.append((row["text"], row["lang"], "XED subtitles"))
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=Path, default=Path("build/examples.jsonl"), help="from training.prepare")
    args = parser.parse_args(argv)
    report = {}
    for split in ("dev", "test"):
        right, seen = Counter(), Counter()
        for text, lang, kind in rows(split, args.examples):
            seen[kind] += 1
            right[kind] += base_language(detect_language(text)) == base_language(lang)
        report[split] = {kind: {"n": n, "accuracy": round(100 * right[kind] / n, 1)} for kind, n in seen.items()}
        for kind, r in report[split].items():
            print(f"{split:4s} {kind:14s} n {r['n']:5d}  {r['accuracy']}%")
    return report


if __name__ == "__main__":
    main()
