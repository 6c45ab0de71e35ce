"""Measure a shipped model on named evaluation sets and record the figures in its manifest
and model card: closed-set top-1/top-5/macro-F1 (overall, per class; each set is one
language) with 95% bootstrap intervals, calibration (ECE at the shipped temperature and at
T=1), speed, and figures: a confusion matrix and a reliability diagram per set and the
emoji-similarity map of the head. `--baselines` adds TF-IDF + logistic regression and the
frozen-encoder head, trained on the same training split and scored on the same sets.

    python -m training.evaluation --model models/emoji-predictor --data ../shared/data \
        --examples build/examples.jsonl --baselines tfidf_logreg frozen_encoder

Evaluation sets: `tweeteval_test` (all 50,000 TweetEval emoji test tweets, English) and
`es_trial_heldout` (the 20% of SemEval-2018 es_trial that training.prepare held out).
Figures go to `<model>/figures/` so the model card can link them.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from assistant.core import Assistant
from assistant.core.closed_set import closed_set_metrics, read_labelled, score_known
from assistant.core.suggest_bench import run_bench
from training.lib.defaults import E5_DIR, EVAL_DIR, EXAMPLES, MODEL_DIR, SHARED_DATA
from training.lib.manifest_writer import update_metrics
from training.lib.model_card import write_model_card

BOOTSTRAP_ROUNDS = 200
SET_LANGUAGE = {"tweeteval_test": "en", "es_trial_heldout": "es"}


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


def calibration(probs: np.ndarray, gold: np.ndarray, candidates: np.ndarray, temperature: float):
    """Closed-set top-1 confidence vs correctness: ({ece, ece_t1} in percent, confidence, correct)
    at the shipped temperature and at T=1. Probabilities are renormalised over the candidates,
    as the closed-set scoring ranks them."""
    from training.lib.plots import expected_calibration_error

    out, confidence, correct = {}, None, None
    logits = np.log(np.clip(probs[:, candidates], 1e-12, None)) * temperature  # up to a constant per row
    for name, t in (("ece", temperature), ("ece_t1", 1.0)):
        z = logits / t
        p = np.exp(z - z.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        right = candidates[p.argmax(1)] == gold
        out[name] = round(100 * expected_calibration_error(p.max(1), right)[0], 2)
        if name == "ece":
            confidence, correct = p.max(1), right
    return out, confidence, correct


def measure(assistant: Assistant, path: Path, figures: Path | None = None) -> dict:
    rows = read_labelled(path)
    probs, gold = score_known(assistant, rows)
    candidates = np.unique(gold)
    metrics = closed_set_metrics(probs, gold, candidates, assistant.labels)
    metrics["n_unknown"] = len(rows.emojis) - len(gold)
    if path.stem in SET_LANGUAGE:
        metrics["language"] = SET_LANGUAGE[path.stem]
    for key in ("macro_f1", "top1"):
        metrics[f"{key}_ci95"] = bootstrap_interval(probs, gold, candidates, key)
    cal, confidence, correct = calibration(probs, gold, candidates, assistant.manifest.temperature)
    metrics["calibration"] = {**cal, "temperature": assistant.manifest.temperature, "bins": 15}
    if figures is not None:
        from training.lib.plots import confusion_png, reliability_png

        figures.mkdir(parents=True, exist_ok=True)
        pred = candidates[np.argmax(probs[:, candidates], axis=1)]
        confusion_png(gold, pred, list(candidates), assistant.labels, figures / f"confusion_{path.stem}.png",
                      title=f"{path.stem}: confusion (row-normalised)")
        reliability_png(confidence, correct, figures / f"reliability_{path.stem}.png", title=path.stem)
        metrics["figures"] = [f"figures/confusion_{path.stem}.png", f"figures/reliability_{path.stem}.png"]
    return metrics


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=MODEL_DIR)
    parser.add_argument("--data", type=Path, default=SHARED_DATA)
    parser.add_argument("--examples", type=Path, default=EXAMPLES)
    parser.add_argument("--eval-dir", type=Path, default=EVAL_DIR)
    parser.add_argument("--skip-bench", action="store_true")
    parser.add_argument("--no-figures", action="store_true", help="skip the PNG figures (no matplotlib needed)")
    parser.add_argument("--baselines", nargs="*", default=[], metavar="NAME",
                        help="also train and score: tfidf_logreg, frozen_encoder")
    parser.add_argument("--encoder", default=None,
                        help="frozen-encoder baseline: HF id or folder (default: the model's base_model)")
    parser.add_argument("--baseline-train-limit", type=int, default=0, help="subsample training messages (0 = all)")
    parser.add_argument("--baseline-eval-limit", type=int, default=0, help="subsample each set (0 = all)")
    args = parser.parse_args(argv)

    sets = write_eval_files(args.data, args.examples, args.eval_dir)
    assistant = Assistant(args.model, threads=0)
    figures = None if args.no_figures else args.model / "figures"
    if figures is not None:
        import onnx

        from training.lib.dequantize import head_weights
        from training.lib.plots import similarity_png

        figures.mkdir(parents=True, exist_ok=True)
        weight, _ = head_weights(onnx.load(str(args.model / "model.onnx")))  # [hidden, labels]
        similarity_png(weight.T, assistant.labels, figures / "emoji_similarity.png")
    for name, path in sets.items():
        metrics = measure(assistant, path, figures)
        metrics["command"] = f"emoji-assistant eval --data {path} --model {args.model}"
        update_metrics(args.model, name, metrics)
        print(f"{name}: n {metrics['n']}  top1 {metrics['top1']}  top5 {metrics['top5']}  "
              f"macro_f1 {metrics['macro_f1']} (95% CI {metrics['macro_f1_ci95']})  "
              f"ECE {metrics['calibration']['ece']}% (T=1: {metrics['calibration']['ece_t1']}%)")
    if args.baselines:
        from training.analysis.baselines import run_baselines

        config = json.loads((args.model / "manifest.json").read_text(encoding="utf-8")).get("created_by", {}).get("config", {})
        report = run_baselines(args.examples, list(sets.values()), args.baselines,
                               encoder_dir=args.encoder or config.get("base_model", str(E5_DIR)),
                               num_layers=config.get("num_layers", 0), train_limit=args.baseline_train_limit,
                               eval_limit=args.baseline_eval_limit)
        update_metrics(args.model, "baselines", report)
    if not args.skip_bench:
        speed = run_bench(args.model, threads=1)
        speed["command"] = f"emoji-assistant bench --model {args.model}"
        update_metrics(args.model, "speed_1_thread", speed)
        print("speed:", speed)
    print(f"wrote {write_model_card(args.model)}")


if __name__ == "__main__":
    main()
