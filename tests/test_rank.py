"""Ranking rules: keyword emojis join without pushing out confident model choices, feeling
agreement, the popularity prior; on hand-made probabilities, no model needed."""
import numpy as np
import pytest

from assistant.core.feelings import CHEERFUL, NEGATIVE, Tone, laughs, tone
from assistant.core.rank import RankSettings, fuse

LABELS = ["😂", "❤️", "😢", "😡", "👍"]


def probs(**by_emoji):
    p = np.array([by_emoji.get(name, 0.0) for name in ("joy", "heart", "cry", "rage", "ok")], dtype=np.float32)
    return p / p.sum()


def emojis(ranked):
    return [e for e, _ in ranked]


def test_without_keywords_the_model_order_stands():
    assert emojis(fuse(LABELS, probs(joy=5, heart=3, cry=1, rage=0.5, ok=0.5), {}, 3)) == ["😂", "❤️", "😢"]


def test_a_named_emoji_joins_the_list_from_the_second_place():
    ranked = emojis(fuse(LABELS, probs(joy=4, heart=3, cry=1, rage=1, ok=1), {"🍕": 1.0}, 5,
                         settings=RankSettings(keyword_weight=0.5)))
    assert ranked[:2] == ["😂", "🍕"]  # the first suggestion stays the model's


def test_an_emoji_only_a_word_brings_needs_a_word_that_names_it_clearly():
    ranked = emojis(fuse(LABELS, probs(joy=4, heart=3, cry=1, rage=1, ok=1), {"🍕": 0.5}, 5,
                         settings=RankSettings(keyword_min=0.7)))
    assert "🍕" not in ranked


def test_at_most_keyword_slots_emojis_come_from_words_alone():
    keywords = {e: 0.9 for e in ["🍕", "🍔", "🌮", "🍟"]}
    ranked = emojis(fuse(LABELS, probs(joy=4, heart=3, cry=1, rage=1, ok=1), keywords, 5,
                         settings=RankSettings(keyword_weight=0.5, keyword_slots=2, keyword_min=0.8)))
    assert len([e for e in ranked if e not in LABELS]) == 2 and ranked[0] == "😂"


def test_a_word_that_names_a_label_lifts_it():
    ranked = emojis(fuse(LABELS, probs(joy=4, heart=3, cry=2, rage=1, ok=1), {"😢": 1.0}, 3,
                         settings=RankSettings(keyword_weight=0.5)))
    assert ranked[0] == "😢"


def test_a_feeling_a_word_names_clearly_leads_where_the_model_put_another_first():
    p = probs(rage=5, cry=1, joy=1, ok=3)  # "jag är så ledsen", I'm so sad, read as angry
    ranked = emojis(fuse(LABELS, p, {"😢": 0.4}, 3, clear_feelings=frozenset({"😢", "😭"})))
    assert ranked[0] == "😢" and "😡" in ranked


def test_a_clearly_named_feeling_the_model_barely_considers_does_not_lead():
    p = probs(rage=50, cry=1, joy=1, ok=3)  # under a tenth of the first choice's probability
    assert emojis(fuse(LABELS, p, {}, 3, clear_feelings=frozenset({"😢"})))[0] == "😡"
    assert emojis(fuse(LABELS, p, {}, 3, clear_feelings=frozenset({"😢"}),
                       settings=RankSettings(feeling_lead=0.01)))[0] == "😢"


def test_the_model_keeps_its_first_choice_when_a_word_names_it_or_names_no_negative_feeling():
    p = probs(cry=5, rage=3, joy=1, ok=2)
    assert emojis(fuse(LABELS, p, {}, 3, clear_feelings=frozenset({"😢", "😡"})))[0] == "😢"
    assert emojis(fuse(LABELS, p, {}, 3, clear_feelings=frozenset({"😂", "👍"})))[0] == "😢"  # "perfect" → 👍 💯


def test_a_word_for_sleep_does_not_decide_the_lead():
    p = np.array([0.6, 0.35, 0.05], dtype=np.float32)  # "Gute Nacht, schlaf gut": sleep is a topic, not a feeling
    assert emojis(fuse(["🌙", "😴", "💤"], p, {}, 3, clear_feelings=frozenset({"😴"}))) == ["🌙", "😴", "💤"]


