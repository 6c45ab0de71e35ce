"""Text primitives: what a word is, which script a character is in, how text is folded for
matching, and what a language code means. Each notion is decided here once; the lexicon,
language detection, the explain decoder and training all call these.

>>> words(fold("Ich liebe Pizza, हिन्दी!"))
['ich', 'liebe', 'pizza', 'हिन्दी']
>>> language_code("zh-TW"), language_code("pt_BR"), language_code("iw")
('zh-Hant', 'pt', 'he')
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .errors import InputError

# ---- words


# Marks that belong to emojis, not to words: variation selectors and the keycap mark.
EMOJI_MARKS = frozenset(chr(c) for c in (*range(0xFE00, 0xFE10), 0x20E3))


@lru_cache(maxsize=1)
def _marks() -> str:
    """Combining marks (Hindi vowel signs, Thai tone marks …) that continue a word."""
    return "".join(chr(c) for c in range(0x300, 0x10000)
                   if unicodedata.category(chr(c)).startswith("M") and not 0xD800 <= c < 0xE000
                   and chr(c) not in EMOJI_MARKS)


@lru_cache(maxsize=1)
def word_pattern() -> re.Pattern:
    """A letter or digit, then letters, digits and combining marks. Plain \\w misses combining
    marks, which would cut Hindi or Thai words apart ("हिन्दी" → "ह", "न", "द"); a word never
    starts with a mark, so "❤️" leaves no word behind."""
    return re.compile(f"\\w[\\w{re.escape(_marks())}]*")


@lru_cache(maxsize=1)
def letters_pattern() -> re.Pattern:
    """A letter, then letters and combining marks, no digits or underscores: a word that can be spoken."""
    return re.compile(f"[^\\W\\d_](?:[^\\W\\d_]|[{re.escape(_marks())}])*")


def words(text: str) -> list[str]:
    """The words of `text`, in order (see word_pattern)."""
    return word_pattern().findall(text)


def fold(text: str) -> str:
    """Case- and form-insensitive text for matching: NFC, casefolded, without ZWNJ (Persian
    writes it inside words, inconsistently)."""
    return unicodedata.normalize("NFC", text).casefold().replace("\u200c", "")


def other_first_case(text: str) -> str | None:
    """`text` with its first letter in the other case ("This is" → "this is", "ok" → "Ok"), or None
    where there is none to swap: no letter, a script without case (Chinese, Arabic), or a first word
    written in capitals ("NOCH 3 TAGE", "OK": "nOCH" is no spelling anyone uses).

    >>> other_first_case("¡Hola!"), other_first_case("i'm sad"), other_first_case("OK then"), other_first_case("好的")
    ('¡hola!', "I'm sad", None, None)
    """
    for at, ch in enumerate(text):
        if not ch.isalpha():
            continue
        swapped = ch.lower() if ch.isupper() else ch.upper()
        first_word = letters_pattern().match(text, at).group()
        if swapped == ch or len(swapped) != 1 or (len(first_word) > 1 and first_word.isupper()):
            return None  # no case ("好"), a letter that changes length ("ß" → "SS"), or capitals
        return text[:at] + swapped + text[at + 1:]
    return None


# Languages that capitalise every noun, where a capital inside a sentence says nothing of a name.
NOUN_CAPITALISING = frozenset({"de", "lb"})
SENTENCE_END = re.compile(r"[.!?…。！？\n]")


def names_in(text: str, lang: str) -> frozenset[str]:
    """The folded words of `text` written as names: a capital then small letters, inside a
    sentence ("a weekend at Big Bear Lake", "@ León, Spain"), in a language that does not
    capitalise its nouns. The first word of a sentence could be either, so it is never one.

    >>> sorted(names_in("Happy weekend @ Big Bear Lake. Dog days", "en")), names_in("Mein Hund", "de")
    (['bear', 'big', 'lake'], frozenset())
    """
    if base_language(lang) in NOUN_CAPITALISING:
        return frozenset()
    found = set()
    end = 0
    for match in word_pattern().finditer(text):
        word = match.group()
        inside = end > 0 and not SENTENCE_END.search(text, end, match.start())
        if inside and word[0].isupper() and len(word) > 1 and word[1:].islower():
            found.add(fold(word))
        end = match.end()
    return frozenset(found)


def same_stem(word: str, term: str, *, min_prefix: int, max_extra: int = 3, min_share: float = 0.75) -> bool:
    """Whether `word` is `term` with another ending: they share a prefix of at least `min_prefix`
    characters that is most (`min_share`) of the shorter one, and neither has more than
    `max_extra` characters beyond it ("noches" and "noche", not "españa" and "espadas")."""
    if word == term:
        return True
    shared = 0
    for a, b in zip(word, term):
        if a != b:
            break
        shared += 1
    return (shared >= min_prefix and len(word) - shared <= max_extra and len(term) - shared <= max_extra
            and shared >= min_share * min(len(word), len(term)))


# ---- scripts


def is_han(ch: str) -> bool:
    """A CJK ideograph (Chinese characters, Japanese kanji), basic block or extension A."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def is_kana(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff"


