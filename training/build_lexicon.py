"""CLDR emoji annotations → assistant/core/data/lexicon.json.gz (localized emoji names and keywords).

Reads the Unicode CLDR annotations from npm (`cldr-annotations-full` for single emojis,
`cldr-annotations-derived-full` for sequences: flags, keycaps, ZWJ families and jobs),
keys every entry by `canonical()` so "❤" and "❤️" are one emoji, and writes one
deterministic gzip JSON: the same packages always give the same bytes.

    python -m training.build_lexicon [--npm-dir build/cldr] [--out assistant/core/data/lexicon.json.gz]

Output format 1:
    {"format": 1, "cldr_version": "48.2.0", "source": "...", "languages": ["en", ...],
     "entries": {lang: {emoji: [name, keyword, keyword, ...]}},   # CLDR "tts", then CLDR "default"
     "stop_words": {lang: [word, ...]},                           # never matched, see STOP_WORDS
     "groups": {emoji: "Smileys & Emotion", ...},                 # Unicode emoji groups (npm unicode-emoji-json)
     "common_words": {lang: [term, ...]},                         # too common to name an emoji (wordfreq Zipf)
     "foreign_words": {lang: [english term, ...]}}                # English terms that are words of lang too

The last three keys are optional: a lexicon without them matches as before.

Language keys are CLDR locale ids. Norwegian Bokmål is "no" (CLDR's own id since
v44, and what fastText's language detector says); the runtime maps "nb" to it.
"zh" is Simplified Chinese and "zh-Hant" Traditional.
"""
from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from assistant.core import text
from assistant.core.emojis import SKIN_TONES, canonical, is_emoji
from assistant.core.lexicon import COMMON_ZIPF
from training.lib.defaults import BUILD, RUNTIME_DATA

FORMAT = 1
PACKAGES = {"cldr-annotations-full": "annotations", "cldr-annotations-derived-full": "annotationsDerived"}
GROUPS_PACKAGE, GROUPS_RELEASE = "unicode-emoji-json", "0.9.0"  # Unicode's emoji groups as JSON

# A term at least COMMON_ZIPF frequent in its language (the runtime's threshold, which also
# keeps such words of a message from matching by their ending: "love", "night", "good",
# "noche", "爱") is too common to name an emoji: "I love pizza" must not bring every heart.
# An English keyword that is also a frequent word of the message's language (Zipf at least
# FOREIGN_ZIPF there, and at least a tenth as frequent as in English: web text in every
# language quotes English) is read as that language's word: German "Ich bin müde" must
# not bring 🚮 ("bin"), nor Spanish "pan" 🍳, nor German "Gift" (poison) 🎁.
FOREIGN_ZIPF = 3.5
FOREIGN_MARGIN = 1.0  # Zipf points below English
# wordfreq's codes for the lexicon's languages, where they differ.
WORDFREQ_CODES = {"no": "nb", "sr": "sh", "hr": "sh", "zh-Hant": "zh"}
SOURCE = "Unicode CLDR annotations via npm cldr-annotations-full and cldr-annotations-derived-full (Unicode License v3)"
CLDR_RELEASE = "48.2.0"  # npm version installed when missing; bump it to move to a newer CLDR
INHERITED = "↑↑↑"  # CLDR's "same as the parent locale" marker: not a word

# ~45 widely used languages, roughly by number of speakers online.
DEFAULT_LANGUAGES = (
    "en es pt fr de it nl ca ru uk pl cs sk ro hu el bg sr hr sl lt lv et "
    "sv no da fi tr ar he fa ur hi bn mr ta te zh zh-Hant ja ko th vi id ms fil sw"
).split()

