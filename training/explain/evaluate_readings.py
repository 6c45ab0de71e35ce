"""The explain model, measured through the runtime (assistant.core.explain): recovery, hand-written cases, downstream, latency.

- synthetic: top-1/top-3 recovery of the replaced word on the held-out (test) split, per
  language and kind (IER-SMCEM reports 98.03% on its zh/en synthetic data), as shipped and
  without the kind prior (the ranker on the mix it was trained for);
- handwritten: tests/data/explain_cases.jsonl (written by hand, never trained or tuned on);
- handwritten_dev: training/explain/data/dev_cases.jsonl (written by hand apart from the test
  cases, never trained on; model choices are compared on it, `--dev-only` scores it alone);
- downstream (optional, --ss-twitter FILE): a TF-IDF + logistic-regression sentiment
  classifier trained on clean SS-Twitter train; test accuracy on clean, emoji-obfuscated
  (synthesize.py, English table; 10 draws, --downstream-seeds) and `rewritten` text;
- latency: explain() p50/p95 on one thread, messages with one to three emojis.

    python -m training.explain.evaluate_readings --examples build/explain/examples.jsonl \
        --ss-twitter ../shared/data/deepmoji_benchmarks/SS-Twitter.jsonl --write-manifest
"""
from __future__ import annotations

import argparse
import json
import random
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from assistant.core.emojis import canonical
from assistant.core.explain import Decoder, explain
from assistant.core.lexicon import Lexicon
from assistant.core.text import fold
from training.lib.defaults import EXPLAIN_BUILD, EXPLAIN_EXAMPLES, EXPLAIN_MODEL_DIR
from training.lib.manifest_writer import save_manifest

from .synthesize import read_cases


def hit(readings, answers: list[str], kind: str, k: int) -> bool:
    top = readings[:k]
    if kind == "decorative":
        return any(r.kind == "decorative" for r in top)
    wanted = {fold(a) for a in answers}
    return any(fold(r.text) in wanted for r in top)


def _tally(table, keys, readings, answers, kind):
    for key in keys:
        table[key]["n"] += 1
        table[key]["top1"] += hit(readings, answers, kind, 1)
        table[key]["top3"] += hit(readings, answers, kind, 3)


def _rates(table) -> dict:
    return {key: {"n": v["n"], "top1": round(v["top1"] / v["n"], 4), "top3": round(v["top3"] / v["n"], 4)}
            for key, v in sorted(table.items())}


def synthetic(examples: Path, decoder: Decoder, lexicon: Lexicon, split: str = "test") -> dict:
    table = defaultdict(lambda: defaultdict(int))
    with examples.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["split"] != split:
                continue
            out = explain(row["text"], row["lang"], lexicon, decoder)
            for target in row["targets"]:
                item = next((e for e in out.emojis if e.start >= target["offset"]), None)
                readings = item.readings if item else []
                keys = ["all", row["lang"], target["kind"], f"{row['lang']}/{target['kind']}"]
                if " " in target["emoji"].strip():  # a split pun ("🐝 leaf"), also reported on its own
                    keys.append(f"{target['kind']}, written apart")
                _tally(table, keys, readings, [target["answer"]], target["kind"])
    return _rates(table)


def handwritten(cases: list[dict], decoder: Decoder, lexicon: Lexicon, *, detect: bool = False) -> dict:
    """Top-1/top-3 per language, kind and group (glued, close_sound, short_phrase; "older" for
    cases without one); `detect`: the language detected as `emoji-assistant explain` detects it,
    not the case's own."""
    from assistant.core.language import detect_language

    table = defaultdict(lambda: defaultdict(int))
    for case in cases:
        lang = detect_language(case["text"], prefer=decoder.languages) if detect else case["lang"]
        out = explain(case["text"], lang, lexicon, decoder)
        item = next((e for e in out.emojis if e.emoji == canonical(case["emoji"])), None)
        group = case.get("group", "older")
        _tally(table, ["all", case["lang"], case["kind"], group, f"{group}/{case['lang']}"],
               item.readings if item else [], case["answers"], case["kind"])
    return _rates(table)