def is_hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff" or "\u3130" <= ch <= "\u318f"


def is_cjk(ch: str) -> bool:
    """Written without spaces between words: Han or kana (a word can be one character)."""
    return is_han(ch) or is_kana(ch)


def all_cjk(word: str) -> bool:
    return bool(word) and all(map(is_cjk, word))


def script_language(text: str) -> str | None:
    """zh, ja or ko when most letters are Han, kana or Hangul (kana among Han: Japanese), else None.

    >>> script_language("我爱你"), script_language("ありがとう"), script_language("hello")
    ('zh', 'ja', None)
    """
    han = kana = hangul = letters = 0
    for ch in text:
        if not ch.isalpha():
            continue
        letters += 1
        han += is_han(ch)
        kana += is_kana(ch)
        hangul += is_hangul(ch)
    if not letters:
        return None
    if hangul > letters / 2:
        return "ko"
    if kana and han + kana > letters / 2:
        return "ja"
    return "zh" if han > letters / 2 else None


# ---- language codes

# Chinese is the one language whose script changes the words people read: names and
# keywords exist as zh (Simplified) and zh-Hant (Traditional).
TRADITIONAL_CHINESE = "zh-Hant"


def language_code(tag: str) -> str:
    """The project's code for a BCP 47 tag or alias: the ISO 639 language, plus "-Hant" for
    Chinese written in Traditional characters ("zh-TW", "zh-HK", "zh-Hant", "yue" stays "yue").

    Raises:
        InputError: `tag` is not a language tag or names no known language.
    """
    import langcodes

    try:
        language = langcodes.Language.get(str(tag).strip().replace("_", "-"))
    except (ValueError, langcodes.tag_parser.LanguageTagError) as err:
        raise InputError(f"language {tag!r} is not a language code; use e.g. en, es, de, zh, zh-TW") from err
    if not language.language or not language.is_valid() or language.language in ("und", "zxx", "mul"):
        raise InputError(f"language {tag!r} is not a known language code; use e.g. en, es, de, zh, zh-TW")
    if language.language == "zh" and language.maximize().script == "Hant":
        return TRADITIONAL_CHINESE
    return language.language


def chinese_script(text: str, default: str = "zh") -> str:
    """zh-Hant for Chinese written in Traditional characters, zh for Simplified, `default` for
    characters both scripts share ("好累" could be either).

    >>> chinese_script("我愛你"), chinese_script("我爱你"), chinese_script("好累", default="zh-Hant")
    ('zh-Hant', 'zh', 'zh-Hant')
    """
    import hanzidentifier

    found = hanzidentifier.identify(text)
    if found == hanzidentifier.TRADITIONAL:
        return TRADITIONAL_CHINESE
    return "zh" if found == hanzidentifier.SIMPLIFIED else default


def base_language(code: str) -> str:
    """The language without script or region: "zh-Hant" → "zh", "pt-BR" → "pt"."""
    return code.replace("_", "-").split("-")[0].lower()
