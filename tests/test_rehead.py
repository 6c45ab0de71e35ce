"""training/rehead.py and training/lib/head.py: a shipped model's head refit over its frozen encoder."""
import gzip
import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")

from assistant.core.emojis import is_emoji  # noqa: E402
from assistant.core.manifest import sha256_file  # noqa: E402
from assistant.core.session import OnnxSession  # noqa: E402
from assistant.core.tokenizer import TextEncoder  # noqa: E402
from tests.factory import CORPUS, LABELS, tiny_examples  # noqa: E402
from training import rehead  # noqa: E402
from training.lib.dequantize import correction_weights, head_weights  # noqa: E402
from training.lib.head import CORRECTION_VIEWS, LAST_LAYER_MEAN, pooled, pooled_features, swap_head  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FEELINGS_TRAIN = ROOT / "training" / "data" / "feelings_train.jsonl.gz"
SUITES = [ROOT / "training" / "data" / f"feelings_{half}.jsonl" for half in ("dev", "test")]
# the everyday chat of the training file (greetings, plans, food …): topics the suites, which are about
# feelings, do not have; their messages are upbeat
EVERYDAY_TOPICS = {"congratulations", "cute", "food", "good night", "greeting", "holiday", "music", "photo",
                   "plans/question", "sports", "weather"}


def run_model(model_file: Path, tokenizer: Path, texts: list[str]):
    encoder = TextEncoder(tokenizer, max_length=64)
    ids, mask = encoder.pad(encoder.token_ids(texts))
    session = OnnxSession(model_file)
    return session.logits(ids, mask), session.token_states(ids, mask), mask


def test_the_head_read_from_the_graph_gives_its_logits_and_a_swapped_one_leaves_the_token_states(tiny_model, tmp_path):
    logits, states, mask = run_model(tiny_model / "model.onnx", tiny_model / "tokenizer.json", CORPUS)
    weight, bias = head_weights(onnx.load(str(tiny_model / "model.onnx")))
    features = pooled_features(tiny_model, CORPUS)
    assert np.allclose(features, pooled(states, mask), atol=1e-6)
    assert np.abs(features @ weight + bias - logits).max() < 0.05  # int8 head: activation rounding only

    new_weight = np.random.default_rng(0).normal(size=(weight.shape[0], len(LABELS) + 2)).astype(np.float32)
    new_bias = np.arange(len(LABELS) + 2, dtype=np.float32)
    onnx.save(swap_head(onnx.load(str(tiny_model / "model.onnx")), new_weight, new_bias), str(tmp_path / "model.onnx"))
    new_logits, new_states, _ = run_model(tmp_path / "model.onnx", tiny_model / "tokenizer.json", CORPUS)
    assert new_logits.shape == (len(CORPUS), len(LABELS) + 2)
    assert np.allclose(new_logits, pooled(states, mask) @ new_weight + new_bias, atol=1e-4)
    assert np.array_equal(new_states, states)  # the explain model reads these
    again = head_weights(onnx.load(str(tmp_path / "model.onnx")))
    assert np.array_equal(again[0], new_weight) and np.array_equal(again[1], new_bias)


