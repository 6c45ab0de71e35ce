"""Ritual phrases: set greetings and wishes in which an emoji stands for the word the phrase needs,
in the message's own language ("Frohe 🎄" → Weihnachten, not Weihnachtsbaum; "Joyeux 🎄" →
Noël; "Buenas 🌙" → noches; "🌙安" → 晚).

training.explain.phrases finds such pairs in the text collections, but greetings are rare in
subtitles, quotes and reviews (not one "joyeux Noël" in XED's French lines), so the phrases
people write on the days they are for are listed here by hand, as community.py lists slang:
each a template whose `{}` is the emoji's place, the emojis commonly written there, and the
word the phrase needs. Only the neighbouring word (Chinese: character) of the slot is used at
run time; the whole phrase gives the synthetic training sentences.
"""
from __future__ import annotations

from assistant.core.text import all_cjk, fold, words

CHRISTMAS = ("🎄", "🎅", "🤶", "⛄")
NEW_YEAR = ("🎆", "🎇", "🥂", "🍾")
EASTER = ("🐣", "🐰", "🐇", "🥚")
BIRTHDAY = ("🎂", "🎁", "🎈", "🍰", "🧁")
MORNING = ("🌅", "🌄", "☀️", "🌞", "☕")
NIGHT = ("🌙", "🌛", "🌜", "🌃", "😴", "💤")
EVENING = ("🌆", "🌇")
MEAL = ("🍽️", "🍴", "🍲", "🥘")
TRAVEL = ("✈️", "🧳", "🚗", "🚆")
LUCK = ("🍀", "🤞")
DREAMS = ("💭", "💤", "🌙")

