"""Synthetic examples → a trained candidate ranker (build/decoder/ranker.pt).

Each emoji in a training message gets the same candidate list and features the runtime
builds (assistant.decoder); the ranker (a small MLP) learns to put the replaced word first,
with a softmax cross-entropy over each emoji's candidates.

    python -m training.implicit.train_decoder --examples build/decoder/examples.jsonl --out build/decoder/ranker.pt
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass, asdict
from pathlib import Path

import numpy as np

from assistant.decoder import FEATURES, CandidateTable, featurize, sites
from assistant.emojis import find_emojis
from assistant.lexicon import Lexicon


@dataclass
class RankerConfig:
    hidden: int = 32  # MLP width
    epochs: int = 12
    batch_size: int = 256  # emoji sites per step
    lr: float = 3e-3  # Adam
    weight_decay: float = 1e-4
    max_candidates: int = 96  # per site; longer lists are cut (the answer is kept)
    seed: int = 13

    def __post_init__(self):
        if self.hidden < 1 or self.epochs < 1 or self.batch_size < 1:
            raise ValueError(f"hidden, epochs and batch_size must be ≥ 1, got {self.hidden}, {self.epochs}, "
                             f"{self.batch_size}")
        if not 0 < self.lr < 1:
            raise ValueError(f"lr must be in (0, 1), got {self.lr}")


def target_groups(row: dict, table: CandidateTable, lexicon: Lexicon):
    """Yield (target, candidates, features) for every target emoji of one synthetic message."""
    text, lang = row["text"], row["lang"]
    found = find_emojis(text)
    all_sites = sites(text, found)
    literal = lambda e: [lexicon.name(e, lang), *lexicon.keywords(e, lang)]  # noqa: E731
    for target in row["targets"]:
        i = next((k for k, (s, _, _) in enumerate(found) if s >= target["offset"]), None)
        if i is None:
            continue
        site = all_sites[i]
        cands = table.single(found[i][2], lang, site.left, site.right, literal(found[i][2]))
        if i + 1 < len(found) and found[i][1] == found[i + 1][0]:
            cands += table.pair(found[i][2], found[i + 1][2], lang)
        yield target, cands, [featurize(c, site, table, lang) for c in cands]


def label_of(target: dict, cands) -> int | None:
    answer = target["answer"].casefold()
    for j, c in enumerate(cands):
        if target["kind"] == "decorative":
            if c.kind == "decorative":
                return j
        elif c.kind != "decorative" and c.text.casefold() == answer:
            return j
    return None


def load_groups(path: Path, table: CandidateTable, lexicon: Lexicon, split: str, cfg: RankerConfig):
    feats, labels, missing = [], [], 0
    with path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["split"] != split:
                continue
            for target, cands, rows in target_groups(row, table, lexicon):
                label = label_of(target, cands)
                if label is None:
                    missing += 1
                    continue
                rows = np.asarray(rows, dtype=np.float32)
                if len(rows) > cfg.max_candidates:
                    keep = [label] + [j for j in range(len(rows)) if j != label][: cfg.max_candidates - 1]
                    rows, label = rows[keep], 0
                feats.append(rows)
                labels.append(label)
    return feats, labels, missing


def build_model(cfg: RankerConfig):
    import torch

    return torch.nn.Sequential(torch.nn.Linear(len(FEATURES), cfg.hidden), torch.nn.ReLU(),
                               torch.nn.Linear(cfg.hidden, cfg.hidden), torch.nn.ReLU(),
                               torch.nn.Linear(cfg.hidden, 1))


def batches(feats, labels, size, rng):
    import torch

    order = list(range(len(feats)))
    rng.shuffle(order)
    for start in range(0, len(order), size):
        idx = order[start:start + size]
        width = max(len(feats[i]) for i in idx)
        x = np.zeros((len(idx), width, len(FEATURES)), dtype=np.float32)
        mask = np.zeros((len(idx), width), dtype=bool)
        for r, i in enumerate(idx):
            x[r, : len(feats[i])] = feats[i]
            mask[r, : len(feats[i])] = True
        yield torch.from_numpy(x), torch.from_numpy(mask), torch.tensor([labels[i] for i in idx])


def accuracy(model, feats, labels) -> float:
    import torch

    with torch.no_grad():
        hits = sum(int(model(torch.from_numpy(f)).squeeze(-1).argmax()) == y for f, y in zip(feats, labels))
    return hits / max(1, len(labels))


def main(argv: list[str] | None = None) -> None:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", default="build/decoder/examples.jsonl")
    parser.add_argument("--table", default="models/emoji-decoder/candidates.json.gz")
    parser.add_argument("--epochs", type=int, default=RankerConfig.epochs)
    parser.add_argument("--hidden", type=int, default=RankerConfig.hidden)
    parser.add_argument("--out", default="build/decoder/ranker.pt")
    args = parser.parse_args(argv)
    cfg = RankerConfig(epochs=args.epochs, hidden=args.hidden)
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)

    # data
    table, lexicon = CandidateTable.load(Path(args.table)), Lexicon.load()
    train_x, train_y, train_missing = load_groups(Path(args.examples), table, lexicon, "train", cfg)
    val_x, val_y, _ = load_groups(Path(args.examples), table, lexicon, "val", cfg)
    print(f"train sites {len(train_y)} (answer not among candidates: {train_missing}), val sites {len(val_y)}")

    # model and loop
    model = build_model(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    for epoch in range(cfg.epochs):
        t0, total = time.time(), 0.0
        model.train()
        for x, mask, y in batches(train_x, train_y, cfg.batch_size, rng):
            scores = model(x).squeeze(-1).masked_fill(~mask, -1e4)  # [batch, candidates]
            loss = torch.nn.functional.cross_entropy(scores, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(y)
        model.eval()
        print(f"epoch {epoch + 1}: loss {total / len(train_y):.4f}  val top-1 {accuracy(model, val_x, val_y):.4f}  "
              f"({time.time() - t0:.1f}s)", flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": model.state_dict(), "config": asdict(cfg), "features": list(FEATURES),
                "command": " ".join(["python -m training.implicit.train_decoder", *sys.argv[1:]]),
                "train_sites": len(train_y)}, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
