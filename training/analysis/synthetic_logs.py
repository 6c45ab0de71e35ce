"""A synthetic chat-log store, written through the store's own API as the bots write it: users who opt
in (and a few who never do, opt out later or ask to be forgotten), group chats that collect, private
chats, messages with emojis, inline choices and reactions. For tests and the retrain's timing run.

    python -m training.analysis.synthetic_logs --messages 5000 --out build/logs.db
    python -m training.analysis.synthetic_logs --messages 5000 --out build/logs.db \
        --texts build/examples.jsonl --split val        # texts of a data file instead of templates

Texts come from templates in six languages, or from a JSON Lines / TSV file of labelled texts
(`{"text", "emoji"[, "lang"]}` or `text<TAB>emoji`; examples.jsonl rows of one `--split`). A share
of the messages (`--new-share`) use emojis the shipped model has no label for (🧉 🫠 🥹), often
enough to become labels in a retrain. Everything follows `--seed`.
"""
from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter
from pathlib import Path

from training.lib.chat_logs import open_store
from training.lib.defaults import BUILD

# emoji → language → sentences; "{who}" and "{when}" are filled in per message.
TEMPLATES = {
    "❤️": {"en": ["love you {who}", "I love you so much {who}", "love this family"],
           "es": ["te quiero mucho {who}", "te amo {who}"], "de": ["ich hab dich lieb {who}"]},
    "😂": {"en": ["this is hilarious {who}", "I can't stop laughing", "lol that meme"],
           "es": ["me muero de risa {who}", "jajaja qué bueno"], "ru": ["я так смеялся {when}"]},
    "🔥": {"en": ["this song is fire", "the new track is so hot {when}"], "es": ["este tema está que arde"]},
    "☀️": {"en": ["sunny day at the beach {when}", "finally some sun"], "es": ["qué día de sol {when}"],
           "de": ["endlich Sonne {when}"]},
    "🎄": {"en": ["merry christmas {who}", "decorating the tree {when}"], "es": ["feliz navidad {who}"],
           "fr": ["joyeux noël {who}"]},
    "😍": {"en": ["look at this cake {who}", "so beautiful {when}"], "es": ["qué bonito {who}"]},
    "💪": {"en": ["gym done {when}", "you can do it {who}"], "es": ["a entrenar {when}", "vamos {who} tú puedes"]},
    "😊": {"en": ["thank you {who}", "have a nice day {who}"], "es": ["gracias {who}"], "pt": ["obrigada {who}"]},
    # new to the shipped model's labels
    "🧉": {"es": ["tomando mate con {who}", "un mate bien caliente {when}", "mate y facturas {when}"],
           "pt": ["chimarrão com {who} {when}"], "en": ["drinking mate {when}"]},
    "🫠": {"en": ["I'm melting in this heat {when}", "so embarrassing I want to disappear"],
           "es": ["me derrito de calor {when}"], "de": ["ich schmelze bei dieser Hitze {when}"]},
    "🥹": {"en": ["you made me cry happy tears {who}", "this is so sweet {who}"],
           "es": ["me hiciste llorar de emoción {who}"], "fr": ["tu m'as fait pleurer de joie {who}"]},
}
NEW = ("🧉", "🫠", "🥹")
WHO = ["ana", "tom", "mom", "guys", "bro", "amigos", "Lena", "Sasha", ""]
WHEN = ["today", "tonight", "this morning", "hoy", "heute", "сегодня", "again", ""]


