"""Score a model on a labelled file, closed-set as in SemEval-2018 Task 2.

Closed set: the candidates are the gold labels that the model knows; a row whose
gold emoji the model does not know is counted in `n_unknown` and left out.
Scores are the model's own (no keyword fusion), so figures compare with the
published ones.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .emojis import find_emojis
from .errors import InputError


@dataclass
class LabelledRows:
    texts: list[str] = field(default_factory=list)
    emojis: list[str] = field(default_factory=list)
    bad_lines: list[tuple[int, str]] = field(default_factory=list)  # (line number, why)


def _gold(raw: str) -> str | None:
    """First emoji of the gold field, canonical; None if it holds no emoji."""
    found = find_emojis(raw or "")
    return found[0][2] if found else None


def read_labelled(path: Path) -> LabelledRows:
    """TSV `text<TAB>emoji` or JSON Lines `{"text": ..., "emoji": ...}`; bad lines are
    recorded with their number and skipped, the others still scored."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read {path}: {err.strerror}") from err
    rows = LabelledRows()
    is_jsonl = path.suffix.lower() in (".jsonl", ".json", ".ndjson")
    for number, line_bytes in enumerate(raw.split(b"\n"), start=1):
        line = line_bytes.decode("utf-8", errors="replace").rstrip("\r")
        if not line.strip():
            continue
        if is_jsonl:
            try:
                row = json.loads(line)
                text, label = row["text"], row["emoji"]
                if not isinstance(text, str) or not isinstance(label, str):
                    raise TypeError
            except (json.JSONDecodeError, KeyError, TypeError):
                rows.bad_lines.append((number, 'expected {"text": ..., "emoji": ...}'))
                continue
        else:
            text, tab, label = line.rpartition("\t")
            if not tab:
                rows.bad_lines.append((number, "expected text<TAB>emoji"))
                continue
        gold = _gold(label)
        if gold is None:
            rows.bad_lines.append((number, f"no emoji in the label field {label[:20]!r}"))
            continue
        rows.texts.append(text)
        rows.emojis.append(gold)
    return rows


def closed_set_metrics(scores: np.ndarray, gold: np.ndarray, candidates, label_names=None) -> dict:
    """top-1/top-5 accuracy and macro-F1 (percent) with predictions restricted to `candidates`.

    Args:
        scores: [n, labels] model scores (logits or probabilities).
        gold: [n] gold label indices, each one of `candidates`.
        candidates: label indices allowed as predictions.
    """
    candidates = np.asarray(sorted(set(int(c) for c in candidates)))
    sub = scores[:, candidates]
    ranked = candidates[np.argsort(-sub, axis=1, kind="stable")]
    top1 = ranked[:, 0]
    per_class = {}
    for c in candidates:
        tp = np.sum((top1 == c) & (gold == c))
        fp = np.sum((top1 == c) & (gold != c))
        fn = np.sum((top1 != c) & (gold == c))
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        per_class[label_names[c] if label_names else int(c)] = round(100 * f1, 2)
    n = len(gold)
    return {
        "n": int(n),
        "top1": round(100 * float(np.mean(top1 == gold)), 2) if n else 0.0,
        "top5": round(100 * float(np.mean((ranked[:, :5] == gold[:, None]).any(1))), 2) if n else 0.0,
        "macro_f1": round(float(np.mean(list(per_class.values()))), 2) if n else 0.0,
        "per_class_f1": per_class,
    }


def score_known(assistant, rows: LabelledRows) -> tuple[np.ndarray, np.ndarray]:
    """([n_known, labels] model probabilities, [n_known] gold indices) for rows whose gold label the model knows."""
    from .normalize import normalize_text

    index = {e: i for i, e in enumerate(assistant.labels)}
    known = [i for i, e in enumerate(rows.emojis) if e in index]
    gold = np.array([index[rows.emojis[i]] for i in known], dtype=np.int64)
    return assistant.probabilities([normalize_text(rows.texts[i]) for i in known]), gold


def evaluate(assistant, path: Path) -> dict:
    """Read `path`, score every known row with `assistant`, return the report."""
    rows = read_labelled(path)
    probs, gold = score_known(assistant, rows)
    report = closed_set_metrics(probs, gold, np.unique(gold), assistant.labels) if len(gold) else {
        "n": 0, "top1": 0.0, "top5": 0.0, "macro_f1": 0.0, "per_class_f1": {}}
    report["n_unknown"] = len(rows.emojis) - len(gold)
    report["bad_lines"] = [{"line": n, "error": why} for n, why in rows.bad_lines]
    return report
