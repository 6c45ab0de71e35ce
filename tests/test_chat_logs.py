"""training/lib/chat_logs.py and training/analysis/synthetic_logs.py: chat logs as a retrain reads them."""
import json
import time
from collections import Counter

import pytest

pytest.importorskip("sqlite_utils")

from training.analysis import synthetic_logs  # noqa: E402
from training.lib.chat_logs import as_examples, new_emojis, open_store, read_logs, user_side  # noqa: E402

LATER = time.time() + 86400  # a snapshot that includes everything written so far


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    path = tmp_path_factory.mktemp("logs") / "logs.db"
    return path, synthetic_logs.make_logs(path, messages=300, users=30, seed=1)


def test_the_synthetic_store_is_made_through_the_stores_rules(logs):
    path, made = logs
    assert made["messages"] == 300 and made["attempted"] > 300  # users who never opted in were refused
    assert made["forgotten"] == 1 and made["rows_deleted_by_forget"] > 0
    assert made["inline_rows"] > 0 and made["reaction_rows"] > 0
    snapshot = read_logs([path], until=LATER)
    counts = Counter(r["emoji"] for r in snapshot.rows)
    assert {"🧉", "🫠", "🥹"} <= set(counts)  # the new emojis are there, often
    assert 0 < len(snapshot.rows) < made["messages"] + made["inline_rows"] + made["reaction_rows"]  # opted out, forgotten


def test_users_are_split_by_pseudonym_the_same_way_every_time(logs):
    path, _ = logs
    first, second = read_logs([path], until=LATER), read_logs([path], until=LATER)
    assert [r["split"] for r in first.rows] == [r["split"] for r in second.rows]
    by_user = {}
    for r in first.rows:
        by_user.setdefault(r["user"], set()).add(r["split"])
    assert all(len(sides) == 1 for sides in by_user.values())  # no user on two sides
    sides = Counter(user_side(f"user-{i}") for i in range(10_000))
    assert abs(sides["test"] / 10_000 - 0.2) < 0.02 and abs(sides["val"] / 10_000 - 0.1) < 0.02


def test_the_snapshot_hash_names_the_rows_without_holding_them(logs, tmp_path):
    path, _ = logs
    snapshot = read_logs([path], until=LATER)
    summary = json.dumps(snapshot.summary(), ensure_ascii=False)
    assert snapshot.sha256 in summary
    assert not any(r["text"] in summary for r in snapshot.rows)  # counts only: no text, no user pseudonym
    assert not any(r["user"] in summary for r in snapshot.rows)
    shuffled = type(snapshot)(list(reversed(snapshot.rows)), snapshot.until)
    assert shuffled.sha256 == snapshot.sha256  # row order does not matter
    halfway = time.time() - 30 * 86400 + 150 * 60  # the maker writes a message a minute from 30 days ago
    assert 0 < len(read_logs([path], until=halfway).rows) < len(snapshot.rows)
    assert read_logs([path], until=halfway).sha256 != snapshot.sha256


def test_a_forgotten_user_leaves_the_next_snapshot(tmp_path):
    path = tmp_path / "logs.db"
    store = open_store(path, salt=b"s")
    for user in (1, 2):
        store.set_consent("telegram", user, True)
        store.add_message("telegram", user_id=user, chat_id=user, message_id=user, text=f"hola {user} 🧉",
                          lang="es", private=True)
    before = read_logs([path], until=LATER)
    store.forget("telegram", 2)
    after = read_logs([path], until=LATER)
    store.close()
    assert len(before.rows) == 2 and [r["text"] for r in after.rows] == ["hola 1"]
    assert after.sha256 != before.sha256


def test_new_emojis_and_examples(logs):
    path, _ = logs
    rows = read_logs([path], until=LATER).side("train")
    found = dict(new_emojis(rows, ["❤️", "😂"], min_count=5, limit=3))
    assert len(found) == 3 and "❤️" not in found and all(n >= 5 for n in found.values())
    example = as_examples(rows[:1])[0]
    assert set(example) == {"text", "emoji", "targets", "lang", "source", "split"}  # training.prepare's, no user


def test_a_missing_store_is_named_not_created(tmp_path):
    with pytest.raises(FileNotFoundError, match="synthetic_logs"):
        read_logs([tmp_path / "nope.db"], until=LATER)
    assert not (tmp_path / "nope.db").exists()


def test_the_maker_never_overwrites_a_store(logs, capsys):
    path, _ = logs
    with pytest.raises(SystemExit):
        synthetic_logs.main(["--out", str(path)])
    assert "never overwritten" in capsys.readouterr().err
