"""Synthetic examples → a trained candidate ranker (build/explain/ranker.pt).

Each emoji in a training message gets the same candidate list and features the runtime
builds (assistant.core.explain); the ranker (a small MLP) learns to put the replaced word first,
with a softmax cross-entropy over each emoji's candidates, and the epoch with the best
validation top-1 averaged over kinds (homophone, literal, slang, ...) is the one kept.

With `--predictor` (default: the shipped emoji predictor) the ranker also learns how well
each candidate fits the message as the predictor reads it (assistant.core.explain.context): a site
projection of the predictor's token states and a low-rank projection of its word
embeddings, trained jointly with the MLP. The context columns are dropped for a share of
the training sites, so the same ranker still works where no context is available.

    python -m training.explain.train_ranker --examples build/explain/examples.jsonl --out build/explain/ranker.pt
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import random
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from assistant.core.emojis import find_emojis
from assistant.core.explain import (BASE_FEATURES, FEATURES, KINDS, CandidateTable, candidate_groups, featurize,
                               site_vector)
from assistant.core.lexicon import Lexicon
from assistant.core.text import fold
from training.lib.defaults import EXPLAIN_EXAMPLES, EXPLAIN_TABLE, RANKER_CHECKPOINT

from .pairs import counted_words, sentence_pairs


@dataclass
class RankerConfig:
    hidden: int = 32  # MLP width
    epochs: int = 12
    batch_size: int = 256  # emoji sites per step
    lr: float = 3e-3  # Adam
    weight_decay: float = 1e-4
    max_candidates: int = 96  # per site; longer lists are cut (the answer is kept)
    context_rank: int = 64  # width of the context projections (0 = no context model)
    context_dropout: float = 0.15  # share of training sites shown without context
    kind_balance: float = 0.5  # loss weight of a site ∝ (share of its kind) ** -kind_balance (1 = kinds equal)
    seed: int = 13

    def __post_init__(self):
        if self.hidden < 1 or self.epochs < 1 or self.batch_size < 1:
            raise ValueError(f"hidden, epochs and batch_size must be ≥ 1, got {self.hidden}, {self.epochs}, "
                             f"{self.batch_size}")
        if not 0 < self.lr < 1:
            raise ValueError(f"lr must be in (0, 1), got {self.lr}")
        if not 0 <= self.kind_balance <= 1:
            raise ValueError(f"kind_balance must be in [0, 1], got {self.kind_balance}")
        if self.context_rank < 0 or not 0 <= self.context_dropout < 1:
            raise ValueError(f"context_rank must be ≥ 0 and context_dropout in [0, 1), got {self.context_rank}, "
                             f"{self.context_dropout}")


@dataclass
class Sites:
    """Training sites: candidate features, the answer's index, candidate word ids and site vectors."""
    feats: list  # [candidates, len(BASE_FEATURES)] float32 per site
    labels: list  # answer index per site
    words: list  # [candidates] int ids into `vocabulary` per site
    vectors: list  # [2 * hidden] float32 site vector per site, or None
    kinds: list  # the answer's kind per site (homophone, literal, slang, rebus, decorative)
    answer_kinds: list = field(default_factory=list)  # the answer candidate's feature kind (KINDS) per site
    missing: int = 0  # targets whose answer is not among the candidates


def reads(candidate, kind: str, answers: set[str]) -> bool:
    """Whether `candidate` reads an emoji of `kind` right: any decorative candidate for a
    decorative emoji, else a word among the folded `answers`."""
    if kind == "decorative":
        return candidate.kind == "decorative"
    return candidate.kind != "decorative" and fold(candidate.text) in answers


def label_of(target: dict, cands) -> int | None:
    """The candidate that reads the target right; a glued part-word pun ("🐝lieve", answer "be")
    is read best as its whole word when the repair offers it ("believe"), as the rewrite shows it."""
    if target["kind"] == "homophone" and target.get("word"):
        whole = fold(target["word"])
        repaired = next((j for j, c in enumerate(cands) if c.kind == "repaired" and fold(c.text) == whole), None)
        if repaired is not None:
            return repaired
    answers = {fold(target["answer"])}
    return next((j for j, c in enumerate(cands) if reads(c, target["kind"], answers)), None)


