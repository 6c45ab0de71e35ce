"""Personal ranking: which emojis this user accepted, counted locally (opt-in).

Only the emoji and a count are stored, never what was typed. Favourites move up the way
phone keyboards learn them: a suggestion's score is multiplied by 1 + BOOST·ln(1 + picks).
"""
from __future__ import annotations

import math
import sqlite3
import time
from pathlib import Path

from assistant.core.paths import user_data_dir

BOOST = 1.0  # ten picks multiply a score by about 3.4: a favourite overtakes a suggestion up to 3x stronger


def default_picks_path() -> Path:
    return user_data_dir() / "desktop-picks.db"


class PickHistory:
    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else default_picks_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS picks (emoji TEXT PRIMARY KEY, count INTEGER NOT NULL, "
                         "last_picked REAL NOT NULL)")
        self._db.commit()

    def record(self, emoji: str) -> None:
        self._db.execute("INSERT INTO picks VALUES (?, 1, ?) ON CONFLICT(emoji) DO UPDATE SET "
                         "count = count + 1, last_picked = excluded.last_picked", (emoji, time.time()))
        self._db.commit()

    def counts(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT emoji, count FROM picks"))

    def rerank(self, suggestions: list, k: int) -> list:
        """The top `k` of `suggestions` (objects with .emoji and .score) after the personal boost."""
        counts = self.counts()
        boosted = sorted(suggestions, key=lambda s: -s.score * (1 + BOOST * math.log1p(counts.get(s.emoji, 0))))
        return boosted[:k]

    def close(self) -> None:
        self._db.close()


def forget_picks(path: str | Path | None = None) -> bool:
    """Delete the pick history; True if there was one."""
    path = Path(path) if path else default_picks_path()
    removed = False
    for file in (path, path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal")):
        if file.exists():
            file.unlink()
            removed = True
    return removed
