"""assistant.core.explain's model: sites, candidates, features, ranking and rewriting, on a tiny hand-made table."""
import json

import numpy as np
import pytest

from assistant.core.errors import ModelError
from assistant.core.explain import (FEATURES, READING_KINDS, CandidateTable, Decoded, Decoder, Ranker, Reading, column,
                               explain, rewrite)
from assistant.core.explain.sites import find_sites
from assistant.core.lexicon import Lexicon
from assistant.core.manifest import ExplainManifest

TABLE = {
    "format": 1, "languages": ["en", "zh"],
    "literal": {},
    "homophone": {"en": {"🐝": [["be", 1.0]], "👁️": [["i", 1.0]]}},
    "partword": {"en": {"🐝": [["be", "believe"], ["be", "because"]]}, "zh": {"🦆": [["压", "压力"]]}},
    "split": {"en": {"🐝": [["leaf", "believe", "after", 1.0], ["may", "maybe", "before", 1.0]]}},
    "rebus": {"zh": {"🦆🍐": ["压力"]}},
    "slang": {"en": {"💀": ["dead"], "💎🙌": ["hold"]}},
    "zipf": {"en": {"be": 7.0, "believe": 5.0, "dead": 5.0, "hold": 5.0}, "zh": {"压力": 5.0}},
}


class PreferKind(Ranker):
    """A fake ranker: scores one kind highest (stands in for model.onnx)."""

    def __init__(self, kind):
        super().__init__(None)
        self.column = column(f"kind_{kind}")

    def scores(self, features):
        return features[:, self.column] * 5 + features[:, 0]


def make_decoder(kind="literal"):
    manifest = ExplainManifest(name="test-explain", version="0", task=ExplainManifest.TASK, languages=TABLE["languages"],
                               files={}, features=list(FEATURES))
    return Decoder(CandidateTable(TABLE), PreferKind(kind), manifest)


@pytest.fixture(scope="module")
def lexicon():
    return Lexicon.load()


def test_part_word_pun_uses_the_glued_letters(lexicon):
    out = explain("🐝lieve in yourself", "en", lexicon, make_decoder("partword"))
    (bee,) = out.emojis
    assert bee.readings[0].text == "be" and bee.readings[0].kind == "homophone"
    assert out.rewritten == "believe in yourself"


@pytest.mark.parametrize("text, rewritten", [
    ("I 🐝 leaf in you", "I believe in you"),
    ("see you may 🐝 tomorrow", "see you maybe tomorrow"),
])
def test_a_pun_written_apart_takes_its_neighbouring_word_along(text, rewritten, lexicon):
    out = explain(text, "en", lexicon, make_decoder("split"))
    (bee,) = out.emojis
    assert bee.readings[0].kind == "homophone" and out.rewritten == rewritten


@pytest.mark.parametrize("text", ["I 🐝, leaf", "I 🐝leaf", "leafy 🐝 now", "I 🐝\nleaf"])
def test_a_split_pun_needs_its_neighbour_one_space_away_as_a_whole_word(text, lexicon):
    out = explain(text, "en", lexicon, make_decoder("split"))
    assert all(r.text not in ("believe", "maybe") for r in out.emojis[0].readings)


def test_split_puns_on_both_sides_of_one_word_do_not_repeat_it():
    first = Decoded(0, 1, 6, [Reading("believe", "homophone", 0.9)])  # "🐝 leaf" → believe
    second = Decoded(7, 8, 8, [Reading("leafy", "homophone", 0.9)], replace_start=2)  # "leaf 🐝" as well
    assert rewrite("🐝 leaf 🐝!", [first, second]) == "believe leafy!"


@pytest.mark.parametrize("text, lang, rewritten", [
    ("我🦆力好大", "zh", "我压力好大"),  # Chinese runs on: the glued 力好大 starts the word's rest
    ("🐝lieve", "en", "believe"),
    ("🐝lieveth", "en", None),  # spaced scripts: the glued letters must be the whole rest
])
def test_part_word_puns_in_scripts_with_and_without_spaces(text, lang, rewritten, lexicon):
    out = explain(text, lang, lexicon, make_decoder("partword"))
    found = out.emojis[0].readings[0].text in ("压", "be")
    assert found == (rewritten is not None) and (rewritten is None or out.rewritten == rewritten)


def test_rebus_covers_both_emojis_and_is_rewritten_once(lexicon):
    out = explain("我🦆🍐好大", "zh", lexicon, make_decoder("rebus"))
    duck, pear = out.emojis
    assert duck.readings[0].text == pear.readings[0].text == "压力"
    assert duck.readings[0].kind == "rebus"
    assert out.rewritten == "我压力好大"


