"""The gate: a candidate model is scored beside the current one on the fixed evaluation sets and on
held-out chat-log users, and promoted only if it is worse on none of them beyond a margin.

    emoji-train gate --candidate build/retrain/model --current models/emoji-predictor --logs build/logs.db
    emoji-train gate --candidate build/retrain/model --root /srv/emoji/models --promote --logs chatlogs.db

Sets, each scored for both models:
- closed-set TweetEval test / SemEval-2018 es held-out (with `--data`): macro-F1, as `evaluation` scores them;
- open-set (training/open_set.py): what a person sees, the shipped suggestion list's top-1 and top-5,
  on the held-out chat sets of `--examples` and the hand-written feelings suites; for the feelings
  suites also how often a non-upbeat message gets a cheerful emoji first (lower is better);
- the held-out chat-log users (`--logs`): the same open-set top-1 / top-5. Users are split by their
  pseudonym (training/lib/chat_logs.py), so none of them was trained on by the retrain.

Rule: for every (set, metric), the candidate may be worse than the current model by at most
`--margin` points. The report (report.md, gate.json, per-class F1 and label-set plots) is written
next to the candidate. Exit status 0 when the candidate passes, 3 when it is refused.
"""
from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from training.lib.chat_logs import HELDOUT_SHARE, VAL_SHARE, read_logs
from training.lib.defaults import EXAMPLES, FEELINGS_SUITES
from training.lib.manifest_writer import update_metrics

MARGIN = 1.0  # points (percent) a candidate may lose on any one metric of any one set
REFUSED = 3  # exit status of a refused candidate (0 = passed); systemd units list it as a success


@dataclass
class Check:
    set: str
    metric: str
    current: float
    candidate: float
    higher_is_better: bool = True
    n: int = 0  # messages scored

    @property
    def worse_by(self) -> float:
        """How many points the candidate loses (negative: it gains)."""
        return (self.current - self.candidate) if self.higher_is_better else (self.candidate - self.current)

    def passes(self, margin: float) -> bool:
        return self.worse_by <= margin + 1e-9


@dataclass
class Verdict:
    passed: bool
    margin: float
    checks: list[Check]
    per_class: dict  # set → {"current": {emoji: F1}, "candidate": {...}}

    @property
    def reasons(self) -> list[str]:
        failing = [c for c in self.checks if not c.passes(self.margin)]
        return [f"{c.set} {c.metric}: {c.current:.1f} → {c.candidate:.1f} "
                f"({'−' if c.higher_is_better else '+'}{abs(c.candidate - c.current):.1f} > margin {self.margin:g})"
                for c in failing]

    def why(self) -> str:
        if not self.checks:
            return "nothing to compare on (no evaluation set was found)"
        if self.passed:
            best = max(self.checks, key=lambda c: -c.worse_by)
            return (f"not worse than the current model by more than {self.margin:g} points on any of "
                    f"{len(self.checks)} scores in {len({c.set for c in self.checks})} sets "
                    f"(largest gain: {best.set} {best.metric} {best.current:.1f} → {best.candidate:.1f})")
        return "; ".join(self.reasons)

    def summary(self) -> str:
        return f"{'PASSED' if self.passed else 'REFUSED'}: {self.why()}"

    def to_dict(self) -> dict:
        return {"passed": self.passed, "margin": self.margin, "summary": self.summary(),
                "checks": [{**asdict(c), "worse_by": round(c.worse_by, 2), "passes": c.passes(self.margin)}
                           for c in self.checks], "per_class_f1": self.per_class}


def per_class_f1(predicted: list[str], gold: list[str]) -> dict[str, float]:
    """F1 (percent) of each gold emoji, open-set: a prediction is the shown list's first emoji."""
    out = {}
    for e, n in Counter(gold).most_common():
        tp = sum(p == g == e for p, g in zip(predicted, gold))
        fp = sum(p == e != g for p, g in zip(predicted, gold))
        out[e] = round(100 * 2 * tp / (2 * tp + fp + (n - tp)), 2) if tp else 0.0
    return out


