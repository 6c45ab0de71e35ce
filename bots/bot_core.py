"""What both bots do, whatever the chat platform: suggest, explain, consent, collection, reload.

Adapters turn platform updates into these calls and send back the returned text. The model
and the store are blocking, so every call to them runs in a worker thread (asyncio.to_thread):
a slow inference or a busy database never stalls the event loop serving other users.

`ui_lang` is the user's language as the platform knows it (a Telegram profile's language_code,
a Discord client's locale): replies are written in it, and it is the Assistant's language
hint, so a short or emoji-only message is read in the user's language.
"""
from __future__ import annotations

import asyncio
import logging

from assistant.core.ratelimit import RateLimit, TokenBuckets

from .bot_settings import BotConfig
from .formatting import explanation_text, suggestions_text, user_data_file, with_emoji
from .i18n import t
from .reload import ModelHolder

logger = logging.getLogger(__name__)


class BotCore:
    """Shared command logic; one per process, handed to the adapter that runs it.

    Args:
        holder: the loaded Assistant (ModelHolder), swapped on reload.
        store: the ChatLogStore, or None when collection is switched off in the config.
        config: the BotConfig (top_k, rate_limit, retention_days, admin ids, reload_check_s).
        limiter: per-user TokenBuckets; default config.rate_limit calls a minute, all at once if need be.
    """

    def __init__(self, holder: ModelHolder, store, config: BotConfig, *, limiter: TokenBuckets | None = None):
        self.holder, self.store, self.config = holder, store, config
        self.limiter = limiter or TokenBuckets(RateLimit.per_minute(config.rate_limit))
        self._watcher: asyncio.Task | None = None

    # ---- lifecycle

    async def start(self) -> None:
        """Start watching the model folder (called from the adapter's startup hook)."""
        if self.config.reload_check_s > 0 and self._watcher is None:
            self._watcher = asyncio.create_task(self.holder.watch(self.config.reload_check_s))

    async def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None

    def is_admin(self, platform: str, user_id: int) -> bool:
        admins = {"telegram": self.config.telegram_admin_ids, "discord": self.config.discord_admin_ids}
        return user_id in admins[platform]

    async def reload(self, ui_lang: str | None) -> str:
        """Load the model folder again now (admin command); the reply names the version in use."""
        new = await self.holder.reload()
        return t("reloaded", ui_lang, name=new.manifest.name, version=new.manifest.version)

    # ---- the model

    def allow(self, platform: str, user_id: int) -> bool:
        """Whether this user may make one more model call now."""
        return self.limiter.allow((platform, user_id))

    async def suggest(self, text: str, ui_lang: str | None = None):
        """The Result (text, detected lang, top-k suggestions) for one message."""
        assistant = self.holder.current
        return (await asyncio.to_thread(assistant.suggest_batch, [text], k=self.config.top_k, hint=ui_lang))[0]

    async def explain(self, text: str, ui_lang: str | None = None):
        """The Explanation of `text`; an emoji-only message is explained in the user's language."""
        return await asyncio.to_thread(self.holder.current.explain, text, hint=ui_lang)

    def is_emoji_only(self, text: str) -> bool:
        """Whether the message is emojis alone (explain it rather than suggest for it)."""
        return self.holder.current.is_emoji_only(text)

    async def suggest_reply(self, text: str, ui_lang: str | None) -> str:
        return suggestions_text(await self.suggest(text, ui_lang), ui_lang)

    async def explain_reply(self, text: str, ui_lang: str | None) -> str:
        return explanation_text(await self.explain(text, ui_lang), ui_lang)

    async def reply(self, text: str, ui_lang: str | None) -> str:
        """The answer to a plain message: what its emojis mean if it is only emojis, else suggestions."""
        answer = self.explain_reply if self.is_emoji_only(text) else self.suggest_reply
        return await answer(text, ui_lang)

    async def inline_options(self, text: str, ui_lang: str | None = None) -> list[tuple[str, str, str]]:
        """(emoji, name, message to send) for each suggestion: the results of Telegram's inline mode."""
        result = await self.suggest(text, ui_lang)
        return [(s.emoji, s.name, with_emoji(text, s.emoji)) for s in result.suggestions]

    # ---- consent and the user's data

    async def opt_in(self, platform: str, user_id: int, ui_lang: str | None) -> str:
        if self.store is None:
            return t("collection_disabled", ui_lang)
        await asyncio.to_thread(self.store.set_consent, platform, user_id, True)
        return t("opted_in", ui_lang, days=f"{self.config.retention_days:g}")

    async def opt_out(self, platform: str, user_id: int, ui_lang: str | None) -> str:
        if self.store is None:
            return t("collection_disabled", ui_lang)
        await asyncio.to_thread(self.store.set_consent, platform, user_id, False)
        return t("opted_out", ui_lang)

    async def forget(self, platform: str, user_id: int, ui_lang: str | None) -> str:
        rows = 0 if self.store is None else await asyncio.to_thread(self.store.forget, platform, user_id)
        return t("forgotten", ui_lang, rows=rows) if rows else t("nothing_stored", ui_lang)

    async def my_data(self, platform: str, user_id: int) -> bytes | None:
        """The user's stored data as a JSON file, or None when nothing is stored."""
        if self.store is None:
            return None
        data = await asyncio.to_thread(self.store.user_data, platform, user_id)
        if data["consent"] is None and not data["messages"] and not data["labels"]:
            return None
        return user_data_file(data)

    async def set_collection(self, platform: str, chat_id: int, on: bool | None, ui_lang: str | None) -> str:
        """Switch collection in a group (the adapter checked that the caller is an admin); None only reports."""
        if self.store is None:
            return t("collection_disabled", ui_lang)
        if on is not None:
            await asyncio.to_thread(self.store.set_chat_collection, platform, chat_id, on)
        on = await asyncio.to_thread(self.store.chat_collection, platform, chat_id)
        return t("collect_on" if on else "collect_off", ui_lang)

    # ---- collection (each a no-op unless the store finds the user's consent)

    async def record_message(self, platform: str, *, user_id: int, chat_id: int, message_id: int, text: str,
                             private: bool, ui_lang: str | None = None) -> int | None:
        """Store a chat message of an opted-in user; its row id, or None when nothing was stored."""
        if self.store is None or not text.strip():
            return None
        return await asyncio.to_thread(self._record_message, self.holder.current, platform, user_id, chat_id,
                                       message_id, text, private, ui_lang)

    def _record_message(self, assistant, platform, user_id, chat_id, message_id, text, private, ui_lang):
        if not self.store.may_collect(platform, user_id, chat_id, private=private):
            return None  # the common case: skip language detection for messages that will not be kept
        lang = assistant.detect_language(text, hint=ui_lang)
        return self.store.add_message(platform, user_id=user_id, chat_id=chat_id, message_id=message_id,
                                      text=text, lang=lang, private=private)

    async def record_choice(self, platform: str, *, user_id: int, text: str, emoji: str,
                            ui_lang: str | None = None) -> int | None:
        """Store an inline-mode choice (text → emoji) as a label if the user opted in."""
        if self.store is None or not text.strip():
            return None

        def record():
            if not self.store.has_consent(platform, user_id):
                return None
            lang = self.holder.current.detect_language(text, hint=ui_lang)
            return self.store.add_choice(platform, user_id=user_id, text=text, emoji=emoji, lang=lang)

        return await asyncio.to_thread(record)

    async def record_reaction(self, platform: str, *, user_id: int, chat_id: int, message_id: int, emoji: str,
                              private: bool) -> int | None:
        """Store a reaction of an opted-in user as a label of the (stored) message it reacts to."""
        if self.store is None:
            return None
        return await asyncio.to_thread(self.store.add_reaction, platform, user_id=user_id, chat_id=chat_id,
                                       message_id=message_id, emoji=emoji, private=private)


def build_core(config: BotConfig) -> BotCore:
    """Load the model (once for this process) and open the store the config names."""
    from assistant.core import Assistant

    holder = ModelHolder(lambda: Assistant(config.model or None, threads=config.threads))
    store = None
    if config.collect:
        from .bot_settings import id_salt
        from .store import ChatLogStore

        store = ChatLogStore(config.db_path(), salt=id_salt(config), retention_days=config.retention_days)
    return BotCore(holder, store, config)
