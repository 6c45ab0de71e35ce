import json

import pytest

from assistant.cli import main
from assistant.core import language
from assistant.core.emojis import strip_emojis
from assistant.core.errors import InputError
from assistant.core.language import DEFAULT_LANG, check_language, detect_language, hint_languages, script_language


@pytest.mark.parametrize("text, lang", [
    ("今天要加班，你们先吃🍚吧，别等我", "zh"),  # with the emoji in, the model reads Korean
    ("Gute 🌙", "de"),  # "Gute" alone leaves the model unsure; "gute" does not
    ("Bonne 🌙", "fr"),
    ("Me encanta la paella 🥘", "es"),
    ("おやすみ🌙", "ja"),
    ("잘 자 🌙", "ko"),
    ("I 🐝 leaf in you", "en"),
    ("Mi manchi tanto", "it"),  # the model alone says Esperanto, lowercased Spanish; "manchi" is Italian
    ("Доброй 🌙", "ru"),  # the model alone says Bulgarian by a hair
])
def test_short_messages_with_emojis(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["", "   ", "🍕🍕🍕", "👨‍👩‍👧‍👦 🇯🇵", "1️⃣ 2 3"])
def test_nothing_to_read_is_the_default_language(text):
    assert detect_language(text) == DEFAULT_LANG


def test_a_failing_detector_gives_the_default_language(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("model file damaged")

    monkeypatch.setattr(language, "_detector", lambda: broken)
    assert detect_language("Me encanta la paella") == DEFAULT_LANG
    assert detect_language("我压力好大") == "zh"  # the script needs no model


def test_the_most_confident_reading_wins(monkeypatch):
    seen = []

    def fake(text, **kwargs):
        seen.append(text)
        return [{"lang": "de", "score": 0.8} if text == "gute" else {"lang": "en", "score": 0.1}]

    monkeypatch.setattr(language, "_detector", lambda: fake)
    assert detect_language("Gute 🌙") == "de"
    assert seen == ["Gute 🌙", "Gute", "gute"]


def test_only_languages_the_product_speaks_are_named(monkeypatch):
    monkeypatch.setattr(language, "_detector", lambda: lambda text, **kw: [{"lang": "eo", "score": 0.9},
                                                                        {"lang": "it", "score": 0.05}])
    assert detect_language("Mi manchi tanto") == "it"  # Esperanto has no names or keywords here


def test_the_hint_is_a_prior_not_an_order():
    assert detect_language("Hola 🌙", hint="es") == "es"
    assert detect_language("Ich habe heute keine Zeit, leider", hint="fr") == "de"  # clear German stays German
    assert detect_language("🍕", hint=["pt-BR", "en"]) == "pt"  # nothing to read: the hint
    assert detect_language("我愛你", hint="zh-TW") == "zh-Hant"


def test_chinese_is_named_by_its_script_and_the_hint_settles_shared_characters():
    assert detect_language("顧小孩一整天 我電量剩1%") == "zh-Hant"  # Traditional characters
    assert detect_language("困死了 眼睛都睁不开", hint="zh-TW") == "zh"  # Simplified ones, whatever the hint
    assert detect_language("好累") == "zh" and detect_language("好累", hint="zh-HK") == "zh-Hant"


def test_hints_are_read_leniently():
    assert hint_languages("de-CH,de;q=0.9,en;q=0.5,*;q=0.1") == ["de", "en"]
    assert hint_languages(["zh_TW", "klingon!", "", "en"]) == ["zh-Hant", "en"]
    assert hint_languages(None) == []


@pytest.mark.parametrize("code, expected", [("pt-BR", "pt"), ("zh-TW", "zh-Hant"), ("zh-Hant", "zh-Hant"),
                                            ("ZH_cn", "zh"), ("iw", "he"), ("EN", "en")])
def test_check_language_normalises(code, expected):
    assert check_language(code) == expected


@pytest.mark.parametrize("code", ["xx", "english", "", "12", "zz-ZZ"])
def test_an_unknown_language_is_a_clear_error(code):
    with pytest.raises(InputError, match="language code"):
        check_language(code)


def test_script_language():
    assert script_language("我压力好大") == "zh"
    assert script_language("東京に行きたい") == "ja"  # kanji with kana
    assert script_language("안녕하세요") == "ko"
    assert script_language("Привет") is None  # left to the model
    assert script_language("OK 好") is None  # mostly Latin letters


def test_stripped_emojis_keep_the_words_apart():
    assert strip_emojis("I 🐝lieve👍🏽in you 🇫🇷", gap=" ") == "I lieve in you"


@pytest.mark.model
def test_explain_without_a_language_reads_gute_nacht(capsys):
    assert main(["explain", "Gute 🌙", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["lang"] == "de" and out["rewritten"] == "Gute Nacht"
