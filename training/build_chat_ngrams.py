"""A language's emoji-labelled chat → assistant/core/data/chat_ngrams/<lang>.npz: the hashed
n-gram model the runtime fuses with the encoder (assistant.core.chat_ngrams).

For each language: a logistic regression over the hashed n-gram features of the chat
sources' training split (the split training.prepare makes, so held-out messages stay
unseen). Its regularisation, how much of the chat's base rates it divides out and its
fusion weight are chosen together on the validation split, with the encoder's
probabilities from the shipped model:

- admissible settings leave the language's validation feelings messages (the `val` rows
  of training/data/feelings_train.jsonl.gz the detector reads as that language) no worse
  than the model alone, as the runtime ranks them: no more cheerful emojis first, and
  first fits and top-5 hits within FEELINGS_TOLERANCE points. A tweet's habits (😂 and ❤️
  under anything chatty) must not reach someone who writes that their grandfather died. The
  runtime's feeling n-grams rank after the chat's, as there, in the fit build_feeling_ngrams
  chose on validation (FEELING_NGRAMS_CHOSEN, left in build/): a shipped refit of them has seen
  these messages and would make the check lenient;
- among them, the best sum of the fused list's top-1 and top-5 and the closed-set
  macro-F1 over the chat's own emojis wins (the lists people see, and rarer emojis
  getting their share). Weight 0, the n-grams left out, is always admissible.

Weights are stored as int8 with one scale per emoji.

    python -m training.build_chat_ngrams --examples build/examples.jsonl --langs en es
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from assistant.core import Assistant
from assistant.core.chat_ngrams import DATA_DIR, ChatNgrams, bucket, fuse, hashed, ngram_counts
from assistant.core.closed_set import closed_set_metrics
from assistant.core.feeling_ngrams import FeelingNgrams
from assistant.core.normalize import normalize_text
from training.lib.defaults import EXAMPLES, FEELING_NGRAMS_CHOSEN, MODEL_DIR, RUNTIME_DATA
from training.lib.feelings import FEELINGS_TRAIN, read_feelings
from training.lib.quantize import quantize_rows
from training.open_set import K, CaseSet, score

CHAT_SOURCES = ("tweeteval", "semeval_us_trial", "semeval_es_trial", "telegram_ru")
BUCKETS = 2 ** 15
C_GRID = (0.3, 1.0, 3.0)
PRIOR_POWER_GRID = (0.0, 0.3, 0.5, 0.7, 1.0)
WEIGHT_GRID = (0.0, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0)  # 0: the n-grams left out, if they help nowhere
# points of first fit or top 5 a language's validation feelings messages may lose: about two of its
# 120 to 190 messages (the Spanish n-grams that lift Spanish chat's lists by 2.5 points moved two);
# a cheerful emoji first may not be added at all
FEELINGS_TOLERANCE = 2.0


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


def chat_scores(probs: np.ndarray, labels: list[str], answers: list[str]) -> tuple[float, float, float]:
    """(top-1 %, top-5 %) of the writer's emoji in the ranked `labels`, and the closed-set macro-F1 (%)
    over the emojis the writers used that the model knows."""
    index = {label: i for i, label in enumerate(labels)}
    gold = np.array([index.get(a, -1) for a in answers])
    top = np.argsort(-probs, axis=1)[:, :5]
    known = gold >= 0
    f1 = closed_set_metrics(probs[known], gold[known], np.unique(gold[known]))["macro_f1"] if known.any() else 0.0
    return (round(100 * float(np.mean(top[:, 0] == gold)), 2), round(100 * float(np.mean((top == gold[:, None]).any(1))), 2),
            f1)


@dataclass
class FeelingsCheck:
    """The language's validation feelings messages, ranked as the runtime ranks them."""
    case_set: CaseSet  # normalised texts
    encoder: np.ndarray  # [n, labels] the model's probabilities, without chat habits
    feeling_model: FeelingNgrams | None = None  # the feeling n-grams ranked after them (None: the shipped)
    feeling_source: str = "shipped"  # where those came from, for the report

    @classmethod
    def per_language(cls, path: Path, langs: list[str], assistant: Assistant,
                     feeling_ngrams: Path | None = None) -> dict[str, FeelingsCheck]:
        """The check of each of `langs` that has validation messages the detector reads as it, ranked
        with the feeling n-grams at `feeling_ngrams` (chosen_feeling_ngrams)."""
        if not path.is_file():
            raise SystemExit(f"{path}: no such feelings file (--no-feelings-check builds without the check)")
        feeling_model = chosen_feeling_ngrams(feeling_ngrams) if feeling_ngrams else None
        source = str(feeling_ngrams) if feeling_model is not None else "shipped"
        rows = read_feelings(path, split="val")
        clean = [normalize_text(r["text"]) for r in rows]
        detected = [assistant.detect_language(m) if m else "" for m in clean]
        checks = {}
        for lang in langs:
            mine = [i for i, code in enumerate(detected) if code == lang]
            if mine:
                case_set = CaseSet(f"feelings_{lang}", [clean[i] for i in mine], [set(rows[i]["expected"]) for i in mine],
                                   [], [bool(rows[i].get("upbeat")) for i in mine])
                checks[lang] = cls(case_set, assistant.probabilities(case_set.texts, [lang] * len(mine), chat_habits=False,
                                                                     feeling_ngrams=False), feeling_model, source)
        return checks

    def scores(self, assistant: Assistant, lang: str, model: ChatNgrams | None) -> dict:
        """top-1, top-5 and cheerful-first of the runtime's lists, with `model`'s habits fused in (None: without)."""
        texts = self.case_set.texts
        probs = assistant.with_ngrams(texts, [lang] * len(texts), self.encoder, chat_models=lambda _: model,
                                      feeling_model=self.feeling_model)
        return score([[e for e, _ in assistant.rank(m, lang, p, K)] for m, p in zip(texts, probs)], self.case_set)

    @staticmethod
    def admits(base: dict, candidate: dict) -> bool:
        """No more cheerful emojis first than the model alone, and first fits and top-5 hits within
        FEELINGS_TOLERANCE points of its."""
        return (candidate["top1"] >= base["top1"] - FEELINGS_TOLERANCE
                and candidate["top5"] >= base["top5"] - FEELINGS_TOLERANCE
                and candidate["cheerful_first"] <= base["cheerful_first"])


