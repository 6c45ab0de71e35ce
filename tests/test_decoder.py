"""assistant.decoder: candidates, features, ranking and rewriting, on a tiny hand-made table."""
import json

import numpy as np
import pytest

from assistant.decoder import FEATURES, CandidateTable, Decoder, Ranker, rewrite
from assistant.errors import ModelError
from assistant.explain import READING_KINDS, explain
from assistant.lexicon import Lexicon

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
        self.column = FEATURES.index(f"kind_{kind}")

    def scores(self, features):
        return features[:, self.column] * 5 + features[:, 0]


def make_decoder(kind="literal"):
    return Decoder(CandidateTable(TABLE), PreferKind(kind), {"name": "test-decoder", "version": "0"})


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
    from assistant.decoder import Decoded

    first = Decoded(0, 1, 6, [("believe", "homophone", 0.9)])  # "🐝 leaf" → believe
    second = Decoded(7, 8, 8, [("leafy", "homophone", 0.9)], replace_start=2)  # "leaf 🐝" as well
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
    from assistant.decoder import Candidate, featurize, sites

    table = CandidateTable({**TABLE, "literal": {"en": {
        "🐶": ["dog face", "dog", "pet"], "🐕": ["dog", "pet"], "🐱": ["cat face", "cat", "pet"]}}})
    assert table.specificity("Dog", "en") == 0.5
    assert table.specificity("pet", "en") == pytest.approx(1 / 3)
    assert table.specificity("cat face", "en") == 1.0
    assert table.specificity("face", "en") == 0.0 and table.specificity("dog", "zh") == 0.0
    (site,) = sites("my 🐶", [(3, 4, "🐶")])
    row = featurize(Candidate("dog", "keyword", 1.0, 1), site, table, "en")
    assert row[FEATURES.index("specific")] == 0.5 and len(row) == len(FEATURES) - 2  # context columns come later


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
    from assistant.decoder import Decoded

    both = [Decoded(0, 1, 1, [("gem", "literal", 0.9)]), Decoded(1, 2, 2, [("hands", "literal", 0.8)])]
    assert rewrite("💎🙌 now", both) == "gem hands now"
    han = [Decoded(1, 2, 2, [("下", "literal", 0.9)]), Decoded(2, 3, 3, [("雨", "literal", 0.8)])]
    assert rewrite("又🌧️🌧️了", [Decoded(1, 3, 3, han[0].readings), Decoded(3, 5, 5, han[1].readings)]) == "又下雨了"
    assert rewrite("🐝lieve", [Decoded(0, 1, 1, [("be", "homophone", 0.9)])]) == "believe"


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
    rows[0, FEATURES.index("kind_literal")] = rows[1, FEATURES.index("kind_homophone")] = 1
    plain = Ranker(None).scores(rows)
    shifted = Ranker(None, kind_shift={"homophone": 5.0, "literal": -1.0}).scores(rows)
    assert shifted - plain == pytest.approx([-1.0, 5.0])


def test_broken_table_is_refused_with_a_fix(tmp_path):
    with pytest.raises(ModelError, match="rebuild it"):
        CandidateTable({"format": 99})
    (tmp_path / "manifest.json").write_text('{"task": "emoji-prediction"}')
    with pytest.raises(ModelError, match="expected 'implicit-emoji-decoding'"):
        Decoder.load(tmp_path)
