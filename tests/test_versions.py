"""Versioned model roots: add, promote, rollback, byte-identical versions, and what a killed writer leaves."""
import json
import os
import queue
import stat
import subprocess
import sys
import threading

import pytest

from assistant import Assistant
from assistant.core.errors import InputError, ModelError
from assistant.core.versions import (ADD_STEPS, MODEL_ENV, PAUSE_ENV, SWITCH_STEPS, ModelVersions, default_root,
                                     user_root)
from tests.model_versions import NONSENSE, second_version, tree_hashes, two_versions, which


def test_add_promote_rollback_restores_every_byte(tiny_model, tmp_path):
    versions = ModelVersions.init(tmp_path / "root", tiny_model)
    first = versions.current()
    assert first == "0.0.1" and tree_hashes(versions.current_dir()) == tree_hashes(tiny_model)
    before = {info.name: tree_hashes(info.path) for info in versions.versions()}
    candidate = second_version(tiny_model, tmp_path / "candidate")
    second = versions.add(candidate)
    assert versions.current() == first  # added, not current
    versions.promote(second, reason="better on chat logs")
    assert versions.current() == second and tree_hashes(versions.current_dir()) == tree_hashes(candidate)
    assert versions.rollback(reason="worse for Spanish") == first
    assert tree_hashes(versions.current_dir()) == before[first]
    assert {info.name: tree_hashes(info.path) for info in versions.versions()} == {
        **before, second: tree_hashes(candidate)}  # nothing was rewritten along the way
    assert [(e["action"], e["from"], e["to"], e["reason"]) for e in versions.history()] == [
        ("promote", None, first, f"initial version, from {tiny_model}"),
        ("promote", first, second, "better on chat logs"),
        ("rollback", second, first, "worse for Spanish")]
    lines = versions.history_file.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == versions.history()


def test_versions_are_read_only_and_listed_with_their_manifest(tiny_model, tmp_path):
    versions, first, second = two_versions(tiny_model, tmp_path)
    infos = versions.versions()
    assert [(i.name, i.version, i.current, i.labels) for i in infos] == [(first, "0.0.1", True, 8),
                                                                         (second, "0.0.2", False, 8)]
    assert infos[1].metrics["test"]["macro_f1"] == 33.25 and infos[0].created <= infos[1].created
    for path in infos[1].path.rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) & 0o222 == 0, path


def test_an_assistant_pointed_at_a_root_loads_the_current_version(tiny_model, tmp_path, monkeypatch):
    versions, first, second = two_versions(tiny_model, tmp_path)
    assistant = Assistant(versions.root)
    assert assistant.model_dir == versions.root / "versions" / first
    assert which([s.emoji for s in assistant.suggest(NONSENSE)]) == "first"
    versions.promote(second)
    monkeypatch.setenv(MODEL_ENV, str(versions.root))
    assistant = Assistant()
    assert assistant.model_dir.name == second and which([s.emoji for s in assistant.suggest(NONSENSE)]) == "second"


def test_rollback_goes_back_one_promotion_at_a_time(tiny_model, tmp_path):
    versions, first, second = two_versions(tiny_model, tmp_path)
    third = versions.add(tiny_model)  # the same model again gets a name of its own
    assert third == "0.0.1-2"
    versions.promote(second)
    versions.promote(third)
    assert versions.rollback() == second
    assert versions.rollback() == first
    with pytest.raises(ModelError, match="nothing to roll back to: 0.0.1 is the first version"):
        versions.rollback()
    assert versions.rollback(third, reason="named") == third and versions.current() == third


def test_a_damaged_candidate_is_refused_and_leaves_nothing_behind(tiny_model, tmp_path):
    versions = ModelVersions.init(tmp_path / "root", tiny_model)
    candidate = second_version(tiny_model, tmp_path / "candidate")
    with open(candidate / "model.onnx", "r+b") as f:
        f.truncate(1000)
    with pytest.raises(ModelError, match="model.onnx: sha256 differs"):
        versions.add(candidate)
    assert [info.name for info in versions.versions()] == ["0.0.1"]
    assert sorted(p.name for p in versions.versions_dir.iterdir()) == ["0.0.1"]


def test_names_are_checked(tiny_model, tmp_path):
    versions = ModelVersions.init(tmp_path / "root", tiny_model)
    with pytest.raises(InputError, match="expected letters, digits"):
        versions.add(tiny_model, name="../escape")
    with pytest.raises(InputError, match="already in"):
        versions.add(tiny_model, name="0.0.1")
    assert versions.add(tiny_model, name="chat-2025-06") == "chat-2025-06"
    with pytest.raises(ModelError, match=r"no version 'nope' .*versions: 0.0.1, chat-2025-06"):
        versions.promote("nope")


def test_init_keeps_an_initialised_root_and_refuses_other_folders(tiny_model, tmp_path):
    versions, first, second = two_versions(tiny_model, tmp_path)
    versions.promote(second)
    again = ModelVersions.init(versions.root, tiny_model)
    assert again.current() == second and len(again.versions()) == 2
    with pytest.raises(ModelError, match="is a model folder, not a versioned root"):
        ModelVersions.init(tiny_model, tiny_model)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(ModelError, match="not a versioned root"):
        ModelVersions.init(tmp_path / "other", tiny_model)
    with pytest.raises(ModelError, match="has no current model version"):
        ModelVersions(tmp_path / "nothing").current_dir()


