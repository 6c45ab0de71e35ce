"""The corpus readers, the emotion → emoji table and the vocabulary, on small data of their own."""
import json

import pytest

from training import prepare
from training.lib.emotion_table import EmotionMap, check, read_table, shipped_table
from training.lib.sources import Example, read_goemotions, read_telegram_ru, read_xed

TABLE = EmotionMap({
    ("goemotions", "grief"): {"😢": 0.5, "💔": 0.5},
    ("goemotions", "joy"): {"😊": 1.0},
    ("xed", "anger"): {"😡": 1.0},
    ("xed", "fear"): {"😨": 0.6, "😱": 0.4},
})


def test_targets_average_the_emotions_and_skip_neutral():
    assert TABLE.targets("goemotions", ["grief", "joy"]) == {"😢": 0.25, "💔": 0.25, "😊": 0.5}
    assert TABLE.targets("goemotions", ["neutral"]) == {}
    assert TABLE.targets("xed", ["grief"]) == {}  # rows are per corpus


def test_shipped_table_is_well_formed_and_agrees_with_the_sentiment_ranking():
    table = shipped_table()
    assert len({emotion for _, emotion in table.rows}) >= 28
    for weights in table.rows.values():
        assert sum(weights.values()) == pytest.approx(1.0)
    lines, problems = check(table)
    assert problems == []
    assert any("grief" in line and "💔" in line for line in lines)


def test_table_errors_name_the_line(tmp_path):
    bad = tmp_path / "table.tsv"
    bad.write_text("# comment\ngoemotions\tjoy\tnot-an-emoji\t1.0\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"table.tsv:2: expected source"):
        read_table(bad)
    bad.write_text("goemotions\tjoy\t😊\t0.5\n", encoding="utf-8")
    with pytest.raises(ValueError, match="sum to 0.50"):
        read_table(bad)


def test_a_disagreeing_row_is_reported():
    table = EmotionMap({("goemotions", "sadness"): {"😍": 1.0}})  # 😍's tweets are very positive
    _, problems = check(table)
    assert problems and "😍" in problems[0]


def test_goemotions_reader_uses_its_splits_and_the_table(tmp_path):
    folder = tmp_path / "goemotions"
    folder.mkdir()
    (folder / "labels.txt").write_text("grief\njoy\nneutral\n", encoding="utf-8")
    (folder / "train.tsv").write_text("my dog died\t0\tid1\nnice day\t1\tid2\njust a fact\t2\tid3\n", encoding="utf-8")
    (folder / "dev.tsv").write_text("so sad and happy\t0,1\tid4\n", encoding="utf-8")
    (folder / "test.tsv").write_text("", encoding="utf-8")
    rows = list(read_goemotions(folder, TABLE))
    assert [(r.text, r.split) for r in rows] == [("my dog died", "train"), ("nice day", "train"),
                                                 ("so sad and happy", "val")]
    assert rows[0].targets == {"😢": 0.5, "💔": 0.5} and rows[0].emoji in {"😢", "💔"}
    assert rows[2].targets == {"😢": 0.25, "💔": 0.25, "😊": 0.5} and rows[2].emoji == "😊"


def test_xed_reader_maps_projection_languages_and_caps_them(tmp_path):
    folder = tmp_path / "xed"
    (folder / "projections").mkdir(parents=True)
    (folder / "en-annotated.tsv").write_text("I hate you\t1\nrun!\t4\n", encoding="utf-8")
    (folder / "fi-annotated.tsv").write_text("Vihaan sinua\t1\n", encoding="utf-8")
    (folder / "projections" / "br-projections.tsv").write_text(
        "".join(f"frase {i}\t4, 1\n" for i in range(10)), encoding="utf-8")
    (folder / "projections" / "de-projections.tsv").write_text("Lauf!\t4\nNeutral\t0\n", encoding="utf-8")
    rows = list(read_xed(folder, TABLE, per_language=3, val=0.0, test=0.0))
    langs = [r.lang for r in rows]
    assert langs.count("pt") == 3 and langs.count("de") == 1  # br is Brazilian Portuguese; neutral lines skipped
    assert {r.source for r in rows} == {"xed_en", "xed_fi", "xed_projected"}
    pt = next(r for r in rows if r.lang == "pt")
    assert pt.targets == {"😨": 0.3, "😱": 0.2, "😡": 0.5}


def test_telegram_reader_hashes_a_stable_split(tmp_path):
    path = tmp_path / "comments.tsv"
    path.write_text("".join(f"комментарий номер {i}\t😂\n" for i in range(200)) + "без метки\t\n", encoding="utf-8")
    first = [(r.text, r.split) for r in read_telegram_ru(path, 0.1, 0.2)]
    assert first == [(r.text, r.split) for r in read_telegram_ru(path, 0.1, 0.2)]
    splits = [s for _, s in first]
    assert len(first) == 200 and 20 <= splits.count("test") <= 60 and splits.count("train") > 100


def test_prepare_builds_the_vocabulary_and_keeps_unknown_writer_emojis_for_evaluation(tmp_path, capsys):
    data = tmp_path / "data"
    (data / "telegram_ru").mkdir(parents=True)
    (data / "deepmoji_benchmarks").mkdir()
    (data / "deepmoji_benchmarks" / "wanted_emojis.csv").write_text("\\U0001f602\n\\u2661\n", encoding="utf-8")
    lines = [f"смешно {i}\t😂\n" for i in range(30)] + [f"редкий {i}\t🦔\n" for i in range(5)]
    (data / "telegram_ru" / "comments.tsv").write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "examples.jsonl"
    prepare.main(["--data", str(data), "--out", str(out), "--min-chat-count", "10"])
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    labels = json.loads(out.with_suffix(".labels.json").read_text(encoding="utf-8"))
    assert labels["😂"] == "DeepMoji" and labels["♥️"] == "DeepMoji"  # "♡" is no emoji: it counts as ♥️
    assert labels["😂"] and "🦔" not in labels  # 5 uses: fewer than --min-chat-count
    hedgehogs = [r for r in rows if r["emoji"] == "🦔"]
    assert all(r["split"] != "train" for r in hedgehogs)  # no target in the vocabulary: not trained on
    assert all(r["targets"] == {} for r in hedgehogs)
    assert all(r["targets"] == {"😂": 1.0} for r in rows if r["emoji"] == "😂")
    assert "no target in the vocabulary" in capsys.readouterr().out


def test_example_names_its_heaviest_target():
    assert Example("x", {"😢": 0.3, "😭": 0.7}, "en", "s", "train").emoji == "😭"