def softmax_coefficients(fit) -> tuple[np.ndarray, np.ndarray]:
    """([emojis, buckets], [emojis]) of a fitted logistic regression; a chat of two emojis gets a
    single row from scikit-learn (the second class's log-odds), which is the logit pair (0, z)."""
    coef, intercept = fit.coef_, fit.intercept_
    if len(fit.classes_) == 2 and coef.shape[0] == 1:
        coef, intercept = np.vstack([np.zeros_like(coef), coef]), np.concatenate([[0.0], intercept])
    return coef, intercept.astype(np.float32)


def build(lang: str, rows: list[dict], assistant: Assistant, buckets: int,
          feelings: FeelingsCheck | None = None) -> tuple[dict, dict]:
    """(npz arrays, report) for one language."""
    from sklearn.linear_model import LogisticRegression

    split = {name: [r for r in rows if r["split"] == name] for name in ("train", "val")}
    texts = {name: [normalize_text(r["text"]) for r in part] for name, part in split.items()}
    answers = {name: [r["emoji"] for r in part] for name, part in split.items()}
    idf = idf_of(texts["train"], buckets)
    x_train = matrix(texts["train"], buckets, idf)  # validation messages are scored as the runtime scores them
    encoder = assistant.probabilities(texts["val"], [lang] * len(texts["val"]), chat_habits=False, feeling_ngrams=False)
    labels = assistant.labels
    alone_top1, alone_top5, alone_f1 = chat_scores(encoder, labels, answers["val"])
    report = {"train": len(texts["train"]), "val": len(texts["val"]), "val_encoder_alone": (alone_top1, alone_top5),
              "val_encoder_alone_macro_f1": alone_f1, "grid": []}
    base_feelings = feelings.scores(assistant, lang, None) if feelings else None
    if feelings:
        report["feelings_val"] = {"n": len(feelings.case_set), "feeling_ngrams": feelings.feeling_source,
                                  "model_alone": {k: base_feelings[k] for k in ("top1", "top5", "cheerful_first")}}
    shares = Counter(answers["train"])
    best = None
    for c in tqdm(C_GRID, desc=f"{lang}: regularisation", leave=False):
        fit = LogisticRegression(C=c, max_iter=3000).fit(x_train, answers["train"])
        coef, intercept = softmax_coefficients(fit)
        rows_, scale = quantize_rows(coef)  # one scale per emoji
        emojis = list(fit.classes_)
        prior = np.array([shares[e] for e in emojis], dtype=np.float64) / len(answers["train"])
        weights = np.ascontiguousarray(rows_.T)  # as the runtime holds them
        own = np.stack([ChatNgrams(lang, emojis, idf, weights, intercept, 1.0, scale=scale).probabilities(t)
                        for t in texts["val"]])
        for power in PRIOR_POWER_GRID:
            for weight in WEIGHT_GRID:
                model = ChatNgrams(lang, emojis, idf, weights, intercept, weight,
                                   prior=prior, prior_power=power, scale=scale)
                fused = fuse(model.evidence(own), emojis, labels, encoder, weight)
                top1, top5, f1 = chat_scores(fused, labels, answers["val"])
                entry = {"C": c, "prior_power": power, "weight": weight, "top1": top1, "top5": top5, "macro_f1": f1}
                admissible = True
                if feelings and weight:
                    checked = feelings.scores(assistant, lang, model)
                    admissible = feelings.admits(base_feelings, checked)
                    entry["feelings_val"] = {k: checked[k] for k in ("top1", "top5", "cheerful_first")}
                entry["admissible"] = admissible
                report["grid"].append(entry)
                key = (round(top1 + top5 + f1, 2), -weight)
                if admissible and (best is None or key > best[0]):
                    best = (key, entry, rows_, scale, intercept, emojis, prior)
    _, entry, rows_, scale, intercept, emojis, prior = best
    report.update(C=entry["C"], prior_power=entry["prior_power"], weight=entry["weight"],
                  val_fused=(entry["top1"], entry["top5"]), val_fused_macro_f1=entry["macro_f1"])
    if "feelings_val" in entry:
        report["feelings_val"]["fused"] = entry["feelings_val"]
    arrays = {"lang": np.array(lang), "emojis": np.array(emojis), "idf": idf.astype(np.float16),
              "weights_int8": np.ascontiguousarray(rows_.T), "weight_scale": scale.astype(np.float32),
              "bias": intercept, "weight": np.array(entry["weight"], dtype=np.float32),
              "prior": prior.astype(np.float32), "prior_power": np.array(entry["prior_power"], dtype=np.float32),
              "report": np.array(json.dumps(report))}
    return arrays, report


