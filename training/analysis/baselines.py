"""Reference baselines on the same splits as the shipped model:

- `tfidf_logreg`: TF-IDF word 1-2-grams and character 2-5-grams, one-vs-rest logistic
  regression (liblinear), the classic baseline for this task;
- `frozen_encoder`: the same encoder as the shipped model, frozen; a logistic regression on
  its mean-pooled sentence vectors (what fine-tuning adds over the pretrained encoder).

    python -m training.analysis.baselines --examples build/examples.jsonl --eval-dir build/eval
    python -m training.analysis.baselines --which frozen_encoder --encoder build/e5-small --num-layers 6

Both stay cheap on purpose: capped n-gram vocabularies, float32 features, one-vs-rest
liblinear on sparse features, lbfgs only on the 384-wide dense sentence vectors.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from assistant.core.closed_set import closed_set_metrics, read_labelled
from assistant.core.normalize import normalize_text
from training.lib.defaults import BUILD, E5_DIR, EVAL_DIR, EXAMPLES
from training.lib.examples import read_examples

BASELINES = ("tfidf_logreg", "frozen_encoder")


def tfidf_logreg(train_texts: list[str], train_labels: list[str], *, max_features: int = 100_000):
    """(score function texts → [n, classes], classes)."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=max_features,
                            dtype=np.float32)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, sublinear_tf=True,
                            max_features=max_features, dtype=np.float32)
    features = hstack([words.fit_transform(train_texts), chars.fit_transform(train_texts)]).tocsr()
    model = OneVsRestClassifier(LogisticRegression(solver="liblinear", C=1.0, class_weight="balanced", max_iter=200))
    model.fit(features, train_labels)

    def scores(texts):
        return model.decision_function(hstack([words.transform(texts), chars.transform(texts)]).tocsr())

    return scores, list(model.classes_)


def sentence_vectors(encoder_dir: str, num_layers: int, texts: list[str], *, max_length: int = 64,
                     batch_size: int = 64) -> np.ndarray:
    """Mean-pooled last hidden states of a frozen encoder, [n, hidden]."""
    import torch

    from assistant.core.tokenizer import TextEncoder
    from training.lib.model import load_encoder, tokenizer_file

    encoder = load_encoder(encoder_dir, num_layers).eval()
    tok = TextEncoder(tokenizer_file(encoder_dir), max_length=max_length)
    ids = tok.token_ids(texts)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out = np.zeros((len(ids), encoder.config.hidden_size), dtype=np.float32)
    with torch.no_grad():
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            input_ids, mask = tok.pad([ids[i] for i in idx])
            hidden = encoder(input_ids=torch.from_numpy(input_ids), attention_mask=torch.from_numpy(mask)).last_hidden_state
            m = torch.from_numpy(mask).unsqueeze(-1).float()
            out[idx] = ((hidden * m).sum(1) / m.sum(1).clamp(min=1)).numpy()
    return out


def frozen_encoder(train_texts, train_labels, *, encoder_dir: str, num_layers: int):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=500)
    model.fit(sentence_vectors(encoder_dir, num_layers, train_texts), train_labels)
    return (lambda texts: model.decision_function(sentence_vectors(encoder_dir, num_layers, texts))), list(model.classes_)


def run_baselines(examples: Path, eval_files: list[Path], which=BASELINES, *, encoder_dir: str = str(E5_DIR),
                  num_layers: int = 6, train_limit: int = 0, eval_limit: int = 0, seed: int = 0) -> dict:
    """{baseline: {eval set: {n, top1, top5, macro_f1, fit_seconds}}}; closed-set scoring as the model's."""
    rng = np.random.default_rng(seed)
    train = read_examples(str(examples))["train"]
    if train_limit and len(train) > train_limit:
        train = [train[i] for i in sorted(rng.choice(len(train), train_limit, replace=False))]
    texts, labels = [r["text"] for r in train], [r["emoji"] for r in train]
    report = {}
    for name in which:
        if name not in BASELINES:
            raise ValueError(f"unknown baseline {name!r}; expected one of {', '.join(BASELINES)}")
        started = time.time()
        if name == "tfidf_logreg":
            scores, classes = tfidf_logreg(texts, labels)
        else:
            scores, classes = frozen_encoder(texts, labels, encoder_dir=encoder_dir, num_layers=num_layers)
        fit_seconds = round(time.time() - started, 1)
        index = {e: i for i, e in enumerate(classes)}
        report[name] = {}
        for path in eval_files:
            rows = read_labelled(path)
            known = [i for i, e in enumerate(rows.emojis) if e in index]
            if eval_limit and len(known) > eval_limit:
                known = sorted(rng.choice(known, eval_limit, replace=False).tolist())
            gold = np.array([index[rows.emojis[i]] for i in known])
            s = np.asarray(scores([normalize_text(rows.texts[i]) for i in known]))
            metrics = closed_set_metrics(s, gold, np.unique(gold))
            report[name][path.stem] = {**{k: metrics[k] for k in ("n", "top1", "top5", "macro_f1")},
                                       "train_examples": len(texts), "fit_seconds": fit_seconds}
            print(f"{name} on {path.stem}: {report[name][path.stem]}", flush=True)
    return report


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=Path, default=EXAMPLES)
    parser.add_argument("--eval-dir", type=Path, default=EVAL_DIR, help="TSVs from training.evaluation")
    parser.add_argument("--out", type=Path, default=BUILD / "baselines.json")
    parser.add_argument("--which", nargs="+", default=list(BASELINES), choices=BASELINES)
    parser.add_argument("--encoder", default=str(E5_DIR), help="frozen encoder: HF id or folder")
    parser.add_argument("--num-layers", type=int, default=6, help="bottom layers kept, as the shipped model")
    parser.add_argument("--train-limit", type=int, default=0, help="subsample training messages (0 = all)")
    parser.add_argument("--eval-limit", type=int, default=0, help="subsample each evaluation set (0 = all)")
    args = parser.parse_args(argv)

    report = run_baselines(args.examples, sorted(args.eval_dir.glob("*.tsv")), args.which, encoder_dir=args.encoder,
                           num_layers=args.num_layers, train_limit=args.train_limit, eval_limit=args.eval_limit)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
