"""`emoji-assistant models list|add|promote|rollback`: the versions of a versioned model root
(entry point `models` in pyproject.toml; the folder layout is in assistant.core.versions).

A root without a current version is initialised with the shipped model as its first version, so
`models list` shows it. Errors are AssistantError (one line, exit 2).
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from assistant.core.paths import default_model_dir
from assistant.core.versions import MODEL_ENV, ModelVersions, VersionInfo, default_root


def add_models(sub) -> None:
    p = sub.add_parser("models", help="model versions: list, add, promote, roll back")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    root_help = (f"versioned model root (default: ${MODEL_ENV} when it names one, else the per-user root, "
                 "models/emoji-predictor in the user data folder; `list` prints the path). A new or empty "
                 "folder gets the shipped model as its first version")

    listing = actions.add_parser("list", help="every version: name, created, labels, key metrics, which is current")
    listing.add_argument("--json", action="store_true", help="machine-readable output (one JSON object)")
    listing.set_defaults(handler=cmd_list)

    add = actions.add_parser("add", help="copy a model folder in as a new version (not current yet)")
    add.add_argument("dir", metavar="DIR", help="model folder: model.onnx, tokenizer.json, manifest.json, ...")
    add.add_argument("--name", help="version name (default: the manifest's version, made unique)")
    add.set_defaults(handler=cmd_add)

    promote = actions.add_parser("promote", help="make VERSION current; everything that follows the root "
                                 "switches to it without a restart")
    promote.add_argument("version", metavar="VERSION", help="a name from `emoji-assistant models list`")
    promote.add_argument("--reason", default="", help="why, for the history (default: none)")
    promote.set_defaults(handler=cmd_promote)

    rollback = actions.add_parser("rollback", help="make an earlier version current again")
    rollback.add_argument("version", metavar="VERSION", nargs="?",
                          help="default: the version the current one was promoted over")
    rollback.add_argument("--reason", default="", help="why, for the history (default: none)")
    rollback.set_defaults(handler=cmd_rollback)

    for action in (listing, add, promote, rollback):
        action.add_argument("--root", metavar="PATH", help=root_help)


def cmd_list(args, out) -> int:
    versions = _versions(args)
    found = versions.versions()
    if args.json:
        out.write(json.dumps({"root": str(versions.root), "current": versions.current(),
                              "versions": [_as_dict(info) for info in found]}, ensure_ascii=False) + "\n")
        return 0
    rows = [("", "VERSION", "MODEL", "CREATED (UTC)", "LABELS", "MACRO-F1 / TOP-1")]
    rows += [("*" if info.current else "", info.name, f"{info.model} {info.version}".strip(),
              info.created.strftime("%Y-%m-%d %H:%M"), str(info.labels), _key_metrics(info.metrics))
             for info in found]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    out.write(f"{versions.root}\n")
    for row in rows:
        line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1]
        out.write(line.rstrip() + "\n")
    return 0


def cmd_add(args, out) -> int:
    versions = _versions(args)
    name = versions.add(Path(args.dir), name=args.name)
    out.write(f"added {name} to {versions.root} (current is still {versions.current()}; "
              f"make it current with: emoji-assistant models promote {name}{_root_flag(args)})\n")
    return 0


def cmd_promote(args, out) -> int:
    versions = _versions(args)
    before = versions.current()
    versions.promote(args.version, reason=args.reason)
    out.write(f"{args.version} is already current\n" if before == args.version
              else f"current: {args.version} (was {before})\n")
    _note_who_follows(versions.root)
    return 0


def cmd_rollback(args, out) -> int:
    versions = _versions(args)
    before = versions.current()
    now = versions.rollback(args.version, reason=args.reason)
    out.write(f"{now} is already current\n" if before == now else f"current: {now} (rolled back from {before})\n")
    _note_who_follows(versions.root)
    return 0


def _versions(args) -> ModelVersions:
    root = Path(args.root).expanduser() if args.root else default_root()
    versions = ModelVersions(root)
    if versions.current() is None:
        versions = ModelVersions.init(root, default_model_dir())
        print(f"emoji-assistant: initialised {root} with the shipped model as its first version", file=sys.stderr)
    return versions


def _note_who_follows(root: Path) -> None:
    """Say how to make the assistant follow `root` when $EMOJI_ASSISTANT_MODEL names another model."""
    chosen = os.environ.get(MODEL_ENV)
    if not chosen or Path(chosen).expanduser().resolve() != root.resolve():
        print(f"emoji-assistant: note: the bots, the web demo, the desktop helper and `suggest` use this root when "
              f"{MODEL_ENV}={root} (or --model {root}); they switch versions without a restart", file=sys.stderr)


def _key_metrics(metrics: dict) -> str:
    """"tweeteval_test 31.53/45.33, ..." for each eval set with a macro-F1."""
    shown = []
    for name, figures in metrics.items():
        if isinstance(figures, dict) and isinstance(figures.get("macro_f1"), (int, float)):
            top1 = figures.get("top1")
            shown.append(f"{name} {figures['macro_f1']:.2f}"
                         + (f"/{top1:.2f}" if isinstance(top1, (int, float)) else ""))
    return ", ".join(shown) or "-"


def _as_dict(info: VersionInfo) -> dict:
    return {"name": info.name, "version": info.version, "model": info.model, "created": info.created.isoformat(),
            "current": info.current, "labels": info.labels, "metrics": info.metrics, "path": str(info.path)}


def _root_flag(args) -> str:
    return f" --root {args.root}" if args.root else ""
