"""A language's chat n-grams: features, fusion with the model, the sombre guard, and the builder on
small data of its own."""
import dataclasses
import json

import numpy as np
import pytest

from assistant.core import chat_ngrams as ngrams_module
from assistant.core.chat_ngrams import ChatNgrams, chat_languages, chat_ngrams, fuse, hashed, ngram_counts


def test_features_are_character_grams_within_words_and_the_words():
    counts = ngram_counts("Кот кот")
    assert counts["w:кот"] == 2 and counts[" ко"] == 2 and counts["от "] == 2
    assert "т к" not in counts  # no gram crosses a word boundary
    ids, values = hashed("кот", 64, np.ones(64, dtype=np.float32))
    assert ids.max() < 64 and abs(float(np.linalg.norm(values)) - 1) < 1e-6


def test_hashed_adds_up_the_sublinear_counts_of_grams_that_share_a_bucket():
    import math

    from assistant.core.chat_ngrams import bucket

    idf = np.linspace(1, 2, 97).astype(np.float32)
    expected: dict[int, float] = {}
    for gram, n in ngram_counts("ну ну и кот").items():
        expected[bucket(gram, 97)] = expected.get(bucket(gram, 97), 0.0) + 1 + math.log(n)
    ids, values = hashed("ну ну и кот", 97, idf)
    dense = np.zeros(97)
    dense[list(expected)] = list(expected.values())
    dense *= idf
    np.testing.assert_allclose(values, (dense / np.linalg.norm(dense))[ids], rtol=1e-6)
    assert set(ids.tolist()) == set(expected)
    again, _ = hashed("ну ну и кот", 1 << 15, np.ones(1 << 15, dtype=np.float32))  # the same grams, other buckets
    assert len(again) > len(ids)


def model_favouring(emoji: str, word: str, emojis=("😂", "🐈", "👍"), buckets=256, weight=1.0) -> ChatNgrams:
    weights = np.zeros((buckets, len(emojis)), dtype=np.float32)
    ids, _ = hashed(word, buckets, np.ones(buckets, dtype=np.float32))
    weights[ids, list(emojis).index(emoji)] = 5.0
    return ChatNgrams("ru", list(emojis), np.ones(buckets, dtype=np.float32), weights,
                      np.zeros(len(emojis), dtype=np.float32), weight)


def test_fusion_lifts_what_the_chat_says_and_keeps_unseen_emojis_possible():
    labels = ["❤️", "😂", "🐈", "😢"]
    probs = np.array([0.4, 0.3, 0.1, 0.2], dtype=np.float32)
    fused = model_favouring("🐈", "кот").fuse("мой кот", labels, probs)
    assert abs(float(fused.sum()) - 1) < 1e-5
    assert labels[int(fused.argmax())] == "🐈"
    assert fused[0] > 0 and fused[3] > 0  # ❤️ and 😢, never seen in that chat, keep the floor
    weightless = model_favouring("🐈", "кот", weight=0.0).fuse("мой кот", labels, probs)
    assert np.allclose(weightless, probs, atol=1e-6)


def test_evidence_divides_out_the_chats_base_rates():
    labels = ["😂", "🐈", "👍", "😢"]
    probs = np.array([0.4, 0.3, 0.2, 0.1], dtype=np.float32)
    model = model_favouring("😂", "кот")
    shares = model.probabilities("кот")  # a message that says only what the chat says of every message
    divided = dataclasses.replace(model, prior=shares.astype(np.float64), prior_power=1.0)
    assert np.allclose(divided.evidence(shares[None, :]), 1 / 3, atol=1e-6)
    assert np.allclose(divided.fuse("кот", labels, probs), probs, atol=1e-5)  # nothing beyond base rates: unchanged
    assert model.fuse("кот", labels, probs).argmax() == 0  # counted twice, the chat's favourite ran away
    halfway = dataclasses.replace(divided, prior_power=0.5).fuse("кот", labels, probs)
    assert probs[0] < halfway[0] < model.fuse("кот", labels, probs)[0]
    unseen = dataclasses.replace(divided, prior=np.array([1.0, 0.0, 0.0]))  # a damaged file: shares of 0
    assert np.isfinite(unseen.fuse("кот", labels, probs)).all()


