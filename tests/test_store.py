import json
import multiprocessing
import sqlite3
import sys

import pytest

from bots.store import DAY_S, MIGRATIONS, SCHEMA_VERSION, ChatLogStore, StoreError
from tests.bot_fakes import rows_mentioning

SALT = b"test-salt"


class Clock:
    def __init__(self, now=1_800_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def store(tmp_path):
    s = ChatLogStore(tmp_path / "logs.db", salt=SALT)
    yield s
    s.close()


def add(store, user=1, chat=10, message=100, text="I love pizza 🍕", private=True):
    return store.add_message("telegram", user_id=user, chat_id=chat, message_id=message, text=text, lang="en",
                             private=private)


def test_new_store_has_the_current_schema_in_wal_mode_with_a_busy_timeout(store):
    assert store.schema_version == SCHEMA_VERSION
    assert set(store.db.table_names()) >= {"consent", "chats", "messages", "labels"}
    assert store.db.journal_mode == "wal"
    assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_an_old_schema_is_migrated_in_place(tmp_path):
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path)
    for sql in MIGRATIONS[0]:
        conn.execute(sql)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    store = ChatLogStore(path, salt=SALT)
    assert store.schema_version == SCHEMA_VERSION
    assert "messages_user" in {i.name for i in store.db["messages"].indexes}


def test_a_newer_schema_is_refused_with_advice(tmp_path):
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this code.*upgrade emoji-assistant"):
        ChatLogStore(path, salt=SALT)


def test_nothing_is_stored_for_a_user_who_has_not_opted_in(store):
    assert add(store) is None
    assert store.add_choice("telegram", user_id=1, text="good night", emoji="🌙", lang="en") is None
    store.set_consent("telegram", 2, True)
    assert add(store, user=2, message=200) is not None
    assert store.add_reaction("telegram", user_id=1, chat_id=10, message_id=200, emoji="😂", private=True) is None
    assert store.db["messages"].count == 1 and store.db["labels"].count == 0


def test_opting_out_stops_collection(store):
    store.set_consent("telegram", 1, True)
    assert add(store, message=1) is not None
    store.set_consent("telegram", 1, False)
    assert add(store, message=2) is None
    assert store.db["messages"].count == 1


def test_group_messages_need_the_group_switch_as_well(store):
    store.set_consent("telegram", 1, True)
    assert add(store, chat=-5, private=False) is None
    store.set_chat_collection("telegram", -5, True)
    assert store.chat_collection("telegram", -5)
    assert add(store, chat=-5, message=101, private=False) is not None
    store.set_chat_collection("telegram", -5, False)
    assert add(store, chat=-5, message=102, private=False) is None


def test_ids_are_salted_hashes_and_text_is_scrubbed(store):
    store.set_consent("discord", 987654321, True)
    store.add_message("discord", user_id=987654321, chat_id=555, message_id=777,
                      text="write me at bob@example.com 📧", lang="en", private=True)
    row = next(store.db["messages"].rows)
    assert "987654321" not in json.dumps(row) and "555" not in row["chat_hash"]
    assert row["user_hash"] == store.pseudonym("discord", "user", 987654321)
    assert row["user_hash"] != ChatLogStore(store.path, salt=b"other").pseudonym("discord", "user", 987654321)
    assert row["text"] == "write me at <email> 📧" and json.loads(row["emojis"]) == ["📧"]


def test_reactions_label_stored_messages_once(store):
    store.set_consent("discord", 1, True)
    store.set_consent("discord", 2, True)
    store.set_chat_collection("discord", 9, True)
    store.add_message("discord", user_id=1, chat_id=9, message_id=50, text="pizza tonight?", lang="en", private=False)
    first = store.add_reaction("discord", user_id=2, chat_id=9, message_id=50, emoji="🍕", private=False)
    again = store.add_reaction("discord", user_id=2, chat_id=9, message_id=50, emoji="🍕", private=False)
    custom = store.add_reaction("discord", user_id=2, chat_id=9, message_id=50, emoji="partyparrot", private=False)
    unknown = store.add_reaction("discord", user_id=2, chat_id=9, message_id=51, emoji="🍕", private=False)
    assert first is not None and again is None and custom is None and unknown is None


def test_user_data_has_everything_about_that_user_only(store):
    store.set_consent("telegram", 1, True)
    store.set_consent("telegram", 2, True)
    add(store, user=1, text="mine 🌙")
    add(store, user=2, message=101, text="theirs ☀️")
    store.add_choice("telegram", user_id=1, text="good night", emoji="🌙", lang="en")
    data = store.user_data("telegram", 1)
    assert data["consent"]["opted_in"] is True
    assert [m["text"] for m in data["messages"]] == ["mine 🌙"]
    assert [(label["emoji"], label["source"]) for label in data["labels"]] == [("🌙", "inline")]
    assert "theirs" not in json.dumps(data, ensure_ascii=False)


