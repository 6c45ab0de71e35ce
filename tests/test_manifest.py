import json
import shutil

import pytest

from assistant import Assistant, ModelError
from assistant.core.manifest import load_manifest


@pytest.fixture
def model_copy(tiny_model, tmp_path):
    return shutil.copytree(tiny_model, tmp_path / "model")


def test_valid_folder_loads(model_copy):
    manifest = load_manifest(model_copy)
    assert manifest.labels and manifest.max_length == 64


def test_missing_folder(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        load_manifest(tmp_path / "nope")


def test_missing_manifest(model_copy):
    (model_copy / "manifest.json").unlink()
    with pytest.raises(ModelError, match="manifest.json is missing"):
        load_manifest(model_copy)


def test_missing_model_file(model_copy):
    (model_copy / "model.onnx").unlink()
    with pytest.raises(ModelError, match="model.onnx is missing"):
        load_manifest(model_copy)


def test_truncated_model_file_fails_the_hash(model_copy):
    data = (model_copy / "model.onnx").read_bytes()
    (model_copy / "model.onnx").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError, match="sha256 differs"):
        load_manifest(model_copy)


def test_foreign_format_version(model_copy):
    path = model_copy / "manifest.json"
    data = json.loads(path.read_text())
    data["format_version"] = 99
    path.write_text(json.dumps(data))
    with pytest.raises(ModelError, match="format 99"):
        load_manifest(model_copy)


def test_broken_json(model_copy):
    (model_copy / "manifest.json").write_text("{not json")
    with pytest.raises(ModelError, match="not valid JSON"):
        load_manifest(model_copy)


def test_foreign_onnx_file_with_matching_hash_is_refused(model_copy):
    """A file that is not ONNX at all (hash updated to match) fails at session creation, one line."""
    from training.lib.manifest_writer import write_manifest

    (model_copy / "model.onnx").write_bytes(b"this is not an onnx model")
    data = json.loads((model_copy / "manifest.json").read_text())
    data.pop("files"), data.pop("format_version"), data.pop("task")
    write_manifest(model_copy, **data)
    with pytest.raises(ModelError, match="cannot be loaded by onnxruntime") as err:
        Assistant(model_copy)
    assert "\n" not in str(err.value)


def test_label_count_mismatch(model_copy):
    path = model_copy / "manifest.json"
    data = json.loads(path.read_text())
    data["labels"] = data["labels"][:-1]
    path.write_text(json.dumps(data))
    with pytest.raises(ModelError, match="outputs but the manifest"):
        Assistant(model_copy)


def _explain_folder(path):
    from assistant.core.manifest import ExplainManifest, sha256_file

    path.mkdir()
    (path / "candidates.json.gz").write_bytes(b"a candidate table")
    manifest = {"format_version": 1, "name": "tiny-explain", "version": "0", "task": ExplainManifest.TASK,
                "languages": ["en"], "features": ["similarity"],
                "files": {"candidates.json.gz": sha256_file(path / "candidates.json.gz")},
                "kind_prior": {"shift": {"slang": 1.5}}, "context": {"predictor_sha256": "abc"}}
    (path / "manifest.json").write_text(json.dumps(manifest))
    return path


def test_the_explain_model_folder_is_read_and_hash_checked_by_the_same_code(tmp_path):
    from assistant.core.manifest import ExplainManifest

    folder = _explain_folder(tmp_path / "explain")
    manifest = load_manifest(folder, kind=ExplainManifest)
    assert manifest.kind_shift == {"slang": 1.5} and manifest.predictor_sha256 == "abc"
    (folder / "candidates.json.gz").write_bytes(b"a candidate")
    with pytest.raises(ModelError, match="sha256 differs"):
        load_manifest(folder, kind=ExplainManifest)


def test_a_folder_is_read_only_as_its_own_kind_of_model(model_copy, tmp_path):
    from assistant.core.manifest import ExplainManifest

    with pytest.raises(ModelError, match="task 'emoji-prediction', expected 'implicit-emoji-decoding'"):
        load_manifest(model_copy, kind=ExplainManifest)
    with pytest.raises(ModelError, match="expected 'emoji-prediction'"):
        load_manifest(_explain_folder(tmp_path / "explain"))


@pytest.mark.model
def test_the_shipped_explain_model_belongs_to_the_shipped_predictor():
    from assistant.core.explain import FEATURES
    from assistant.core.manifest import ExplainManifest
    from assistant.core.paths import default_model_dir

    predictor = load_manifest(default_model_dir())
    explain = load_manifest(default_model_dir().parent / "emoji-explain", kind=ExplainManifest)
    assert explain.features == list(FEATURES) and explain.predictor_sha256 == predictor.files["model.onnx"]
