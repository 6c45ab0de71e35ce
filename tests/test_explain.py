import json

import pytest

from assistant import Assistant
from assistant.cli import main
from assistant.core.explain import READING_KINDS
from assistant.core.sentiment import sentiment


@pytest.fixture(scope="module")
def assistant(tiny_model):
    return Assistant(tiny_model)


def test_literal_readings_in_the_message_language(assistant):
    out = assistant.explain("Gute 🌙", lang="de")
    (moon,) = out.emojis
    assert (moon.emoji, moon.start, moon.end) == ("🌙", 5, 6)
    assert moon.name == {"de": "Mondsichel", "en": "crescent moon"}
    assert "Nacht" in moon.keywords
    assert moon.readings[0].kind == "literal" and moon.readings[0].kind in READING_KINDS
    assert out.rewritten == "Gute 🌙"  # no decoder yet: nothing is replaced


def test_sentiment_from_the_emoji_sentiment_ranking():
    assert sentiment("😂") == pytest.approx(0.221)
    assert sentiment("❤") == sentiment("❤️") > 0.5
    assert sentiment("😭") < sentiment("😍")


def test_message_without_emojis(assistant):
    assert assistant.explain("just words").emojis == []


def test_explain_cli_json_lines(capsys, tiny_model):
    assert main(["explain", "💎🙌 to the 🌕", "--json", "--model", str(tiny_model)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [e["emoji"] for e in result["emojis"]] == ["💎", "🙌", "🌕"]
    assert {"text", "lang", "rewritten", "emojis"} <= set(result)
    assert set(result["emojis"][0]) == {"emoji", "start", "end", "name", "keywords", "sentiment", "readings"}


def test_without_a_decoder_readings_are_literal_and_nothing_is_rewritten(assistant):
    out = assistant.explain("🐝lieve 💀", lang="en")
    assert all(e.readings[0].kind == "literal" for e in out.emojis) and out.rewritten == "🐝lieve 💀"


def test_explain_stdin_gives_one_json_line_per_message(capsys, monkeypatch, tiny_model):
    import io

    stdin = io.TextIOWrapper(io.BytesIO("Gute 🌙\nno emojis\n👨‍👩‍👧‍👦🇫🇷1️⃣👍🏽\n".encode()), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)
    assert main(["explain", "-", "--json", "--lang", "de", "--model", str(tiny_model)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [len(r["emojis"]) for r in lines] == [1, 0, 4]


@pytest.mark.model
def test_shipped_decoder_reads_rebus_and_puns():
    shipped = Assistant()
    out = shipped.explain("我🦆🍐好大", lang="zh")
    assert out.rewritten == "我压力好大" and out.emojis[0].readings[0].kind == "rebus"
    assert shipped.explain("I 🐝 leaf in you", lang="en").rewritten == "I believe in you"  # a split pun
    for text in ["🐝lieve in yourself", "💎🙌 to the 🌕", "😂" * 200, "👨‍👩‍👧‍👦 🇯🇵 #️⃣ 👋🏿 \U0001FAE9"]:
        result = shipped.explain(text, lang="en").to_dict()
        json.dumps(result, ensure_ascii=False)
        assert all(r["kind"] in READING_KINDS for e in result["emojis"] for r in e["readings"])


def test_the_explain_model_folder_is_found_by_its_variable_or_its_older_name(tmp_path, monkeypatch):
    from assistant.core.assistant import resolve_decoder_dir
    from assistant.core.errors import ModelError

    predictor, explain_dir, older = tmp_path / "emoji-predictor", tmp_path / "mine", tmp_path / "emoji-decoder"
    for folder in (predictor, explain_dir, older):
        folder.mkdir()
        (folder / "manifest.json").write_text("{}")
    monkeypatch.delenv("EMOJI_ASSISTANT_EXPLAIN_MODEL", raising=False)
    monkeypatch.delenv("EMOJI_ASSISTANT_DECODER", raising=False)
    assert resolve_decoder_dir(predictor) == older  # a folder exported before the rename, beside the predictor
    (tmp_path / "emoji-explain").mkdir()
    (tmp_path / "emoji-explain" / "manifest.json").write_text("{}")
    assert resolve_decoder_dir(predictor) == tmp_path / "emoji-explain"
    monkeypatch.setenv("EMOJI_ASSISTANT_DECODER", str(explain_dir))  # the older variable still works
    assert resolve_decoder_dir(predictor) == explain_dir
    monkeypatch.setenv("EMOJI_ASSISTANT_EXPLAIN_MODEL", str(tmp_path / "missing"))  # and the new one wins
    with pytest.raises(ModelError, match="training.explain.export_ranker"):
        resolve_decoder_dir(predictor)