# Function words of at least 3 letters (shorter words never match anyway). The runtime
# never matches these on their own, so "the" cannot pull 🤘 ("sign of the horns") and
# "con" cannot pull every Spanish "cara con ..." face; whole keywords such as
# "hou van jou" still match as phrases.
STOP_WORDS = {
    "en": "the and for with from into onto that this these those are was were been being have has had you your "
          "yours our ours his her hers him its they them their she who whom what which when where why how not "
          "but all any can could would should will just than then there here also very too off about some such "
          "only own same each both few more most other does did doing get got let may might must shall yet via "
          "per because while until again well really much know think want going",
    "es": "con los las del una uno unos unas para por que qué sin sobre entre hacia desde hasta como cómo más pero "
          "este esta esto estos estas ese esa eso esos esas muy sus mis tus nos les son está están estoy era fue "
          "ser hay tiene todo toda todos todas cuando donde dónde porque también otro otra ella ellos ellas usted "
          "ustedes",
    "pt": "com para por que sem uma uns umas dos das nos nas pelo pela pelos pelas sobre entre até como mais mas "
          "este esta isto esse essa isso aquele aquela muito seu sua seus suas meu minha você vocês ele ela eles "
          "elas são está estou era foi ser ter tem todo toda todos quando onde porque também não",
    "fr": "avec les des une aux dans pour par sur sous qui que quoi pas plus mais est sont son ses mes tes nos vos "
          "leur leurs cette ces cet elle elles ils nous vous moi toi lui été être avoir ont fait très tout tous "
          "toute toutes comme quand aussi entre vers chez sans",
    "de": "und mit der die das den dem des ein eine einen einem einer eines für auf aus bei nach von vom zum zur "
          "über unter vor sich ist sind war hat haben ich sie wir ihr mir mich dich dir ihn ihm uns euch nicht "
          "kein keine auch aber oder wie was wer wenn dass noch schon sehr nur mein meine dein deine seine ihre "
          "diese dieser dieses hier dort",
    "it": "con che non del della dello dei degli delle per una uno gli nel nella nei nelle sul sulla dal dalla "
          "alla allo alle agli verso sono sei come più anche questo questa quello quella suo sua suoi mio mia "
          "tuo tua molto tutto tutti quando dove perché senza tra fra lui lei loro noi voi essere avere hai era",
    "nl": "met van voor die dat het een naar niet geen ook maar zijn was wat wie hoe waar als dan bij uit aan over "
          "onder tot door heb heeft hebben ben bent wordt worden mijn jouw jij hij zij wij ons onze hun deze dit "
          "erg veel nog wel toe",
    "ca": "amb per que els les del dels una uns unes sense sobre entre com més però aquest aquesta això molt seu "
          "seva seus meu meva teu teva són està estic era ser tenir tot tots totes quan quin quina perquè també",
    "ru": "для без что это как так его она они оно мне меня тебя тебе вас нас был была было были есть или ещё еще "
          "уже очень только тоже когда где кто чем при над под про через вот все всё весь мой моя твой наш ваш "
          "свой этот эта эти тот нет даже",
    "uk": "для без що так його вона вони воно мені мене тебе вас нас був була було були або вже дуже тільки теж "
          "також коли хто при над під про через все всі мій моя твій наш ваш свій цей той немає навіть але",
    "pl": "się nie dla jak ale lub oraz czy jest są był była było jestem ten tym tego tej też także pod nad przez "
          "przy bez albo mnie jego jej ich ona ono oni one moja mój twój bardzo tylko już tak kto gdzie kiedy",
    "cs": "pro jak ale nebo jsem jsou byl byla bylo tento tato toto ten tím bez pod nad přes při jeho její jejich "
          "ona oni moje můj tvůj velmi jen už také kdo kde kdy není",
    "sk": "pre ako ale alebo som sú bol bola bolo tento táto toto ten bez pod nad cez pri jeho jej ich ona oni môj "
          "moja tvoj veľmi len už tiež kto kde kedy nie",
    "ro": "care pentru din spre sau dar este sunt era fost fără una unei unui unor acest această acesta aceasta "
          "lui lor meu mea tău său foarte doar cum unde când cine mai tot toate toți",
    "hu": "nem van vagy egy hogy mint ezt azt meg már még csak nagyon volt lesz vannak neki nekem nincs sem ami "
          "aki amely mert",
    "el": "και με για από του της των τον την τους τις στο στη στην στον στα στις στους ένα μια ένας μιας είναι "
          "ήταν δεν μην που πως πώς αλλά εγώ εσύ αυτός αυτή αυτό εμείς εσείς αυτοί μου σου μας σας πολύ μόνο "
          "επίσης όταν πού ποιος χωρίς προς όλα",
    "bg": "для без това как така той тях мен теб вас нас беше бяха или вече много само също когато където кой "
          "при над под през всички моя мой твой наш ваш този тази тези няма дори със във",
    "sr": "без што као који која које или али није јесте сам смо сте био била било мој моја твој наш ваш овај ова "
          "ово тај веома само такође када где при над под кроз све сви нема",
    "hr": "bez što kao koji koja koje ili ali nije jest sam smo ste bio bila bilo moj moja tvoj naš vaš ovaj ova "
          "ovo taj vrlo samo također kada gdje tko pri nad pod kroz sve svi nema",
    "sl": "brez kot ali sem smo ste bil bila bilo moj moja tvoj naš vaš zelo samo tudi kdaj kje kdo pri nad pod "
          "skozi vse vsi nima ter",
    "lt": "bet arba kad kaip kas kur kada yra buvo būti jis mes jūs jie jos mano tavo savo labai tik taip nėra per "
          "apie prie nuo iki dėl ant",
    "lv": "bet vai kas kur kad bija būt viņš viņa mēs jūs viņi mans mana tavs savs ļoti tikai arī nav par pie līdz "
          "bez pēc starp kurš",
    "et": "ning või aga kui mis kes kus millal oli olema mina sina tema meie teie nemad minu sinu oma väga ainult "
          "pole koos jaoks peal üle ilma",
    "sv": "med som och för att det den ett till från har var inte men eller också jag han hon dem min din sin mitt "
          "ditt sitt våra dessa denna detta här där när hur vad vem mycket bara kan ska vill",
    "no": "med som for til fra det den har var ikke men eller også jeg han hun dem min din sin mitt ditt sitt denne "
          "dette disse her der når hvor hva hvem veldig bare kan skal vil",
    "da": "med som for til fra det den har var ikke men eller også jeg han hun dem min din sin mit dit sit denne "
          "dette disse her der når hvor hvad hvem meget bare kan skal vil",
    "fi": "sekä tai kanssa että joka jotka mikä mitä kun ole olla oli ovat minä sinä hän tämä tuo nämä siitä sitä "
          "hyvin myös vain eivät",
    "tr": "bir ile için gibi daha çok ama veya değil olan olarak var yok ben sen biz siz onlar bunu şey kadar "
          "sonra önce her",
    "ar": "على إلى الى هذا هذه ذلك تلك التي الذي الذين أنا انا أنت انت نحن لكن كان كانت يكون جدا جداً فقط أيضا "
          "أيضاً عند بعد قبل بين حتى",
    "he": "של עם את על אל גם אבל זאת הוא היא הם הן אני אתה אנחנו אתם שלי שלך שלו שלה מאוד רק כמו בלי אחרי לפני "
          "אין",
    "fa": "این برای است هست بود شد شما آنها ایشان خیلی فقط اما ولی روی بدون نیست هیچ",
    "ur": "اور میں ہیں نہیں بہت صرف لیے لئے ساتھ تھا تھی تھے ایک مجھے",
    "hi": "में हैं मैं नहीं बहुत सिर्फ लिए साथ होता होती करना कुछ तुम",
    "mr": "आणि आहे आहेत आम्ही तुम्ही त्या साठी मध्ये नाही खूप फक्त सोबत",
    "bn": "এবং এর এই সেই আমি তুমি আপনি তারা আমরা আছে ছিল নয় খুব শুধু জন্য সাথে থেকে দিয়ে কিন্তু একটি",
    "ta": "மற்றும் ஒரு இது அது நான் நீ நீங்கள் அவன் அவள் அவர் நாம் நாங்கள் அவர்கள் இல்லை மிகவும் மட்டும் உடன் இருந்து "
          "என்று ஆனால் அல்லது",
    "te": "మరియు ఒక ఇది అది నేను నువ్వు మీరు అతను ఆమె మేము వారు లేదు చాలా మాత్రమే నుండి కోసం కానీ లేదా",
    "vi": "của và với cho này những các một trong không có được đang đã sẽ rất tôi bạn",
    "id": "dan dengan yang untuk dari pada dalam ini itu ada tidak bukan juga atau tapi saya aku kamu dia kami kita "
          "mereka akan sudah belum sangat bisa oleh seperti karena",
    "ms": "dan dengan yang untuk dari pada dalam ini itu ada tidak bukan juga atau tetapi saya aku kamu awak dia "
          "kami kita mereka akan sudah telah sangat boleh oleh seperti kerana",
    "fil": "ang mga ako ikaw siya kami tayo sila ito iyan iyon hindi para kay nang din rin lang naman pero mas may "
           "mayroon wala napaka kung dahil",
    "sw": "kwa katika hii hiyo huo ile yule mimi wewe yeye sisi ninyi wao sana pia lakini siyo kama kuwa ana nina "
          "una hana sina",
    # Languages written without spaces are matched by substring, so these are whole keywords to skip.
    "zh": "我们 你们 他们 这个 那个 什么 没有 一个 不是 就是 可以 自己",
    "zh-Hant": "我們 你們 他們 這個 那個 什麼 沒有 一個 不是 就是 可以 自己",
    "ja": "これ それ あれ この その あの です ます する して いる ある ない から まで など こと もの",
    "ko": "그리고 하지만 그래서 이것 그것 저것 우리 너무 정말",
}


