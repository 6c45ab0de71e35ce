"""A language's emoji-labelled chat → assistant/core/data/chat_ngrams/<lang>.npz: the hashed
n-gram model the runtime fuses with the encoder (assistant.core.chat_ngrams).

For each language: a logistic regression over the hashed n-gram features of the chat
sources' training split (the split training.prepare makes, so held-out messages stay
unseen), its regularisation and its fusion weight chosen together on the validation
split by the fused list's top-5 (then top-1), with the encoder's probabilities from the
shipped model. Weights are stored as int8 with one scale per emoji.

    python -m training.build_chat_ngrams --examples build/examples.jsonl --langs ru
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from assistant.core import Assistant
from assistant.core.chat_ngrams import DATA_DIR, ChatNgrams, bucket, fuse, hashed, ngram_counts
from assistant.core.normalize import normalize_text
from training.lib.defaults import EXAMPLES, MODEL_DIR, RUNTIME_DATA
from training.lib.quantize import quantize_rows

CHAT_SOURCES = ("tweeteval", "semeval_us_trial", "semeval_es_trial", "telegram_ru")
BUCKETS = 2 ** 15
C_GRID = (0.3, 1.0, 3.0)
WEIGHT_GRID = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)  # 0: the n-grams left out, if they help nowhere


def idf_of(texts: list[str], buckets: int) -> np.ndarray:
    """Smoothed inverse document frequency per bucket, as scikit-learn's TfidfVectorizer computes it."""
    df = np.zeros(buckets, dtype=np.float64)
    for text in texts:
        df[list({bucket(gram, buckets) for gram in ngram_counts(text)})] += 1
    return (np.log((1 + len(texts)) / (1 + df)) + 1).astype(np.float32)


def matrix(texts: list[str], buckets: int, idf: np.ndarray):
    from scipy.sparse import csr_matrix

    indptr, indices, values = [0], [], []
    for text in texts:
        ids, vals = hashed(text, buckets, idf)
        indices.extend(ids.tolist()), values.extend(vals.tolist())
        indptr.append(len(indices))
    return csr_matrix((values, indices, indptr), shape=(len(texts), buckets), dtype=np.float32)


def list_scores(probs: np.ndarray, labels: list[str], answers: list[str]) -> tuple[float, float]:
    """(top-1 %, top-5 %) of the writer's emoji in the ranked `labels`."""
    index = {label: i for i, label in enumerate(labels)}
    gold = np.array([index.get(a, -1) for a in answers])
    top = np.argsort(-probs, axis=1)[:, :5]
    return round(100 * float(np.mean(top[:, 0] == gold)), 2), round(100 * float(np.mean((top == gold[:, None]).any(1))), 2)


def build(lang: str, rows: list[dict], assistant: Assistant, buckets: int) -> tuple[dict, dict]:
    """(npz arrays, report) for one language."""
    from sklearn.linear_model import LogisticRegression

    split = {name: [r for r in rows if r["split"] == name] for name in ("train", "val")}
    texts = {name: [normalize_text(r["text"]) for r in part] for name, part in split.items()}
    answers = {name: [r["emoji"] for r in part] for name, part in split.items()}
    idf = idf_of(texts["train"], buckets)
    x_train = matrix(texts["train"], buckets, idf)  # validation messages are scored as the runtime scores them
    encoder = assistant.probabilities(texts["val"], [lang] * len(texts["val"]), chat_habits=False)
    report = {"train": len(texts["train"]), "val": len(texts["val"]),
              "val_encoder_alone": list_scores(encoder, assistant.labels, answers["val"]), "grid": []}
    best = None
    for c in tqdm(C_GRID, desc=f"{lang}: regularisation", leave=False):
        fit = LogisticRegression(C=c, max_iter=3000).fit(x_train, answers["train"])
        rows_, scale = quantize_rows(fit.coef_)  # one scale per emoji
        model = ChatNgrams(lang, list(fit.classes_), idf, (rows_.astype(np.float32) * scale[:, None]).T,
                           fit.intercept_.astype(np.float32), 1.0)
        own = np.stack([model.probabilities(t) for t in texts["val"]])
        for weight in WEIGHT_GRID:
            fused = fuse(own, model.emojis, assistant.labels, encoder, weight)
            top1, top5 = list_scores(fused, assistant.labels, answers["val"])
            report["grid"].append({"C": c, "weight": weight, "top1": top1, "top5": top5})
            if best is None or (top5, top1) > (best[0], best[1]):
                best = (top5, top1, c, weight, rows_, scale, fit)
    top5, top1, c, weight, rows_, scale, fit = best
    report.update(C=c, weight=weight, val_fused=(top1, top5))
    arrays = {"lang": np.array(lang), "emojis": np.array(list(fit.classes_)), "idf": idf.astype(np.float16),
              "weights_int8": np.ascontiguousarray(rows_.T), "weight_scale": scale.astype(np.float32),
              "bias": fit.intercept_.astype(np.float32), "weight": np.array(weight, dtype=np.float32),
              "report": np.array(json.dumps(report))}
    return arrays, report


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=Path, default=EXAMPLES)
    parser.add_argument("--model", type=Path, default=MODEL_DIR, help="the encoder whose probabilities it is fused with")
    parser.add_argument("--langs", nargs="+", default=["ru"], help="languages to build (each needs labelled chat)")
    parser.add_argument("--buckets", type=int, default=BUCKETS)
    parser.add_argument("--out", type=Path, default=RUNTIME_DATA / DATA_DIR)
    args = parser.parse_args(argv)

    rows = [json.loads(line) for line in args.examples.open(encoding="utf-8")]
    assistant = Assistant(args.model, threads=0)
    args.out.mkdir(parents=True, exist_ok=True)
    reports = {}
    for lang in args.langs:
        chat = [r for r in rows if r["lang"] == lang and r["source"] in CHAT_SOURCES]
        if not any(r["split"] == "train" for r in chat) or not any(r["split"] == "val" for r in chat):
            raise SystemExit(f"{lang}: no emoji-labelled chat with train and val splits in {args.examples}")
        arrays, reports[lang] = build(lang, chat, assistant, args.buckets)
        path = args.out / f"{lang}.npz"
        np.savez_compressed(path, **arrays)
        r = reports[lang]
        print(f"{lang}: {r['train']} training messages, C {r['C']}, weight {r['weight']}; validation top-1/top-5 "
              f"encoder alone {r['val_encoder_alone']}, fused {r['val_fused']}; wrote {path} "
              f"({path.stat().st_size / 1e6:.1f} MB)")
    return reports


if __name__ == "__main__":
    main()