def test_a_laughing_message_keeps_its_laughing_lead_whatever_feeling_a_word_names():
    p = probs(joy=5, cry=3, rage=2)
    laughing = tone("хахах я так зол", LABELS, p)
    assert emojis(fuse(LABELS, p, {}, 3, tone=laughing, clear_feelings=frozenset({"😡"})))[0] == "😂"


def test_keyword_emojis_never_push_out_a_confident_model_choice():
    keywords = {e: 0.9 for e in ["🍕", "🍔", "🌮", "🍟", "🌭"]}
    p = probs(joy=1, heart=1, cry=6, rage=1, ok=1)  # 😢 at 0.6
    ranked = emojis(fuse(LABELS, p, keywords, 5, settings=RankSettings(keyword_weight=0.9, confident=0.5)))
    assert "😢" in ranked and len(ranked) == 5


def test_popularity_breaks_ties_only():
    keywords = {"🤒": 0.5, "🤢": 0.5}
    tie = emojis(fuse(LABELS, probs(ok=1), keywords, 3, prior={"🤢": 0.2, "🤒": 0.01},
                      settings=RankSettings(keyword_slots=2, keyword_min=0.5)))
    assert tie == ["👍", "🤢", "🤒"]
    unequal = emojis(fuse(LABELS, probs(joy=1, heart=2), {}, 2, prior={"😂": 0.9}))
    assert unequal == ["❤️", "😂"]  # the prior never reorders different scores


def test_the_prior_fills_a_thin_list():
    ranked = emojis(fuse(["😂"], np.array([1.0]), {}, 3, prior={"😂": 0.5, "❤️": 0.3, "😍": 0.2}))
    assert ranked == ["😂", "❤️", "😍"]


def test_a_sombre_message_gets_no_cheerful_emoji_first():
    p = probs(joy=5, cry=3, rage=2)
    sombre = tone("my cat is sick", LABELS, p)
    assert sombre.negative == pytest.approx(0.5) and sombre.sombre
    ranked = emojis(fuse(LABELS, p, {}, 3, tone=sombre))
    assert ranked == ["😢", "😡", "😂"]  # the laughing emoji the model is sure of is still offered, after the others


def test_a_sombre_list_shows_cheerful_emojis_after_three_others():
    p = probs(joy=4, heart=3, cry=2, rage=1.5, ok=1)
    sombre = Tone(negative=0.9, cheerful=0.04, laughter=False)  # the model misreads; the tone is what counts here
    assert emojis(fuse(LABELS, p, {}, 5, tone=sombre)) == ["😢", "😡", "👍", "😂", "❤️"]
    calm = Tone(negative=0.1, cheerful=0.7, laughter=False)
    assert emojis(fuse(LABELS, p, {}, 5, tone=calm)) == ["😂", "❤️", "😢", "😡", "👍"]


def test_a_keyword_emoji_never_leads_and_never_lets_a_cheerful_one_lead_a_sombre_list():
    # the model is unsure and cheerful; a word names 🪦, which the model lacks: it is the best emoji that is not
    # cheerful, but only the model's own emojis may come first, so the model's best that is not cheerful does
    p = np.array([0.5, 0.42, 0.05, 0.02, 0.01], dtype=np.float32)
    sombre = Tone(negative=0.9, cheerful=0.04, laughter=False)
    ranked = emojis(fuse(LABELS, p, {"🪦": 1.0}, 5, tone=sombre, settings=RankSettings(keyword_min=0.9)))
    assert ranked[0] == "😢" and "🪦" in ranked and ranked[0] not in CHEERFUL


def test_laughter_keeps_the_laughing_emoji_first():
    p = probs(joy=5, cry=3, rage=2)
    laughing = tone("lol I fell off my bike", LABELS, p)
    assert not laughing.sombre
    assert emojis(fuse(LABELS, p, {}, 3, tone=laughing))[0] == "😂"


def test_written_laughter_brings_the_best_laughing_emoji_first_wherever_the_model_put_it():
    p = probs(cry=5, rage=3, joy=1)  # the model reads the mishap, not the laugh
    laughing = tone("哈哈哈 我穿着拖鞋就去上班了", LABELS, p)
    assert laughing.laughter
    assert emojis(fuse(LABELS, p, {}, 3, tone=laughing)) == ["😂", "😢", "😡"]
    quiet = tone("我穿着拖鞋就去上班了", LABELS, p)
    assert emojis(fuse(LABELS, p, {}, 3, tone=quiet)) == ["😢", "😡", "👍"]  # an unsure 😂 waits for three others


