"""training/open_set.py: an earlier release is scored with its own code and its own model."""
from training.open_set import release_env
from assistant.core.versions import MODEL_ENV


def test_a_release_runs_its_own_model_not_the_installed_checkouts(tmp_path, monkeypatch):
    monkeypatch.setenv(MODEL_ENV, "/somewhere/else")
    (tmp_path / "models" / "emoji-predictor").mkdir(parents=True)
    env = release_env(tmp_path)
    assert env["PYTHONPATH"] == str(tmp_path.resolve())
    assert env[MODEL_ENV] == str(tmp_path.resolve() / "models" / "emoji-predictor")


def test_a_release_without_a_model_folder_keeps_the_callers_choice(tmp_path, monkeypatch):
    monkeypatch.setenv(MODEL_ENV, "/chosen")
    assert release_env(tmp_path)[MODEL_ENV] == "/chosen"