def test_a_pointer_written_by_hand_is_followed_and_recorded(tiny_model, tmp_path):
    versions, first, second = two_versions(tiny_model, tmp_path)
    versions.pointer.write_text(f"{second}\n")
    assert versions.current() == second and versions.current_dir().name == second
    assert versions.history()[-1]["action"] == "external"
    assert versions.rollback() == first  # the next writer recorded the hand-made switch first
    assert [e["action"] for e in versions.history()] == ["promote", "external", "rollback"]
    versions.pointer.write_text("gone\n")
    with pytest.raises(ModelError, match="names version 'gone', which is not in"):
        versions.current_dir()
    assert versions.history()[-1]["to"] == first  # history never names a version that is not there


def test_a_torn_history_line_is_ignored_then_cut(tiny_model, tmp_path):
    versions, first, second = two_versions(tiny_model, tmp_path)
    with open(versions.history_file, "ab") as f:
        f.write(b'{"time": "2025-06-01T00:00:00+00:00", "action": "prom')
    assert len(versions.history()) == 1
    versions.promote(second)
    lines = versions.history_file.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["to"] for line in lines] == [first, second]


def test_the_default_root(tmp_path, monkeypatch, tiny_model):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert user_root() == tmp_path / "data" / "emoji-assistant" / "models" / "emoji-predictor"
    assert default_root({}) == user_root()
    assert default_root({MODEL_ENV: str(tiny_model)}) == user_root()  # a plain model folder is no root
    assert default_root({MODEL_ENV: str(tmp_path / "new")}) == tmp_path / "new"  # one to initialise
    versions = ModelVersions.init(tmp_path / "root", tiny_model)
    assert default_root({MODEL_ENV: str(versions.root)}) == versions.root


# ---- a writer killed at each step (SIGKILL while it waits at the step, as a crash or power loss would leave it)

def _killed_at(step: str, *argv: str) -> None:
    """Run `emoji-assistant ARGV` until it reaches `step`, then kill it."""
    proc = subprocess.Popen([sys.executable, "-m", "assistant", *argv], env={**os.environ, PAUSE_ENV: step},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()

    def read():
        for line in proc.stderr:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    said = []
    try:
        while said[-1:] != [f"paused at {step}\n"]:
            said.append(lines.get(timeout=60))
            assert said[-1] is not None, f"it ended before {step}: {''.join(said[:-1])}"
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode != 0


def _assert_consistent(versions: ModelVersions, expected: str) -> None:
    """`expected` is current and loads; history ends with it, chains and names only versions that are there."""
    assert versions.current() == expected
    assistant = Assistant(versions.root)
    assert assistant.model_dir.name == expected
    history = versions.history()
    names = {info.name for info in versions.versions()}
    assert history[-1]["to"] == expected
    assert all(e["to"] in names and e["from"] in names | {None} for e in history)
    assert all(e["from"] == before["to"] for before, e in zip(history, history[1:]))


@pytest.mark.parametrize("action", ["promote", "rollback"])
@pytest.mark.parametrize("step", SWITCH_STEPS)
def test_a_switch_killed_at_any_step_leaves_a_complete_current_and_a_consistent_history(
        tiny_model, tmp_path, action, step):
    versions, first, second = two_versions(tiny_model, tmp_path)
    if action == "rollback":
        versions.promote(second)
    old, new = (first, second) if action == "promote" else (second, first)
    hashes = {info.name: tree_hashes(info.path) for info in versions.versions()}
    _killed_at(step, "models", action, *([new] if action == "promote" else []), "--root", str(versions.root))
    switched = SWITCH_STEPS.index(step) >= SWITCH_STEPS.index("pointer-switched")
    _assert_consistent(versions, new if switched else old)
    assert {info.name: tree_hashes(info.path) for info in versions.versions()} == hashes
    # The next writer tidies up; a promotion's history entry, written by the killed writer or by it,
    # tells a rollback where to go back to.
    if not switched:
        getattr(versions, action)(*([new] if action == "promote" else []))
    elif action == "promote":
        assert versions.rollback() == old
    else:
        versions.promote(old)
    _assert_consistent(versions, old if switched else new)
    assert not list(versions.root.glob(".current-*"))
    lines = versions.history_file.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == versions.history()


@pytest.mark.parametrize("step", ADD_STEPS)
def test_an_add_killed_at_any_step_leaves_no_partial_version(tiny_model, tmp_path, step):
    versions = ModelVersions.init(tmp_path / "root", tiny_model)
    candidate = second_version(tiny_model, tmp_path / "candidate")
    _killed_at(step, "models", "add", str(candidate), "--root", str(versions.root))
    added = step == "add-renamed"
    assert [info.name for info in versions.versions()] == (["0.0.1", "0.0.2"] if added else ["0.0.1"])
    _assert_consistent(versions, "0.0.1")
    name = versions.add(candidate)  # the next writer removes what the killed one left
    assert name == ("0.0.2-2" if added else "0.0.2")
    assert not list(versions.versions_dir.glob(".incoming-*"))
    assert tree_hashes(versions.versions_dir / name) == tree_hashes(candidate)
