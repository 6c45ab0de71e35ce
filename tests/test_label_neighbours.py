"""Label neighbours: which labels a head treats as near-duplicates, recorded in the manifest and
read back by the runtime."""
import json
import shutil

import numpy as np
import pytest

from assistant.core.manifest import load_manifest
from training import label_neighbours as command
from training.lib.model_card import render
from training.lib.neighbours import label_neighbours


def test_pairs_are_the_labels_whose_weight_rows_point_the_same_way():
    weight = np.array([[1.0, 0.9, 0.0, -1.0],
                       [0.0, 0.1, 1.0, 0.0]])  # [hidden 2, labels 4]
    entry = label_neighbours(weight, ["😡", "🤬", "😞", "😊"], min_cosine=0.3)
    assert entry["pairs"] == [["😡", "🤬", pytest.approx(0.994, abs=1e-3)]]
    assert len(label_neighbours(weight, ["😡", "🤬", "😞", "😊"], min_cosine=-1.0)["pairs"]) == 6


def test_a_head_and_a_label_list_that_disagree_are_refused():
    with pytest.raises(ValueError, match="3 outputs but there are 2 labels"):
        label_neighbours(np.ones((4, 3)), ["😡", "🤬"])


def test_the_command_records_them_and_the_runtime_reads_them_both_ways(tiny_model, tmp_path):
    model = tmp_path / "model"
    shutil.copytree(tiny_model, model)
    assert load_manifest(model).neighbours() == {}  # a model without them: nothing is alike
    command.main(["--model", str(model), "--min-cosine", "-1"])
    manifest = load_manifest(model)  # the file hashes still hold: only the manifest changed
    pairs = manifest.label_neighbours["pairs"]
    labels = manifest.labels
    assert len(pairs) == len(labels) * (len(labels) - 1) // 2
    a, b, cosine = pairs[0]
    assert manifest.neighbours()[a][b] == manifest.neighbours()[b][a] == cosine
    written = json.loads((model / "manifest.json").read_text())
    assert written["created_by"]["commands"][-1].startswith("python -m training.label_neighbours")
    assert f"Label neighbours: {len(pairs)} pairs" in render(written)  # the model card says so


def test_the_command_on_a_folder_without_a_manifest_says_so(tmp_path):
    with pytest.raises(SystemExit, match="no manifest.json"):
        command.main(["--model", str(tmp_path)])