@pytest.mark.parametrize("views", [LAST_LAYER_MEAN, CORRECTION_VIEWS], ids=["last-layer-mean", "three-views"])
def test_a_head_with_a_correction_gives_its_logits_reads_back_and_recovers_in_torch(tiny_model, tmp_path, views):
    from training.lib.dequantize import recover

    logits, states, mask = run_model(tiny_model / "model.onnx", tiny_model / "tokenizer.json", CORPUS)
    weight, bias = head_weights(onnx.load(str(tiny_model / "model.onnx")))
    hidden = weight.shape[0]
    rng = np.random.default_rng(1)
    correction = (rng.normal(size=(hidden * len(views), 8)).astype(np.float32), rng.normal(size=8).astype(np.float32),
                  rng.normal(size=(8, len(LABELS))).astype(np.float32))
    assert correction_weights(onnx.load(str(tiny_model / "model.onnx"))) is None  # a linear head alone
    folder = tmp_path / "corrected"
    folder.mkdir()
    for name in ("tokenizer.json", "manifest.json"):
        (folder / name).write_bytes((tiny_model / name).read_bytes())
    graph = swap_head(onnx.load(str(tiny_model / "model.onnx")), weight, bias, correction)
    onnx.save(graph, str(folder / "model.onnx"))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"] = {name: sha256_file(folder / name) for name in manifest["files"]}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    new_logits, new_states, _ = run_model(folder / "model.onnx", tiny_model / "tokenizer.json", CORPUS)
    assert np.array_equal(new_states, states)
    inner, inner_bias, outer = correction_weights(onnx.load(str(folder / "model.onnx")))
    for stored, given in ((inner, correction[0]), (outer, correction[2])):  # int8, one scale per column
        assert np.abs(stored - given).max() <= np.abs(given).max(0).max() / 254 + 1e-6
    assert np.array_equal(inner_bias, correction[1])
    z = pooled_features(folder, CORPUS, views=views)  # the views side by side, the last layer's mean first
    x = z[:, :hidden]
    assert np.allclose(x, pooled(states, mask), atol=1e-5)
    if ("max", 0) in views:
        at = views.index(("max", 0)) * hidden
        real_max = np.array([s[m.astype(bool)].max(0) for s, m in zip(states, mask)])
        assert np.allclose(z[:, at:at + hidden], real_max, atol=1e-5)
    expected = x @ weight + bias + np.maximum(z @ inner + inner_bias, 0) @ outer
    assert np.allclose(new_logits, expected, atol=1e-3) and not np.allclose(new_logits, logits, atol=0.1)

    model, _, _ = recover(folder)  # train --init_from and retrain start from it, correction included
    encoder = TextEncoder(folder / "tokenizer.json", max_length=64)
    ids, attention = encoder.pad(encoder.token_ids(CORPUS))
    with torch.no_grad():
        recovered = model(torch.from_numpy(ids), torch.from_numpy(attention)).numpy()
    assert model.correction is not None and model.correction.hidden.out_features == 8
    assert model.correction.views == views
    assert (recovered.argmax(1) == new_logits.argmax(1)).mean() >= 0.8  # int8 encoder: activation rounding only


