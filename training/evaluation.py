"""Measure a shipped model on named evaluation sets and record the figures in its manifest
and model card: closed-set top-1/top-5/macro-F1 with 95% bootstrap intervals, and speed.

    python -m training.evaluation --model models/emoji-predictor --data ../shared/data \
        --examples build/examples.jsonl

Evaluation sets: `tweeteval_test` (all 50,000 TweetEval emoji test tweets, English) and
`es_trial_heldout` (the 20% of SemEval-2018 es_trial that training.prepare held out).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from assistant import Assistant
from assistant.bench import run_bench
from assistant.evaluation import closed_set_metrics, read_labelled, score_known
from training.card import write_model_card
from training.manifest import update_metrics

BOOTSTRAP_ROUNDS = 200


def write_eval_files(data: Path, examples: Path, out: Path) -> dict[str, Path]:
    """TSV files (`text<TAB>emoji`) for each evaluation set, as `emoji-assistant eval` reads them."""
    out.mkdir(parents=True, exist_ok=True)
    mapping = {}
    for line in (data / "tweeteval_emoji" / "mapping.txt").read_text(encoding="utf-8").splitlines():
        idx, emoji, *_ = line.split("\t")
        mapping[idx] = emoji
    texts = (data / "tweeteval_emoji" / "test_text.txt").read_text(encoding="utf-8").split("\n")
    labels = (data / "tweeteval_emoji" / "test_labels.txt").read_text(encoding="utf-8").split()
    sets = {"tweeteval_test": out / "tweeteval_test.tsv", "es_trial_heldout": out / "es_trial_heldout.tsv"}
    sets["tweeteval_test"].write_text("".join(f"{t.replace(chr(9), ' ')}\t{mapping[l]}\n"
                                              for t, l in zip(texts, labels)), encoding="utf-8")
    with examples.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    sets["es_trial_heldout"].write_text("".join(f"{r['text']}\t{r['emoji']}\n" for r in rows
                                                if r["split"] == "test" and r["lang"] == "es"), encoding="utf-8")
    return sets


def bootstrap_interval(probs, gold, candidates, key: str, rounds: int = BOOTSTRAP_ROUNDS, seed: int = 0):
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(rounds):
        sample = rng.integers(0, len(gold), len(gold))
        values.append(closed_set_metrics(probs[sample], gold[sample], candidates)[key])
    low, high = np.percentile(values, [2.5, 97.5])
    return [round(float(low), 2), round(float(high), 2)]


def measure(assistant: Assistant, path: Path) -> dict:
    rows = read_labelled(path)
    probs, gold = score_known(assistant, rows)
    candidates = np.unique(gold)
    metrics = closed_set_metrics(probs, gold, candidates, assistant.labels)
    metrics["n_unknown"] = len(rows.emojis) - len(gold)
    for key in ("macro_f1", "top1"):
        metrics[f"{key}_ci95"] = bootstrap_interval(probs, gold, candidates, key)
    return metrics


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=Path("models/emoji-predictor"))
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--examples", type=Path, default=Path("build/examples.jsonl"))
    parser.add_argument("--eval-dir", type=Path, default=Path("build/eval"))
    parser.add_argument("--skip-bench", action="store_true")
    args = parser.parse_args(argv)

    sets = write_eval_files(args.data, args.examples, args.eval_dir)
    assistant = Assistant(args.model, threads=0)
    for name, path in sets.items():
        metrics = measure(assistant, path)
        metrics["command"] = f"emoji-assistant eval --data {path} --model {args.model}"
        update_metrics(args.model, name, metrics)
        print(f"{name}: n {metrics['n']}  top1 {metrics['top1']}  top5 {metrics['top5']}  "
              f"macro_f1 {metrics['macro_f1']} (95% CI {metrics['macro_f1_ci95']})")
    if not args.skip_bench:
        speed = run_bench(args.model, threads=1)
        speed["command"] = f"emoji-assistant bench --model {args.model}"
        update_metrics(args.model, "speed_1_thread", speed)
        print("speed:", speed)
    print(f"wrote {write_model_card(args.model)}")


if __name__ == "__main__":
    main()
