"""The explain model's kind prior: how far to move each candidate kind's score at run time.

The synthetic training data is over half sound-alikes (IER-SMCEM's recipe replaces 40% of
the words that have one), while real messages use emojis mostly for their names and for
community meanings, so the ranker's scores are shifted per candidate kind
(assistant.core.explain.Ranker adds `features[KIND_COLUMNS] @ shift`). Two steps, both on
hand-written cases (by default the development set):

1. count: log(share among the cases' answers / share among the ranker's weighted training
   answers) per kind, the label-shift correction of Saerens et al. (2002). It treats kinds
   as if every emoji offered all of them;
2. fit: from the counted shifts, the shifts that maximise the probability the exported
   ranker gives the cases' right readings, pulled back towards the counts by an L2 term.
   The fit sees which kinds compete at each emoji: 💀 offers the name "skull" and the slang
   "dead", 🐝 a name and many sound-alikes.

training.explain.export_ranker runs both steps. This module's command checks them out of sample: estimate
on one part of the development cases, score the rest through the runtime, then swap.

    python -m training.explain.kind_prior --checkpoint build/explain/ranker.pt --split 124
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from assistant.core.emojis import find_emojis
from assistant.core.explain import (KIND_COLUMNS, KINDS, PUBLIC_KIND, CandidateTable, candidate_groups, feature_rows,
                               site_fits)
from assistant.core.lexicon import Lexicon
from assistant.core.text import fold
from training.lib.defaults import EXPLAIN_MODEL_DIR, RANKER_CHECKPOINT

from .synthesize import read_cases
from .train_ranker import reads

FIT_L2 = 1e-3  # pull towards the counted shifts; chosen by fitting on one half of the development set, scoring the other


def counted_shift(train_answers: dict[str, float], real_answers: dict[str, int]) -> dict[str, float]:
    """Feature kind → log(share among real answers / share among training answers).
    `train_answers` is the loss weight the training sites put on each answer kind
    (kind_balance included); real shares are add-one smoothed counts of hand-written cases.
    Kinds are the ranker's own, so an emoji's name ("pizza") and its keywords ("food") get
    separate shifts."""
    kinds = [k for k in KINDS if train_answers.get(k)]
    trained = np.array([train_answers[k] for k in kinds], dtype=np.float64)
    real = np.array([real_answers.get(k, 0) + 1.0 for k in kinds])
    shift = np.log(real / real.sum()) - np.log(trained / trained.sum())
    return {k: round(float(v), 4) for k, v in zip(kinds, shift)}


def case_site(case: dict, table: CandidateTable, lexicon: Lexicon):
    """(sites, candidate groups, index of the case's emoji) as the runtime builds them, or None
    when the case's emoji is not found in its text."""
    text, lang = case["text"], case["lang"]
    found = find_emojis(text)
    offset = text.find(case["emoji"])
    i = next((k for k, (s, _, _) in enumerate(found) if s >= offset), None) if offset >= 0 else None
    if i is None:
        return None
    sites, groups = candidate_groups(text, found, lang, table, lambda e: lexicon.literal(e, lang))
    return sites, groups, i


def case_answer_kind(case: dict, table: CandidateTable, lexicon: Lexicon) -> str | None:
    """The feature kind of the first candidate of the case's own kind that reads a hand-written
    case right (the name before the keywords), else of any candidate that does; None when no
    candidate does. "🧢" → cap, lie written as slang counts as slang though "cap" is also its name."""
    site = case_site(case, table, lexicon)
    if site is None:
        return None
    _, groups, i = site
    answers = {fold(a) for a in case["answers"]}
    right = [c for c in groups[i] if reads(c, case["kind"], answers)]
    own = [c for c in right if PUBLIC_KIND[c.kind] == case["kind"]]
    first = next(iter(own or right), None)
    return first.kind if first else None


def case_scores(cases: list[dict], table: CandidateTable, lexicon: Lexicon, ranker, context=None) -> list[tuple]:
    """Per case with a right candidate: (unshifted ranker scores [n], kind one-hots [n, kinds],
    which candidates read it right [n] bool)."""
    out = []
    for case in cases:
        site = case_site(case, table, lexicon)
        if site is None:
            continue
        sites, groups, i = site
        answers = {fold(a) for a in case["answers"]}
        right = np.array([reads(c, case["kind"], answers) for c in groups[i]])
        if not right.any():
            continue
        fit = site_fits(case["text"], sites, groups, context)[i]
        features = feature_rows(groups[i], sites[i], table, case["lang"], fit)
        out.append((ranker.raw_scores(features), features[:, KIND_COLUMNS], right))
    return out


def fit_shift(scored: list[tuple], start: dict[str, float], l2: float = FIT_L2) -> dict[str, float]:
    """Shifts maximising the mean log probability of the right readings (softmax over each
    emoji's candidates), plus l2 * |shift - start|²; kinds no case offers keep their start."""
    import torch

    base = torch.tensor([start.get(k, 0.0) for k in KINDS], dtype=torch.float64)
    shift = base.clone().requires_grad_(True)
    data = [(torch.as_tensor(s, dtype=torch.float64), torch.as_tensor(k, dtype=torch.float64), torch.as_tensor(r))
            for s, k, r in scored]
    optimizer = torch.optim.LBFGS([shift], max_iter=200, line_search_fn="strong_wolfe")

    def loss():
        optimizer.zero_grad()
        value = l2 * ((shift - base) ** 2).sum()
        for scores, kinds, right in data:
            moved = scores + kinds @ shift
            value = value - (torch.logsumexp(moved[right], 0) - torch.logsumexp(moved, 0)) / len(data)
        value.backward()
        return value

    if data:
        optimizer.step(loss)
    return {k: round(float(v), 4) for k, v in zip(KINDS, shift.detach()) if k in start}


def evidence(ckpt: dict, cases: list[dict], table: CandidateTable, ranker, context=None) -> tuple:
    """(real answer kinds, counted shifts, case_scores) of hand-written `cases`: what the fit starts from and fits."""
    if "train_answers" not in ckpt:
        raise ValueError("the checkpoint does not record its training answers; retrain it or pass --kind-prior ''")
    lexicon = Lexicon.load()
    real = Counter(kind for kind in (case_answer_kind(case, table, lexicon) for case in cases) if kind)
    return real, counted_shift(ckpt["train_answers"], real), case_scores(cases, table, lexicon, ranker, context)


def estimate(ckpt: dict, cases: list[dict], table: CandidateTable, ranker, context=None, l2: float = FIT_L2) -> dict:
    """Counted and fitted shifts from hand-written `cases`, with what they were estimated from."""
    real, counted, scored = evidence(ckpt, cases, table, ranker, context)
    return {"shift": fit_shift(scored, counted, l2), "counted": counted, "fit": {"l2": l2, "cases": len(scored)},
            "real_answers": {k: real[k] for k in KINDS if k in real}, "train_answers": ckpt["train_answers"]}


def kind_prior(ckpt: dict, cases_path: str, table: CandidateTable, ranker, context=None, l2: float = FIT_L2) -> dict:
    """The manifest's `kind_prior`: counted and fitted shifts from the hand-written cases in `cases_path`."""
    return {**estimate(ckpt, read_cases(cases_path), table, ranker, context, l2), "real_cases": cases_path}


def cross_check(ckpt: dict, decoder, cases: list[dict], split: int, l2s: tuple[float, ...]) -> list[dict]:
    """The prior estimated on cases[:split] and scored on cases[split:] through the runtime,
    then the other way round: counted, and fitted with each L2 weight in `l2s`."""
    from .evaluate_readings import handwritten

    lexicon, halves = Lexicon.load(), (cases[:split], cases[split:])
    rows = []
    for fit_on, score_on in (halves, halves[::-1]):
        _, counted, scored = evidence(ckpt, fit_on, decoder.table, decoder.ranker, decoder.context)
        priors = [("counted", counted)] + [(f"fitted, L2 {l2:g}", fit_shift(scored, counted, l2)) for l2 in l2s]
        for name, shift in priors:
            decoder.ranker.kind_shift = np.array([shift.get(k, 0.0) for k in KINDS], dtype=np.float32)
            rows.append({"prior": name, "estimated_on": len(fit_on), "scored_on": len(score_on),
                         **handwritten(score_on, decoder, lexicon)["all"]})
    return rows


def main(argv: list[str] | None = None) -> None:
    import argparse

    import torch

    from assistant.core.assistant import Assistant
    from assistant.core.explain import Decoder

    from .synthesize import EVALUATION_CASES

    parser = argparse.ArgumentParser(description="Cross-check the explain model's kind prior: estimate it on one part of "
                                                 "the hand-written cases, score the rest, and the other way round.")
    parser.add_argument("--checkpoint", default=str(RANKER_CHECKPOINT))
    parser.add_argument("--decoder", default=str(EXPLAIN_MODEL_DIR), help="the exported explain model of that checkpoint")
    parser.add_argument("--predictor", default=None, help="the emoji predictor it was trained with (default: shipped)")
    parser.add_argument("--cases", default=EVALUATION_CASES[1], help="hand-written cases (default: the development set)")
    parser.add_argument("--split", type=int, default=0, help="the first part is cases[:SPLIT] (default: half)")
    parser.add_argument("--l2", type=float, nargs="+", default=[1e-2, FIT_L2], help="fit L2 weights to compare")
    args = parser.parse_args(argv)
    cases = read_cases(args.cases)
    split = args.split or len(cases) // 2
    if not 0 < split < len(cases):
        parser.error(f"--split must be between 1 and {len(cases) - 1}, got {split}")
    ckpt = torch.load(args.checkpoint, map_location="cpu", weights_only=False)
    decoder = Decoder.load(Path(args.decoder), token_states=Assistant(args.predictor, threads=0).token_states())
    try:
        rows = cross_check(ckpt, decoder, cases, split, tuple(args.l2))
    except ValueError as err:
        raise SystemExit(f"error: {err}") from None
    for row in rows:
        print(f"{row['prior']:<20} estimated on {row['estimated_on']:>4}, scored on {row['scored_on']:>4}: "
              f"top-1 {row['top1']:.3f}  top-3 {row['top3']:.3f}")


if __name__ == "__main__":
    main()