def test_features_cached_for_one_head_serve_another_over_the_same_encoder(tiny_model, tmp_path, monkeypatch):
    from training.lib import head

    cache = tmp_path / "features.npz"
    first = rehead.cached_features(tiny_model, CORPUS[:3], cache, threads=1)
    weight, bias = head_weights(onnx.load(str(tiny_model / "model.onnx")))
    other = tmp_path / "other"
    other.mkdir()
    (other / "tokenizer.json").write_bytes((tiny_model / "tokenizer.json").read_bytes())
    onnx.save(swap_head(onnx.load(str(tiny_model / "model.onnx")), weight * 2, bias), str(other / "model.onnx"))
    manifest = json.loads((tiny_model / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"] = {name: sha256_file(other / name) for name in manifest["files"]}
    (other / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    runs = []
    real = head.pooled_features
    monkeypatch.setattr(head, "pooled_features", lambda model_dir, texts, **kw: runs.append(texts) or real(
        model_dir, texts, **kw))
    both = rehead.cached_features(other, CORPUS[:3] + CORPUS[3:5] + CORPUS[:1], cache, threads=1)
    assert runs == [CORPUS[3:5]]  # only the texts the cache lacked, once each
    assert np.array_equal(both[:3], first) and np.array_equal(both[5], first[0])
    assert np.allclose(both[3:5], pooled_features(tiny_model, CORPUS[3:5]))


def test_a_changed_encoder_gets_features_of_its_own(tiny_model, tmp_path):
    from training.lib.head import encoder_fingerprint

    model = onnx.load(str(tiny_model / "model.onnx"))
    before = encoder_fingerprint(model)
    init = next(i for i in model.graph.initializer if i.name not in ("head.bias", "head.weight_Transposed")
                and i.data_type == onnx.TensorProto.FLOAT and i.raw_data)
    values = onnx.numpy_helper.to_array(init).copy()
    init.CopyFrom(onnx.numpy_helper.from_array(values + 1, init.name))
    assert encoder_fingerprint(model) != before


def write_feelings(path: Path) -> Path:
    rows = [{"text": text, "lang": "en", "feeling": "tired", "expected": ["😴", "🥱", "😩"], "split": "train"}
            for text in ("so tired today", "need sleep now", "exhausted after work", "cannot keep my eyes open")]
    rows.append({"text": "falling asleep at my desk", "lang": "en", "feeling": "tired", "expected": ["😴"],
                 "split": "val"})
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_rehead_adds_the_feelings_labels_refits_and_rebinds_the_explain_model(tiny_model, tmp_path):
    from assistant.core import Assistant
    from training.lib.dequantize import recover

    old_sha = sha256_file(tiny_model / "model.onnx")
    explain = tmp_path / "explain"
    explain.mkdir()
    (explain / "manifest.json").write_text(json.dumps({"context": {"predictor_sha256": old_sha, "predictor": "tiny"}}))
    out = tmp_path / "new"
    rehead.main(["--model", str(tiny_model), "--out", str(out), "--examples", str(tiny_examples(tmp_path / "ex.jsonl")),
                 "--feelings", str(write_feelings(tmp_path / "feelings.jsonl")), "--explain", str(explain),
                 "--min-uses", "4", "--epochs", "300", "--lr", "0.05", "--version", "0.0.2"])

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["labels"] == [*LABELS, "😴", "🥱", "😩"]  # 😴 also in the val row, not counted
    assert manifest["version"] == "0.0.2" and manifest["extra"]["head"]["labels_added"] == ["😴", "🥱", "😩"]
    assert {label for pair in manifest["label_neighbours"]["pairs"] for label in pair[:2]} <= set(manifest["labels"])
    assert manifest["extra"]["head"]["refit_over_frozen_encoder"]["case_copies"] is True
    started = json.loads((tiny_model / "manifest.json").read_text(encoding="utf-8"))["version"]
    assert manifest["extra"]["head"]["refit_over_frozen_encoder"]["started_from"] == f"tiny-test {started}" != "tiny-test 0.0.2"
    assert sha256_file(tiny_model / "model.onnx") == old_sha  # --out leaves the source folder alone
    bound = json.loads((explain / "manifest.json").read_text())["context"]
    assert bound == {"predictor_sha256": manifest["files"]["model.onnx"], "predictor": "tiny-test 0.0.2"}

    assistant = Assistant(out)
    probs = assistant.probabilities(["so tired today"], ["en"], chat_habits=False)[0]
    top3 = {assistant.labels[i] for i in np.argsort(-probs)[:3]}
    assert top3 == {"😴", "🥱", "😩"}, top3  # learned from the feelings messages
    model, labels, _ = recover(out)  # retrain and train --init_from can start from it
    assert labels == manifest["labels"] and model.head.out_features == len(LABELS) + 3
    assert model.correction is not None and model.correction.out.out_features == len(LABELS) + 3

    # a refit of the refit starts from its head, the correction included: no steps, the same logits
    again = tmp_path / "again"
    rehead.main(["--model", str(out), "--out", str(again), "--examples", str(tmp_path / "ex.jsonl"),
                 "--feelings", str(tmp_path / "feelings.jsonl"), "--min-uses", "4", "--epochs", "0"])
    before, _, _ = run_model(out / "model.onnx", out / "tokenizer.json", CORPUS)
    after, _, _ = run_model(again / "model.onnx", again / "tokenizer.json", CORPUS)
    assert np.allclose(before, after, atol=1e-3)


def test_feelings_messages_come_in_both_cases_sharing_their_weight():
    from training.lib.feelings import as_examples, case_variants

    assert case_variants("mi manchi tanto") == ["mi manchi tanto", "Mi manchi tanto"]
    assert case_variants("Ich bin müde") == ["Ich bin müde", "ich bin müde"]
    assert case_variants("我好累") == ["我好累"] and case_variants("3 days off") == ["3 days off"]
    assert case_variants("") == [""]
    feelings = [{"text": "so tired", "expected": ["😴"]}, {"text": "累死了", "expected": ["😴"]}]
    rows = as_examples(feelings, case_copies=True)
    assert [(r["text"], r["weight"]) for r in rows] == [("so tired", 0.5), ("So tired", 0.5), ("累死了", 1.0)]
    assert [r["text"] for r in as_examples(feelings)] == ["so tired", "累死了"]  # as written unless asked


def test_a_linear_head_alone_when_the_correction_has_no_width(tiny_model, tmp_path):
    out = tmp_path / "linear"
    rehead.main(["--model", str(tiny_model), "--out", str(out), "--examples", str(tiny_examples(tmp_path / "ex.jsonl")),
                 "--feelings", str(write_feelings(tmp_path / "feelings.jsonl")), "--min-uses", "4", "--epochs", "5",
                 "--correction-width", "0"])
    assert correction_weights(onnx.load(str(out / "model.onnx"))) is None


def test_explain_bound_to_another_predictor_is_left_alone(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"context": {"predictor_sha256": "other"}}))
    assert "left as it is" in rehead.rebind_explain(tmp_path, "old", "new", "p 1")
    assert json.loads((tmp_path / "manifest.json").read_text())["context"]["predictor_sha256"] == "other"


def test_a_feelings_message_without_expected_emojis_is_refused_with_its_line(tmp_path):
    path = tmp_path / "f.jsonl"
    path.write_text('{"text": "fine", "expected": ["👍"]}\n{"text": "no list"}\n', encoding="utf-8")
    with pytest.raises(SystemExit, match=r"f.jsonl:2"):
        rehead.read_feelings(path)


def trigrams(text: str) -> set[str]:
    text = " ".join(text.lower().split())
    return {text[i:i + 3] for i in range(len(text) - 2)}


def test_the_hand_written_feelings_set_is_well_formed_and_apart_from_the_suite():
    rows = [json.loads(line) for line in gzip.decompress(FEELINGS_TRAIN.read_bytes()).decode("utf-8").splitlines()]
    suite = [json.loads(line) for path in SUITES for line in path.read_text(encoding="utf-8").splitlines()]
    feelings = {r["feeling"] for r in suite} | EVERYDAY_TOPICS
    upbeat = rehead_upbeat(suite) | EVERYDAY_TOPICS
    assert len(rows) >= 1000 and len({r["lang"] for r in rows}) >= 25
    for row in rows:
        assert row["text"].strip() and row["split"] in ("train", "val") and row["feeling"] in feelings, row
        assert 1 <= len(row["expected"]) <= 8 and all(is_emoji(e) for e in row["expected"]), row
        assert row["upbeat"] == (row["feeling"] in upbeat), row
    assert len({r["text"].lower() for r in rows}) == len(rows)
    suite_grams = [trigrams(r["text"]) for r in suite]
    for row in rows:  # the suite measures; no message of it, nor a near copy, is trained on
        grams = trigrams(row["text"])
        assert max(len(grams & s) / len(grams | s) for s in suite_grams) < 0.5, row["text"]


def rehead_upbeat(suite: list[dict]) -> set[str]:
    return {r["feeling"] for r in suite if r["upbeat"]}


def test_the_model_card_says_how_the_head_was_refit():
    from training.lib.model_card import render

    manifest = {"name": "m", "version": "1", "base_model": "b", "labels": ["😴"], "extra": {"head": {
        "refit_over_frozen_encoder": {"mix_rows": 1000, "feelings_messages": 20, "feelings_languages": 3,
                                      "feelings_file": "f.jsonl",
                                      "feelings_weight": 30.0, "pull": 0.01, "min_uses": 8},
        "labels_added": ["😴", "🤒"]}}}
    card = render(manifest)
    assert "`training.rehead`" in card and "1,000 messages" in card and "in 3 languages" in card and "became labels: 😴 🤒." in card
    assert "correction" not in card
    manifest["extra"]["head"]["refit_over_frozen_encoder"].update(correction_width=256, correction_dropout=0.5,
                                                                 correction_decay=0.001)
    card = render(manifest)
    assert "a linear head (plus a 256-unit hidden-layer correction) over 1 emoji labels" in card
    assert "one-hidden-layer correction beside the linear map (256 ReLU units, dropout 0.5" in card
    manifest["extra"]["head"]["refit_over_frozen_encoder"]["correction_views"] = [["mean", 0], ["max", 0], ["mean", 2]]
    assert ("(256 ReLU units, reading the token states' mean at the last layer, max at the last layer and mean "
            "2 layers below it, dropout 0.5") in render(manifest)


def test_the_model_card_of_a_refit_refit_names_its_start_and_every_label_added():
    from training.lib.model_card import render

    refit = {"mix_rows": 1000, "feelings_messages": 40, "feelings_languages": 4, "feelings_file": "f.jsonl",
             "feelings_weight": 30.0, "pull": 0.01, "min_uses": 8}
    manifest = {"name": "m", "version": "2", "base_model": "b", "labels": ["😴", "🤒", "🥱"], "extra": {"head": {
        "refit_over_frozen_encoder": {**refit, "started_from": "m 1"}, "labels_added": ["🥱"],
        "earlier": {"refit_over_frozen_encoder": refit, "labels_added": ["😴", "🤒"]}}}}
    card = render(manifest)
    assert "starting from m 1's head" in card and "became labels: 😴 🤒 🥱." in card


def test_a_refit_records_those_before_it_as_what_changed_and_the_card_still_names_every_label():
    from training.lib.manifest_writer import earlier_refits, head_record
    from training.lib.model_card import render

    first = {"mix_rows": 1000, "feelings_messages": 40, "feelings_languages": 4, "feelings_file": "f.jsonl",
             "feelings_weight": 30.0, "pull": 0.01, "min_uses": 8}
    second = {**first, "feelings_messages": 60, "started_from": "m 1"}
    nested = {"refit_over_frozen_encoder": second, "labels_added": ["🥱"],
              "earlier": {"refit_over_frozen_encoder": first, "labels_added": ["😴", "🤒"]}}
    third = {**first, "feelings_messages": 80, "started_from": "m 2"}
    head = head_record(third, ["☕"], nested)
    assert head["earlier"] == [
        {"refit_over_frozen_encoder": {"feelings_messages": 60, "started_from": "m 1"}, "labels_added": ["🥱"]},
        {"refit_over_frozen_encoder": {"feelings_messages": 40, "started_from": None}, "labels_added": ["😴", "🤒"]}]
    assert [r["labels_added"] for r in earlier_refits(head)] == [r["labels_added"] for r in earlier_refits(
        {"earlier": nested})] == [["🥱"], ["😴", "🤒"]]
    # a fourth refit with another setting: every earlier one still reads back whole, as it was
    fourth = head_record({**third, "feelings_weight": 12.0, "started_from": "m 3"}, [], head)
    settings = [r["refit_over_frozen_encoder"] for r in earlier_refits(fourth)]
    assert settings == [third, second, {**first, "started_from": None}]
    assert fourth["earlier"][2]["refit_over_frozen_encoder"] == {"feelings_messages": 40, "feelings_weight": 30.0,
                                                                 "started_from": None}
    card = render({"name": "m", "version": "3", "base_model": "b", "labels": ["😴", "🤒", "🥱", "☕"],
                   "extra": {"head": head}})
    assert "starting from m 2's head" in card and "became labels: 😴 🤒 🥱 ☕." in card