def test_vectorised_fusion_matches_one_message_at_a_time():
    model = model_favouring("👍", "ок")
    labels = ["👍", "😂", "🐈", "😢"]
    probs = np.array([[0.25, 0.25, 0.25, 0.25], [0.1, 0.6, 0.2, 0.1]], dtype=np.float32)
    own = np.stack([model.probabilities(t) for t in ("ок", "кот")])
    together = fuse(own, model.emojis, labels, probs, model.weight)
    assert np.allclose(together[0], model.fuse("ок", labels, probs[0]), atol=1e-6)
    assert np.allclose(together[1], model.fuse("кот", labels, probs[1]), atol=1e-6)


def test_a_language_without_chat_of_its_own_has_no_model_and_the_shipped_ones_load():
    assert chat_ngrams("xx") is None
    assert chat_languages() == ["en", "es", "ru"]
    for lang in chat_languages():
        model = chat_ngrams(lang)
        assert model is not None and model.lang == lang and "😂" in model.emojis and model.weight > 0
    english = chat_ngrams("en")
    assert english.prior is not None and abs(float(english.prior.sum()) - 1) < 1e-3 and english.prior_power > 0


def test_a_clearly_negative_message_keeps_the_models_reading(monkeypatch):
    from assistant import Assistant

    assistant = Assistant()
    laughing = model_favouring("😂", "кот", emojis=tuple(assistant.labels[:20]), weight=3.0)
    monkeypatch.setattr("assistant.core.assistant.chat_ngrams", lambda lang: laughing)
    labels = assistant.labels
    sad = np.full(len(labels), 0.001, dtype=np.float32)
    sad[labels.index("😢")], sad[labels.index("😭")] = 0.5, 0.3
    cheerful = np.full(len(labels), 0.001, dtype=np.float32)
    cheerful[labels.index("❤️")] = 0.5
    probs = np.stack([sad / sad.sum(), cheerful / cheerful.sum()])
    out = assistant.with_chat_habits(["умер наш кот", "мой кот"], ["ru", "ru"], probs)
    assert np.allclose(out[0], probs[0])  # sombre: the n-grams stay out
    assert labels[int(out[1].argmax())] == "😂"  # otherwise the chat's habit counts


def test_builder_fits_on_its_own_small_chat_and_writes_a_loadable_model(tmp_path):
    from training import build_chat_ngrams

    rows = []
    for i in range(40):
        for text, emoji in ((f"мой кот {i}", "🐈"), (f"ахаха смешно {i}", "😂"), (f"ок договорились {i}", "👍")):
            rows.append({"text": text, "emoji": emoji, "lang": "ru", "source": "telegram_ru",
                         "split": "val" if i % 4 == 0 else "train", "targets": {emoji: 1.0}})
    examples = tmp_path / "examples.jsonl"
    examples.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    reports = build_chat_ngrams.main(["--examples", str(examples), "--langs", "ru", "--buckets", "512",
                                      "--out", str(tmp_path / "out")])
    report = reports["ru"]
    assert report["train"] == 90 and report["val"] == 30
    assert report["val_fused"][1] >= report["val_encoder_alone"][1]  # chosen on validation: never worse there
    with np.load(tmp_path / "out" / "ru.npz") as data:
        model = ChatNgrams.from_npz(data)
    assert sorted(model.emojis) == sorted(["🐈", "😂", "👍"]) and model.buckets == 512
    assert np.isclose(model.prior.sum(), 1) and model.prior_power == report["prior_power"]
    assert model.emojis[int(model.probabilities("мой кот").argmax())] == "🐈"
    with pytest.raises(SystemExit, match="no emoji-labelled chat"):
        build_chat_ngrams.main(["--examples", str(examples), "--langs", "de", "--out", str(tmp_path / "out")])