# language → [(template, emojis, word)]
RITUALS: dict[str, list[tuple[str, tuple[str, ...], str]]] = {
    "en": [
        ("merry {}", CHRISTMAS, "Christmas"), ("happy {}", BIRTHDAY, "birthday"), ("happy {}", EASTER, "Easter"),
        ("happy {}", ("🎃", "👻"), "Halloween"), ("happy {} day", ("💘", "💝", "💕"), "Valentine's"),
        ("happy {}", ("🦃",), "Thanksgiving"), ("happy new {}", NEW_YEAR, "year"),
        ("good {}", MORNING, "morning"), ("good {}", NIGHT, "night"), ("good {}", EVENING, "evening"),
        ("good {}", LUCK, "luck"), ("sweet {}", DREAMS, "dreams"), ("get well {}", ("🔜",), "soon"),
        ("safe {}", TRAVEL, "travels"), ("break a {}", ("🦵",), "leg"),
    ],
    "es": [
        ("feliz {}", CHRISTMAS, "Navidad"), ("feliz {}", BIRTHDAY, "cumpleaños"), ("feliz {}", EASTER, "Pascua"),
        ("feliz año {}", ("🆕",), "nuevo"), ("feliz {} nuevo", NEW_YEAR, "año"), ("feliz {}", ("🎃", "👻"), "Halloween"),
        ("buenos {}", MORNING, "días"), ("buenas {}", NIGHT, "noches"), ("buenas {}", EVENING, "tardes"),
        ("buen {}", TRAVEL, "viaje"), ("buen {}", MEAL, "provecho"), ("buena {}", LUCK, "suerte"),
        ("dulces {}", DREAMS, "sueños"), ("que te mejores {}", ("🔜",), "pronto"),
    ],
    "de": [
        ("frohe {}", CHRISTMAS, "Weihnachten"), ("fröhliche {}", CHRISTMAS, "Weihnachten"),
        ("frohe {}", EASTER, "Ostern"), ("frohes neues {}", NEW_YEAR, "Jahr"), ("guten {}", ("🆕",), "Rutsch"),
        ("alles gute zum {}", BIRTHDAY, "Geburtstag"), ("guten {}", MORNING, "Morgen"),
        ("gute {}", NIGHT, "Nacht"), ("guten {}", EVENING, "Abend"), ("guten {}", MEAL, "Appetit"),
        ("gute {}", TRAVEL, "Reise"), ("viel {}", LUCK, "Glück"), ("süße {}", DREAMS, "Träume"),
        ("gute {}", ("🤒", "🤧", "💊"), "Besserung"),
    ],
    "fr": [
        ("joyeux {}", CHRISTMAS, "Noël"), ("joyeux {}", BIRTHDAY, "anniversaire"), ("bon {}", BIRTHDAY, "anniversaire"),
        ("joyeuses {}", EASTER, "Pâques"), ("bonne {}", NEW_YEAR, "année"), ("bonne {}", NIGHT, "nuit"),
        ("bonne {}", EVENING, "soirée"), ("bonne {}", ("☀️", "🌞"), "journée"), ("bon {}", MEAL, "appétit"),
        ("bon {}", TRAVEL, "voyage"), ("bonne {}", LUCK, "chance"), ("beaux {}", DREAMS, "rêves"),
        ("doux {}", DREAMS, "rêves"), ("bon {}", ("🤒", "🤧", "💊"), "rétablissement"),
    ],
    "ru": [
        ("с новым {}", NEW_YEAR, "годом"), ("с {}", BIRTHDAY, "днём рождения"), ("с {}", CHRISTMAS, "Рождеством"),
        ("доброе {}", MORNING, "утро"), ("добрый {}", EVENING, "вечер"), ("добрый {}", ("☀️", "🌞"), "день"),
        ("доброй {}", NIGHT, "ночи"), ("спокойной {}", NIGHT, "ночи"), ("приятного {}", MEAL, "аппетита"),
        ("счастливого {}", TRAVEL, "пути"), ("ни пуха ни {}", ("🪶",), "пера"), ("сладких {}", DREAMS, "снов"),
        ("выздоравливай {}", ("🔜",), "скорее"),
    ],
    "zh": [
        ("{}快乐", CHRISTMAS, "圣诞"), ("{}节快乐", CHRISTMAS, "圣诞"), ("{}快乐", BIRTHDAY, "生日"),
        ("{}快乐", NEW_YEAR, "新年"), ("{}年快乐", ("🆕",), "新"), ("{}节快乐", ("🥮", "🌕"), "中秋"),
        ("{}安", NIGHT, "晚"), ("{}安", MORNING, "早"), ("恭喜发{}", ("💰", "💸", "🧧"), "财"),
        ("一路{}风", ("⛵", "✈️"), "顺"), ("{}想事成", ("💭",), "心"),
    ],
}


def neighbours(template: str) -> tuple[str, str]:
    """The word (CJK: character) written right before and right after the template's slot, folded."""
    left, _, right = template.partition("{}")
    before, after = words(fold(left)), words(fold(right))
    word_before = before[-1] if before else ""
    word_after = after[0] if after else ""
    word_before = word_before[-1] if word_before and all_cjk(word_before[-1]) else word_before
    word_after = word_after[0] if word_after and all_cjk(word_after[0]) else word_after
    return word_before, word_after


def ritual_rows(lang: str) -> dict[str, list[list]]:
    """emoji → [[neighbour, word, "before"|"after", 0]] for the candidate table's `phrase` rows
    (count 0: listed, not counted); the neighbour before the slot is preferred."""
    out: dict[str, list[list]] = {}
    for template, emojis, word in RITUALS.get(lang, []):
        before, after = neighbours(template)
        row = [before, word, "before", 0] if before else [after, word, "after", 0]
        for emoji in emojis:
            out.setdefault(emoji, [])
            if row not in out[emoji]:
                out[emoji].append(row)
    return out


def ritual_sentences(lang: str) -> list[tuple[str, str, str]]:
    """(sentence, emoji, word) for synthetic training: each phrase spelled out, for each emoji."""
    return [(template.format(word), emoji, word) for template, emojis, word in RITUALS.get(lang, [])
            for emoji in emojis]
