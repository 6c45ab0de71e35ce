"""Reference baselines on the same splits as the shipped model: TF-IDF word and character
n-grams with a logistic regression (the strongest classic baseline for this task).

    python -m training.baselines --examples build/examples.jsonl --eval-dir build/eval
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from assistant.evaluation import closed_set_metrics, read_labelled
from assistant.normalize import normalize_text
from training.train import read_examples


def tfidf_logreg(train_texts: list[str], train_labels: list[str]):
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, lowercase=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, sublinear_tf=True, max_features=300_000)
    features = hstack([words.fit_transform(train_texts), chars.fit_transform(train_texts)]).tocsr()
    model = LogisticRegression(max_iter=300, C=2.0, class_weight="balanced")
    model.fit(features, train_labels)

    def predict_proba(texts):
        return model.predict_proba(hstack([words.transform(texts), chars.transform(texts)]).tocsr())

    return predict_proba, list(model.classes_)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=Path, default=Path("build/examples.jsonl"))
    parser.add_argument("--eval-dir", type=Path, default=Path("build/eval"), help="TSVs from training.evaluation")
    parser.add_argument("--out", type=Path, default=Path("build/baselines.json"))
    args = parser.parse_args(argv)

    train = read_examples(str(args.examples))["train"]
    predict_proba, classes = tfidf_logreg([r["text"] for r in train], [r["emoji"] for r in train])
    index = {e: i for i, e in enumerate(classes)}
    report = {}
    for path in sorted(args.eval_dir.glob("*.tsv")):
        rows = read_labelled(path)
        known = [i for i, e in enumerate(rows.emojis) if e in index]
        gold = np.array([index[rows.emojis[i]] for i in known])
        probs = predict_proba([normalize_text(rows.texts[i]) for i in known])
        metrics = closed_set_metrics(probs, gold, np.unique(gold))
        report[path.stem] = {k: metrics[k] for k in ("n", "top1", "top5", "macro_f1")}
        print(f"tfidf+logreg on {path.stem}: {report[path.stem]}")
    args.out.write_text(json.dumps({"tfidf_logreg": report}, indent=2) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
