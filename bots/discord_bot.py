"""Discord adapter (discord.py 2.7): EmojiCog with slash commands, context menus and listeners.

    emoji-assistant-discord [--config FILE]

/emoji /explain /optin /optout /mydata /forget /collect /reload; message context menus
"Explain emojis" and "Suggest reactions"; messages and reactions of opted-in users are
stored where the server's admins switched collection on (direct messages need only the
user's opt-in). Personal answers are ephemeral: only the asking user sees them.
"""
from __future__ import annotations

import io
import logging
from typing import Optional

try:
    import discord
    from discord import app_commands
    from discord.ext import commands
except ImportError as err:  # pragma: no cover - depends on the installed extras
    raise ImportError(f"the Discord bot needs its extra ({err.name} is missing): "
                      "pip install 'emoji-assistant[discord]'") from err

from .bot_core import BotCore
from .bot_settings import BotConfig
from .i18n import t

logger = logging.getLogger(__name__)
PLATFORM = "discord"
MAX_TEXT = 1000  # characters accepted by /emoji and /explain


def _code(locale) -> str | None:
    """A discord.Locale (or its code) as its code ("es-ES"); None stays None."""
    return None if locale is None else getattr(locale, "value", str(locale))


def _lang(interaction: discord.Interaction) -> str:
    """The user's client locale ("es-ES"): the replies' language and the model's hint."""
    return _code(interaction.locale)


def _guild_lang(guild) -> str | None:
    """A server's community locale ("it"): the language hint for its members' messages, which,
    unlike interactions, carry no locale of their writer; None in direct messages."""
    return _code(getattr(guild, "preferred_locale", None))


def _chat_id(guild_id: int | None, channel_id: int) -> int:
    """Collection is switched per server, so a server message's chat is its guild; a DM's is its channel."""
    return guild_id if guild_id is not None else channel_id