def test_forget_leaves_nothing_of_the_user_in_the_tables_or_the_file(store):
    store.set_consent("telegram", 1, True)
    store.set_consent("telegram", 2, True)
    store.set_chat_collection("telegram", -5, True)
    secret = "Zanzibar holiday plans"
    add(store, user=1, chat=-5, message=1, text=f"{secret} 🏝️", private=False)
    store.add_choice("telegram", user_id=1, text=f"{secret} again", emoji="🏝", lang="en")
    store.add_reaction("telegram", user_id=2, chat_id=-5, message_id=1, emoji="😍", private=False)
    add(store, user=2, chat=-5, message=2, text="other person 🙂", private=False)
    user = store.pseudonym("telegram", "user", 1)

    assert store.forget("telegram", 1) == 4  # message, own label, the other user's label on it, consent
    assert rows_mentioning(store, user, secret) == []
    assert store.db["messages"].count == 1 and store.db["labels"].count == 0
    assert not store.has_consent("telegram", 1)
    raw = b"".join(p.read_bytes() for p in store.path.parent.iterdir() if p.name.startswith("logs.db"))
    assert secret.encode() not in raw and user.encode() not in raw


def test_purge_and_retention_delete_old_content(tmp_path):
    clock = Clock()
    store = ChatLogStore(tmp_path / "r.db", salt=SALT, retention_days=30, clock=clock)
    store.set_consent("telegram", 1, True)
    add(store, message=1)
    clock.now += 10 * DAY_S
    add(store, message=2)
    assert store.purge(older_than_days=5) == 1 and store.db["messages"].count == 1
    clock.now += 31 * DAY_S  # the second message is now past the 30-day retention
    add(store, message=3)
    assert [r["message_hash"] for r in store.db["messages"].rows] == [store.pseudonym("telegram", "message", 10, 3)]


def test_export_gives_training_examples(store):
    store.set_consent("telegram", 1, True)
    add(store, message=1, text="Me encanta la paella 🥘🥘 ❤️")
    add(store, message=2, text="🔥🔥")  # emoji only: no text to learn from
    add(store, message=3, text="no emoji here")
    store.add_choice("telegram", user_id=1, text="buenas noches", emoji="🌙", lang="es")
    examples = list(store.examples())
    assert [(e["text"], e["emoji"], e["source"]) for e in examples] == [
        ("Me encanta la paella", "🥘", "message"), ("buenas noches", "🌙", "inline")]
    assert all({"text", "emoji", "lang", "platform", "ts"} <= set(e) for e in examples)


def test_stats_count_without_revealing_text(store):
    store.set_consent("telegram", 1, True)
    store.set_consent("discord", 2, False)
    add(store, text="secret words 🤫")
    stats = store.stats()
    assert (stats["messages"], stats["users_opted_in"], stats["users_opted_out"]) == (1, 1, 1)
    assert stats["messages_by_platform"] == {"telegram": 1}
    assert "secret" not in json.dumps(stats)


def test_a_store_without_salt_cannot_look_up_users(tmp_path):
    with pytest.raises(StoreError, match="salt"):
        ChatLogStore(tmp_path / "x.db").has_consent("telegram", 1)


def _writer(path: str, user: int, n: int) -> None:
    store = ChatLogStore(path, salt=SALT)
    store.set_consent("telegram", user, True)
    for i in range(n):
        stored = store.add_message("telegram", user_id=user, chat_id=user, message_id=i,
                                   text=f"message {i} from {user} 🎉", lang="en", private=True)
        assert stored is not None
    store.close()


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    ctx = multiprocessing.get_context(method)
    path = str(tmp_path / "shared.db")
    workers = [ctx.Process(target=_writer, args=(path, user, 1000)) for user in (1, 2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    store = ChatLogStore(path, salt=SALT)
    assert store.db["messages"].count == 2000
    assert len(store.user_data("telegram", 1)["messages"]) == len(store.user_data("telegram", 2)["messages"]) == 1000


def test_training_rows_name_each_texts_writer_and_read_only_users_opted_in_now(tmp_path):
    clock = Clock()
    store = ChatLogStore(tmp_path / "logs.db", salt=SALT, clock=clock)
    for user in (1, 2, 3):
        store.set_consent("telegram", user, True)
    store.set_chat_collection("telegram", 10, True)
    add(store, user=1, chat=10, message=100, text="I love pizza 🍕", private=False)
    add(store, user=2, chat=10, message=101, text="so funny 😂", private=False)
    store.add_reaction("telegram", user_id=3, chat_id=10, message_id=100, emoji="😋", private=False)
    clock.now += 60
    add(store, user=1, chat=10, message=102, text="later 🔥", private=False)
    author = store.pseudonym("telegram", "user", 1)

    rows = list(store.training_rows(until=clock.now - 30))  # the last message is after the cutoff
    assert [(r["text"], r["emoji"], r["user"], r["source"]) for r in rows] == [
        ("I love pizza", "🍕", author, "message"), ("so funny", "😂", store.pseudonym("telegram", "user", 2), "message"),
        ("I love pizza", "😋", author, "reaction")]  # a reaction's text is its author's
    assert len(list(store.training_rows())) == 4
    assert all("user" not in e for e in store.examples())  # the export format is unchanged

    store.set_consent("telegram", 3, False)  # the reacting user opts out: their reaction is no longer read
    store.set_consent("telegram", 2, False)
    assert [(r["text"], r["emoji"]) for r in store.training_rows()] == [("I love pizza", "🍕"), ("later", "🔥")]
    assert len(list(store.examples())) == 4  # still stored until /forget or the retention limit
    store.set_consent("telegram", 3, True)
    store.set_consent("telegram", 1, False)  # the author opts out: their messages and reactions to them go
    assert list(store.training_rows()) == []
    store.close()
