"""Telegram adapter (python-telegram-bot 22): handlers → register → run by long polling or webhook.

    emoji-assistant-telegram [--config FILE]

Commands /start /help /emoji /explain /optin /optout /mydata /forget /collect /reload, inline
mode (@bot text), chosen-inline-result feedback, and plain messages (stored for opted-in
users; answered in private chats). The logic lives in bots.bot_core; these handlers only unpack
updates and send the replies.
"""
from __future__ import annotations

import logging
import re

try:
    from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
    from telegram.constants import ChatMemberStatus, ChatType
    from telegram.ext import (Application, ChosenInlineResultHandler, CommandHandler, ContextTypes,
                              InlineQueryHandler, MessageHandler, filters)
except ImportError as err:  # pragma: no cover - depends on the installed extras
    raise ImportError(f"the Telegram bot needs its extra ({err.name} is missing): "
                      "pip install 'emoji-assistant[telegram]'") from err

from .bot_core import BotCore
from .bot_settings import BotConfig
from .i18n import t

logger = logging.getLogger(__name__)
PLATFORM = "telegram"
INLINE_CACHE_S = 300  # Telegram caches inline results per query text; suggestions do not depend on the user
ADMINS = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
_COMMAND = re.compile(r"^/\S+\s*", re.DOTALL)


def _core(context: ContextTypes.DEFAULT_TYPE) -> BotCore:
    return context.application.bot_data["core"]


def _lang(update: Update) -> str | None:
    """The user's language from their Telegram settings ("pt-br"): the replies' language and the model's hint."""
    return update.effective_user.language_code if update.effective_user else None


def _argument_text(message) -> str:
    """The text after the command, else the text or caption of the message it replies to."""
    text = _COMMAND.sub("", message.text or "", count=1)
    if not text.strip() and message.reply_to_message:
        text = message.reply_to_message.text or message.reply_to_message.caption or ""
    return text


async def _allowed(update: Update, core: BotCore) -> bool:
    """Take one rate-limit token; tell the user when there is none."""
    if core.allow(PLATFORM, update.effective_user.id):
        return True
    await update.effective_message.reply_text(t("slow_down", _lang(update)))
    return False


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greets the user and lists the commands."""
    lang = _lang(update)
    help_text = t("help_telegram", lang, bot=context.bot.username)
    await update.effective_message.reply_text(f"{t('start', lang)}\n\n{help_text}")


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Lists the commands."""
    await update.effective_message.reply_text(t("help_telegram", _lang(update), bot=context.bot.username))


async def emoji_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Suggests emojis for the text after /emoji or for the message it replies to."""
    core, text = _core(context), _argument_text(update.effective_message)
    if not text.strip():
        await update.effective_message.reply_text(t("emoji_usage", _lang(update)))
    elif await _allowed(update, core):
        await update.effective_message.reply_text(await core.suggest_reply(text, _lang(update)))


async def explain_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explains the emojis in the text after /explain or in the message it replies to."""
    core, text = _core(context), _argument_text(update.effective_message)
    if not text.strip():
        await update.effective_message.reply_text(t("explain_usage", _lang(update)))
    elif await _allowed(update, core):
        await update.effective_message.reply_text(await core.explain_reply(text, _lang(update)))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stores an opted-in user's message; in a private chat also explains or suggests."""
    core, message = _core(context), update.effective_message
    private = update.effective_chat.type == ChatType.PRIVATE
    await core.record_message(PLATFORM, user_id=update.effective_user.id, chat_id=message.chat_id,
                              message_id=message.message_id, text=message.text, private=private,
                              ui_lang=_lang(update))
    if private and await _allowed(update, core):
        await message.reply_text(await core.reply(message.text, _lang(update)))


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offers the top emojis as results that send the typed text with the chosen emoji."""
    core, query = _core(context), update.inline_query
    text = query.query.strip()
    if not text or not core.allow(PLATFORM, query.from_user.id):
        await query.answer([], cache_time=0)
        return
    results = [InlineQueryResultArticle(id=_result_id(emoji), title=f"{emoji}  {name}".rstrip(), description=message,
                                        input_message_content=InputTextMessageContent(message))
               for emoji, name, message in await core.inline_options(text, query.from_user.language_code)
               if len(_result_id(emoji)) <= 64]
    await query.answer(results, cache_time=INLINE_CACHE_S)


def _result_id(emoji: str) -> str:
    return emoji.encode("utf-8").hex()  # ASCII and reversible; Telegram allows 64 bytes (a 32-byte emoji)


async def inline_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stores the emoji a user picked in inline mode as a label for their text, if they opted in."""
    chosen = update.chosen_inline_result
    try:
        emoji = bytes.fromhex(chosen.result_id).decode("utf-8")
    except ValueError:
        return
    await _core(context).record_choice(PLATFORM, user_id=chosen.from_user.id, text=chosen.query, emoji=emoji,
                                       ui_lang=chosen.from_user.language_code)