class EmojiCog(commands.Cog):
    """The bot's one feature set; the BotCore is passed in and does the work."""

    def __init__(self, bot: commands.Bot, core: BotCore):
        self.bot, self.core = bot, core
        # Context menus cannot be declared inside a cog, so they are built here and added in cog_load.
        self.menus = [app_commands.ContextMenu(name="Explain emojis", callback=self.explain_menu),
                      app_commands.ContextMenu(name="Suggest reactions", callback=self.suggest_menu)]

    async def cog_load(self) -> None:
        for menu in self.menus:
            self.bot.tree.add_command(menu)
        self.bot.tree.on_error = self.on_app_command_error

    async def cog_unload(self) -> None:
        for menu in self.menus:
            self.bot.tree.remove_command(menu.name, type=menu.type)

    async def _model_reply(self, interaction: discord.Interaction, reply) -> None:
        """Rate-limit, defer (inference may outlast Discord's 3 s answer window), send `await reply()`."""
        if not self.core.allow(PLATFORM, interaction.user.id):
            await interaction.response.send_message(t("slow_down", _lang(interaction)), ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send(await reply(), ephemeral=True)

    @app_commands.command(name="emoji", description="Emojis that fit a message")
    @app_commands.describe(text="the message to find emojis for")
    async def emoji_command(self, interaction: discord.Interaction,
                            text: app_commands.Range[str, 1, MAX_TEXT]) -> None:
        """Suggests emojis for a text."""
        await self._model_reply(interaction, lambda: self.core.suggest_reply(text, _lang(interaction)))

    @app_commands.command(name="explain", description="What the emojis in a message mean")
    @app_commands.describe(text="a message with emojis")
    async def explain_command(self, interaction: discord.Interaction,
                              text: app_commands.Range[str, 1, MAX_TEXT]) -> None:
        """Explains the emojis in a text."""
        await self._model_reply(interaction, lambda: self.core.explain_reply(text, _lang(interaction)))

    async def explain_menu(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """Explains the emojis of the chosen message."""
        await self._model_reply(interaction, lambda: self.core.explain_reply(message.content, _lang(interaction)))

    async def suggest_menu(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """Suggests reactions for the chosen message."""
        await self._model_reply(interaction, lambda: self.core.suggest_reply(message.content, _lang(interaction)))

    @app_commands.command(name="optin", description="Allow storing your messages to improve suggestions")
    async def optin(self, interaction: discord.Interaction) -> None:
        """Records the user's consent."""
        reply = await self.core.opt_in(PLATFORM, interaction.user.id, _lang(interaction))
        await interaction.response.send_message(reply, ephemeral=True)

    @app_commands.command(name="optout", description="Stop storing your messages")
    async def optout(self, interaction: discord.Interaction) -> None:
        """Stops storing the user's messages."""
        reply = await self.core.opt_out(PLATFORM, interaction.user.id, _lang(interaction))
        await interaction.response.send_message(reply, ephemeral=True)

    @app_commands.command(name="mydata", description="Get everything stored about you as a file")
    async def mydata(self, interaction: discord.Interaction) -> None:
        """Sends the user's stored data as a JSON file only they can see."""
        data = await self.core.my_data(PLATFORM, interaction.user.id)
        if data is None:
            await interaction.response.send_message(t("nothing_stored", _lang(interaction)), ephemeral=True)
            return
        await interaction.response.send_message(
            t("mydata_caption", _lang(interaction)), ephemeral=True,
            file=discord.File(io.BytesIO(data), filename="emoji-assistant-mydata.json"))

    @app_commands.command(name="forget", description="Delete everything stored about you")
    async def forget(self, interaction: discord.Interaction) -> None:
        """Deletes everything stored about the user."""
        reply = await self.core.forget(PLATFORM, interaction.user.id, _lang(interaction))
        await interaction.response.send_message(reply, ephemeral=True)

    @app_commands.command(name="collect", description="Show or switch message collection on this server")
    @app_commands.describe(enabled="on or off; leave out to see the current setting")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    async def collect(self, interaction: discord.Interaction, enabled: Optional[bool] = None) -> None:
        """Shows, or for server admins switches, whether opted-in members' messages are stored here."""
        lang = _lang(interaction)
        if enabled is not None and not interaction.permissions.manage_guild:  # default_permissions can be overridden
            await interaction.response.send_message(t("admins_only", lang), ephemeral=True)
            return
        reply = await self.core.set_collection(PLATFORM, interaction.guild_id, enabled, lang)
        await interaction.response.send_message(reply, ephemeral=enabled is None)  # a change is announced to all

    @app_commands.command(name="reload", description="Load the model folder again (bot admins)")
    async def reload_model(self, interaction: discord.Interaction) -> None:
        """Loads the model folder again (bot admins from the config only)."""
        if not self.core.is_admin(PLATFORM, interaction.user.id):
            await interaction.response.send_message(t("bot_admins_only", _lang(interaction)), ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send(await self.core.reload(_lang(interaction)), ephemeral=True)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Stores a message of an opted-in user (where collection is on)."""
        if message.author.bot or not message.content:
            return
        guild_id = message.guild.id if message.guild else None
        await self.core.record_message(PLATFORM, user_id=message.author.id,
                                       chat_id=_chat_id(guild_id, message.channel.id), message_id=message.id,
                                       text=message.content, private=guild_id is None,
                                       ui_lang=_guild_lang(message.guild))

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        """Stores an opted-in user's reaction as a label of the (stored) message."""
        if (self.bot.user and payload.user_id == self.bot.user.id) or not payload.emoji.is_unicode_emoji():
            return
        await self.core.record_reaction(PLATFORM, user_id=payload.user_id,
                                        chat_id=_chat_id(payload.guild_id, payload.channel_id),
                                        message_id=payload.message_id, emoji=payload.emoji.name,
                                        private=payload.guild_id is None)

    async def on_app_command_error(self, interaction: discord.Interaction, error: Exception) -> None:
        """Logs the error with its traceback (never the message text), then tells the user briefly."""
        name = interaction.command.name if interaction.command else "?"
        logger.error("command %s failed", name, exc_info=error)
        send = interaction.followup.send if interaction.response.is_done() else interaction.response.send_message
        await send(t("error", _lang(interaction)), ephemeral=True)


class EmojiBot(commands.Bot):
    """The Discord client: receives the BotCore, finishes setup in setup_hook."""

    def __init__(self, core: BotCore, config: BotConfig):
        intents = discord.Intents.default()
        intents.message_content = True  # privileged: switch it on in the Developer Portal (Bot → Intents)
        super().__init__(command_prefix=commands.when_mentioned, intents=intents, help_command=None)
        self.core, self.config = core, config

    async def setup_hook(self) -> None:
        await self.add_cog(EmojiCog(self, self.core))
        await self.core.start()
        if self.config.discord_sync_commands:
            await self.tree.sync()  # global commands; Discord may take a while to show changes

    async def close(self) -> None:
        await self.core.stop()
        await super().close()


def build_bot(core: BotCore, config: BotConfig) -> EmojiBot:
    return EmojiBot(core, config)


def _run(core: BotCore, config: BotConfig) -> None:
    build_bot(core, config).run(config.require("discord_token"), log_handler=None)  # logging is set up already


def main(argv: list[str] | None = None) -> int:
    from .runner import run_bot

    return run_bot("emoji-assistant-discord", argv, "discord_token", _run)
