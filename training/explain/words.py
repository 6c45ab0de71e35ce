"""Words of a language: the frequent ones (wordfreq) and how a sentence splits into them.

Shared by the candidate tables, the split puns, the synthetic data and the word-pair counts.
A word is assistant.core.text's (letters and combining marks); Chinese and Japanese, written
without spaces, are cut into words by jieba.
"""
from __future__ import annotations

from functools import lru_cache

from assistant.core.explain import word_spans
from assistant.core.text import letters_pattern

UNSPACED_LANGS = ("zh", "ja")  # written without spaces between words: lengths count characters


def vocabulary(lang: str, n: int) -> list[str]:
    """The `n` most frequent words of `lang` (wordfreq) that are words by assistant.core.text (or
    two joined by an apostrophe: "i'll", "c'est"), most frequent first; single characters only
    in Chinese and Japanese."""
    from wordfreq import top_n_list  # pip install wordfreq

    words = [w for w in top_n_list(lang, n)
             if letters_pattern().fullmatch(w) or all(letters_pattern().fullmatch(p) for p in w.split("'", 1))]
    return [w for w in words if len(w) >= (1 if lang in UNSPACED_LANGS else 2)]


@lru_cache(maxsize=None)
def zipf(word: str, lang: str) -> float:
    """The word's frequency on wordfreq's Zipf scale (log10 per billion words), 2 decimals."""
    from wordfreq import zipf_frequency

    return round(zipf_frequency(word, lang), 2)


def words_of(sentence: str, lang: str) -> list[tuple[int, int, str]]:
    """(start, end, word) for every word of `sentence`, in order: the words the runtime sees
    around an emoji (assistant.core.explain.word_spans)."""
    if lang in UNSPACED_LANGS:
        import jieba  # pip install jieba (wordfreq's Chinese tokenizer)

        out, pos = [], 0
        for w in jieba.cut(sentence):
            out.append((pos, pos + len(w), w))
            pos += len(w)
        return [t for t in out if letters_pattern().fullmatch(t[2])]
    return [(start, end, sentence[start:end]) for start, end in word_spans(sentence)]
