"""`emoji-assistant logs stats|export|purge` through assistant.cli.main."""
import json
import time

import pytest

from assistant.cli import main
from bots.store import DAY_S, ChatLogStore


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "logs.db"
    clock = {"now": time.time() - 100 * DAY_S}
    store = ChatLogStore(path, salt=b"s", clock=lambda: clock["now"])
    store.set_consent("telegram", 1, True)
    store.add_message("telegram", user_id=1, chat_id=1, message_id=1, text="Me encanta la paella 🥘", lang="es",
                      private=True)
    clock["now"] += 100 * DAY_S
    store.set_consent("discord", 2, True)
    store.add_message("discord", user_id=2, chat_id=2, message_id=2, text="good night 🌙", lang="en", private=True)
    store.add_choice("discord", user_id=2, text="happy birthday", emoji="🎂", lang="en")
    store.close()
    return path


def test_stats_text_and_json(db, capsys):
    assert main(["logs", "stats", "--db", str(db)]) == 0
    text = capsys.readouterr().out
    assert "messages 2  labels 1  users opted in 2" in text and "by platform: discord 1  telegram 1" in text
    assert main(["logs", "stats", "--db", str(db), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["messages_by_lang"] == {"es": 1, "en": 1} and stats["labels_by_source"] == {"inline": 1}


def test_export_writes_json_lines_training_reads(db, tmp_path, capsys):
    out = tmp_path / "chat.jsonl"
    assert main(["logs", "export", "--db", str(db), "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"exported 3 examples to {out}\n"
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["text"], r["emoji"], r["lang"], r["platform"]) for r in rows] == [
        ("Me encanta la paella", "🥘", "es", "telegram"), ("good night", "🌙", "en", "discord"),
        ("happy birthday", "🎂", "en", "discord")]
    assert all(r["ts"].endswith("+00:00") for r in rows)
    assert main(["logs", "export", "--db", str(db)]) == 0  # to stdout
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_purge_deletes_by_age(db, capsys):
    assert main(["logs", "purge", "--db", str(db), "--older-than", "50", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"deleted": 1, "older_than_days": 50.0}
    assert ChatLogStore(db).stats()["messages"] == 1


@pytest.mark.parametrize("argv, message", [
    (["logs", "purge"], "purge needs --older-than DAYS of 0 or more, got nothing"),
    (["logs", "purge", "--older-than", "-1"], "got -1.0"),
    (["logs", "stats", "--db", "/nonexistent/logs.db"], "no chat-log store at /nonexistent/logs.db"),
])
def test_user_errors_are_one_line_and_status_2(db, capsys, argv, message):
    if "--db" not in argv:
        argv = [*argv, "--db", str(db)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_damaged_file_is_reported(tmp_path, capsys):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database" * 100)
    assert main(["logs", "stats", "--db", str(bad)]) == 2
    assert "cannot open the chat-log store" in capsys.readouterr().err