DOWNSTREAM_SEEDS = 10  # obfuscations of the test split: one costs only ~27 of 1,213 tweets, too few to read alone


class DownstreamCheck:
    """IER-SMCEM's downstream check on SS-Twitter, built once and scored per decoder: a TF-IDF +
    logistic-regression sentiment classifier trained on clean train+val, and the test split
    obfuscated `seeds` times (synthesize.py, English table)."""

    def __init__(self, path: Path, table_data: dict, seeds: int = DOWNSTREAM_SEEDS):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        from .synthesize import Substitutions, SynthConfig, synthesize

        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        train = [r for r in rows if r["split"] in ("train", "val")]
        test = [r for r in rows if r["split"] == "test"]
        self._vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)
        self._classifier = LogisticRegression(max_iter=2000, C=4.0).fit(
            self._vectorizer.fit_transform([r["text"] for r in train]), [r["label"] for r in train])
        self._labels = np.array([r["label"] for r in test])
        self.clean = [r["text"] for r in test]
        subs, cfg = Substitutions(table_data, "en"), SynthConfig(decorative_rate=0.0)
        self.obfuscated = []  # one list of test texts per seed
        for seed in range(13, 13 + seeds):
            rng = random.Random(seed)
            made = [synthesize(text, "en", subs, rng, cfg) for text in self.clean]
            self.obfuscated.append([m["text"] if m else text for m, text in zip(made, self.clean)])

    def accuracy(self, texts: list[str]) -> float:
        return float(np.mean(self._classifier.predict(self._vectorizer.transform(texts)) == self._labels))

    def score(self, decoder: Decoder, lexicon: Lexicon) -> dict:
        """Accuracy on clean, obfuscated and `rewritten` text (means over the seeds), and the share
        of the obfuscation loss that rewriting recovers, pooled (mean gain over mean loss) and per seed."""
        clean = self.accuracy(self.clean)
        per_seed = [(self.accuracy(texts), self.accuracy([explain(t, "en", lexicon, decoder).rewritten for t in texts]))
                    for texts in self.obfuscated]
        obfuscated, rewritten = (float(np.mean(column)) for column in zip(*per_seed))

        def share(obf: float, rew: float) -> float | None:
            return round((rew - obf) / (clean - obf), 4) if clean > obf else None

        return {"clean": round(clean, 4), "obfuscated": round(obfuscated, 4), "rewritten": round(rewritten, 4),
                "recovered_share": share(obfuscated, rewritten),
                "per_seed_shares": [share(obf, rew) for obf, rew in per_seed],
                "seeds": len(self.obfuscated), "n_test": len(self.clean)}


@contextmanager
def without_prior(decoder: Decoder):
    """The decoder with its kind prior switched off for the duration."""
    shift = decoder.ranker.kind_shift
    decoder.ranker.kind_shift = np.zeros_like(shift)
    try:
        yield decoder
    finally:
        decoder.ranker.kind_shift = shift


def latency(cases: Path, decoder: Decoder, lexicon: Lexicon, repeats: int = 5) -> dict:
    msgs = [json.loads(line) for line in cases.read_text(encoding="utf-8").splitlines()]
    msgs += [{"text": "🚀 to the 🌕 💎🙌 now", "lang": "en"}, {"text": "我🦆🍐好大😭😭", "lang": "zh"}]
    for m in msgs[:10]:
        explain(m["text"], m["lang"], lexicon, decoder)  # warm-up
    times = []
    for _ in range(repeats):
        for m in msgs:
            t0 = time.perf_counter()
            explain(m["text"], m["lang"], lexicon, decoder)
            times.append((time.perf_counter() - t0) * 1000)
    return {"p50_ms": round(float(np.percentile(times, 50)), 2), "p95_ms": round(float(np.percentile(times, 95)), 2),
            "messages": len(times), "threads": 1}