class WithoutOwnPairs:
    """The candidate table as a training message sees it: its source sentence's own word pairs
    taken out of the context counts (leave-one-out). The counts come from the training
    sentences, so without this half of the training answers find their neighbours counted,
    against 27–31% of validation and test answers, and the ranker trusts the counts too much."""

    def __init__(self, table: CandidateTable, own: Counter):
        self._table, self._own = table, own

    def __getattr__(self, name):
        return getattr(self._table, name)

    def context(self, left: str, right: str, lang: str) -> float:
        if not left or not right:
            return 0.0
        return math.log1p(max(0, self._table.pair_count(left, right, lang) - self._own[f"{left}\t{right}"]))


def load_sites(path: Path, table: CandidateTable, lexicon: Lexicon, split: str, cfg: RankerConfig,
               vocabulary: dict, token_states=None, limit: int = 0, counted: dict | None = None) -> Sites:
    """Every target emoji of the `split` messages (the first `limit` messages if > 0), as the
    runtime sees it; site vectors from `token_states` (assistant.core.explain.TokenStates) if given.
    With `counted` (pairs.counted_words of the table), training messages get leave-one-out
    context counts (WithoutOwnPairs)."""
    with path.open(encoding="utf-8") as f:
        rows = [r for r in map(json.loads, f) if r["split"] == split]
    rows = rows[:limit] if limit else rows
    out = Sites([], [], [], [], [])
    for start in progress(range(0, len(rows), 64), f"{split} messages", total=(len(rows) + 63) // 64):
        chunk = rows[start:start + 64]
        passes = token_states.batch([r["text"] for r in chunk]) if token_states else [None] * len(chunk)
        for row, states in zip(chunk, passes):
            text, lang = row["text"], row["lang"]
            seen = table
            if split == "train" and counted is not None:
                seen = WithoutOwnPairs(table, sentence_pairs(row["source_text"], lang, counted.get(lang, set())))
            found = find_emojis(text)
            all_sites, groups = candidate_groups(text, found, lang, table, lambda e: lexicon.literal(e, lang))
            for target in row["targets"]:
                i = next((k for k, (s, _, _) in enumerate(found) if s >= target["offset"]), None)
                if i is None:
                    continue
                cands = groups[i]
                label = label_of(target, cands)
                if label is None:
                    out.missing += 1
                    continue
                keep = list(range(len(cands)))
                if len(keep) > cfg.max_candidates:
                    keep = [label] + [j for j in keep if j != label][: cfg.max_candidates - 1]
                    label = 0
                out.feats.append(np.asarray([featurize(cands[j], all_sites[i], seen, lang) for j in keep],
                                            dtype=np.float32))
                out.labels.append(label)
                out.kinds.append(target["kind"])
                out.answer_kinds.append(cands[keep[label]].kind)
                out.words.append(np.asarray([vocabulary.setdefault(cands[j].text, len(vocabulary)) for j in keep]))
                out.vectors.append(None if states is None else
                                   site_vector(states[0], states[1], all_sites[i].start, all_sites[i].end))
    return out


def progress(iterable, desc: str, total: int):
    try:
        from tqdm import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, desc=desc, total=total, unit="batch", mininterval=2)


def build_model(cfg: RankerConfig):
    """The MLP over one candidate's features (what model.onnx holds)."""
    import torch

    return torch.nn.Sequential(torch.nn.Linear(len(FEATURES), cfg.hidden), torch.nn.ReLU(),
                               torch.nn.Linear(cfg.hidden, cfg.hidden), torch.nn.ReLU(),
                               torch.nn.Linear(cfg.hidden, 1))


