"""Transfer: fine-tune the emoji-trained encoder on DeepMoji's benchmarks, with DeepMoji's own
splits and metrics, and write the table beside DeepMoji's published numbers.

    python -m training.analysis.transfer --encoder build/run --data ../shared/data/deepmoji_benchmarks \
        --out build/transfer --datasets SS-Twitter SS-Youtube SCv1

`--encoder` is a training run (its model.pt: the emoji-trained encoder) or any Hugging Face
id or folder (e.g. build/e5-small, to measure what emoji training adds). Each dataset gets a
fresh linear head on the mean-pooled encoder, trains until the validation score has not
improved for `--patience` epochs (DeepMoji stops early too), and the best epoch is scored on
the test split. `--method chain_thaw` trains as DeepMoji did: the new head first, then each
encoder block alone in network order, then everything.

Metrics, as DeepMoji's code computes them (bfelbo/DeepMoji, class_avg_finetuning.py):
- accuracy for SS-Twitter, SS-Youtube and kaggle-insults;
- class-average F1 for the others: each class is relabelled one-vs-rest, gets its own
  decision threshold (the one with the best F1 on the validation split, applied unchanged
  to test), and the binary F1s are averaged. A two-class set scores its positive class
  alone, as DeepMoji's `nb_iter = nb_classes if nb_classes > 2 else 1` does.
DeepMoji trains one binary model per class on balanced samples; here one model scores all
classes (softmax, or one sigmoid per class weighted to balance positives and negatives).
"""
from __future__ import annotations

import argparse
import copy
import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from training.lib.defaults import BUILD, DEEPMOJI_BENCHMARKS, RUN_DIR
from training.lib.manifest_writer import command_line

# DeepMoji (Felbo et al., EMNLP 2017), chain-thaw, as published; kaggle-insults has no published figure
DEEPMOJI = {"SE0714": 0.37, "Olympic": 0.61, "PsychExp": 0.57, "SS-Twitter": 0.88, "SS-Youtube": 0.93,
            "SCv1": 0.69, "SCv2-GEN": 0.75, "kaggle-insults": None}
TABLE_COLUMNS = ["dataset", "metric", "ours", "DeepMoji", "val", "train", "test_n", "epochs", "method", "seconds"]
ACCURACY_SETS = {"SS-Twitter", "SS-Youtube", "kaggle-insults"}


@dataclass
class Benchmark:
    name: str
    texts: dict[str, list[str]]  # split → texts
    targets: dict[str, np.ndarray]  # split → [n] class ids, or [n, classes] 0/1 for multi-label
    classes: int
    multi_label: bool

    @property
    def metric(self) -> str:
        return "accuracy" if self.name in ACCURACY_SETS else "f1_class_avg"

    @property
    def scored_classes(self) -> list[int]:
        """The classes whose one-vs-rest F1 is averaged: a two-class set scores only class 1."""
        return [1] if self.classes == 2 and not self.multi_label else list(range(self.classes))

    def one_vs_rest(self, split: str) -> np.ndarray:
        """[n, classes] 0/1 gold matrix of a split."""
        gold = self.targets[split]
        return gold if self.multi_label else np.eye(self.classes, dtype=np.float32)[gold]


