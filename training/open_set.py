"""What a person sees: the suggestion lists as every surface shows them, scored open-set.

For each set the writer's own emoji (chat sets) or any emoji a person would accept (the
hand-written suites: feelings, and topics that name a thing) must be first (top-1) or among
the five shown (top-5), whatever emoji it is: an emoji the model cannot predict counts as a
miss. Each set is scored for
- `shipped`: the model with its language's chat n-grams, keyword fusion, feeling agreement
  and the popularity prior (`Assistant.suggest`, the language detected as the surfaces detect it);
- `model_alone`: the encoder's own five most probable labels (no n-grams, no ranking);
- `constant`: the five emojis commonest in the set's training data, for every message;
- `previous`: an earlier release run from its own code (`--previous REF`, a git ref).
The feelings suites also count non-upbeat messages with a cheerful emoji first. Every suite
is scored a second time with each message's first letter capitalised (`<suite>_capitalised`),
as phones type them: the suites are written mostly in lower case, as people chat.

    python -m training.open_set --model models/emoji-predictor --examples build/examples.jsonl \
        --suites training/data/feelings_dev.jsonl training/data/feelings_test.jsonl \
        training/data/topics_dev.jsonl training/data/topics_test.jsonl --previous v0.2.2
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from assistant.core import Assistant
from assistant.core.emojis import canonical
from assistant.core.feelings import CHEERFUL
from assistant.core.normalize import normalize_text
from assistant.core.popularity import popularity
from training.lib.defaults import BUILD, EXAMPLES, MODEL_DIR
from training.lib.model_card import open_set_table

CHAT_SETS = {  # name → (sources in examples.jsonl, split)
    "telegram_ru_heldout": (("telegram_ru",), "test"),
    "tweeteval_test": (("tweeteval",), "test"),
    "es_trial_heldout": (("semeval_es_trial",), "test"),
}
CONSTANT_FROM = {  # whose training messages give a set's constant list
    "telegram_ru_heldout": ("telegram_ru",),
    "tweeteval_test": ("tweeteval", "semeval_us_trial"),
    "es_trial_heldout": ("semeval_es_trial",),
}
K = 5


@dataclass
class CaseSet:
    name: str
    texts: list[str]
    expected: list[set[str]]  # acceptable emojis per message
    constant: list[str]  # the constant baseline's list
    upbeat: list[bool] = field(default_factory=list)  # feelings suites only

    def __len__(self) -> int:
        return len(self.texts)


def chat_sets(examples: Path, limit: int = 0) -> list[CaseSet]:
    """The held-out chat messages of examples.jsonl, with the writer's emoji as the answer."""
    rows = [json.loads(line) for line in examples.open(encoding="utf-8")]
    sets = []
    for name, (sources, split) in CHAT_SETS.items():
        chosen = [r for r in rows if r["source"] in sources and r["split"] == split]
        if limit:
            chosen = chosen[:limit]
        counts = Counter(r["emoji"] for r in rows if r["source"] in CONSTANT_FROM[name] and r["split"] == "train")
        if chosen:
            sets.append(CaseSet(name, [r["text"] for r in chosen], [{r["emoji"]} for r in chosen],
                                [e for e, _ in counts.most_common(K)]))
    return sets


def hand_written_set(path: Path) -> CaseSet:
    """A hand-written suite: {"text", "lang", "expected": [...]} per line, and in the feelings
    suites also "upbeat" and "laughter" (the topics suites, which name things, have neither)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    marked = sum("upbeat" in r for r in rows)
    if 0 < marked < len(rows):
        raise SystemExit(f"{path}: {len(rows) - marked} of {len(rows)} messages lack \"upbeat\"; "
                         "mark every message or none")
    upbeat = [bool(r["upbeat"]) for r in rows] if marked else []
    return CaseSet(path.stem, [r["text"] for r in rows], [{canonical(e) for e in r["expected"]} for r in rows],
                   list(popularity("*"))[:K], upbeat)


def capitalised(case_set: CaseSet) -> CaseSet:
    """The same messages with their first letter capitalised."""
    return CaseSet(f"{case_set.name}_capitalised", [t[:1].upper() + t[1:] for t in case_set.texts],
                   case_set.expected, case_set.constant, case_set.upbeat)


def score(rankings: list[list[str]], case_set: CaseSet) -> dict:
    """top-1 and top-5 in percent; for feelings suites also the first-fit figures on non-upbeat messages."""
    first = [bool(r) and r[0] in ok for r, ok in zip(rankings, case_set.expected)]
    five = [bool(set(r[:K]) & ok) for r, ok in zip(rankings, case_set.expected)]
    out = {"n": len(case_set), "top1": round(100 * float(np.mean(first)), 1), "top5": round(100 * float(np.mean(five)), 1)}
    if case_set.upbeat:
        sombre = [i for i, up in enumerate(case_set.upbeat) if not up]
        out["non_upbeat"] = len(sombre)
        out["cheerful_first"] = sum(1 for i in sombre if rankings[i] and rankings[i][0] in CHEERFUL)
    return out


def current_rankings(assistant: Assistant, case_set: CaseSet, batch: int = 512) -> dict[str, list[list[str]]]:
    """`shipped` and `model_alone` lists for every message, one model pass."""
    shipped, alone = [], []
    labels = np.array(assistant.labels)
    for start in tqdm(range(0, len(case_set), batch), desc=case_set.name, unit="batch", leave=False):
        texts = case_set.texts[start:start + batch]
        clean = [normalize_text(t) for t in texts]
        langs = [assistant.detect_language(message) for message in clean]
        encoder = assistant.probabilities(clean, langs, chat_habits=False, feeling_ngrams=False)
        probs = assistant.with_ngrams(clean, langs, encoder)
        for message, p, own, lang in zip(clean, probs, encoder, langs):
            shipped.append([e for e, _ in assistant.rank(message, lang, p, K)] if message else [])
            alone.append(list(labels[np.argsort(-own, kind="stable")[:K]]))
    return {"shipped": shipped, "model_alone": alone, "constant": [case_set.constant] * len(case_set)}


def release_env(tree: Path) -> dict[str, str]:
    """The environment that runs a checked-out release with its own code and its own model: an
    installed (or editable) package resolves `assistant.core.models` to its own checkout, so the
    release's model folder is named outright."""
    from assistant.core.versions import MODEL_ENV

    env = {**os.environ, "PYTHONPATH": str(tree.resolve())}
    model = tree.resolve() / MODEL_DIR
    if model.is_dir():
        env[MODEL_ENV] = str(model)
    return env