def test_a_cheerful_message_is_not_reordered():
    p = probs(joy=5, heart=4, cry=0.5)
    assert not tone("best day ever", LABELS, p).sombre
    assert emojis(fuse(LABELS, p, {}, 2, tone=tone("best day ever", LABELS, p))) == ["😂", "❤️"]


@pytest.mark.parametrize("text", ["lol", "jajaja qué vergüenza", "ахахах", "哈哈哈 我又迟到了", "ㅋㅋㅋ 망했다",
                                  "555 ลืม", "55555.", "wkwkwk", "kkkkkk caí", "mdr", "寝坊した www", "I fell 😂",
                                  "ahahah che scemo", "хахах", "Ахахаха, жду выпуска", "хихи", "heheh"])
def test_laughter_in_many_languages(text):
    assert laughs(text)


@pytest.mark.parametrize("text", ["my cat is sick", "hello", "bowl of soup", "Hahn", "ja", "Kaka ist krank",
                                  "call 555-1234", "it costs 555.50", "at 5:55", "Ahh no"])
def test_no_laughter(text):
    assert not laughs(text)


def test_cheerful_and_negative_sets_are_disjoint():
    assert not CHEERFUL & NEGATIVE
    assert {"😂", "😘", "🥳"} <= CHEERFUL and {"😢", "😡", "🤢", "😱", "🤒"} <= NEGATIVE


def test_settings_check_themselves():
    with pytest.raises(ValueError, match="keyword_weight"):
        RankSettings(keyword_weight=2)
    with pytest.raises(ValueError, match="confident"):
        RankSettings(confident=0)


def test_tone_needs_a_clear_majority():
    from assistant.core.feelings import NEGATIVE_MIN, NEGATIVE_RATIO

    assert not Tone(negative=NEGATIVE_MIN - 0.01, cheerful=0.0, laughter=False).sombre  # too little negative mass
    assert not Tone(negative=0.4, cheerful=0.41 / NEGATIVE_RATIO, laughter=False).sombre  # cheerful outweighs
    assert Tone(negative=0.5, cheerful=0.4 * NEGATIVE_RATIO, laughter=False).sombre
    assert not Tone(negative=0.9, cheerful=0.0, laughter=True).sombre


def test_a_word_that_names_a_feeling_counts_toward_the_tone():
    p = probs(joy=5, heart=5)
    assert not tone("sad", LABELS, p).sombre
    assert tone("sad", LABELS, p, {"😢": 1.0}).negative > tone("sad", LABELS, p).negative


def test_scores_never_rise_along_the_list():
    p = probs(joy=5, cry=3, rage=2)
    ranked = fuse(LABELS, p, {}, 3, tone=tone("my cat is sick", LABELS, p))
    scores = [s for _, s in ranked]
    assert scores == sorted(scores, reverse=True)


def test_a_named_emoji_comes_right_after_the_confident_choices_whatever_its_score():
    # "I love pizza": a low keyword weight leaves 🍕 the smallest score, yet the word names it
    p = probs(joy=1, heart=30, cry=10, rage=9, ok=8)  # ❤️ confident, the rest not
    ranked = emojis(fuse(LABELS, p, {"🍕": 1.0}, 5, settings=RankSettings(keyword_weight=0.05)))
    assert ranked[:2] == ["❤️", "🍕"] and len(ranked) == 5
    crowded = probs(joy=1, heart=1, cry=1, rage=1, ok=1)  # nothing confident: still second, never first
    assert emojis(fuse(LABELS, crowded, {"🍕": 1.0}, 3, settings=RankSettings(keyword_weight=0.05)))[1] == "🍕"


def test_a_named_emoji_waits_behind_k_confident_choices():
    p = probs(joy=5, heart=5, cry=0.1, rage=0.1, ok=0.1)
    ranked = emojis(fuse(LABELS, p, {"🍕": 1.0}, 2, settings=RankSettings(keyword_weight=0.05, confident=0.4)))
    assert ranked == ["😂", "❤️"] or ranked == ["❤️", "😂"]


