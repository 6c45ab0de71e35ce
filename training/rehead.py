"""Retrain a shipped predictor's head over its frozen encoder: the training mix plus the
hand-written feelings set, with new labels for the feelings the corpora lack.

The corpora teach the model tweets, Reddit comments, subtitles and Russian comments; none of
them has a message that says "I have the flu" or "so tired" with an emoji, in any language.
`training/data/feelings_train.jsonl.gz` does, in 39 languages (its `val` rows are kept out). This
refits the head (mean token state → logits: a linear map, and beside it a small
one-hidden-layer correction that also reads the last layer's max and a lower layer's mean,
training.lib.head.CORRECTION_VIEWS) on a sample of the training mix and those messages, the linear map
starting from the shipped one and held near it, the correction starting at zero output, so
the chat sets keep what they had; an emoji the feelings messages use at least `min_uses`
times that the model lacks (🤒, 😴, 🥱 …) becomes a new label. The encoder is untouched: a
message costs about the same, and the explain model, which reads the encoder's token
states, stays bound (it is rebound to the new file after a check that the states are
identical).

    python -m training.rehead --model models/emoji-predictor --examples build/examples.jsonl \
        --version 0.8.0 --cache build/head/features.npz
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from assistant.core.manifest import sha256_file
from training.lib.defaults import EXAMPLES, EXPLAIN_MODEL_DIR, MODEL_DIR
from training.lib.examples import read_examples
from training.lib.feelings import FEELINGS_TRAIN, as_examples, read_feelings
from training.lib.manifest_writer import command_line, head_record, save_manifest
from training.lib.neighbours import label_neighbours


@dataclass(frozen=True)
class HeadConfig:
    # training-mix rows per source: the chat sets and the emotion corpora in about their run's proportions
    per_source: dict[str, int] = field(default_factory=lambda: {
        "tweeteval": 12000, "semeval_us_trial": 8000, "semeval_es_trial": 7000, "telegram_ru": 8000,
        "goemotions": 10000, "xed_en": 5000, "xed_fi": 3000, "xed_projected": 15000})
    per_other_source: int = 5000  # rows of any source not named above
    # one feelings message weighs as much as this many mix rows; chosen on the feelings suite's development half
    # and the chat validation sets. With 1,088 training messages (0.4.0, pull 0.01): 10: dev first fit 44.1, 20: 44.9,
    # 30: 47.5, 40: 47.5; Russian list top-1 11.4, 11.1, 10.7, 10.5. With 2,720 (pull 0.01): 12: dev first fit / top 5
    # 46.6 / 74.6, 20: 50.0 / 77.1, 30: 50.8 / 80.5; Russian list top-1 10.8, 10.4, 9.8. With 4,047 at pull 0.001,
    # model alone: 20: dev 40.7 / 67.8, Russian val 9.5 / 29.5; 30: 41.5 / 68.6, 9.1 / 28.2
    # 0.6.0 (with the correction, from 0.5.0, model alone, feelings validation / development first fit; Russian and
    # TweetEval validation top-5, 300 steps): 10 (250 steps): 38.5 / 45.8, 29.2, 72.7; 20: 40.6 / 49.2, 28.9, 72.7;
    # 30: 41.5 / 49.2, 27.9, 72.4
    # 0.8.0 (7,513 messages, from 0.6.0's linear map, shipped ranking; first fit / top 5 on the 1,617 validation
    # messages, development half; Russian, TweetEval, Spanish validation top-1 / top-5): 20: 53.6 / 79.3, 76.3 / 93.2;
    # 9.8 / 30.1, 33.4 / 70.9, 26.1 / 62.9. 12 (about the total weight 4,047 messages had at 20): 51.7 / 78.3,
    # 79.7 / 93.2; 10.3 / 31.1, 34.1 / 71.9, 26.4 / 63.6
    # 0.9.0 (10,912 messages; the same measures on 3,134 validation messages): 12: 58.6 / 82.6, 78.8 / 93.2; 10.5 / 30.5,
    # 33.8 / 70.7, 26.4 / 63.0. 9 (a little under the total weight 9,220 messages had at 12): 58.2 / 82.5, 78.0 / 92.4;
    # 10.6 / 31.0, 33.4 / 71.2, 26.6 / 63.1
    feelings_weight: float = 9.0
    # each feelings message also with its first letter's case flipped, the two forms sharing its weight
    # (training.lib.feelings.case_variants)
    case_copies: bool = True
    # L2 pull of the shipped labels' weights towards their shipped values. With 4,047 feelings messages, 1,000 steps at
    # lr 0.01, model alone: 0.01: feelings validation first fit 23.8 (training messages 28.7), development 30.5;
    # 0.001: 33.0 (39.5), 41.5; 0.0003: 36.6 (47.0), 44.9, TweetEval validation top-5 72.1 (0.01: 72.6)
    pull: float = 0.0003
    # loss weight ∝ frequency^-power (capped), as training weighs classes; 0: none. On validation, TweetEval
    # closed-set macro-F1 is 24.9 at 0 (the trained head: 26.2), 26.0 at 0.5 but with 3.6 points less top-1,
    # 25.7 at 0.25 but with the Russian list's top-1 at 8.9 instead of 10.7
    class_weight_power: float = 0.0
    max_class_weight: float = 10.0
    # width of the one-hidden-layer correction beside the linear head (0: linear alone). The linear head fits the
    # first emoji of 47% of its own feelings training messages: the encoder's mean states do not separate them
    # linearly. Chosen below on the feelings validation split, the development half and the chat validation sets
    # (model alone, from 0.5.0: linear alone 36.6 / 44.9, Russian 27.7, TweetEval 72.1; 256 units at dropout 0.5, decay
    # 0.001, 300 steps at lr 0.003: 40.6 / 49.2, 28.9, 72.7; 600 steps: 40.8 / 51.7, 29.4, 72.8, development top 5 76.3
    # → 73.7; without dropout (decay 0.0001) it fits 98% of the training messages but validation gains 2.8 points and
    # the chat sets lose 1.4–2.4 top-5 points)
    correction_width: int = 256
    correction_decay: float = 1e-3  # L2 on the correction's weights
    correction_dropout: float = 0.5  # on its hidden units, in training
    min_uses: int = 8  # feelings messages listing an emoji before it becomes a new label
    max_new_labels: int = 24
    epochs: int = 300  # full-batch Adam steps (0.5.0, linear alone: 1,000 at lr 0.01)
    lr: float = 3e-3
    seed: int = 0


def mix_sample(path: Path, config: HeadConfig) -> list[dict]:
    """A seeded sample of the training split, at most config.per_source rows per source."""
    rows = read_examples(str(path))["train"]
    random.Random(config.seed).shuffle(rows)
    taken: Counter = Counter()
    sample = []
    for row in rows:
        if taken[row["source"]] < config.per_source.get(row["source"], config.per_other_source):
            taken[row["source"]] += 1
            sample.append(row)
    return sample


def new_labels(feelings: list[dict], labels: list[str], config: HeadConfig) -> list[str]:
    """Emojis the feelings messages use at least config.min_uses times that `labels` lacks, most used first."""
    uses = Counter(e for row in feelings for e in row["expected"])
    return [e for e, n in uses.most_common() if e not in labels and n >= config.min_uses][:config.max_new_labels]


def example_weights(targets: np.ndarray, config: HeadConfig) -> np.ndarray:
    """Each row's class weight (Σ target × weight of its labels), the weighted loss the run trained with."""
    from training.lib.losses import class_weights

    if not config.class_weight_power:
        return np.ones(len(targets))
    counts = np.maximum(targets.sum(0), 1.0)
    weights = class_weights(counts.tolist(), config.class_weight_power, config.max_class_weight).numpy()
    return targets @ weights