def read_benchmark(path: Path) -> Benchmark:
    """One JSONL file: {"text", "label": int | list of booleans, "split": train/val/test}.
    One-hot lists (exactly one true per row) are read as single-label."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not rows:
        raise ValueError(f"{path} holds no examples; expected JSON Lines with text, label and split")
    vectors = isinstance(rows[0]["label"], list)
    matrix = np.array([[float(v) for v in r["label"]] if vectors else [r["label"]] for r in rows])
    multi_label = vectors and not np.all(matrix.sum(1) == 1)
    if vectors and not multi_label:
        labels = matrix.argmax(1)
    elif vectors:
        labels = (matrix > 0.5).astype(np.float32)
    else:
        labels = matrix[:, 0].astype(np.int64)
    classes = matrix.shape[1] if vectors else int(labels.max()) + 1
    splits = np.array([r["split"] for r in rows])
    texts = {s: [r["text"] for r, sp in zip(rows, splits) if sp == s] for s in ("train", "val", "test")}
    targets = {s: labels[splits == s] for s in ("train", "val", "test")}
    return Benchmark(path.stem, texts, targets, classes, multi_label)


def class_average_f1(pred: np.ndarray, gold: np.ndarray, classes: int) -> float:
    """Mean over classes of the one-vs-rest binary F1. `pred`/`gold`: [n] ids or [n, classes] 0/1."""
    scores = []
    for c in range(classes):
        p = pred[:, c] > 0.5 if pred.ndim == 2 else pred == c
        g = gold[:, c] > 0.5 if gold.ndim == 2 else gold == c
        tp, fp, fn = np.sum(p & g), np.sum(p & ~g), np.sum(~p & g)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


THRESHOLDS = np.round(np.arange(0.01, 1.0, 0.01), 2)


def probabilities(bench: Benchmark, logits: np.ndarray) -> np.ndarray:
    if bench.multi_label:
        return 1 / (1 + np.exp(-logits))
    shifted = np.exp(logits - logits.max(1, keepdims=True))
    return shifted / shifted.sum(1, keepdims=True)


def fit_thresholds(probs: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """Per class, the threshold with the best one-vs-rest F1 (DeepMoji's find_f1_threshold).
    `probs`, `gold`: [n, classes]."""
    best = np.full(probs.shape[1], 0.5)
    for c in range(probs.shape[1]):
        f1s = [class_average_f1((probs[:, [c]] >= t).astype(np.float32), gold[:, [c]], 1) for t in THRESHOLDS]
        best[c] = THRESHOLDS[int(np.argmax(f1s))]
    return best


def score(bench: Benchmark, probs: np.ndarray, split: str, thresholds: np.ndarray | None = None) -> float:
    """The benchmark's metric on one split; F1 sets need the thresholds fitted on validation."""
    gold = bench.targets[split]
    if bench.metric == "accuracy":
        if bench.multi_label:
            return float(np.mean(((probs >= 0.5) == (gold > 0.5)).all(1)))
        return float(np.mean(probs.argmax(1) == gold))
    cols = bench.scored_classes
    decisions = (probs[:, cols] >= thresholds[cols]).astype(np.float32)
    return class_average_f1(decisions, bench.one_vs_rest(split)[:, cols], len(cols))


def load_pretrained(encoder: str, num_layers: int = 0):
    """(encoder module, tokenizer.json path): from a training run's model.pt or a HF id/folder
    (keeping its bottom `num_layers` layers, 0 = all)."""
    from training.lib.model import load_encoder, load_trained, tokenizer_file

    if (Path(encoder) / "model.pt").exists():
        model, saved = load_trained(Path(encoder))
        return model.encoder, tokenizer_file(saved["config"]["base_model"])
    return load_encoder(encoder, num_layers), tokenizer_file(encoder)


def fine_tune(bench: Benchmark, encoder, tokenizer_path: Path, *, epochs: int, patience: int, method: str,
              batch_size: int, lr: float, head_lr: float, max_length: int, seed: int) -> dict:
    import torch
    from torch.nn import functional as F
    from tqdm.auto import tqdm

    from assistant.core.tokenizer import TextEncoder
    from training.lib.model import EmojiClassifier, chain_thaw_stages, predict_logits

    random.seed(seed), np.random.seed(seed), torch.manual_seed(seed)
    tok = TextEncoder(tokenizer_path, max_length=max_length)
    ids = {s: tok.token_ids(t) for s, t in bench.texts.items()}
    model = EmojiClassifier(copy.deepcopy(encoder), bench.classes)
    model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)  # keep the vocabulary aligned
    optimizer = torch.optim.AdamW([
        {"params": [p for p in model.encoder.parameters() if p.requires_grad], "lr": lr},
        {"params": list(model.head.parameters()), "lr": head_lr}], weight_decay=0.01)
    y_train = torch.tensor(bench.targets["train"])
    if bench.multi_label:  # positives count as much as negatives, as DeepMoji's balanced sampling
        positives = y_train.sum(0).clamp(min=1)
        pos_weight = (len(y_train) - positives).clamp(min=1) / positives

        def loss_of(logits, idx):
            return F.binary_cross_entropy_with_logits(logits, y_train[idx], pos_weight=pos_weight)
    else:
        def loss_of(logits, idx):
            return F.cross_entropy(logits, y_train[idx])

    stages = chain_thaw_stages(model)[:-1] if method == "chain_thaw" else []
    plan = stages + [None] * epochs  # one epoch per thaw stage, then everything
    best, best_state, best_thresholds, stale, history = -1.0, None, None, 0, []
    rng = random.Random(seed)
    for stage in tqdm(plan, desc=bench.name, unit="epoch", leave=False):
        thawed = {id(p) for p in stage} if stage is not None else None
        order = list(range(len(ids["train"])))
        rng.shuffle(order)
        model.train()
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            input_ids, mask = tok.pad([ids["train"][i] for i in idx])
            loss = loss_of(model(torch.from_numpy(input_ids), torch.from_numpy(mask)), idx)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if thawed is not None:
                for p in model.parameters():
                    if id(p) not in thawed:
                        p.grad = None
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
        val_probs = probabilities(bench, predict_logits(model, tok, ids["val"]))
        thresholds = fit_thresholds(val_probs, bench.one_vs_rest("val")) if bench.metric != "accuracy" else None
        val = score(bench, val_probs, "val", thresholds)
        history.append(round(val, 4))
        if stage is not None:
            continue  # pick among full-model epochs, as DeepMoji's final stage
        if val > best:
            best, best_state, best_thresholds, stale = val, copy.deepcopy(model.state_dict()), thresholds, 0
        else:
            stale += 1
            if stale >= patience:
                break
    model.load_state_dict(best_state)
    test = score(bench, probabilities(bench, predict_logits(model, tok, ids["test"])), "test", best_thresholds)
    return {"val": round(best, 4), "test": round(test, 4), "val_by_epoch": history}