@dataclass
class BuildConfig:
    npm_dir: Path = BUILD / "cldr"  # where `npm install --prefix` puts node_modules/
    out: Path = RUNTIME_DATA / "lexicon.json.gz"
    languages: list[str] = field(default_factory=lambda: list(DEFAULT_LANGUAGES))  # CLDR locale ids

    def __post_init__(self):
        self.npm_dir, self.out = Path(self.npm_dir), Path(self.out)
        if not self.languages:
            raise ValueError("languages is empty; give at least one CLDR locale id, e.g. --languages en es")
        if "en" not in self.languages:
            raise ValueError(f"languages must include 'en' (the runtime's fallback), got {self.languages}")
        if len(set(self.languages)) != len(self.languages):
            raise ValueError(f"languages has duplicates: {self.languages}")


def ensure_packages(npm_dir: Path) -> Path:
    """node_modules/ holding both CLDR packages and the emoji groups, installing them with npm if missing."""
    modules = npm_dir / "node_modules"
    if all((modules / name / "package.json").is_file() for name in [*PACKAGES, GROUPS_PACKAGE]):
        return modules
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(f"npm not found: it is needed once to download {', '.join(PACKAGES)} into {npm_dir}. "
                         "Install Node.js (e.g. `apt install npm`), or run `npm install` there yourself.")
    npm_dir.mkdir(parents=True, exist_ok=True)
    command = [npm, "install", "--prefix", str(npm_dir), "--no-audit", "--no-fund",
               *(f"{name}@{CLDR_RELEASE}" for name in PACKAGES), f"{GROUPS_PACKAGE}@{GROUPS_RELEASE}"]
    if subprocess.run(command).returncode != 0:
        raise SystemExit(f"`{' '.join(command)}` failed (see npm's output above); it needs the npm registry once")
    return modules


