"""Consented chat logs in SQLite (sqlite-utils): consent, messages, emoji labels; export, forget, purge.

The privacy rules live here rather than in the adapters, so that no adapter bug can store more:
- a message or label is written by the same SQL statement that finds the user's opt-in (and,
  outside private chats, the chat's collection switch), see _CONSENTED;
- user, chat and message ids are stored as HMAC-SHA256 under a secret salt, never raw;
- texts are scrubbed (e-mail, URL, @mention, phone) before they reach the database;
- rows older than `retention_days` are deleted, checked at most once an hour while writing;
- `forget` overwrites deleted rows (secure_delete) and truncates the write-ahead log.

Several processes may write at once (a Telegram and a Discord bot on one file): WAL mode,
a busy timeout, and BEGIN IMMEDIATE for every write, so a writer waits instead of failing.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import threading
import time
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import sqlite_utils

from assistant.core.emojis import canonical, find_emojis, is_emoji, strip_emojis

from .scrub import scrub

BUSY_TIMEOUT_S = 30.0  # how long a writer waits for another process's write before failing
EXPIRE_EVERY_S = 3600.0  # retention is enforced at most this often while writing
DAY_S = 86400.0

# One entry per schema version; a database at version N gets MIGRATIONS[N:] applied in one transaction.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: consent, per-chat switch, messages, labels
        """CREATE TABLE consent (platform TEXT NOT NULL, user_hash TEXT NOT NULL, opted_in INTEGER NOT NULL,
           ts REAL NOT NULL, PRIMARY KEY (platform, user_hash))""",
        """CREATE TABLE chats (platform TEXT NOT NULL, chat_hash TEXT NOT NULL, collect INTEGER NOT NULL,
           ts REAL NOT NULL, PRIMARY KEY (platform, chat_hash))""",
        """CREATE TABLE messages (id INTEGER PRIMARY KEY, platform TEXT NOT NULL, user_hash TEXT NOT NULL,
           chat_hash TEXT NOT NULL, message_hash TEXT NOT NULL, text TEXT NOT NULL, emojis TEXT NOT NULL,
           lang TEXT NOT NULL, ts REAL NOT NULL)""",
        """CREATE TABLE labels (id INTEGER PRIMARY KEY, platform TEXT NOT NULL, user_hash TEXT NOT NULL,
           message_id INTEGER REFERENCES messages(id), text TEXT, emoji TEXT NOT NULL, lang TEXT NOT NULL,
           source TEXT NOT NULL, ts REAL NOT NULL)""",
    ),
    (  # 2: indexes for forget (by user), purge (by time), reactions (by message); one reaction label each
        "CREATE INDEX messages_user ON messages (platform, user_hash)",
        "CREATE INDEX messages_ts ON messages (ts)",
        "CREATE INDEX messages_ref ON messages (platform, message_hash)",
        "CREATE INDEX labels_user ON labels (platform, user_hash)",
        "CREATE INDEX labels_ts ON labels (ts)",
        "CREATE UNIQUE INDEX labels_once ON labels (platform, user_hash, message_id, emoji) "
        "WHERE message_id IS NOT NULL",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

# The consent test shared by every write of user content (named parameters :platform :user :chat :private).
_CONSENTED = """EXISTS (SELECT 1 FROM consent WHERE platform = :platform AND user_hash = :user AND opted_in = 1)
    AND (:private OR EXISTS (SELECT 1 FROM chats WHERE platform = :platform AND chat_hash = :chat AND collect = 1))"""


class StoreError(Exception):
    """The database file cannot be opened or is of a newer schema than this code."""


class ChatLogStore:
    """The chat-log database. Thread-safe; each method is one transaction.

    Args:
        path: SQLite file (created with its folder if missing).
        salt: HMAC key for ids; None opens the store for stats/export/purge only.
        retention_days: delete stored content older than this; None keeps it.
        clock: seconds since the epoch (tests pass a fake).
    """

    def __init__(self, path: str | Path, *, salt: bytes | None = None, retention_days: float | None = None,
                 clock=time.time):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._salt, self._retention, self._clock = salt, retention_days, clock
        self._lock = threading.RLock()  # one connection shared by the event loop's worker threads
        self._last_expiry = 0.0
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                   check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            conn.execute("PRAGMA secure_delete = ON")  # forgotten text is overwritten, not just unlinked
            self.db = sqlite_utils.Database(conn)
            self.db.enable_wal()
            conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a power cut loses the last commits only
            self._migrate()
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{self.path}: cannot open the chat-log store ({err}); "
                             "check the path, or move a damaged file away to start a new store") from err

    def close(self) -> None:
        self.db.conn.close()

    # ---- schema

    def _migrate(self) -> None:
        with self._write():
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(f"{self.path}: schema version {version} is newer than this code's "
                                 f"{SCHEMA_VERSION}; upgrade emoji-assistant")
            for statements in MIGRATIONS[version:]:
                for sql in statements:
                    self.db.execute(sql)
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    @contextmanager
    def _write(self):
        """One write transaction; IMMEDIATE takes the write lock up front so the busy timeout applies."""
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    # ---- ids

    def pseudonym(self, platform: str, *parts: object) -> str:
        """HMAC-SHA256 of platform and raw ids: stable per salt, not reversible without it."""
        if self._salt is None:
            raise StoreError("this store was opened without an id salt, so it cannot look up users")
        key = ":".join([platform, *map(str, parts)]).encode()
        return hmac.new(self._salt, key, hashlib.sha256).hexdigest()

    def _ids(self, platform: str, user_id, chat_id=None, message_id=None, *, private: bool = True) -> dict:
        return {"platform": platform, "user": self.pseudonym(platform, "user", user_id),
                "chat": self.pseudonym(platform, "chat", chat_id),
                "message": self.pseudonym(platform, "message", chat_id, message_id),
                "private": int(private), "ts": self._clock()}

    # ---- consent

    def set_consent(self, platform: str, user_id, opted_in: bool) -> None:
        p = self._ids(platform, user_id)
        with self._write():
            self.db.execute("INSERT INTO consent VALUES (:platform, :user, :on, :ts) ON CONFLICT (platform, user_hash) "
                            "DO UPDATE SET opted_in = excluded.opted_in, ts = excluded.ts", {**p, "on": int(opted_in)})

    def has_consent(self, platform: str, user_id) -> bool:
        p = self._ids(platform, user_id)
        with self._lock:
            return bool(self.db["consent"].count_where("platform = ? AND user_hash = ? AND opted_in = 1",
                                                       [platform, p["user"]]))

    def set_chat_collection(self, platform: str, chat_id, on: bool) -> None:
        p = self._ids(platform, None, chat_id)
        with self._write():
            self.db.execute("INSERT INTO chats VALUES (:platform, :chat, :on, :ts) ON CONFLICT (platform, chat_hash) "
                            "DO UPDATE SET collect = excluded.collect, ts = excluded.ts", {**p, "on": int(on)})

    def chat_collection(self, platform: str, chat_id) -> bool:
        p = self._ids(platform, None, chat_id)
        with self._lock:
            return bool(self.db["chats"].count_where("platform = ? AND chat_hash = ? AND collect = 1",
                                                     [platform, p["chat"]]))

    def may_collect(self, platform: str, user_id, chat_id, *, private: bool) -> bool:
        """Whether add_message would store this user's message in this chat (a cheap pre-check)."""
        return self.has_consent(platform, user_id) and (private or self.chat_collection(platform, chat_id))

    # ---- content

    def add_message(self, platform: str, *, user_id, chat_id, message_id, text: str, lang: str,
                    private: bool) -> int | None:
        """Store a scrubbed message if its author opted in (and the chat collects); its row id or None."""
        clean = scrub(text)
        emojis = [e for _, _, e in find_emojis(clean)]
        p = {**self._ids(platform, user_id, chat_id, message_id, private=private), "text": clean,
             "emojis": json.dumps(emojis, ensure_ascii=False), "lang": lang}
        with self._write():
            cursor = self.db.execute(
                "INSERT INTO messages (platform, user_hash, chat_hash, message_hash, text, emojis, lang, ts) "
                f"SELECT :platform, :user, :chat, :message, :text, :emojis, :lang, :ts WHERE {_CONSENTED}", p)
            self._expire_if_due()
        return cursor.lastrowid if cursor.rowcount == 1 else None

    def add_choice(self, platform: str, *, user_id, text: str, emoji: str, lang: str) -> int | None:
        """Store "for this text the user chose this emoji" (inline mode) if the user opted in."""
        if not is_emoji(emoji):
            return None
        p = {**self._ids(platform, user_id), "text": scrub(text), "emoji": canonical(emoji), "lang": lang}
        with self._write():
            cursor = self.db.execute(
                "INSERT INTO labels (platform, user_hash, message_id, text, emoji, lang, source, ts) "
                f"SELECT :platform, :user, NULL, :text, :emoji, :lang, 'inline', :ts WHERE {_CONSENTED}", p)
        return cursor.lastrowid if cursor.rowcount == 1 else None

    def add_reaction(self, platform: str, *, user_id, chat_id, message_id, emoji: str, private: bool) -> int | None:
        """Label a stored message with a reaction if the reacting user opted in.

        A message whose author did not opt in is not stored, so reactions to it are dropped too:
        the label would describe someone else's words.
        """
        if not is_emoji(emoji):  # custom server emojis are images, not labels
            return None
        p = {**self._ids(platform, user_id, chat_id, message_id, private=private), "emoji": canonical(emoji)}
        with self._write():
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO labels (platform, user_hash, message_id, text, emoji, lang, source, ts) "
                "SELECT :platform, :user, m.id, NULL, :emoji, m.lang, 'reaction', :ts FROM messages m "
                f"WHERE m.platform = :platform AND m.message_hash = :message AND {_CONSENTED} LIMIT 1", p)
        return cursor.lastrowid if cursor.rowcount == 1 else None

    # ---- the user's rights

    def user_data(self, platform: str, user_id) -> dict:
        """Everything stored about one user, as it would be sent to them."""
        user = self._ids(platform, user_id)["user"]
        with self._lock:
            consent = next(self.db["consent"].rows_where("platform = ? AND user_hash = ?", [platform, user]), None)
            messages = [{"text": r["text"], "emojis": json.loads(r["emojis"]), "lang": r["lang"], "ts": _iso(r["ts"])}
                        for r in self.db["messages"].rows_where("platform = ? AND user_hash = ?", [platform, user],
                                                                order_by="ts")]
            labels = [{"emoji": r["emoji"], "text": r["text"], "source": r["source"], "ts": _iso(r["ts"])}
                      for r in self.db["labels"].rows_where("platform = ? AND user_hash = ?", [platform, user],
                                                            order_by="ts")]
        return {"platform": platform, "pseudonym": user,
                "consent": consent and {"opted_in": bool(consent["opted_in"]), "since": _iso(consent["ts"])},
                "messages": messages, "labels": labels}

    def forget(self, platform: str, user_id) -> int:
        """Delete the user's consent, messages, labels and others' labels on their messages; rows deleted."""
        p = self._ids(platform, user_id)
        with self._write():
            deleted = self.db.execute(
                "DELETE FROM labels WHERE platform = :platform AND (user_hash = :user OR message_id IN "
                "(SELECT id FROM messages WHERE platform = :platform AND user_hash = :user))", p).rowcount
            deleted += self.db.execute("DELETE FROM messages WHERE platform = :platform AND user_hash = :user",
                                       p).rowcount
            deleted += self.db.execute("DELETE FROM consent WHERE platform = :platform AND user_hash = :user",
                                       p).rowcount
        self._truncate_wal()
        return deleted

    def purge(self, older_than_days: float) -> int:
        """Delete messages and labels stored more than `older_than_days` ago; rows deleted."""
        cutoff = {"cutoff": self._clock() - older_than_days * DAY_S}
        with self._write():
            deleted = self.db.execute("DELETE FROM labels WHERE ts < :cutoff OR message_id IN "
                                      "(SELECT id FROM messages WHERE ts < :cutoff)", cutoff).rowcount
            deleted += self.db.execute("DELETE FROM messages WHERE ts < :cutoff", cutoff).rowcount
        self._truncate_wal()
        return deleted

    def _expire_if_due(self) -> None:
        """Retention inside a write transaction, at most every EXPIRE_EVERY_S."""
        now = self._clock()
        if self._retention is None or now - self._last_expiry < EXPIRE_EVERY_S:
            return
        self._last_expiry = now
        cutoff = {"cutoff": now - self._retention * DAY_S}
        self.db.execute("DELETE FROM labels WHERE ts < :cutoff OR message_id IN "
                        "(SELECT id FROM messages WHERE ts < :cutoff)", cutoff)
        self.db.execute("DELETE FROM messages WHERE ts < :cutoff", cutoff)

    def _truncate_wal(self) -> None:
        # Deleted rows live on in the write-ahead log until a checkpoint; best effort while others read.
        with self._lock:
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # ---- training data and figures

    def examples(self) -> Iterator[dict]:
        """Training examples, oldest first: {"text", "emoji", "lang", "platform", "ts", "source"}.

        A message gives one example: its text without emojis, labelled with its most used emoji.
        A label gives one: the chosen text (inline) or the labelled message's text (reaction).
        """
        for row in self._examples():
            del row["user"]
            yield row

    def training_rows(self, *, until: float | None = None) -> Iterator[dict]:
        """examples() as a retrain reads them, each with "user": the pseudonym of whoever wrote the
        text (a reaction's text is its message author's), so that evaluation can hold users out.

        Only users opted in now count: an opted-out user's rows stay until /forget or the retention
        limit deletes them, but no retrain reads them; a reaction needs both the reacting user and
        the message's author opted in. `until` (seconds since the epoch) leaves out rows stored
        later, so a resumed retrain reads the same snapshot.
        """
        yield from self._examples(consented=True, until=until)

    def _examples(self, *, consented: bool = False, until: float | None = None) -> Iterator[dict]:
        opted_in = "EXISTS (SELECT 1 FROM consent c WHERE c.platform = {0}.platform AND c.user_hash = {0}.user_hash " \
                   "AND c.opted_in = 1)"
        messages, labels, params = ["m.emojis != '[]'"], ["1"], {"until": until}
        if until is not None:
            messages.append("m.ts <= :until")
            labels.append("l.ts <= :until")
        if consented:
            messages.append(opted_in.format("m"))
            labels.append(f"{opted_in.format('l')} AND (m.id IS NULL OR {opted_in.format('m')})")
        with self._lock:
            rows = list(self.db.query("SELECT m.platform, m.user_hash AS user, m.text, m.emojis, m.lang, m.ts "
                                      f"FROM messages m WHERE {' AND '.join(messages)} ORDER BY m.ts", params))
            labelled = list(self.db.query(
                "SELECT l.platform, COALESCE(m.user_hash, l.user_hash) AS user, COALESCE(l.text, m.text) AS text, "
                "l.emoji, l.lang, l.ts, l.source FROM labels l LEFT JOIN messages m ON m.id = l.message_id "
                f"WHERE {' AND '.join(labels)} ORDER BY l.ts", params))
        for r in rows:
            text = strip_emojis(r["text"])
            if text:
                emoji = Counter(json.loads(r["emojis"])).most_common(1)[0][0]
                yield {"text": text, "emoji": emoji, "lang": r["lang"], "platform": r["platform"],
                       "ts": _iso(r["ts"]), "source": "message", "user": r["user"]}
        for r in labelled:
            text = strip_emojis(r["text"] or "")
            if text:
                yield {"text": text, "emoji": r["emoji"], "lang": r["lang"], "platform": r["platform"],
                       "ts": _iso(r["ts"]), "source": r["source"], "user": r["user"]}

    def stats(self) -> dict:
        """Counts for `emoji-assistant logs stats`; no text and no ids."""
        with self._lock:
            one = lambda sql: self.db.execute(sql).fetchone()[0]  # noqa: E731
            grouped = lambda sql: dict(self.db.execute(sql).fetchall())  # noqa: E731
            return {
                "path": str(self.path), "schema_version": self.schema_version,
                "messages": self.db["messages"].count, "labels": self.db["labels"].count,
                "users_opted_in": one("SELECT COUNT(*) FROM consent WHERE opted_in = 1"),
                "users_opted_out": one("SELECT COUNT(*) FROM consent WHERE opted_in = 0"),
                "chats_collecting": one("SELECT COUNT(*) FROM chats WHERE collect = 1"),
                "messages_by_platform": grouped("SELECT platform, COUNT(*) FROM messages GROUP BY platform"),
                "messages_by_lang": grouped("SELECT lang, COUNT(*) FROM messages GROUP BY lang ORDER BY 2 DESC"),
                "labels_by_source": grouped("SELECT source, COUNT(*) FROM labels GROUP BY source"),
                "oldest": _iso(one("SELECT MIN(ts) FROM (SELECT ts FROM messages UNION ALL SELECT ts FROM labels)")),
                "newest": _iso(one("SELECT MAX(ts) FROM (SELECT ts FROM messages UNION ALL SELECT ts FROM labels)")),
            }


def _iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds")