def fit_head(features: np.ndarray, targets: np.ndarray, row_weights: np.ndarray, shifts: np.ndarray,
             weight: np.ndarray, bias: np.ndarray, temperature: float, config: HeadConfig,
             correction=None) -> tuple[np.ndarray, np.ndarray, tuple | None]:
    """A head for features → targets, trained as the runtime reads it: softmax((x W + b
    [+ relu(z V + c) U] + language shift) / temperature), x the first `weight.shape[0]` columns of
    `features` (the last layer's mean), z all of them (the correction's views). Returns
    (W [hidden, labels], b, (V, c, U) or None when config.correction_width is 0). The first
    weight.shape[1] labels start from `weight`/`bias` and are pulled towards them; the others
    start at zero, a bias below. The correction starts from `correction` (a refit of a refit
    over the same views) or at zero output, and learns on standardised features with dropout
    and weight decay; the standardisation is folded into V, c."""
    import torch
    from tqdm import tqdm

    torch.manual_seed(config.seed)
    old = weight.shape[1]
    total = targets.shape[1]
    w0, b0 = torch.tensor(weight), torch.tensor(bias)
    w = torch.zeros(weight.shape[0], total)
    b = torch.full((total,), float(bias.mean()) - 1.0)
    with torch.no_grad():
        w[:, :old], b[:old] = w0, b0
    z, y, s = torch.tensor(features), torch.tensor(targets), torch.tensor(shifts)
    x = z[:, :weight.shape[0]]
    share = torch.tensor(row_weights / row_weights.sum(), dtype=torch.float32)
    parameters = [w, b]
    width = config.correction_width
    if width:
        mean, spread = z.mean(0), z.std(0) + 1e-6
        if correction is not None and correction[0].shape == (z.shape[1], width):
            inner, inner_bias, outer = map(torch.tensor, correction)
            v, c = inner * spread[:, None], inner_bias + mean @ inner  # the same map on standardised features
            u = torch.zeros(width, total)
            u[:, :old] = outer
        else:
            v, c = torch.randn(z.shape[1], width) / z.shape[1] ** 0.5, torch.zeros(width)
            u = torch.zeros(width, total)  # zero output: the refit starts from the shipped head
        parameters += [v, c, u]
    for parameter in parameters:
        parameter.requires_grad_()

    def logits(training: bool) -> torch.Tensor:
        out = x @ w + b
        if width:
            hidden = torch.relu(((z - mean) / spread) @ v + c)
            out = out + torch.nn.functional.dropout(hidden, config.correction_dropout, training) @ u
        return out

    optimizer = torch.optim.Adam(parameters, lr=config.lr)
    for _ in tqdm(range(config.epochs), desc="head", unit="step", leave=False):
        optimizer.zero_grad()
        loss = -(share * (y * torch.log_softmax((logits(True) + s) / temperature, dim=1)).sum(1)).sum()
        pull = ((w[:, :old] - w0) ** 2).sum() + ((b[:old] - b0) ** 2).sum() + 0.1 * (w[:, old:] ** 2).sum()
        decay = config.correction_decay * ((v ** 2).sum() + (u ** 2).sum()) if width else 0.0
        (loss + config.pull * pull + decay).backward()
        optimizer.step()
    fitted = None
    if width:
        with torch.no_grad():
            fitted = ((v / spread[:, None]).numpy(), (c - (mean / spread) @ v).numpy(), u.numpy())
    return w.detach().numpy(), b.detach().numpy(), fitted