def test_a_term_that_names_fewer_emojis_is_more_specific():
    from assistant.core.explain import Candidate, featurize

    table = CandidateTable({**TABLE, "literal": {"en": {
        "🐶": ["dog face", "dog", "pet"], "🐕": ["dog", "pet"], "🐱": ["cat face", "cat", "pet"]}}})
    assert table.specificity("Dog", "en") == 0.5
    assert table.specificity("pet", "en") == pytest.approx(1 / 3)
    assert table.specificity("cat face", "en") == 1.0
    assert table.specificity("face", "en") == 0.0 and table.specificity("dog", "zh") == 0.0
    (site,) = find_sites("my 🐶", [(3, 4, "🐶")])
    row = featurize(Candidate("dog", "keyword", 1.0, 1), site, table, "en")
    assert row[column("specific")] == 0.5 and len(row) == len(FEATURES) - 2  # context columns come later


def test_two_emoji_slang(lexicon):
    out = explain("💎🙌 forever", "en", lexicon, make_decoder("slang"))
    assert out.emojis[0].readings[0].text == "hold" and out.rewritten == "hold forever"


def test_decorative_emojis_stay_in_the_rewritten_text(lexicon):
    out = explain("great game 😂", "en", lexicon, make_decoder("decorative"))
    assert out.emojis[0].readings[0].kind == "decorative" and out.rewritten == "great game 😂"


def test_literal_readings_in_an_unknown_language(lexicon):
    out = explain("Gute 🌙", "de", lexicon, make_decoder("literal"))
    assert out.emojis[0].readings[0].text == "Mondsichel"
    assert out.rewritten == "Gute Mondsichel"


def test_rewrite_without_readings_keeps_text():
    assert rewrite("a 🐝 b", []) == "a 🐝 b"


def test_rewrite_keeps_two_side_by_side_readings_apart_but_not_chinese_ones():
    both = [Decoded(0, 1, 1, [Reading("gem", "literal", 0.9)]), Decoded(1, 2, 2, [Reading("hands", "literal", 0.8)])]
    assert rewrite("💎🙌 now", both) == "gem hands now"
    rain, down = [Reading("下", "literal", 0.9)], [Reading("雨", "literal", 0.8)]
    assert rewrite("又🌧️🌧️了", [Decoded(1, 3, 3, rain), Decoded(3, 5, 5, down)]) == "又下雨了"
    assert rewrite("🐝lieve", [Decoded(0, 1, 1, [Reading("be", "homophone", 0.9)])]) == "believe"


@pytest.mark.parametrize("text", [
    "", "no emojis here", "🐝" * 300, "😂😂😂", "👨‍👩‍👧‍👦 family day", "🇫🇷 vs 🇩🇪", "call me 1️⃣ time",
    "👍🏽 ok", "🫨🪿 new ones", "\U0001FAE9 not yet assigned", "🐝lieve🐝", "🦆🍐🦆🍐🦆",
])
def test_every_message_gives_a_valid_answer(text, lexicon):
    for kind in ("literal", "homophone", "decorative", "rebus"):
        out = explain(text, "en", lexicon, make_decoder(kind))
        json.dumps(out.to_dict(), ensure_ascii=False)
        for item in out.emojis:
            assert 0 <= item.start < item.end <= len(text) and text[item.start:item.end]
            assert all(r.kind in READING_KINDS for r in item.readings)
            assert all(np.isfinite(r.score) for r in item.readings)
        assert isinstance(out.rewritten, str)


def test_kind_shift_moves_every_candidate_of_a_kind():
    rows = np.zeros((2, len(FEATURES)), dtype=np.float32)
    rows[0, column("kind_literal")] = rows[1, column("kind_homophone")] = 1
    plain = Ranker(None).scores(rows)
    shifted = Ranker(None, kind_shift={"homophone": 5.0, "literal": -1.0}).scores(rows)
    assert shifted - plain == pytest.approx([-1.0, 5.0])


def test_broken_table_is_refused_with_a_fix(tmp_path):
    with pytest.raises(ModelError, match="rebuild it"):
        CandidateTable({"format": 99})
    (tmp_path / "manifest.json").write_text('{"task": "emoji-prediction"}')
    with pytest.raises(ModelError, match="expected 'implicit-emoji-decoding'"):
        Decoder.load(tmp_path)


def test_a_hindi_word_next_to_an_emoji_stays_one_word():
    text = "नमस्ते🙏 दोस्त 🐝 हिन्दी"  # vowel signs and viramas are combining marks, inside the words
    pray, bee = find_sites(text, [(6, 7, "🙏"), (14, 15, "🐝")])
    assert pray.left == "नमस्ते" and pray.right == "" and pray.after == "दोस्त"
    assert bee.before == "दोस्त" and bee.after == "हिन्दी"
    assert bee.apart_before == ("दोस्त", 8) and bee.apart_after == ("हिन्दी", len(text))
    assert bee.position["words"] == pytest.approx(np.log1p(3) / 4)