def merged_metrics(old: dict, report: dict, predictor: str) -> dict:
    """The manifest's metrics with this run's measures in place of their old values; what this run left out (the
    synthetic test, the downstream check) keeps its old figures, and `measured_with` says which predictor gave each."""
    measured_with = {key: old.get("measured_with", {}).get(key, "") for key in old if key != "measured_with"}
    measured_with.update(dict.fromkeys(report, predictor))
    return {**{k: v for k, v in old.items() if k != "measured_with"}, **report, "measured_with": measured_with}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decoder", default=str(EXPLAIN_MODEL_DIR))
    parser.add_argument("--predictor", default=None, help="emoji predictor giving the context (default: the shipped one)")
    parser.add_argument("--examples", default=str(EXPLAIN_EXAMPLES))
    parser.add_argument("--cases", default="tests/data/explain_cases.jsonl")
    parser.add_argument("--dev-cases", default="training/explain/data/dev_cases.jsonl")
    parser.add_argument("--dev-only", action="store_true",
                        help="score the development cases alone (for comparing model choices: the test cases stay unseen)")
    parser.add_argument("--skip-synthetic", action="store_true",
                        help="leave out the synthetic test (when --examples was not made here)")
    parser.add_argument("--ss-twitter", default=None, help="SS-Twitter.jsonl for the downstream check")
    parser.add_argument("--downstream-seeds", type=int, default=DOWNSTREAM_SEEDS,
                        help="obfuscations of the SS-Twitter test split to average over")
    parser.add_argument("--out", default=str(EXPLAIN_BUILD / "eval.json"))
    parser.add_argument("--write-manifest", action="store_true", help="store the metrics in the explain manifest")
    args = parser.parse_args(argv)
    if args.downstream_seeds < 1:
        parser.error(f"--downstream-seeds must be at least 1, got {args.downstream_seeds}")
    if not args.dev_only and not args.skip_synthetic and not Path(args.examples).is_file():
        parser.error(f"{args.examples}: no synthetic test messages (make them with training.explain.synthesize, "
                     f"or pass --skip-synthetic)")
    from assistant.core.assistant import Assistant

    predictor = Assistant(args.predictor)
    decoder = Decoder.load(Path(args.decoder), token_states=predictor.token_states())
    print(f"decoder: {decoder.describe()}")
    lexicon = Lexicon.load()
    dev = handwritten(read_cases(args.dev_cases), decoder, lexicon)
    if args.dev_only:
        print(json.dumps({"given language": dev, "detected language": handwritten(
            read_cases(args.dev_cases), decoder, lexicon, detect=True)}, ensure_ascii=False, indent=1))
        return
    report = {}
    if not args.skip_synthetic:
        report["synthetic_test"] = synthetic(Path(args.examples), decoder, lexicon)
        with without_prior(decoder):
            report["synthetic_test_without_prior"] = synthetic(Path(args.examples), decoder, lexicon)
    report["handwritten"] = handwritten(read_cases(args.cases), decoder, lexicon)
    report["handwritten_detected_language"] = handwritten(read_cases(args.cases), decoder, lexicon, detect=True)
    report["handwritten_dev"] = dev
    report["latency"] = latency(Path(args.cases), decoder, lexicon)
    if args.ss_twitter:
        check = DownstreamCheck(Path(args.ss_twitter), decoder.table.data, args.downstream_seeds)
        report["downstream_ss_twitter"] = check.score(decoder, lexicon)
        with without_prior(decoder):
            report["downstream_ss_twitter_without_prior"] = check.score(decoder, lexicon)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=1))
    if args.write_manifest:
        path = Path(args.decoder) / "manifest.json"
        manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest["metrics"] = merged_metrics(manifest.get("metrics") or {}, report,
                                             f"{predictor.manifest.name} {predictor.manifest.version}")
        save_manifest(path.parent, manifest)


if __name__ == "__main__":
    main()