def read_texts(path: Path, split: str | None) -> list[tuple[str, str, str]]:
    """(text, emoji, lang) from JSON Lines (examples.jsonl rows of `split`, or {"text", "emoji"}) or TSV."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        if path.suffix in (".jsonl", ".json"):
            row = json.loads(line)
            if split is None or row.get("split") == split:
                found.append((row["text"], row["emoji"], row.get("lang", "und")))
        else:
            text, _, emoji = line.rpartition("\t")
            found.append((text, emoji.strip(), "und"))
    if not found:
        raise SystemExit(f"{path}: no labelled texts" + (f" in split {split!r}" if split else ""))
    return found


def template_message(rng: random.Random, new_share: float) -> tuple[str, str, str]:
    emoji = rng.choice(NEW) if rng.random() < new_share else rng.choice([e for e in TEMPLATES if e not in NEW])
    lang = rng.choice(list(TEMPLATES[emoji]))
    text = rng.choice(TEMPLATES[emoji][lang]).format(who=rng.choice(WHO), when=rng.choice(WHEN))
    return " ".join(text.split()), emoji, lang


def make_logs(out: Path, *, messages: int, users: int, seed: int = 0, new_share: float = 0.15,
              texts: list[tuple[str, str, str]] | None = None, forget: int = 1) -> dict:
    """Write the store and return what it holds (counts); `forget` users are forgotten at the end."""
    rng = random.Random(seed)
    clock = iter(range(int(time.time()) - 30 * 86400, 10 ** 11, 60))  # a message a minute, from 30 days ago
    store = open_store(out, salt=f"synthetic-{seed}".encode(), clock=lambda: float(next(clock)))
    people = [("telegram" if i % 3 else "discord", 1000 + i) for i in range(users)]
    never = set(rng.sample(people, max(1, users // 20)))  # never opt in: nothing of theirs is stored
    later_out = set(rng.sample([p for p in people if p not in never], max(1, users // 20)))  # opt out at the end
    groups = {"telegram": [-100, -101, -102], "discord": [500, 501]}
    for platform, chats in groups.items():
        for chat in chats:
            store.set_chat_collection(platform, chat, True)
    for person in people:
        if person not in never:
            store.set_consent(*person, True)
    stored, attempted, kinds = [], 0, Counter()
    message_id = 0
    while len(stored) < messages:
        attempted += 1
        platform, user = rng.choice(people)
        text, emoji, lang = rng.choice(texts) if texts and rng.random() >= new_share else template_message(
            rng, 1.0 if texts else new_share)
        private = rng.random() < 0.3
        chat = user if private else rng.choice(groups[platform])
        message_id += 1
        row = store.add_message(platform, user_id=user, chat_id=chat, message_id=message_id,
                                text=f"{text} {emoji}", lang=lang, private=private)
        if row is None:
            continue
        stored.append((platform, user, chat, message_id, private))
        kinds["message"] += 1
        if rng.random() < 0.1:  # inline mode: the user picked an emoji for a text
            kinds["inline"] += store.add_choice(platform, user_id=user, text=text, emoji=emoji, lang=lang) is not None
        if not private and rng.random() < 0.1:  # someone in the chat reacts
            other = rng.choice([p for p in people if p[0] == platform])
            kinds["reaction"] += store.add_reaction(platform, user_id=other[1], chat_id=chat, message_id=message_id,
                                                    emoji=emoji, private=False) is not None
    for person in later_out:
        store.set_consent(*person, False)
    forgotten = rng.sample([p for p in people if p not in never and p not in later_out], forget)
    deleted = sum(store.forget(*person) for person in forgotten)
    summary = {"out": str(out), "messages": len(stored), "attempted": attempted, "users": users,
               "never_opted_in": len(never), "opted_out_later": len(later_out), "forgotten": len(forgotten),
               "rows_deleted_by_forget": deleted, **{f"{k}_rows": v for k, v in kinds.items()},
               "stats": {k: v for k, v in store.stats().items() if k in ("messages", "labels", "users_opted_in")}}
    store.close()
    return summary


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000, help="messages to store (opted-in users only)")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--out", type=Path, default=BUILD / "logs.db")
    parser.add_argument("--texts", type=Path, help="labelled texts to draw from instead of the templates")
    parser.add_argument("--split", help="with an examples.jsonl as --texts: the split to draw from (e.g. val)")
    parser.add_argument("--new-share", type=float, default=0.15,
                        help="share of messages with an emoji new to the shipped model (🧉 🫠 🥹)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.out.exists():
        parser.error(f"{args.out} exists; remove it or choose another --out (a store is never overwritten)")
    texts = read_texts(args.texts, args.split) if args.texts else None
    summary = make_logs(args.out, messages=args.messages, users=args.users, seed=args.seed,
                        new_share=args.new_share, texts=texts)
    print(json.dumps(summary, ensure_ascii=False))
    return summary


if __name__ == "__main__":
    main()
