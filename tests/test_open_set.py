"""training/open_set.py: an earlier release is scored with its own code and its own model; the
hand-written suites are read and scored."""
import json

import pytest

from training import open_set
from training.open_set import release_env
from assistant.core.versions import MODEL_ENV


def write_suite(path, rows):
    """`rows` as a JSON Lines suite at `path`."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_a_release_runs_its_own_model_not_the_installed_checkouts(tmp_path, monkeypatch):
    monkeypatch.setenv(MODEL_ENV, "/somewhere/else")
    (tmp_path / "models" / "emoji-predictor").mkdir(parents=True)
    env = release_env(tmp_path)
    assert env["PYTHONPATH"] == str(tmp_path.resolve())
    assert env[MODEL_ENV] == str(tmp_path.resolve() / "models" / "emoji-predictor")


def test_a_release_without_a_model_folder_keeps_the_callers_choice(tmp_path, monkeypatch):
    monkeypatch.setenv(MODEL_ENV, "/chosen")
    assert release_env(tmp_path)[MODEL_ENV] == "/chosen"


def test_each_feelings_suite_is_also_scored_as_phones_capitalise_it(tiny_model, tmp_path):
    suite = write_suite(tmp_path / "feelings_mini.jsonl", [
        {"text": "so tired today", "lang": "en", "expected": ["😴"], "upbeat": False},
        {"text": "Happy birthday!", "lang": "en", "expected": ["🥳"], "upbeat": True}])
    report = open_set.main(["--model", str(tiny_model), "--examples", str(tmp_path / "none.jsonl"),
                            "--feelings", str(suite), "--out", str(tmp_path / "open_set.json"),
                            "--figure", str(tmp_path / "open_set.png")])
    assert list(report) == ["feelings_mini", "feelings_mini_capitalised"]
    assert report["feelings_mini_capitalised"]["shipped"]["n"] == 2
    assert report["feelings_mini_capitalised"]["shipped"]["non_upbeat"] == 1
    cased = open_set.capitalised(open_set.hand_written_set(suite))
    assert cased.texts == ["So tired today", "Happy birthday!"] and cased.expected == [{"😴"}, {"🥳"}]


def test_a_topics_suite_without_feelings_fields_is_scored_without_the_cheerful_count(tmp_path):
    suite = write_suite(tmp_path / "topics_mini.jsonl", [
        {"text": "i love my dog", "lang": "en", "topic": "animals", "expected": ["🐕", "🐶"]},
        {"text": "vamos a la playa", "lang": "es", "topic": "nature", "expected": ["🏖️"]}])
    topics = open_set.hand_written_set(suite)
    assert topics.upbeat == [] and topics.expected == [{"🐕", "🐶"}, {"🏖️"}]
    scores = open_set.score([["❤️", "🐕"], ["🏖️"]], topics)
    assert scores == {"n": 2, "top1": 50.0, "top5": 100.0}  # no non_upbeat / cheerful_first keys


def test_a_suite_that_marks_only_some_messages_upbeat_is_refused_in_one_line(tmp_path):
    suite = write_suite(tmp_path / "mixed.jsonl", [
        {"text": "so sad", "lang": "en", "expected": ["😢"], "upbeat": False},
        {"text": "my dog", "lang": "en", "expected": ["🐕"]}])
    with pytest.raises(SystemExit, match=r"mixed.jsonl: 1 of 2 messages lack \"upbeat\""):
        open_set.hand_written_set(suite)  # counting only some would misalign the counts with the messages
