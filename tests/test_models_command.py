"""`emoji-assistant models list|add|promote|rollback`: help, the table, one-line errors, the default root."""
import json
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.core.assistant import resolve_model_dir
from assistant.core.versions import MODEL_ENV, ModelVersions
from tests.model_versions import second_version, two_versions


@pytest.mark.parametrize("action, shown", [
    ("list", ["--json", "--root PATH"]),
    ("add", ["DIR", "--name NAME", "--root PATH"]),
    ("promote", ["VERSION", "--reason REASON", "--root PATH"]),
    ("rollback", ["[VERSION]", "the version the current one was promoted over", "--root PATH"]),
])
def test_each_action_has_help(capsys, action, shown):
    with pytest.raises(SystemExit) as done:
        main(["models", action, "--help"])
    assert done.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith(f"usage: emoji-assistant models {action}")
    assert all(text in out for text in shown)
    assert "$EMOJI_ASSISTANT_MODEL when it names one" in out


def test_list_shows_each_version_and_which_is_current(tiny_model, tmp_path, capsys):
    versions, first, second = two_versions(tiny_model, tmp_path)
    assert main(["models", "list", "--root", str(versions.root)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == str(versions.root)
    assert lines[1].split() == ["VERSION", "MODEL", "CREATED", "(UTC)", "LABELS", "MACRO-F1", "/", "TOP-1"]
    assert lines[2].split()[:4] == ["*", first, "tiny-test", "0.0.1"] and lines[2].split()[-2:] == ["8", "-"]
    assert lines[3].split()[:3] == [second, "tiny-test", "0.0.2"]
    assert lines[3].split()[-3:] == ["8", "test", "33.25/41.00"]
    assert main(["models", "list", "--json", "--root", str(versions.root)]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["current"] == first and [v["name"] for v in listed["versions"]] == [first, second]


def test_add_promote_and_rollback_from_the_command_line(tiny_model, tmp_path, capsys, monkeypatch):
    versions = ModelVersions.init(tmp_path / "root", tiny_model)
    root = ["--root", str(versions.root)]
    candidate = second_version(tiny_model, tmp_path / "candidate")
    assert main(["models", "add", str(candidate), "--name", "chat-1", *root]) == 0
    assert capsys.readouterr().out.startswith(f"added chat-1 to {versions.root} (current is still 0.0.1;")
    monkeypatch.delenv(MODEL_ENV, raising=False)
    assert main(["models", "promote", "chat-1", "--reason", "retrained", *root]) == 0
    out, err = capsys.readouterr()
    assert out == "current: chat-1 (was 0.0.1)\n" and f"{MODEL_ENV}={versions.root}" in err
    monkeypatch.setenv(MODEL_ENV, str(versions.root))
    assert main(["models", "rollback", *root]) == 0
    out, err = capsys.readouterr()
    assert out == "current: 0.0.1 (rolled back from chat-1)\n" and err == ""  # the environment follows it
    assert [e["reason"] for e in versions.history()] == [f"initial version, from {tiny_model}", "retrained", ""]


@pytest.mark.parametrize("argv, message", [
    (["models", "promote", "9.9.9"], "no version '9.9.9' in"),
    (["models", "rollback"], "nothing to roll back to: 0.0.1 is the first version"),
    (["models", "add", "nowhere"], "model folder nowhere does not exist"),
])
def test_errors_are_one_line_and_status_2(tiny_model, tmp_path, capsys, argv, message):
    versions = ModelVersions.init(tmp_path / "root", tiny_model)
    assert main([*argv, "--root", str(versions.root)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("emoji-assistant: error: ") and message in err


def test_a_model_folder_is_not_taken_for_a_root(tiny_model, capsys):
    assert main(["models", "list", "--root", str(tiny_model)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a model folder, not a versioned root" in err


@pytest.mark.model
def test_the_per_user_root_starts_with_the_shipped_model(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv(MODEL_ENV, raising=False)
    assert main(["models", "list"]) == 0
    out, err = capsys.readouterr()
    root = tmp_path / "emoji-assistant" / "models" / "emoji-predictor"
    assert out.splitlines()[0] == str(root) and f"initialised {root} with the shipped model" in err
    shipped = json.loads((Path(resolve_model_dir()) / "manifest.json").read_text(encoding="utf-8"))["version"]
    assert out.splitlines()[2].split()[:3] == ["*", shipped, "emoji-predictor"] and "tweeteval_test" in out