def log_case_set(rows: list[dict], train_rows: list[dict]):
    """The held-out users' rows as an open-set case set: the writer's emoji is the answer."""
    from training.open_set import K, CaseSet

    constant = [e for e, _ in Counter(r["emoji"] for r in train_rows or rows).most_common(K)]
    return CaseSet("chat_logs_heldout", [r["text"] for r in rows], [{r["emoji"]} for r in rows], constant)


def open_set_checks(models: dict, case_sets: list, log) -> tuple[list[Check], dict]:
    """Shipped top-1 / top-5 (and cheerful-first for feelings suites) per set, plus per-class F1 of
    the held-out logs."""
    from training.open_set import current_rankings, score

    checks, per_class = [], {}
    for case_set in case_sets:
        scored, firsts = {}, {}
        for role, assistant in models.items():
            shipped = current_rankings(assistant, case_set)["shipped"]
            scored[role] = score(shipped, case_set)
            firsts[role] = [r[0] if r else "" for r in shipped]
        log(f"  {case_set.name} ({len(case_set)} messages): top-1 {scored['current']['top1']} → "
            f"{scored['candidate']['top1']}, top-5 {scored['current']['top5']} → {scored['candidate']['top5']}")
        for metric in ("top1", "top5"):
            checks.append(Check(case_set.name, f"open-set {metric}", scored["current"][metric],
                                scored["candidate"][metric], n=len(case_set)))
        if case_set.upbeat and scored["current"].get("non_upbeat"):
            share = {role: round(100 * s["cheerful_first"] / s["non_upbeat"], 1) for role, s in scored.items()}
            checks.append(Check(case_set.name, "cheerful first on non-upbeat (%)", share["current"],
                                share["candidate"], higher_is_better=False, n=scored["current"]["non_upbeat"]))
        if case_set.name == "chat_logs_heldout":
            gold = [next(iter(e)) for e in case_set.expected]
            per_class[case_set.name] = {role: per_class_f1(firsts[role], gold) for role in models}
    return checks, per_class


def closed_set_checks(models: dict, data: Path, examples: Path, work: Path, limit: int, log) -> tuple[list, dict]:
    """Macro-F1 on the closed evaluation sets, scored as `emoji-assistant eval` scores them, on the rows
    whose emoji both models know: a grown candidate would otherwise be scored over more (and new)
    classes than the current model, and the two figures would not compare."""
    from assistant.core.closed_set import closed_set_metrics, read_labelled, score_known
    from training.evaluation import write_eval_files

    both = set(models["current"].labels) & set(models["candidate"].labels)
    checks, per_class = [], {}
    for name, path in write_eval_files(data, examples, work).items():
        rows = read_labelled(path)
        known = [i for i, e in enumerate(rows.emojis) if e in both][: limit or None]
        rows.texts, rows.emojis = [rows.texts[i] for i in known], [rows.emojis[i] for i in known]
        if not known:
            log(f"  {name}: no message whose emoji both models know; skipped")
            continue
        metrics = {}
        for role, assistant in models.items():
            probs, gold = score_known(assistant, rows)
            metrics[role] = closed_set_metrics(probs, gold, np.unique(gold), assistant.labels)
        log(f"  {name} ({len(known)} messages): macro-F1 {metrics['current']['macro_f1']} → "
            f"{metrics['candidate']['macro_f1']}")
        checks.append(Check(name, "closed-set macro-F1", metrics["current"]["macro_f1"],
                            metrics["candidate"]["macro_f1"], n=len(known)))
        per_class[name] = {role: m["per_class_f1"] for role, m in metrics.items()}
    return checks, per_class