async def optin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Records the user's consent to store their messages."""
    reply = await _core(context).opt_in(PLATFORM, update.effective_user.id, _lang(update))
    await update.effective_message.reply_text(reply)


async def optout(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stops storing the user's messages."""
    reply = await _core(context).opt_out(PLATFORM, update.effective_user.id, _lang(update))
    await update.effective_message.reply_text(reply)


async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Deletes everything stored about the user."""
    reply = await _core(context).forget(PLATFORM, update.effective_user.id, _lang(update))
    await update.effective_message.reply_text(reply)


async def mydata(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Sends the user what is stored about them as a JSON file (private chats only)."""
    message, lang = update.effective_message, _lang(update)
    if update.effective_chat.type != ChatType.PRIVATE:
        await message.reply_text(t("private_only", lang))
        return
    data = await _core(context).my_data(PLATFORM, update.effective_user.id)
    if data is None:
        await message.reply_text(t("nothing_stored", lang))
    else:
        await message.reply_document(document=data, filename="emoji-assistant-mydata.json",
                                     caption=t("mydata_caption", lang))


async def collect(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Shows, or for group admins switches, whether this group's messages may be collected."""
    chat, message, lang = update.effective_chat, update.effective_message, _lang(update)
    if chat.type == ChatType.PRIVATE:
        await message.reply_text(t("groups_only", lang))
        return
    choice = (context.args or [""])[0].lower()
    on = {"on": True, "off": False, "": None}.get(choice, "?")
    if on == "?":
        await message.reply_text(t("collect_usage", lang))
        return
    if on is not None and not await _is_chat_admin(update, context):
        await message.reply_text(t("admins_only", lang))
        return
    await message.reply_text(await _core(context).set_collection(PLATFORM, chat.id, on, lang))


async def _is_chat_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    if update.effective_message.sender_chat and update.effective_message.sender_chat.id == update.effective_chat.id:
        return True  # an anonymous admin posts as the group itself
    member = await context.bot.get_chat_member(update.effective_chat.id, update.effective_user.id)
    return member.status in ADMINS


async def reload_model(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Loads the model folder again (bot admins from the config only)."""
    core = _core(context)
    if not core.is_admin(PLATFORM, update.effective_user.id):
        await update.effective_message.reply_text(t("bot_admins_only", _lang(update)))
        return
    await update.effective_message.reply_text(await core.reload(_lang(update)))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Logs the error with its traceback (never the message text), then tells the user briefly."""
    logger.error("update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)
    if isinstance(update, Update) and update.effective_message:
        await update.effective_message.reply_text(t("error", _lang(update)))


def register(application: Application) -> None:
    commands = {"start": start, "help": help_command, "emoji": emoji_command, "explain": explain_command,
                "optin": optin, "optout": optout, "mydata": mydata, "forget": forget, "collect": collect,
                "reload": reload_model}
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback))
    application.add_handler(InlineQueryHandler(inline_query))
    application.add_handler(ChosenInlineResultHandler(inline_chosen))
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, on_text))
    application.add_error_handler(on_error)


def build_application(core: BotCore, config: BotConfig, *, request=None) -> Application:
    """An Application with every handler registered; `request` replaces the HTTP transport (tests)."""
    builder = Application.builder().token(config.require("telegram_token"))
    builder.concurrent_updates(True)  # one user's slow inference must not hold up everyone else's updates
    if config.telegram_api_base_url:  # a self-hosted Bot API server (bigger files, no rate limits)
        builder.base_url(f"{config.telegram_api_base_url}/bot").base_file_url(
            f"{config.telegram_api_base_url}/file/bot")
    if request is not None:
        builder.request(request).get_updates_request(request)
    builder.post_init(lambda app: core.start()).post_shutdown(lambda app: core.stop())
    application = builder.build()
    application.bot_data["core"] = core
    register(application)
    return application


def _run(core: BotCore, config: BotConfig) -> None:
    application = build_application(core, config)
    if not config.webhook_url:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
        return
    from urllib.parse import urlparse

    try:
        import tornado  # noqa: F401  (python-telegram-bot's webhook server)
    except ImportError:
        raise ValueError("webhook mode needs a web server: pip install 'python-telegram-bot[webhooks]', "
                         "or unset TELEGRAM_WEBHOOK_URL to use long polling") from None
    application.run_webhook(listen=config.webhook_listen, port=config.webhook_port,
                            url_path=urlparse(config.webhook_url).path.lstrip("/"), webhook_url=config.webhook_url,
                            secret_token=config.webhook_secret or None, allowed_updates=Update.ALL_TYPES)


def main(argv: list[str] | None = None) -> int:
    from .runner import run_bot

    return run_bot("emoji-assistant-telegram", argv, "telegram_token", _run)