def release_rankings(ref: str, case_set: CaseSet, workdir: Path) -> list[list[str]]:
    """The lists an earlier release shows: its own code and model, checked out at `ref`."""
    tree = workdir / ref.replace("/", "_")
    if not tree.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), ref], check=True, capture_output=True)
    lines = "".join(" ".join(t.split()) + "\n" for t in case_set.texts)
    env = release_env(tree)
    proc = subprocess.run([sys.executable, "-m", "assistant", "suggest", "-", "--json", "--top", str(K)],
                          input=lines, capture_output=True, text=True, cwd=tree, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"release {ref} failed: {proc.stderr.strip().splitlines()[-1:]}")
    out = [[s["emoji"] for s in json.loads(line)["suggestions"]] for line in proc.stdout.splitlines()]
    if len(out) != len(case_set):
        raise SystemExit(f"release {ref} answered {len(out)} lines for {len(case_set)} messages")
    return out


def plot(report: dict, path: Path) -> Path:
    from training.lib.plots import _pyplot

    plt = _pyplot()
    systems = [s for s in ("previous", "shipped", "model_alone", "constant") if any(s in r for r in report.values())]
    names = list(report)
    fig, axes = plt.subplots(1, 2, figsize=(12, 0.6 * len(names) + 2), sharey=True)
    height = 0.8 / len(systems)
    for ax, metric in zip(axes, ("top1", "top5")):
        for i, system in enumerate(systems):
            values = [report[n].get(system, {}).get(metric, 0) for n in names]
            ys = np.arange(len(names)) + i * height
            ax.barh(ys, values, height=height, label=system)
            for y, v in zip(ys, values):
                ax.text(v + 0.5, y, f"{v:.0f}", va="center", fontsize=7)
        ax.set_yticks(np.arange(len(names)) + 0.4 - height / 2, names)
        ax.set_xlim(0, 105)
        ax.set_title(f"{'first suggestion fits' if metric == 'top1' else 'a fitting emoji in the top 5'} (%)")
        ax.invert_yaxis()
    axes[1].legend(loc="lower right", fontsize=8)
    fig.suptitle("What a person sees: open-set scores of the suggestion list")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=MODEL_DIR)
    parser.add_argument("--examples", type=Path, default=EXAMPLES)
    parser.add_argument("--suites", "--feelings", dest="suites", type=Path, nargs="*", default=[],
                        help="hand-written suites (JSON Lines): the feelings and the topics suites")
    parser.add_argument("--previous", metavar="REF", help="git ref of an earlier release to score beside this one")
    parser.add_argument("--limit", type=int, default=0, help="messages per chat set (0 = all)")
    parser.add_argument("--out", type=Path, default=BUILD / "open_set.json")
    parser.add_argument("--figure", type=Path, help="PNG of the scores (default <model>/figures/open_set.png)")
    parser.add_argument("--write-manifest", action="store_true", help="record the figures in the model's manifest")
    args = parser.parse_args(argv)

    sets = chat_sets(args.examples, args.limit) if args.examples.exists() else []
    suites = [hand_written_set(path) for path in args.suites]
    sets += suites + [capitalised(suite) for suite in suites]
    if not sets:
        parser.error(f"nothing to score: {args.examples} is missing and no --suites were given")
    assistant = Assistant(args.model, threads=0)
    report = {}
    for case_set in sets:
        rankings = current_rankings(assistant, case_set)
        if args.previous:
            rankings["previous"] = release_rankings(args.previous, case_set, BUILD / "releases")
        report[case_set.name] = {system: score(r, case_set) for system, r in rankings.items()}
        print(f"{case_set.name}: " + "  ".join(f"{s} {m['top1']}/{m['top5']}" for s, m in report[case_set.name].items()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(open_set_table(report))
    figure = plot(report, args.figure or args.model / "figures" / "open_set.png")
    print(f"wrote {args.out} and {figure}")
    if args.write_manifest:
        from training.lib.manifest_writer import update_metrics
        from training.lib.model_card import write_model_card

        update_metrics(args.model, "open_set", {"sets": report, "previous_release": args.previous,
                                                "command": f"python -m training.open_set {' '.join(argv or sys.argv[1:])}"})
        print(f"wrote {write_model_card(args.model)}")
    return report


if __name__ == "__main__":
    main()
