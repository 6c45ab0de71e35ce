"""`emoji-assistant logs stats|export|purge`: the chat-log store from the command line
(entry point `logs` in pyproject.toml).

The store belongs to the bots; its command is registered here so one CLI manages everything.
Adding the subparser needs nothing optional; sqlite-utils is imported when the command runs.
User errors are InputError (one line, exit 2).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.core import InputError

from .bot_settings import default_db_path

if TYPE_CHECKING:  # the store needs sqlite-utils, imported only when a command runs
    from .store import ChatLogStore


def add_logs(sub) -> None:
    p = sub.add_parser("logs", help="the consented chat-log store: stats, export, purge")
    p.add_argument("action", choices=["stats", "export", "purge"])
    p.add_argument("--db", help="SQLite store (default: $EMOJI_ASSISTANT_DB or the user data folder)")
    p.add_argument("--out", help="export: JSON Lines file (default: stdout)")
    p.add_argument("--older-than", type=float, metavar="DAYS", help="purge: delete messages older than this")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=run_logs)


def run_logs(args, out) -> int:
    """args: action, db, out, older_than, json (argparse Namespace); `out`: text stream; returns exit status."""
    try:
        from .store import ChatLogStore, StoreError
    except ImportError as err:
        raise InputError(f"the chat-log store needs sqlite-utils ({err.name} is missing): "
                         "pip install 'emoji-assistant[telegram]'")
    path = Path(args.db).expanduser() if args.db else default_db_path()
    if not path.is_file():
        raise InputError(f"no chat-log store at {path}; the bots create it when a first user opts in, "
                         "or pass --db PATH (or set EMOJI_ASSISTANT_DB)")
    if args.action == "purge" and (args.older_than is None or args.older_than < 0):
        found = "nothing" if args.older_than is None else args.older_than
        raise InputError(f"purge needs --older-than DAYS of 0 or more, got {found}; e.g. --older-than 180")
    try:
        store = ChatLogStore(path)  # no salt: these commands never look up a user
    except StoreError as err:
        raise InputError(str(err)) from err
    try:
        return ACTIONS[args.action](store, args, out)
    finally:
        store.close()


def _stats(store: ChatLogStore, args, out) -> int:
    stats = store.stats()
    if args.json:
        out.write(json.dumps(stats, ensure_ascii=False) + "\n")
        return 0
    out.write(f"{stats['path']} (schema {stats['schema_version']})\n"
              f"messages {stats['messages']}  labels {stats['labels']}  users opted in {stats['users_opted_in']}  "
              f"opted out {stats['users_opted_out']}  chats collecting {stats['chats_collecting']}\n"
              f"oldest {stats['oldest'] or '-'}  newest {stats['newest'] or '-'}\n")
    for title, key in (("by platform", "messages_by_platform"), ("by language", "messages_by_lang"),
                       ("labels by source", "labels_by_source")):
        if stats[key]:
            out.write(f"{title}: " + "  ".join(f"{k} {v}" for k, v in stats[key].items()) + "\n")
    return 0


def _export(store: ChatLogStore, args, out) -> int:
    if not args.out:
        for example in store.examples():
            out.write(json.dumps(example, ensure_ascii=False) + "\n")
        return 0
    target = Path(args.out)
    tmp = target.with_name(target.name + ".part")  # a training run never reads a half-written file
    n = 0
    try:
        with tmp.open("w", encoding="utf-8") as f:
            for n, example in enumerate(store.examples(), 1):
                f.write(json.dumps(example, ensure_ascii=False) + "\n")
        tmp.replace(target)
    except OSError as err:
        raise InputError(f"cannot write {target}: {err.strerror}; choose another --out") from err
    summary = {"exported": n, "out": str(target)}
    out.write(json.dumps(summary) + "\n" if args.json else f"exported {n} examples to {target}\n")
    return 0


def _purge(store: ChatLogStore, args, out) -> int:
    deleted = store.purge(args.older_than)
    summary = {"deleted": deleted, "older_than_days": args.older_than}
    out.write(json.dumps(summary) + "\n" if args.json else
              f"deleted {deleted} messages and labels older than {args.older_than:g} days\n")
    return 0


ACTIONS = {"stats": _stats, "export": _export, "purge": _purge}