def write_table(results: list[dict], out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    tsv = ["\t".join(TABLE_COLUMNS)] + ["\t".join(str(r[h]) for h in TABLE_COLUMNS) for r in results]
    md = ["| " + " | ".join(TABLE_COLUMNS) + " |", "|" + "---|" * len(TABLE_COLUMNS)]
    md += ["| " + " | ".join("–" if r[h] is None else str(r[h]) for h in TABLE_COLUMNS) + " |" for r in results]
    (out / "transfer.tsv").write_text("\n".join(tsv) + "\n", encoding="utf-8")
    (out / "transfer.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    (out / "transfer.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return out / "transfer.tsv", out / "transfer.md"


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", default=str(RUN_DIR), help="training run folder (model.pt) or HF id/folder")
    parser.add_argument("--data", type=Path, default=DEEPMOJI_BENCHMARKS)
    parser.add_argument("--datasets", nargs="*", default=list(DEEPMOJI), help="file stems; default all eight")
    parser.add_argument("--out", type=Path, default=BUILD / "transfer")
    parser.add_argument("--num-layers", type=int, default=0,
                        help="HF encoders only: keep the bottom N layers (6 matches the shipped model)")
    parser.add_argument("--method", choices=("full", "chain_thaw"), default="full")
    parser.add_argument("--epochs", type=int, default=20, help="most full-model epochs (after the thaw stages)")
    parser.add_argument("--patience", type=int, default=3,
                        help="stop after this many full-model epochs without a better validation score")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-5, help="encoder learning rate")
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--max-length", type=int, default=96, help="tokens per text")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--write-manifest", type=Path, default=None, metavar="MODEL_DIR",
                        help="record the table in MODEL_DIR/manifest.json and its model card")
    args = parser.parse_args(argv)

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    missing = [d for d in args.datasets if not (args.data / f"{d}.jsonl").exists()]
    if missing:
        raise FileNotFoundError(f"no {', '.join(m + '.jsonl' for m in missing)} in {args.data}; expected DeepMoji's "
                                f"benchmark files there (found: {sorted(p.stem for p in args.data.glob('*.jsonl'))})")
    encoder, tokenizer_path = load_pretrained(args.encoder, args.num_layers)
    results = []
    for name in args.datasets:
        bench = read_benchmark(args.data / f"{name}.jsonl")
        started = time.time()
        r = fine_tune(bench, encoder, tokenizer_path, epochs=args.epochs, patience=args.patience, method=args.method,
                      batch_size=args.batch_size, lr=args.lr, head_lr=args.head_lr, max_length=args.max_length, seed=args.seed)
        results.append({"dataset": name, "metric": bench.metric, "ours": r["test"], "DeepMoji": DEEPMOJI.get(name),
                        "val": r["val"], "train": len(bench.texts["train"]), "test_n": len(bench.texts["test"]),
                        "epochs": len(r["val_by_epoch"]), "method": args.method, "seconds": round(time.time() - started),
                        "encoder": args.encoder, "val_by_epoch": r["val_by_epoch"]})
        print(f"{name}: {bench.metric} {r['test']:.3f} (DeepMoji {DEEPMOJI.get(name)}), val {r['val']:.3f}, "
              f"{results[-1]['seconds']} s", flush=True)
        write_table(results, args.out)  # after each dataset, so a long run leaves partial results
    print(f"wrote {args.out / 'transfer.md'}")
    if args.write_manifest is not None:
        record(results, args.write_manifest, command_line("training.analysis.transfer", argv))
    return results


def record(results: list[dict], model_dir: Path, command: str) -> None:
    """The table into the model's manifest (metrics.deepmoji_transfer) and its card."""
    from training.lib.manifest_writer import update_metrics
    from training.lib.model_card import write_model_card

    compared = [r for r in results if r["DeepMoji"] is not None]
    update_metrics(model_dir, "deepmoji_transfer", {
        "results": [{k: r[k] for k in TABLE_COLUMNS} for r in results],
        "better_than_deepmoji": sum(r["ours"] > r["DeepMoji"] for r in compared),
        "compared": len(compared),
        "encoder": results[0]["encoder"] if results else None,
        "command": command})
    print(f"wrote {write_model_card(model_dir)}")


if __name__ == "__main__":
    main()