def cldr_version(modules: Path) -> str:
    """The npm release of the annotations; both packages must come from the same one."""
    versions = {name: json.loads((modules / name / "package.json").read_text("utf-8"))["version"] for name in PACKAGES}
    if len(set(versions.values())) != 1:
        raise SystemExit(f"expected one CLDR release, found {versions}; reinstall both packages together")
    return next(iter(versions.values()))


def parse_annotations(data: dict) -> dict[str, list[str]]:
    """One CLDR annotations.json (already parsed) → {canonical emoji: [name, keyword, ...]}.

    Skips non-emoji symbols ("{", "→"), skin-tone variants (their canonical form is the
    toneless emoji, which has its own entry) and "↑↑↑" inheritance markers. When two
    keys share a canonical form, the one already written canonically wins.
    """
    sections = [data[key] for key in PACKAGES.values() if key in data]
    if len(sections) != 1:
        raise ValueError(f"expected one of {list(PACKAGES.values())} at the top of the JSON, found {list(data)}")
    (section,) = sections
    entries: dict[str, list[str]] = {}
    for key, value in section["annotations"].items():
        if any(ch in SKIN_TONES for ch in key) or not is_emoji(key):
            continue
        emoji = canonical(key)
        if emoji in entries and key != emoji:
            continue
        names = [w for w in value.get("tts", []) if w != INHERITED]
        keywords = [w for w in value.get("default", []) if w != INHERITED]
        if names or keywords:
            entries[emoji] = [names[0] if names else "", *dict.fromkeys(keywords)]
    return entries


def read_locale(modules: Path, locale: str) -> dict[str, list[str]]:
    """Names and keywords of one locale: single emojis first, derived sequences fill the rest."""
    entries: dict[str, list[str]] = {}
    for package, section in PACKAGES.items():
        path = modules / package / section / locale / "annotations.json"
        if not path.is_file():
            known = sorted(p.name for p in (modules / package / section).iterdir())
            raise SystemExit(f"CLDR has no locale {locale!r} in {package}; known locales: {' '.join(known)}")
        for emoji, words in parse_annotations(json.loads(path.read_text("utf-8"))).items():
            entries.setdefault(emoji, words)
    return entries


