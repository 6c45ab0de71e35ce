"""training.explain.rebind: an explain model follows a predictor whose encoder was trained further."""
import json

import pytest

from assistant.core.manifest import sha256_file
from training.explain import rebind


def predictor(folder, name, version, weights: bytes, tokenizer: bytes):
    folder.mkdir()
    (folder / "model.onnx").write_bytes(weights)
    (folder / "tokenizer.json").write_bytes(tokenizer)
    (folder / "manifest.json").write_text(json.dumps({"name": name, "version": version}), encoding="utf-8")
    return folder


def explain_bound_to(folder, predictor_dir):
    folder.mkdir()
    manifest = {"version": "0.1.0", "context": {"predictor_sha256": sha256_file(predictor_dir / "model.onnx"), "predictor": "p 1.0"},
                "created_by": {"rebound": "mapped onto 1.0's vocabulary"}, "files": {}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_it_binds_to_the_trained_encoder_and_records_it(tmp_path):
    old = predictor(tmp_path / "old", "p", "1.0", b"old weights", b"pieces")
    new = predictor(tmp_path / "new", "p", "2.0", b"new weights", b"pieces")
    explain = explain_bound_to(tmp_path / "explain", old)
    rebind.main(["--explain", str(explain), "--from", str(old), "--predictor", str(new), "--version", "0.2.0"])
    manifest = json.loads((explain / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == "0.2.0"
    assert manifest["context"]["predictor_sha256"] == sha256_file(new / "model.onnx")
    assert manifest["context"]["predictor"] == "p 2.0"
    assert manifest["created_by"]["rebound"].startswith("mapped onto 1.0's vocabulary; then bound to p 2.0")


@pytest.mark.parametrize("case", ["other vocabulary", "bound elsewhere"])
def test_it_refuses_and_writes_nothing(tmp_path, case, capsys):
    old = predictor(tmp_path / "old", "p", "1.0", b"old weights", b"pieces")
    tokenizer = b"other pieces" if case == "other vocabulary" else b"pieces"
    new = predictor(tmp_path / "new", "p", "2.0", b"new weights", tokenizer)
    explain = explain_bound_to(tmp_path / "explain", new if case == "bound elsewhere" else old)
    before = (explain / "manifest.json").read_bytes()
    with pytest.raises(SystemExit, match="revocab" if case == "other vocabulary" else "not bound to"):
        rebind.main(["--explain", str(explain), "--from", str(old), "--predictor", str(new)])
    assert (explain / "manifest.json").read_bytes() == before


def test_a_folder_that_is_no_predictor_is_named(tmp_path, capsys):
    old = predictor(tmp_path / "old", "p", "1.0", b"old weights", b"pieces")
    explain = explain_bound_to(tmp_path / "explain", old)
    (tmp_path / "empty").mkdir()
    with pytest.raises(SystemExit):
        rebind.main(["--explain", str(explain), "--from", str(old), "--predictor", str(tmp_path / "empty")])
    assert "no manifest.json, model.onnx, tokenizer.json" in capsys.readouterr().err