def run_gate(candidate: Path, current: Path, *, log_rows: list[dict], log_train_rows: list[dict] = (),
             data: Path | None = None, examples: Path | None = EXAMPLES, feelings=FEELINGS_SUITES,
             margin: float = MARGIN, limit: int = 0, work: Path | None = None, log=print) -> Verdict:
    """Score both model folders on every set found and return the verdict (nothing is written)."""
    from assistant.core import Assistant
    from training.open_set import chat_sets, hand_written_set

    models = {"current": Assistant(current, threads=0), "candidate": Assistant(candidate, threads=0)}
    log(f"gate: {models['candidate'].manifest.name} {models['candidate'].manifest.version} ({candidate}) against "
        f"{models['current'].manifest.name} {models['current'].manifest.version} ({current}), margin {margin:g} points")
    checks, per_class = [], {}
    if data:
        found, classes = closed_set_checks(models, Path(data), Path(examples), work or candidate.parent / "eval",
                                           limit, log)
        checks += found
        per_class.update(classes)
    case_sets = chat_sets(Path(examples), limit) if examples and Path(examples).is_file() else []
    for path in map(Path, feelings or []):
        if path.is_file():
            case_sets.append(hand_written_set(path))
        else:
            log(f"  {path}: not found; that suite is not scored")
    if log_rows:
        case_sets.append(log_case_set(log_rows[:limit] if limit else log_rows, list(log_train_rows)))
    else:
        log("  no held-out chat-log users: the logs are not scored (more users, or a larger --heldout-share)")
    found, classes = open_set_checks(models, case_sets, log)
    checks += found
    per_class.update(classes)
    passed = bool(checks) and all(c.passes(margin) for c in checks)
    return Verdict(passed, margin, checks, per_class)


def write_report(verdict: Verdict, out: Path, *, candidate: Path, current: Path, trained: list[str] = (),
                 growth: tuple[list[str], dict[str, int], int] | None = None) -> Path:
    """report.md, gate.json and the plots in `out`; `trained`: what the retrain did, as sentences
    (counts, no text); `growth`: (current labels, {new emoji: uses}, min count)."""
    from assistant.core.lexicon import Lexicon
    from training.lib.plots import label_growth_png, per_class_f1_png

    out.mkdir(parents=True, exist_ok=True)
    figures = []
    panels = {name: (f1["current"], f1["candidate"]) for name, f1 in verdict.per_class.items()}
    if panels:
        figures.append(("Per-class F1, current and candidate",
                        per_class_f1_png({n: _top(b, a) for n, (b, a) in panels.items()}, out / "per_class_f1.png")))
    if growth:
        figures.append(("Label set", label_growth_png(growth[0], growth[1], out / "label_growth.png", growth[2])))
    lines = [f"# Gate: {candidate} against {current}", "",
             f"**{'Promotable' if verdict.passed else 'Refused'}:** {verdict.why()}.", ""]
    if trained:
        lines += ["## What was trained", "", *[f"- {line}" for line in trained], ""]
    if growth:
        added = ", ".join(f"{e} {Lexicon.load().name(e)} ({n} uses)" for e, n in growth[1].items()) or "none"
        lines += ["## Labels", "", f"{len(growth[0])} → {len(growth[0]) + len(growth[1])}; added: {added}.", ""]
    lines += [f"## Scores (percent; the candidate may lose at most {verdict.margin:g} points on any line)", "",
              "| set | metric | messages | current | candidate | change | within margin |",
              "|---|---|---|---|---|---|---|"]
    for c in verdict.checks:
        lines.append(f"| {c.set} | {c.metric} | {c.n:,} | {c.current:.1f} | {c.candidate:.1f} | "
                     f"{c.candidate - c.current:+.1f} | {'yes' if c.passes(verdict.margin) else '**no**'} |")
    lines.append("")
    for title, path in figures:
        lines += [f"## {title}", "", f"![{title}]({path.name})", ""]
    (out / "report.md").write_text("\n".join(lines), encoding="utf-8")
    (out / "gate.json").write_text(json.dumps({**verdict.to_dict(), "candidate": str(candidate), "current": str(current),
                                               "trained": list(trained)}, ensure_ascii=False, indent=1) + "\n",
                                   encoding="utf-8")
    return out / "report.md"


