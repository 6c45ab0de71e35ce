from assistant.core.emojis import canonical, find_emojis, is_emoji


def test_variation_selector_and_skin_tone_forms_are_one_label():
    assert canonical("❤") == canonical("❤️") == "❤️"
    assert canonical("☀") == "☀️"
    assert canonical("👍🏽") == canonical("👍") == "👍"


def test_zwj_sequences_stay_whole():
    assert canonical("👩🏽\u200d💻") == "👩\u200d💻"
    assert [e for _, _, e in find_emojis("dev 👩\u200d💻!")] == ["👩\u200d💻"]


def test_flags_and_positions():
    assert find_emojis("Vamos 🇪🇸 ❤") == [(6, 8, "🇪🇸"), (9, 10, "❤️")]


def test_non_emoji_text():
    assert not is_emoji("a")
    assert find_emojis("plain text") == []


def test_mixed_skin_tone_pairs_become_the_single_pair_emoji():
    assert canonical("👨🏻\u200d🤝\u200d👨🏼") == "👬"
    assert canonical("🫱🏻\u200d🫲🏼") == "🤝"
    assert canonical("🧑🏻\u200d❤️\u200d🧑🏼") == "💑"
