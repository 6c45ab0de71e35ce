"""The feeling n-grams: a lift that only raises, its place in the runtime, and the builder on small data of its own."""
import json

import numpy as np
import pytest

from assistant.core import feeling_ngrams as feeling_ngrams_module
from assistant.core.chat_ngrams import hashed
from assistant.core.feeling_ngrams import DATA_FILE, FeelingNgrams, feeling_ngrams
from assistant.core.paths import data_file


def model_naming(emoji: str, word: str, emojis=("😠", "😢", "😴", "😂"), buckets=256, weight=1.0) -> FeelingNgrams:
    weights = np.zeros((buckets, len(emojis)), dtype=np.float32)
    ids, _ = hashed(word, buckets, np.ones(buckets, dtype=np.float32))
    weights[ids, list(emojis).index(emoji)] = 20.0
    return FeelingNgrams(list(emojis), np.ones(buckets, dtype=np.float32), weights, np.ones(len(emojis), np.float32),
                        np.zeros(len(emojis), dtype=np.float32), weight)


def test_a_feeling_word_lifts_its_emoji_past_the_encoders_misreading():
    labels = ["😴", "😠", "❤️", "😢"]
    sleepy = np.array([0.4, 0.15, 0.25, 0.2], dtype=np.float32)  # the encoder reads "arrabbiato" as tired
    fused = model_naming("😠", "arrabbiato").fuse("sono così arrabbiato", labels, sleepy)
    assert abs(float(fused.sum()) - 1) < 1e-5
    assert labels[int(fused.argmax())] == "😠"
    assert np.isclose(fused[2] / fused[3], sleepy[2] / sleepy[3])  # what it does not lift keeps its proportions


def test_it_never_lowers_and_a_message_without_feeling_ngrams_keeps_the_encoders_reading():
    model = model_naming("😠", "arrabbiato")
    assert (model.lift("the bus is late") >= 1).all() and (model.lift("arrabbiato") >= 1).all()
    labels = ["😂", "❤️", "😠", "🍕"]  # 🍕 is not one of its emojis: never lifted
    probs = np.array([0.4, 0.3, 0.2, 0.1], dtype=np.float32)
    uniform = FeelingNgrams(model.emojis, model.idf, np.zeros_like(model.weights), model.scale, model.bias, 1.0)
    assert np.allclose(uniform.fuse("anything at all", labels, probs), probs, atol=1e-6)
    weightless = model_naming("😠", "arrabbiato", weight=0.0)
    assert np.allclose(weightless.fuse("arrabbiato", labels, probs), probs)
    lifted = model.fuse("arrabbiato", labels, probs)
    assert lifted[2] > probs[2] and np.isclose(lifted[0] / lifted[3], probs[0] / probs[3])


def test_only_a_clear_naming_lifts_when_the_model_has_a_threshold():
    model = model_naming("😠", "arrabbiato")
    ratio = model.probabilities("sono così arrabbiato") * len(model.emojis)
    clear = float(ratio.max())
    assert clear > 1.5 and sorted(ratio)[-2] < clear  # one emoji is named, the rest are not
    strict = FeelingNgrams(model.emojis, model.idf, model.weights, model.scale, model.bias, 1.0, threshold=clear - 0.01)
    lift = strict.lift("sono così arrabbiato")
    assert lift[model.emojis.index("😠")] == pytest.approx(clear) and (np.delete(lift, model.emojis.index("😠")) == 1).all()
    beyond = FeelingNgrams(model.emojis, model.idf, model.weights, model.scale, model.bias, 1.0, threshold=clear + 0.01)
    assert (beyond.lift("sono così arrabbiato") == 1).all()  # named, but not clearly enough: nothing moves