def chosen_feeling_ngrams(path: Path) -> FeelingNgrams | None:
    """The feeling n-grams at `path`; None (the shipped ones) where there is no such file, said in one line."""
    if not path.is_file():
        print(f"{path}: not found (build_feeling_ngrams leaves it); the feelings check ranks with the shipped "
              "feeling n-grams, which make it lenient if they were refit on its messages")
        return None
    try:
        return FeelingNgrams.load(path)
    except (OSError, ValueError, KeyError) as exc:
        raise SystemExit(f"{path}: not a feeling n-gram file ({exc}); rebuild it with training.build_feeling_ngrams")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=Path, default=EXAMPLES)
    parser.add_argument("--model", type=Path, default=MODEL_DIR, help="the encoder whose probabilities it is fused with")
    parser.add_argument("--langs", nargs="+", default=["ru"], help="languages to build (each needs labelled chat)")
    parser.add_argument("--buckets", type=int, default=BUCKETS)
    parser.add_argument("--feelings", type=Path, default=FEELINGS_TRAIN,
                        help="hand-written feelings messages whose val rows each language's n-grams must not harm")
    parser.add_argument("--feeling-ngrams", type=Path, default=FEELING_NGRAMS_CHOSEN,
                        help="the feeling n-grams the check ranks with: the fit build_feeling_ngrams chose on "
                             "validation (if missing, the shipped ones)")
    parser.add_argument("--no-feelings-check", action="store_true",
                        help="choose the settings by the chat's validation split alone")
    parser.add_argument("--out", type=Path, default=RUNTIME_DATA / DATA_DIR)
    args = parser.parse_args(argv)

    rows = [json.loads(line) for line in args.examples.open(encoding="utf-8")]
    assistant = Assistant(args.model, threads=0)
    args.out.mkdir(parents=True, exist_ok=True)
    chats = {lang: [r for r in rows if r["lang"] == lang and r["source"] in CHAT_SOURCES] for lang in args.langs}
    for lang, chat in chats.items():
        if not any(r["split"] == "train" for r in chat) or not any(r["split"] == "val" for r in chat):
            raise SystemExit(f"{lang}: no emoji-labelled chat with train and val splits in {args.examples}")
    checks = {} if args.no_feelings_check else FeelingsCheck.per_language(
        args.feelings, args.langs, assistant, args.feeling_ngrams)
    reports = {}
    for lang, chat in chats.items():
        arrays, reports[lang] = build(lang, chat, assistant, args.buckets, checks.get(lang))
        path = args.out / f"{lang}.npz"
        np.savez_compressed(path, **arrays)
        r = reports[lang]
        print(f"{lang}: {r['train']} training messages, C {r['C']}, prior power {r['prior_power']}, weight "
              f"{r['weight']}; validation top-1/top-5 (macro-F1) encoder alone {r['val_encoder_alone']} "
              f"({r['val_encoder_alone_macro_f1']}), fused {r['val_fused']} ({r['val_fused_macro_f1']}); "
              f"feelings {r.get('feelings_val', 'not checked')}; wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return reports


if __name__ == "__main__":
    main()
