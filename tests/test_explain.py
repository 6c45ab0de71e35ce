import json

import pytest

from assistant import Assistant
from assistant.cli import main
from assistant.explain import READING_KINDS
from assistant.sentiment import sentiment


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
