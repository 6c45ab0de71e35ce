"""Transfer: fine-tune the emoji-trained encoder on DeepMoji's benchmarks, with DeepMoji's own
splits and metrics, and write the table beside DeepMoji's published numbers.

    python -m training.transfer --encoder build/run --data ../shared/data/deepmoji_benchmarks \
        --out build/transfer --datasets SS-Twitter SS-Youtube SCv1 --epochs 3

`--encoder` is a training run (its model.pt: the emoji-trained encoder) or any Hugging Face
id or folder (e.g. build/e5-small, to measure what emoji training adds). Each dataset gets a
fresh linear head on the mean-pooled encoder; the epoch with the best validation score is
kept and scored on the test split. `--method chain_thaw` trains as DeepMoji did: the new head
first, then each encoder block alone in network order, then everything.

Metrics (../shared/data/README.md): accuracy for SS-Twitter, SS-Youtube and kaggle-insults;
for the others DeepMoji's class-average F1: relabel the test set one-vs-rest per class,
take the binary F1 of each class and average over the classes.
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

# DeepMoji (Felbo et al., EMNLP 2017), chain-thaw, as published; kaggle-insults has no published figure
DEEPMOJI = {"SE0714": 0.37, "Olympic": 0.61, "PsychExp": 0.57, "SS-Twitter": 0.88, "SS-Youtube": 0.93,
            "SCv1": 0.69, "SCv2-GEN": 0.75, "kaggle-insults": None}
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


def score(bench: Benchmark, logits: np.ndarray, gold: np.ndarray) -> float:
    pred = (logits > 0).astype(np.float32) if bench.multi_label else logits.argmax(1)
    if bench.metric == "accuracy":
        return float(np.mean(pred == gold)) if not bench.multi_label else float(np.mean((pred == gold).all(1)))
    return class_average_f1(pred, gold, bench.classes)


def load_pretrained(encoder: str, num_layers: int = 0):
    """(encoder module, tokenizer.json path): from a training run's model.pt or a HF id/folder
    (keeping its bottom `num_layers` layers, 0 = all)."""
    from training.export import load_trained
    from training.model import load_encoder
    from training.train import tokenizer_file

    if (Path(encoder) / "model.pt").exists():
        model, saved = load_trained(Path(encoder))
        return model.encoder, tokenizer_file(saved["config"]["base_model"])
    return load_encoder(encoder, num_layers), tokenizer_file(encoder)


def fine_tune(bench: Benchmark, encoder, tokenizer_path: Path, *, epochs: int, method: str, batch_size: int,
              lr: float, head_lr: float, max_length: int, seed: int) -> dict:
    import torch
    from torch.nn import functional as F

    from assistant.tokenizer import TextEncoder
    from training.model import EmojiClassifier, chain_thaw_stages
    from training.train import predict_logits

    random.seed(seed), np.random.seed(seed), torch.manual_seed(seed)
    tok = TextEncoder(tokenizer_path, max_length=max_length)
    ids = {s: tok.token_ids(t) for s, t in bench.texts.items()}
    model = EmojiClassifier(copy.deepcopy(encoder), bench.classes)
    model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)  # keep the vocabulary aligned
    optimizer = torch.optim.AdamW([
        {"params": [p for p in model.encoder.parameters() if p.requires_grad], "lr": lr},
        {"params": list(model.head.parameters()), "lr": head_lr}], weight_decay=0.01)
    stages = chain_thaw_stages(model) if method == "chain_thaw" else []
    plan = [stage for stage in stages[:-1]] + [None] * epochs  # one epoch per thaw stage, then all
    y_train = torch.tensor(bench.targets["train"])
    best, best_state, history = -1.0, None, []
    rng = random.Random(seed)
    for epoch, stage in enumerate(plan):
        thawed = {id(p) for p in stage} if stage is not None else None
        order = list(range(len(ids["train"])))
        rng.shuffle(order)
        model.train()
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            input_ids, mask = tok.pad([ids["train"][i] for i in idx])
            logits = model(torch.from_numpy(input_ids), torch.from_numpy(mask))
            loss = (F.binary_cross_entropy_with_logits(logits, y_train[idx]) if bench.multi_label
                    else F.cross_entropy(logits, y_train[idx]))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if thawed is not None:
                for p in model.parameters():
                    if id(p) not in thawed:
                        p.grad = None
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
        val = score(bench, predict_logits(model, tok, ids["val"]), bench.targets["val"])
        history.append(round(val, 4))
        if stage is None and val > best:  # pick among full-model epochs, as DeepMoji's final stage
            best, best_state = val, copy.deepcopy(model.state_dict())
    model.load_state_dict(best_state)
    test = score(bench, predict_logits(model, tok, ids["test"]), bench.targets["test"])
    return {"val": round(best, 4), "test": round(test, 4), "val_by_epoch": history}


def write_table(results: list[dict], out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    header = ["dataset", "metric", "ours", "DeepMoji", "val", "train", "test_n", "epochs", "method", "seconds"]
    tsv = ["\t".join(header)] + ["\t".join(str(r[h]) for h in header) for r in results]
    md = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    md += ["| " + " | ".join("–" if r[h] is None else str(r[h]) for h in header) + " |" for r in results]
    (out / "transfer.tsv").write_text("\n".join(tsv) + "\n", encoding="utf-8")
    (out / "transfer.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    (out / "transfer.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return out / "transfer.tsv", out / "transfer.md"


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", default="build/run", help="training run folder (model.pt) or HF id/folder")
    parser.add_argument("--data", type=Path, default=Path("../shared/data/deepmoji_benchmarks"))
    parser.add_argument("--datasets", nargs="*", default=list(DEEPMOJI), help="file stems; default all eight")
    parser.add_argument("--out", type=Path, default=Path("build/transfer"))
    parser.add_argument("--num-layers", type=int, default=0,
                        help="HF encoders only: keep the bottom N layers (6 matches the shipped model)")
    parser.add_argument("--method", choices=("full", "chain_thaw"), default="full")
    parser.add_argument("--epochs", type=int, default=3, help="full-model epochs (after the thaw stages)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-5, help="encoder learning rate")
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--max-length", type=int, default=96, help="tokens per text")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--threads", type=int, default=0)
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
        r = fine_tune(bench, encoder, tokenizer_path, epochs=args.epochs, method=args.method, batch_size=args.batch_size,
                      lr=args.lr, head_lr=args.head_lr, max_length=args.max_length, seed=args.seed)
        results.append({"dataset": name, "metric": bench.metric, "ours": r["test"], "DeepMoji": DEEPMOJI.get(name),
                        "val": r["val"], "train": len(bench.texts["train"]), "test_n": len(bench.texts["test"]),
                        "epochs": args.epochs, "method": args.method, "seconds": round(time.time() - started),
                        "encoder": args.encoder, "val_by_epoch": r["val_by_epoch"]})
        print(f"{name}: {bench.metric} {r['test']:.3f} (DeepMoji {DEEPMOJI.get(name)}), val {r['val']:.3f}, "
              f"{results[-1]['seconds']} s", flush=True)
        write_table(results, args.out)  # after each dataset, so a long run leaves partial results
    print(f"wrote {args.out / 'transfer.md'}")
    return results


if __name__ == "__main__":
    main()