def test_the_runtime_lifts_after_the_chat_habits_and_the_model_alone_stays_alone(monkeypatch):
    from assistant import Assistant

    assistant = Assistant()
    angry = model_naming("😡", "arrabbiato", emojis=("😡", "😴", "😢"), weight=2.0)
    monkeypatch.setattr("assistant.core.assistant.shipped_feeling_ngrams", lambda: angry)
    text = "sono così arrabbiato"
    plain = assistant.probabilities([text], ["it"], feeling_ngrams=False)
    lifted = assistant.probabilities([text], ["it"])
    at = assistant.labels.index("😡")
    assert lifted[0, at] > plain[0, at]
    assert assistant.suggest(text, lang="it")[0].emoji == "😡"
    monkeypatch.setattr("assistant.core.assistant.shipped_feeling_ngrams", lambda: None)
    assert np.allclose(assistant.probabilities([text], ["it"]), plain)  # no model: the encoder's reading


def test_the_shipped_model_loads_and_knows_the_feelings():
    model = feeling_ngrams()
    assert model is not None and model.weight > 0
    for emoji in ("😢", "😡", "🤢", "😨", "🤒", "😴", "😳", "🤔", "🙏", "❤️", "😂", "👍", "👎"):
        assert emoji in model.emojis


def test_an_unreadable_file_means_no_model(tmp_path, monkeypatch):
    (tmp_path / "feeling_ngrams.npz").write_bytes(b"not an npz")
    monkeypatch.setattr(feeling_ngrams_module, "data_file", lambda *parts: tmp_path.joinpath(*parts))
    feeling_ngrams.cache_clear()
    try:
        assert feeling_ngrams() is None
    finally:
        feeling_ngrams.cache_clear()


def test_builder_fits_on_its_own_small_data_and_keeps_the_chat_lists(tmp_path):
    from training import build_feeling_ngrams

    rows = []
    for i in range(24):
        for text, expected, upbeat in ((f"bin so wütend auf dich {i}", ["😡", "😠"], False),
                                       (f"ich bin so traurig heute {i}", ["😢", "😞"], False),
                                       (f"wir feiern heute abend {i}", ["🥳", "🎉"], True)):
            rows.append({"text": text, "lang": "de", "feeling": "x", "expected": expected, "upbeat": upbeat,
                         "split": "val" if i % 4 == 0 else "train"})
    feelings = tmp_path / "feelings.jsonl"
    feelings.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    chat = [{"text": f"look at this {i}", "emoji": "😂", "lang": "en", "source": "tweeteval", "split": "val",
             "targets": {"😂": 1.0}} for i in range(10)]
    examples = tmp_path / "examples.jsonl"
    examples.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chat), encoding="utf-8")
    out, chosen_out = tmp_path / "fw.npz", tmp_path / "chosen.npz"
    report = build_feeling_ngrams.main(["--feelings", str(feelings), "--examples", str(examples),
                                       "--buckets", "512", "--out", str(out), "--chosen-out", str(chosen_out)])
    assert report["train"] == 54 and set(report["chosen"]) == {"feelings", "tweeteval"}
    assert report["weight"] > 0 and report["refit"]["train"] == 72  # the chosen setting, fitted again on train + val
    with np.load(out) as data, np.load(chosen_out) as chosen_data:
        shipped, chosen_fit = FeelingNgrams.from_npz(data), FeelingNgrams.from_npz(chosen_data)
    assert (shipped.weight, shipped.threshold) == (chosen_fit.weight, chosen_fit.threshold)
    assert report["refit"]["shipped"] == (not np.array_equal(shipped.bias, chosen_fit.bias))
    without, chosen = report["without"], report["chosen"]
    assert chosen["feelings"]["top1"] + chosen["feelings"]["top5"] >= without["feelings"]["top1"] + without["feelings"]["top5"]
    assert chosen["tweeteval"]["top5"] >= without["tweeteval"]["top5"] - build_feeling_ngrams.CHAT_TOLERANCE
    assert "macro_f1" in without["tweeteval"] and "macro_f1" not in without["feelings"]
    with np.load(out) as data:
        model = FeelingNgrams.from_npz(data)
    assert model.buckets == 512 and set(model.emojis) <= {"😡", "😠", "😢", "😞", "🥳", "🎉"}
    assert model.weight == pytest.approx(report["weight"]) and model.threshold == pytest.approx(report["threshold"])
    assert model.emojis[int(model.probabilities("so wütend").argmax())] in ("😡", "😠")
    with pytest.raises(SystemExit, match="no such file"):
        build_feeling_ngrams.main(["--feelings", str(tmp_path / "missing.jsonl"), "--examples", str(examples)])
    unrefit = build_feeling_ngrams.main(["--feelings", str(feelings), "--examples", str(examples), "--buckets", "512",
                                        "--out", str(out), "--chosen-out", str(chosen_out), "--no-refit"])
    assert "refit" not in unrefit and out.read_bytes() == chosen_out.read_bytes()