def test_a_word_for_sleep_does_not_make_a_message_sombre():
    cheerful_model = probs(joy=3, heart=3, cry=1, rage=0.5, ok=2)
    assert not tone("schlaf gut", LABELS, cheerful_model, {"😴": 0.93}).sombre
    assert tone("I feel so sad", LABELS, cheerful_model, {"😢": 1.0}).negative > 0.5


def test_a_word_naming_a_feeling_lets_that_face_lead_but_never_a_cheerful_one():
    labels = ["😢", "😩", "😂", "❤️"]
    p = np.array([0.14, 0.05, 0.06, 0.05], dtype=np.float32)
    feeling = frozenset(labels)
    tired = {"😩": 0.45}  # "so tired": the word names the weary face
    assert emojis(fuse(labels, p, tired, 3, feeling=feeling, settings=RankSettings(feeling_weight=0.2)))[0] == "😩"
    assert emojis(fuse(labels, p, tired, 3, feeling=feeling, settings=RankSettings(feeling_weight=0.0)))[0] == "😢"
    love = {"❤️": 0.45}  # a cheerful face named gains nothing for first place: the model's choice stands
    assert emojis(fuse(labels, p, love, 3, feeling=feeling, settings=RankSettings(feeling_weight=0.2)))[0] == "😢"


ANGRY = ["😡", "🤬", "💢", "😞", "👎", "😂"]
ALIKE = {"😡": {"🤬": 0.86, "💢": 0.75}, "🤬": {"😡": 0.86, "💢": 0.7}, "💢": {"😡": 0.75, "🤬": 0.7}}


def test_a_sombre_list_shows_one_feeling_once_then_what_else_it_may_mean():
    p = np.array([0.45, 0.2, 0.15, 0.1, 0.06, 0.04], dtype=np.float32)  # only 😡 confident
    sombre = Tone(negative=0.9, cheerful=0.04, laughter=False)
    assert emojis(fuse(ANGRY, p, {}, 3, tone=sombre, neighbours=ALIKE)) == ["😡", "😞", "👎"]
    # the near-duplicates wait, they are not dropped: a longer list shows them after the others
    assert emojis(fuse(ANGRY, p, {}, 6, tone=sombre, neighbours=ALIKE)) == ["😡", "😞", "👎", "😂", "🤬", "💢"]
    # less alike than the cut: the model's order stands
    strict = RankSettings(near_duplicate=0.9)
    assert emojis(fuse(ANGRY, p, {}, 3, tone=sombre, neighbours=ALIKE, settings=strict)) == ["😡", "🤬", "💢"]


def test_a_list_that_is_not_sombre_keeps_its_near_duplicates():
    p = np.array([0.45, 0.2, 0.15, 0.1, 0.06, 0.04], dtype=np.float32)  # only 😡 confident
    calm = Tone(negative=0.1, cheerful=0.5, laughter=False)
    assert emojis(fuse(ANGRY, p, {}, 3, tone=calm, neighbours=ALIKE)) == ["😡", "🤬", "💢"]
    laughing = Tone(negative=0.9, cheerful=0.04, laughter=True)
    assert emojis(fuse(ANGRY, p, {}, 3, tone=laughing, neighbours=ALIKE))[0] == "😂"
    assert emojis(fuse(ANGRY, p, {}, 3, tone=laughing, neighbours=ALIKE))[1:] == ["😡", "🤬"]


def test_a_confident_near_duplicate_is_still_shown():
    p = np.array([0.45, 0.4, 0.05, 0.05, 0.03, 0.02], dtype=np.float32)  # 🤬 confident too
    sombre = Tone(negative=0.9, cheerful=0.02, laughter=False)
    assert emojis(fuse(ANGRY, p, {}, 3, tone=sombre, neighbours=ALIKE)) == ["😡", "😞", "🤬"]  # in place of 👎


def test_sleep_faces_stay_together_in_a_list_read_as_tired():
    labels = ["😴", "💤", "🌙", "🤢"]
    p = np.array([0.5, 0.22, 0.18, 0.1], dtype=np.float32)
    tired = Tone(negative=0.7, cheerful=0.0, laughter=False)
    alike = {"😴": {"💤": 0.82}, "💤": {"😴": 0.82}}
    assert emojis(fuse(labels, p, {}, 3, tone=tired, neighbours=alike)) == ["😴", "💤", "🌙"]
