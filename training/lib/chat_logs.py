"""The bots' consented chat logs as a retrain reads them: one snapshot of one or more stores, each
row's side of a split by user, and a hash that names the snapshot without holding any text.

Rows come through the store's own API (bots.store.ChatLogStore.training_rows, the one bots module
training imports; pyproject.toml's import contracts name this exception), so a retrain sees exactly
what the privacy rules there let through: only users opted in now, nothing a /forget deleted.

Users are split by their pseudonym, not at random: a user's side is a hash of the pseudonym, so a
user held out for evaluation tonight was held out every night before, and no model that the gate
compares has trained on the held-out users.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from assistant.core.emojis import canonical, is_emoji
from assistant.core.normalize import normalize_text

LOG_SOURCE = "chat_logs"  # the `source` of log rows in examples.jsonl (and in export's calibration sets)
HELDOUT_SHARE = 0.2  # of users: their rows are the gate's held-out slice, never trained on
VAL_SHARE = 0.1  # of users: validation (calibration in training.export), never trained on
SPLIT_SALT = "emoji-assistant retrain split v1"  # changing it reshuffles every user's side


def user_side(user: str, heldout: float = HELDOUT_SHARE, val: float = VAL_SHARE) -> str:
    """"test" (held out), "val" or "train" for a user pseudonym; the same answer every run."""
    u = int(hashlib.sha256(f"{SPLIT_SALT}:{user}".encode()).hexdigest()[:12], 16) / 16 ** 12  # uniform in [0, 1)
    return "test" if u < heldout else "val" if u < heldout + val else "train"


@dataclass
class LogSnapshot:
    """Every store's rows up to `until`, each {"text", "emoji", "lang", "user", "split", "store", ...}."""
    rows: list[dict]
    until: float  # seconds since the epoch; rows stored later are not in the snapshot
    stores: dict[str, int] = field(default_factory=dict)  # store path → rows read

    @property
    def sha256(self) -> str:
        """sha256 over the sorted (user pseudonym, text, emoji) rows: names the data, holds no text."""
        digest = hashlib.sha256()
        for key in sorted(json.dumps([r["user"], r["text"], r["emoji"]], ensure_ascii=False) for r in self.rows):
            digest.update(key.encode() + b"\n")
        return digest.hexdigest()

    def side(self, split: str) -> list[dict]:
        return [r for r in self.rows if r["split"] == split]

    def summary(self) -> dict:
        """Counts only (rows and users per side, stores, languages): what a manifest or a log may show."""
        users = {s: len({r["user"] for r in self.side(s)}) for s in ("train", "val", "test")}
        return {"sha256": self.sha256, "until": self.until, "stores": len(self.stores), "rows": len(self.rows),
                "rows_by_side": dict(Counter(r["split"] for r in self.rows)), "users_by_side": users,
                "languages": dict(Counter(r["lang"] for r in self.rows).most_common(10))}


def _store_class():
    try:
        from bots.store import ChatLogStore
    except ImportError as err:
        raise ImportError(f"the chat-log store needs sqlite-utils ({err.name} is missing): "
                          "pip install 'emoji-assistant[train]'") from err
    return ChatLogStore


def open_store(path: Path, *, salt: bytes, clock=None):
    """A chat-log store to write to, as the bots open it (training.analysis.synthetic_logs fills one)."""
    return _store_class()(path, salt=salt, **({"clock": clock} if clock else {}))


def read_logs(paths: list[Path], *, until: float, heldout: float = HELDOUT_SHARE,
              val: float = VAL_SHARE) -> LogSnapshot:
    """Read every store's consented rows up to `until`, normalised as training.prepare normalises text.

    Raises:
        FileNotFoundError: a store path is not a file (the store would otherwise create an empty one).
        ImportError: sqlite-utils is missing.
    """
    ChatLogStore = _store_class()
    rows, stores = [], {}
    for path in map(Path, paths):
        if not path.is_file():
            raise FileNotFoundError(f"no chat-log store at {path}; expected the bots' database "
                                    "(EMOJI_ASSISTANT_DB, by default chatlogs.db in the user data folder); "
                                    "for a test run make one with `python -m training.analysis.synthetic_logs`")
        store = ChatLogStore(path)  # no salt: it reads, and looks up no one
        try:
            found = 0
            for row in store.training_rows(until=until):
                text, emoji = normalize_text(row["text"]), canonical(row["emoji"])
                if text and is_emoji(emoji):
                    rows.append({"text": text, "emoji": emoji, "lang": row["lang"] or "und", "user": row["user"],
                                 "platform": row["platform"], "kind": row["source"], "store": path.name,
                                 "split": user_side(row["user"], heldout, val)})
                    found += 1
        finally:
            store.close()
        stores[str(path)] = found
    return LogSnapshot(rows, until, stores)


def new_emojis(rows: list[dict], known: list[str], *, min_count: int, limit: int) -> list[tuple[str, int]]:
    """Emojis the rows use at least `min_count` times that `known` lacks, commonest first, at most `limit`."""
    counts, known = Counter(r["emoji"] for r in rows), set(known)
    return [(e, n) for e, n in counts.most_common() if n >= min_count and e not in known][:limit]


def as_examples(rows: list[dict]) -> list[dict]:
    """Log rows in examples.jsonl's format (training.prepare's), source LOG_SOURCE; no user pseudonym."""
    return [{"text": r["text"], "emoji": r["emoji"], "targets": {r["emoji"]: 1.0}, "lang": r["lang"],
             "source": LOG_SOURCE, "split": r["split"]} for r in rows]