def test_the_chat_builder_checks_with_the_fit_chosen_on_validation(tmp_path, capsys):
    from training.build_chat_ngrams import chosen_feeling_ngrams

    assert chosen_feeling_ngrams(tmp_path / "missing.npz") is None  # the shipped ones, said in one line
    assert "lenient" in capsys.readouterr().out
    (tmp_path / "broken.npz").write_bytes(b"not an npz")
    with pytest.raises(SystemExit, match="not a feeling n-gram file"):
        chosen_feeling_ngrams(tmp_path / "broken.npz")
    model = chosen_feeling_ngrams(data_file(DATA_FILE))
    assert model is not None and model.emojis == feeling_ngrams().emojis


def test_a_setting_is_refused_for_costing_chat_its_lists_its_macro_f1_or_a_sad_message_its_face():
    from training.build_feeling_ngrams import CHAT_TOLERANCE, CHEERFUL_TOLERANCE, MACRO_F1_TOLERANCE, admits

    base = {"feelings": {"top1": 70.0, "top5": 90.0, "cheerful_first": 5},
            "tweeteval": {"top1": 30.0, "top5": 70.0, "macro_f1": 25.0}}
    def with_(**changes):
        out = {name: dict(scores) for name, scores in base.items()}
        for key, value in changes.items():
            name, figure = key.split("__")
            out[name][figure] = value
        return out
    assert admits(base, with_(feelings__top1=75.0))
    assert admits(base, with_(tweeteval__top5=70.0 - CHAT_TOLERANCE, tweeteval__macro_f1=25.0 - MACRO_F1_TOLERANCE))
    assert not admits(base, with_(tweeteval__top5=70.0 - CHAT_TOLERANCE - 0.1))
    assert not admits(base, with_(tweeteval__macro_f1=25.0 - MACRO_F1_TOLERANCE - 0.01))
    assert not admits(base, with_(feelings__cheerful_first=6))  # a few hundred messages: not one more
    many = {**base, "feelings": {**base["feelings"], "non_upbeat": int(3 / CHEERFUL_TOLERANCE)}}
    assert admits(many, {**many, "feelings": {**many["feelings"], "cheerful_first": 8}})
    assert not admits(many, {**many, "feelings": {**many["feelings"], "cheerful_first": 9}})


def test_the_chat_builders_feelings_check_ranks_with_the_feeling_ngrams_it_is_given():
    from assistant import Assistant
    from training.build_chat_ngrams import FeelingsCheck
    from training.open_set import CaseSet

    assistant = Assistant()
    text = "sono così arrabbiato"
    case_set = CaseSet("feelings_it", [text], [{"😡"}], [], [False])
    encoder = assistant.probabilities([text], ["it"], chat_habits=False, feeling_ngrams=False)
    angry = model_naming("😡", "arrabbiato", emojis=("😡", "😴", "😢"), weight=2.0)
    sleepy = model_naming("😴", "arrabbiato", emojis=("😡", "😴", "😢"), weight=2.0)
    assert FeelingsCheck(case_set, encoder, angry).scores(assistant, "it", None)["top1"] == 100.0
    assert FeelingsCheck(case_set, encoder, sleepy).scores(assistant, "it", None)["top1"] == 0.0