def read_groups(modules: Path) -> dict[str, str]:
    """{canonical emoji: Unicode group name} ("Smileys & Emotion", "Food & Drink", ...)."""
    data = json.loads((modules / GROUPS_PACKAGE / "data-by-emoji.json").read_text("utf-8"))
    return {canonical(emoji): info["group"] for emoji, info in sorted(data.items()) if is_emoji(emoji)}


def index_terms(table: dict[str, list[str]]) -> set[str]:
    """The single folded words of a locale's names and keywords (what a message word can match)."""
    return {word for words in table.values() for phrase in words for word in text.words(text.fold(phrase))}


def _zipf(lang: str):
    """wordfreq's Zipf frequency for `lang`, or None where wordfreq has no list or needs a
    tokenizer that is not installed (Japanese and Korean need MeCab)."""
    from wordfreq import available_languages, zipf_frequency

    code = WORDFREQ_CODES.get(lang, lang)
    if code not in available_languages():
        return None
    try:
        zipf_frequency("a", code)
        zipf_frequency("テスト" if code == "ja" else "테스트" if code == "ko" else "test", code)
    except (ImportError, KeyError):
        return None
    return lambda term: zipf_frequency(term, code)


def common_words(entries: dict[str, dict[str, list[str]]]) -> dict[str, list[str]]:
    """Per language, its terms with wordfreq Zipf ≥ COMMON_ZIPF (languages wordfreq lacks are skipped)."""
    found = {}
    for lang, table in entries.items():
        zipf = _zipf(lang)
        if zipf:
            found[lang] = sorted(t for t in index_terms(table) if zipf(t) >= COMMON_ZIPF)
    return found


def foreign_words(entries: dict[str, dict[str, list[str]]]) -> dict[str, list[str]]:
    """Per non-English language, the English terms that are also its words (Zipf ≥ FOREIGN_ZIPF)."""
    in_english = _zipf("en")
    english = {t: in_english(t) for t in sorted(index_terms(entries["en"])) if len(t) >= 3}
    found = {}
    for lang in entries:
        zipf = _zipf(lang) if lang != "en" else None
        if zipf:
            found[lang] = [t for t, z in english.items() if zipf(t) >= max(FOREIGN_ZIPF, z - FOREIGN_MARGIN)]
    return found


def build_lexicon(modules: Path, languages: list[str]) -> dict:
    entries = {lang: read_locale(modules, lang) for lang in languages}
    return {
        "format": FORMAT,
        "cldr_version": cldr_version(modules),
        "source": SOURCE,
        "languages": list(languages),
        "entries": entries,
        "stop_words": {lang: sorted(set(STOP_WORDS[lang].split())) for lang in languages if lang in STOP_WORDS},
        "groups": read_groups(modules),
        "common_words": common_words(entries),
        "foreign_words": foreign_words(entries),
    }


def write_lexicon(lexicon: dict, out: Path) -> bytes:
    """Sorted keys and a zero gzip timestamp: regenerating gives identical bytes."""
    text = json.dumps(lexicon, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    blob = gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(blob)
    return blob


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--npm-dir", default=BuildConfig.npm_dir, type=Path)
    parser.add_argument("--out", default=BuildConfig.out, type=Path)
    parser.add_argument("--languages", nargs="+", default=list(DEFAULT_LANGUAGES), metavar="LOCALE")
    config = BuildConfig(**vars(parser.parse_args(argv)))

    modules = ensure_packages(config.npm_dir)
    lexicon = build_lexicon(modules, config.languages)
    blob = write_lexicon(lexicon, config.out)

    entries = lexicon["entries"]
    emojis = set().union(*entries.values())
    print(f"CLDR {lexicon['cldr_version']}: {len(emojis)} emojis, {len(entries)} languages, "
          f"{len(blob) / 1e6:.2f} MB → {config.out}")
    for lang, table in entries.items():
        named = sum(1 for words in table.values() if words[0])
        print(f"  {lang:8} {named:5} names  {len(table) / len(emojis):6.1%} of emojis")


if __name__ == "__main__":
    main()