def test_an_unreadable_file_means_no_model(tmp_path, monkeypatch):
    (tmp_path / "chat_ngrams").mkdir()
    (tmp_path / "chat_ngrams" / "zz.npz").write_bytes(b"not an npz")
    monkeypatch.setattr(ngrams_module, "data_file", lambda *parts: tmp_path.joinpath(*parts))
    ngrams_module._load.cache_clear()
    try:
        assert chat_ngrams("zz") is None
    finally:
        ngrams_module._load.cache_clear()


def test_a_stream_of_other_languages_never_evicts_a_loaded_model():
    russian = chat_ngrams("ru")
    assert russian is not None
    for lang in ("de", "fr", "it", "pt", "ja", "zh", "ko", "id", "tr", "pl", "nl", "sv", "ar", "hi", "th", "vi"):
        assert chat_ngrams(lang) is None
    assert chat_ngrams("ru") is russian and chat_ngrams("ru-RU") is russian  # not read from disk again


def test_feelings_check_tolerates_a_message_or_two_but_no_cheerful_emoji_first():
    from training.build_chat_ngrams import FEELINGS_TOLERANCE, FeelingsCheck

    base = {"top1": 80.0, "top5": 92.0, "cheerful_first": 2}
    assert FeelingsCheck.admits(base, {**base, "top1": 80.0 - FEELINGS_TOLERANCE})
    assert not FeelingsCheck.admits(base, {**base, "top5": 92.0 - FEELINGS_TOLERANCE - 0.1})
    assert not FeelingsCheck.admits(base, {**base, "top1": 90.0, "cheerful_first": 3})


def test_builder_never_takes_a_setting_that_costs_a_feelings_message_its_first_fit(tmp_path):
    from training import build_chat_ngrams

    message = "смотрим кино с котом вечером"  # the shipped model puts 😍 first, as a person would
    rows = []
    for i in range(40):  # this chat answers every film night with 👍, so its n-grams want 👍 first
        for text, emoji in ((f"{message} {i}", "👍"), (f"ахаха смешно {i}", "😂")):
            rows.append({"text": text, "emoji": emoji, "lang": "ru", "source": "telegram_ru",
                         "split": "val" if i % 4 == 0 else "train", "targets": {emoji: 1.0}})
    examples = tmp_path / "examples.jsonl"
    examples.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    feelings = tmp_path / "feelings.jsonl"
    feelings.write_text(json.dumps({"text": message, "lang": "ru", "feeling": "love", "upbeat": True,
                                    "expected": ["😍"], "split": "val"}, ensure_ascii=False) + "\n", encoding="utf-8")
    args = ["--examples", str(examples), "--langs", "ru", "--buckets", "512", "--feeling-ngrams", str(tmp_path / "none.npz")]
    unchecked = build_chat_ngrams.main([*args, "--no-feelings-check", "--out", str(tmp_path / "a")])
    checked = build_chat_ngrams.main([*args, "--feelings", str(feelings), "--out", str(tmp_path / "b")])
    assert "feelings_val" not in unchecked["ru"]
    report = checked["ru"]
    assert report["feelings_val"]["n"] == 1 and report["feelings_val"]["model_alone"]["top1"] == 100.0
    assert report["feelings_val"]["feeling_ngrams"] == "shipped"  # no chosen fit at --feeling-ngrams: the shipped
    assert any(not entry["admissible"] for entry in report["grid"])  # some settings put 👍 first, and were refused
    assert report["weight"] == 0 or report["feelings_val"]["fused"]["top1"] == 100.0
    with pytest.raises(SystemExit, match="no such feelings file"):
        build_chat_ngrams.main([*args, "--feelings", str(tmp_path / "typo.jsonl"), "--out", str(tmp_path / "c")])