def build_ranker(cfg: RankerConfig, word_vectors, hidden_size: int):
    """MLP + context projections; `word_vectors` [words, hidden] are the candidates' mean
    predictor word embeddings (fixed), or None without context."""
    import torch

    class RankerWithContext(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.mlp = build_model(cfg)
            if word_vectors is not None:
                self.site = torch.nn.Linear(2 * hidden_size, cfg.context_rank)
                self.piece = torch.nn.Linear(hidden_size, cfg.context_rank, bias=False)
                self.register_buffer("word_vectors", torch.as_tensor(word_vectors, dtype=torch.float32))

        def forward(self, x, words, vectors, has):
            """x [b, w, len(BASE_FEATURES)], words [b, w], vectors [b, 2h], has [b] → scores [b, w]."""
            if word_vectors is None:
                fit = torch.zeros(x.shape[:2])
            else:
                query = self.site(vectors)  # [b, r]
                fit = (self.piece(self.word_vectors[words]) * query[:, None]).sum(-1) / cfg.context_rank ** 0.5
                fit = fit * has[:, None]
            columns = torch.stack([fit, has[:, None].expand_as(fit)], -1)
            return self.mlp(torch.cat([x, columns], -1)).squeeze(-1)

    return RankerWithContext()


def answer_weights(answer_kinds: list[str], weights: np.ndarray) -> dict[str, float]:
    """Feature kind → the loss weight the training sites put on answers of that kind."""
    return {k: round(float(weights[[a == k for a in answer_kinds]].sum()), 3) for k in KINDS if k in answer_kinds}


def kind_weights(kinds: list[str], balance: float) -> np.ndarray:
    """Per-site loss weights ∝ (share of the site's kind) ** -balance, averaging 1.

    The synthetic mix is over half sound-alikes (IER-SMCEM's recipe replaces 40% of the
    words that have one); real messages use emojis mostly as literal stand-ins and slang.
    """
    from training.lib.losses import class_weights

    if not kinds:
        return np.zeros(0, dtype=np.float32)
    counts = Counter(kinds)
    names = sorted(counts)
    per_kind = dict(zip(names, class_weights([counts[k] for k in names], balance).tolist()))
    return np.array([per_kind[k] for k in kinds], dtype=np.float32)


def batches(sites: Sites, indices, size: int, rng=None, context_dropout: float = 0.0, weights=None):
    """Padded batches; each yields x, words, vectors, has, mask, labels, loss weights."""
    import torch

    order = list(indices)
    if rng is not None:
        rng.shuffle(order)
    hidden2 = next((len(v) for v in sites.vectors if v is not None), 2)
    for start in range(0, len(order), size):
        idx = order[start:start + size]
        width = max(len(sites.feats[i]) for i in idx)
        x = np.zeros((len(idx), width, len(BASE_FEATURES)), dtype=np.float32)
        words = np.zeros((len(idx), width), dtype=np.int64)
        mask = np.zeros((len(idx), width), dtype=bool)
        vectors = np.zeros((len(idx), hidden2), dtype=np.float32)
        has = np.zeros(len(idx), dtype=np.float32)
        for r, i in enumerate(idx):
            n = len(sites.feats[i])
            x[r, :n], words[r, :n], mask[r, :n] = sites.feats[i], sites.words[i], True
            if sites.vectors[i] is not None and (rng is None or rng.random() >= context_dropout):
                vectors[r], has[r] = sites.vectors[i], 1.0
        yield (torch.from_numpy(x), torch.from_numpy(words), torch.from_numpy(vectors), torch.from_numpy(has),
               torch.from_numpy(mask), torch.tensor([sites.labels[i] for i in idx]),
               torch.ones(len(idx)) if weights is None else torch.from_numpy(weights[idx]))


def accuracy(model, sites: Sites) -> dict[str, float]:
    """Top-1 over all sites, per answer kind, and the mean over kinds ("balanced")."""
    import torch

    hits = []
    with torch.no_grad():
        for x, words, vectors, has, mask, y, _ in batches(sites, range(len(sites.labels)), 512):
            hits += (model(x, words, vectors, has).masked_fill(~mask, -1e4).argmax(1) == y).tolist()
    per_kind: dict[str, list] = {}
    for kind, hit in zip(sites.kinds, hits):
        per_kind.setdefault(kind, []).append(hit)
    out = {kind: float(np.mean(v)) for kind, v in sorted(per_kind.items())}
    return {"all": float(np.mean(hits)) if hits else 0.0, "balanced": float(np.mean(list(out.values()))) if out else 0.0,
            **out}


def word_vectors_of(vocabulary: dict, token_states, embeddings: np.ndarray) -> np.ndarray:
    """Mean predictor word embedding of each candidate word (its tokenizer pieces)."""
    words = sorted(vocabulary, key=vocabulary.get)
    out = np.zeros((len(words), embeddings.shape[1]), dtype=np.float32)
    for i, ids in enumerate(token_states.pieces(words)):
        if ids:
            out[i] = embeddings[ids].mean(0)
    return out


def fit(cfg: RankerConfig, train: Sites, val: Sites, word_vectors, hidden_size: int, rng: random.Random):
    """(the ranker at its best validation epoch, that epoch): cfg.epochs of AdamW over the
    training sites, kept by validation top-1 averaged over kinds."""
    import torch

    weights = kind_weights(train.kinds, cfg.kind_balance)
    model = build_ranker(cfg, word_vectors, hidden_size)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    best = None  # (epoch, val mean top-1 over kinds, state) of the best epoch so far
    for epoch in range(cfg.epochs):
        t0, total = time.time(), 0.0
        model.train()
        for x, words, vectors, has, mask, y, w in batches(train, range(len(train.labels)), cfg.batch_size, rng,
                                                          cfg.context_dropout, weights):
            scores = model(x, words, vectors, has).masked_fill(~mask, -1e4)  # [batch, candidates]
            loss = (torch.nn.functional.cross_entropy(scores, y, reduction="none") * w).sum() / w.sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(y)
        model.eval()
        top1 = accuracy(model, val)
        kinds = " ".join(f"{k} {v:.3f}" for k, v in top1.items() if k not in ("all", "balanced"))
        print(f"epoch {epoch + 1}: loss {total / len(train.labels):.4f}  val top-1 {top1['all']:.4f}, "
              f"mean over kinds {top1['balanced']:.4f} ({kinds})  ({time.time() - t0:.1f}s)", flush=True)
        if best is None or top1["balanced"] > best[1]:
            best = (epoch + 1, top1["balanced"], copy.deepcopy(model.state_dict()))
    # the rare kinds' validation top-1 swings by several points from one epoch to the next
    model.load_state_dict(best[2])
    print(f"kept epoch {best[0]} (val mean over kinds {best[1]:.4f})")
    return model, best[0]


def main(argv: list[str] | None = None) -> None:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", default=str(EXPLAIN_EXAMPLES))
    parser.add_argument("--table", default=str(EXPLAIN_TABLE))
    parser.add_argument("--predictor", default=None,
                        help="emoji predictor folder whose token states give the context (default: the shipped one)")
    parser.add_argument("--no-context", action="store_true", help="train the ranker without the context model")
    parser.add_argument("--max-messages", type=int, default=0, help="use the first N training messages (0 = all)")
    parser.add_argument("--epochs", type=int, default=RankerConfig.epochs)
    parser.add_argument("--hidden", type=int, default=RankerConfig.hidden)
    parser.add_argument("--context-rank", type=int, default=RankerConfig.context_rank)
    parser.add_argument("--kind-balance", type=float, default=RankerConfig.kind_balance,
                        help="0 = the synthetic mix as is, 1 = every kind (homophone, literal, slang, ...) weighs the same")
    parser.add_argument("--out", default=str(RANKER_CHECKPOINT))
    args = parser.parse_args(argv)
    cfg = RankerConfig(epochs=args.epochs, hidden=args.hidden, context_rank=0 if args.no_context else args.context_rank,
                       kind_balance=args.kind_balance)
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)

    # data: sites as the runtime builds them, site vectors from the predictor's single pass
    table, lexicon = CandidateTable.load(Path(args.table)), Lexicon.load()
    counted = counted_words(table.data)
    token_states, predictor = None, None
    if cfg.context_rank:
        from assistant.core.assistant import Assistant

        predictor = Assistant(args.predictor, threads=0)
        token_states = predictor.token_states()
        if token_states is None:
            raise SystemExit(f"{predictor.model_dir}/model.onnx has no hidden_states output; re-export it with "
                             "`python -m training.export` or pass --no-context")
    vocabulary: dict[str, int] = {}
    train = load_sites(Path(args.examples), table, lexicon, "train", cfg, vocabulary, token_states, args.max_messages,
                       counted)
    val = load_sites(Path(args.examples), table, lexicon, "val", cfg, vocabulary, token_states)
    print(f"train sites {len(train.labels)} (answer not among candidates: {train.missing}), val sites {len(val.labels)}")
    embeddings = word_vectors = None
    if cfg.context_rank:
        from training.lib.quantize import embedding_table

        embeddings = embedding_table(predictor.model_dir / "model.onnx")
        word_vectors = word_vectors_of(vocabulary, token_states, embeddings)

    model, best_epoch = fit(cfg, train, val, word_vectors, embeddings.shape[1] if embeddings is not None else 0, rng)

    saved = {"state_dict": model.mlp.state_dict(), "config": asdict(cfg), "features": list(FEATURES),
             "command": " ".join(["python -m training.explain.train_ranker", *sys.argv[1:]]),
             "train_sites": len(train.labels), "train_kinds": dict(Counter(train.kinds)), "kept_epoch": best_epoch,
             "train_answers": answer_weights(train.answer_kinds, kind_weights(train.kinds, cfg.kind_balance))}
    if cfg.context_rank:
        with torch.no_grad():
            saved["context"] = {
                "site_weight": model.site.weight.T.numpy().copy(), "site_bias": model.site.bias.numpy().copy(),
                "piece_vectors": (torch.tensor(embeddings) @ model.piece.weight.T).numpy(),
                "predictor_sha256": token_states.model_sha256,
                "predictor": f"{predictor.manifest.name} {predictor.manifest.version}"}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    torch.save(saved, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