def cached_features(model_dir: Path, texts: list[str], cache: Path | None, threads: int,
                    graph=None, views=None) -> np.ndarray:
    """pooled_features of `texts` (the `views`, default the last layer's mean); with `cache`, the rows
    it holds for the same encoder (another head over it included) and views are read back and only
    the texts it lacks are run. `graph`: the folder's model.onnx, when the caller has it loaded already."""
    import hashlib

    import onnx

    from training.lib.head import LAST_LAYER_MEAN, encoder_fingerprint, pooled_features

    views = tuple(views or LAST_LAYER_MEAN)
    graph = graph if graph is not None else onnx.load(str(model_dir / "model.onnx"))
    encoder = encoder_fingerprint(graph)
    if views != LAST_LAYER_MEAN:
        encoder += " " + " ".join(f"{how}{below}" for how, below in views)
    keys = [hashlib.sha1(text.encode("utf-8")).hexdigest() for text in texts]
    known: dict[str, np.ndarray] = {}
    if cache and cache.is_file():
        with np.load(cache) as saved:
            if "encoder" in saved and str(saved["encoder"]) == encoder:
                known = dict(zip(saved["texts"].tolist(), saved["features"]))
    missing = list({key: i for i, key in enumerate(keys) if key not in known}.values())  # one run per distinct text
    if missing:
        known.update(zip((keys[i] for i in missing), pooled_features(model_dir, [texts[i] for i in missing],
                                                                      views=views, threads=threads, graph=graph)))
    features = np.stack([known[key] for key in keys]) if keys else np.zeros((0, 0), dtype=np.float32)
    if cache and missing:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, encoder=encoder, texts=np.asarray(list(known)), features=np.stack(list(known.values())))
    return features