def _top(before: dict, after: dict, n: int = 30) -> tuple[dict, dict]:
    """The n emojis with the most F1 in either model, so a plot stays readable."""
    keep = sorted(set(before) | set(after), key=lambda e: -max(before.get(e, 0), after.get(e, 0)))[:n]
    return {e: before.get(e, 0.0) for e in keep}, {e: after.get(e, 0.0) for e in keep}


def promote(root: Path, candidate: Path, reason: str) -> str:
    """Add the candidate to the versioned model root and make it current; returns its version name."""
    try:
        from assistant.core.versions import ModelVersions
    except ImportError as err:
        raise SystemExit("promotion needs assistant.core.versions (ModelVersions), which this checkout lacks; "
                         "run the gate without --promote, or update emoji-assistant") from err
    versions = ModelVersions(root)
    name = versions.add(candidate)
    versions.promote(name, reason=reason)
    return name


def current_of(root: Path) -> Path:
    from assistant.core.versions import ModelVersions

    return ModelVersions(root).current_dir()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidate", type=Path, required=True, help="model folder to judge")
    parser.add_argument("--current", type=Path, help="model folder it must not be worse than (default: --root's current)")
    parser.add_argument("--root", type=Path, help="versioned model root (assistant.core.versions)")
    parser.add_argument("--promote", action="store_true", help="with --root: add and promote the candidate if it passes")
    parser.add_argument("--logs", type=Path, nargs="*", default=[], help="chat-log stores: their held-out users are scored")
    parser.add_argument("--heldout-share", type=float, default=HELDOUT_SHARE, help="as the retrain used it")
    parser.add_argument("--data", type=Path, help="folder laid out like ../shared/data: closed-set TweetEval / SemEval")
    parser.add_argument("--examples", type=Path, default=EXAMPLES, help="examples.jsonl: open-set held-out chat sets")
    parser.add_argument("--feelings", type=Path, nargs="*", default=list(FEELINGS_SUITES), help="hand-written suites")
    parser.add_argument("--margin", type=float, default=MARGIN, help="points a candidate may lose on any score")
    parser.add_argument("--limit", type=int, default=0, help="messages per set (0 = all)")
    parser.add_argument("--report", type=Path, help="report folder (default: `report` beside the candidate)")
    args = parser.parse_args(argv)
    if args.promote and not args.root:
        parser.error("--promote needs --root, the versioned model root to promote into")
    current = args.current or (current_of(args.root) if args.root else None)
    if current is None:
        parser.error("give --current MODEL_DIR or --root ROOT (whose current model the candidate must beat)")
    snapshot = read_logs(args.logs, until=time.time(), heldout=args.heldout_share, val=VAL_SHARE) if args.logs else None
    verdict = run_gate(args.candidate, current, log_rows=snapshot.side("test") if snapshot else [],
                       log_train_rows=snapshot.side("train") if snapshot else [], data=args.data,
                       examples=args.examples, feelings=args.feelings, margin=args.margin, limit=args.limit)
    report = write_report(verdict, args.report or args.candidate.parent / "report", candidate=args.candidate,
                          current=current)
    try:
        update_metrics(args.candidate, "gate", {**verdict.to_dict(), "against": str(current)})
    except PermissionError:  # a version already in a root is read-only: the report holds the figures
        pass
    print(f"gate: {verdict.summary()}\nreport: {report}")
    if verdict.passed and args.promote:
        print(f"promoted {promote(args.root, args.candidate, verdict.summary())} in {args.root}")
    return 0 if verdict.passed else REFUSED


if __name__ == "__main__":
    raise SystemExit(main())