def test_a_variation_selector_left_after_an_emoji_is_no_word():
    text = "I ❤️ 🐝 leaf"
    (_, bee) = find_sites(text, [(2, 4, "❤️"), (5, 6, "🐝")])
    assert bee.before == "i" and bee.after == "leaf" and bee.apart_after == ("leaf", len(text))
    (heart, _) = find_sites("❤️Liebe 🐝", [(0, 2, "❤️"), (8, 9, "🐝")])
    assert heart.right == "Liebe" and heart.after == ""


def test_traditional_chinese_reads_the_chinese_tables(lexicon):
    out = explain("我🦆🍐好大", "zh-Hant", lexicon, make_decoder("rebus"))
    assert out.lang == "zh-Hant" and out.emojis[0].readings[0].text == "压力" and out.rewritten == "我压力好大"
    assert out.emojis[0].name["zh-Hant"] == lexicon.name("🦆", "zh-Hant")  # names stay in the message's script


def test_the_ranker_reads_features_by_name_in_one_order():
    from assistant.core.explain.features import BASE_FEATURES, CONTEXT, vector
    from assistant.core.explain.ranker import FALLBACK_WEIGHTS

    assert FEATURES == (*BASE_FEATURES, *CONTEXT) and len(set(FEATURES)) == len(FEATURES) == 28
    assert FALLBACK_WEIGHTS[column("kind_literal")] == 3 and FALLBACK_WEIGHTS[column("rank")] == -0.5
    with pytest.raises(ValueError, match="kind_sarcasm"):
        vector({"kind_sarcasm": 1.0})


REPAIR_TABLE = {**TABLE, "vocab": {"en": {"excellent": 4.5, "exactly": 5.0, "country": 5.2, "county": 4.8,
                                          "cow": 4.0, "eggs": 4.3, "unbearable": 3.5, "believe": 5.0}},
                "phrase": {"en": {"🌙": [["good", "night", "before", 0]], "🎄": [["merry", "christmas", "before", 0]]},
                           "zh": {"🌙": [["安", "晚", "after", 0]]}}}


def repair_decoder(kind):
    manifest = ExplainManifest(name="test-explain", version="0", task=ExplainManifest.TASK, languages=TABLE["languages"],
                               files={}, features=list(FEATURES))
    return Decoder(CandidateTable(REPAIR_TABLE), PreferKind(kind), manifest)


@pytest.mark.parametrize("text, rewritten", [
    ("🥚cellent work!", "excellent work!"),  # egg + cellent: "eggcellent" is no word, "excellent" two edits away
    ("best 🐄ntry music", "best country music"),  # cow + ntry → country
])
def test_a_glued_pun_is_repaired_to_the_nearest_real_word(text, rewritten, lexicon):
    out = explain(text, "en", lexicon, repair_decoder("repaired"))
    assert out.emojis[0].readings[0].kind == "homophone"
    assert out.rewritten == rewritten


def test_a_repair_never_turns_a_real_word_into_another():
    from assistant.core.explain.repair import Repairer

    repairer = Repairer({"unbearable": 3.5, "unbelievable": 4.0, "country": 5.2})
    assert repairer.repair("unbearable") == [("unbearable", 1.0)]  # written right: kept as it is
    assert repairer.repair("cowntry") == [("country", 0.857)]
    assert repairer.repair("zzzzzzz") == [] and repairer.repair("cat") == []  # nothing near; too short to guess


def test_unglued_emojis_and_chinese_get_no_repairs(lexicon):
    out = explain("🥚 cellent", "en", lexicon, repair_decoder("repaired"))
    assert all(r.text != "excellent" for r in out.emojis[0].readings)
    table = CandidateTable(REPAIR_TABLE)
    assert not [c for c in table.single("🦆", "zh", "", "力", ["鸭子"]) if c.kind == "repaired"]


@pytest.mark.parametrize("text, lang, rewritten", [
    ("Good 🌙 babe", "en", "Good night babe"),
    ("Merry 🎄 everyone", "en", "Merry christmas everyone"),
    ("🌙安，宝贝", "zh", "晚安，宝贝"),
])
def test_a_ritual_phrase_reads_the_word_it_needs(text, lang, rewritten, lexicon):
    out = explain(text, lang, lexicon, repair_decoder("phrase"))
    assert out.rewritten == rewritten and out.emojis[0].readings[0].kind == "literal"


def test_a_phrase_needs_its_neighbour():
    table = CandidateTable(REPAIR_TABLE)
    assert [c.text for c in table.single("🌙", "en", "", "", ["moon"], near=("good", "")) if c.kind == "phrase"] == ["night"]
    assert not [c for c in table.single("🌙", "en", "", "", ["moon"], near=("the", "")) if c.kind == "phrase"]