def rebind_explain(explain_dir: Path, old_sha: str, new_sha: str, predictor: str) -> str:
    """Point an explain model bound to the old predictor at the new one (same token states); a line saying so."""
    from training.explain.export_ranker import rebind

    if not (explain_dir / "manifest.json").is_file():
        return f"{explain_dir}: no explain model"
    if not rebind(explain_dir, old_sha, new_sha, predictor):
        return f"{explain_dir}: not bound to this predictor, left as it is"
    return f"{explain_dir}: bound to {predictor} (token states unchanged)"


def same_token_states(old_file: Path, new_file: Path, tokenizer: Path, texts: list[str]) -> bool:
    from assistant.core.session import OnnxSession
    from assistant.core.tokenizer import TextEncoder
    from training.export import EXPORT_MAX_LENGTH, batches

    old, new = OnnxSession(old_file), OnnxSession(new_file)
    encoder = TextEncoder(tokenizer, max_length=EXPORT_MAX_LENGTH)
    return all(np.array_equal(old.token_states(ids, mask), new.token_states(ids, mask))
               for ids, mask in batches(encoder, texts, 32))


def main(argv: list[str] | None = None) -> Path:
    import onnx

    from training.lib.calibrate import prior_shift
    from training.lib.dequantize import correction_weights, head_weights
    from training.lib.head import CORRECTION_VIEWS, LAST_LAYER_MEAN, swap_head
    from training.lib.loop import target_matrix

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=MODEL_DIR, help=f"the model to start from (default {MODEL_DIR})")
    parser.add_argument("--out", type=Path, help="where the new model goes (default: --model, in place)")
    parser.add_argument("--examples", type=Path, default=EXAMPLES, help=f"training.prepare's examples (default {EXAMPLES})")
    parser.add_argument("--feelings", type=Path, default=FEELINGS_TRAIN, help=f"default {FEELINGS_TRAIN}")
    parser.add_argument("--explain", type=Path, help="explain model to rebind (default: models/emoji-explain when "
                                                      "working in place)")
    parser.add_argument("--version", help="the new model's version (default: unchanged)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cache", type=Path, help="keep the features here (an .npz) for the next run over the same "
                                                   "model and texts")
    for name, value in asdict(HeadConfig()).items():
        if isinstance(value, bool):
            parser.add_argument(f"--{name.replace('_', '-')}", action=argparse.BooleanOptionalAction, default=value)
        elif not isinstance(value, dict):
            parser.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=value)
    args = parser.parse_args(argv)
    config = HeadConfig(**{k: getattr(args, k) for k in asdict(HeadConfig()) if k != "per_source"})
    out = args.out or args.model
    if not (args.model / "manifest.json").is_file():
        raise SystemExit(f"{args.model}: no manifest.json; pass a model folder")
    if not args.examples.is_file():
        raise SystemExit(f"{args.examples}: not found; `python -m training.prepare` writes the examples")
    if not args.feelings.is_file():
        raise SystemExit(f"{args.feelings}: not found; pass the feelings messages with --feelings")

    manifest = json.loads((args.model / "manifest.json").read_text(encoding="utf-8"))
    labels, calibration = list(manifest["labels"]), manifest.get("calibration", {})
    temperature, priors = float(calibration.get("temperature", 1.0)), calibration.get("language_priors") or {}
    graph = onnx.load(str(args.model / "model.onnx"))  # read once: the head, the encoder's fingerprint, the swap
    weight, bias = head_weights(graph)
    correction = correction_weights(graph)

    mix, feelings = mix_sample(args.examples, config), read_feelings(args.feelings)
    added = new_labels(feelings, labels, config)
    index = {e: i for i, e in enumerate(labels + added)}
    feeling_rows = as_examples(feelings, config.case_copies)
    rows = mix + feeling_rows
    targets = target_matrix(rows, index).numpy()
    keep = targets.sum(1) > 0
    print(f"{len(mix)} mix rows, {len(feelings)} feelings messages; new labels: {' '.join(added) or 'none'}")
    views = CORRECTION_VIEWS if config.correction_width else LAST_LAYER_MEAN
    features = cached_features(args.model, [r["text"] for r in rows], args.cache, args.threads,
                               graph=graph, views=views)
    row_weights = np.r_[np.ones(len(mix)), [config.feelings_weight * r["weight"] for r in feeling_rows]]
    row_weights *= example_weights(targets, config)
    shifts = np.pad(prior_shift(priors, [r["lang"] for r in rows], len(labels)), ((0, 0), (0, len(added))))
    new_weight, new_bias, new_correction = fit_head(features[keep], targets[keep], row_weights[keep], shifts[keep],
                                                    weight, bias, temperature, config, correction)

    # the new graph is written beside the old one and checked before it replaces anything
    candidate = args.model / "model.rehead.onnx"
    onnx.save(swap_head(graph, new_weight, new_bias, new_correction), str(candidate))
    if not same_token_states(args.model / "model.onnx", candidate, args.model / "tokenizer.json",
                             [r["text"] for r in feelings[:64]]):
        candidate.unlink()
        raise SystemExit(f"{args.model}: the token states changed with the head; nothing was written")
    old_sha = manifest["files"]["model.onnx"]
    if out != args.model:
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(args.model, out, ignore=shutil.ignore_patterns(candidate.name))
    candidate.replace(out / "model.onnx")

    started_from = f"{manifest['name']} {manifest['version']}"
    manifest["labels"] = labels + added
    if priors:
        calibration["language_priors"] = {lang: list(p) + [0.0] * len(added) for lang, p in priors.items()}
    manifest["calibration"] = calibration
    manifest["label_neighbours"] = label_neighbours(new_weight, labels + added)
    manifest["version"] = args.version or manifest["version"]
    manifest["files"] = {name: sha256_file(out / name) for name in manifest["files"]}
    refit = {**asdict(config), "mix_rows": len(mix), "feelings_messages": len(feelings),
             **({"correction_views": [list(v) for v in views]} if config.correction_width else {}),
             "feelings_languages": len({r["lang"] for r in feelings}),
             "feelings_file": str(args.feelings), "started_from": started_from}
    # a refit of a refit keeps the record of those before it, as what changed from this one
    extra = manifest.setdefault("extra", {})
    extra["head"] = head_record(refit, added, extra.get("head"))
    manifest.setdefault("created_by", {}).setdefault("commands", []).append(command_line("training.rehead", argv))
    save_manifest(out, manifest)
    print(f"{out}: {len(labels)} → {len(labels) + len(added)} labels, head refit")
    explain = args.explain or (EXPLAIN_MODEL_DIR if out == args.model else None)
    if explain:
        print(rebind_explain(explain, old_sha, manifest["files"]["model.onnx"], f"{manifest['name']} {manifest['version']}"))
    return out


if __name__ == "__main__":
    main()
