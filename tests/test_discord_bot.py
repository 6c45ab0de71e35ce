"""The Discord adapter: command, context-menu and listener callbacks with hand-written fake interactions."""
import asyncio
import json
import logging
from types import SimpleNamespace

import discord
import pytest

from bots import discord_bot
from bots.discord_bot import EmojiCog, build_bot
from tests.bot_fakes import make_core, rows_mentioning

GUILD, CHANNEL, DM = 4242, 77, 88
ADMIN, MEMBER, ANA = 1, 2, 7


class FakeResponse:
    def __init__(self, sent):
        self.sent, self.deferred = sent, None

    def is_done(self):
        return bool(self.sent) or self.deferred is not None

    async def send_message(self, content=None, *, ephemeral=False, file=None, **kwargs):
        self.sent.append({"content": content, "ephemeral": ephemeral, "file": file})

    async def defer(self, *, ephemeral=False, thinking=False):
        self.deferred = {"ephemeral": ephemeral, "thinking": thinking}


class FakeFollowup:
    def __init__(self, sent):
        self.sent = sent

    async def send(self, content=None, *, ephemeral=False, file=None, **kwargs):
        self.sent.append({"content": content, "ephemeral": ephemeral, "file": file})


class FakeInteraction:
    """What the cog reads from an Interaction: user, guild, locale, permissions, response, followup."""

    def __init__(self, user_id=ANA, *, guild_id=GUILD, locale=discord.Locale.american_english, manage_guild=False):
        self.user = SimpleNamespace(id=user_id, bot=False)
        self.guild_id = guild_id
        self.guild = SimpleNamespace(id=guild_id) if guild_id else None
        self.channel_id = CHANNEL if guild_id else DM
        self.locale = locale
        self.permissions = discord.Permissions(manage_guild=manage_guild)
        self.command = None
        self.sent: list[dict] = []
        self.response = FakeResponse(self.sent)
        self.followup = FakeFollowup(self.sent)

    @property
    def texts(self):
        return [s["content"] for s in self.sent]


def fake_message(text, *, author=ANA, message_id=500, guild_id=GUILD, bot=False, locale=discord.Locale.american_english):
    return SimpleNamespace(id=message_id, content=text, author=SimpleNamespace(id=author, bot=bot),
                           guild=SimpleNamespace(id=guild_id, preferred_locale=locale) if guild_id else None,
                           channel=SimpleNamespace(id=CHANNEL if guild_id else DM))


def reaction(emoji, *, user_id, message_id=500, guild_id=GUILD):
    """A real RawReactionActionEvent, as the gateway would deliver it."""
    data = {"message_id": message_id, "channel_id": CHANNEL if guild_id else DM, "user_id": user_id, "type": 0}
    if guild_id:
        data["guild_id"] = guild_id
    return discord.RawReactionActionEvent(data, discord.PartialEmoji(name=emoji), "REACTION_ADD")


@pytest.fixture
def cog(tmp_path):
    """A cog loaded into a real (never connected) bot."""
    core = make_core(tmp_path / "logs.db", discord_admin_ids=(ADMIN,))

    async def load():
        bot = build_bot(core, core.config)
        cog = EmojiCog(bot, core)
        await bot.add_cog(cog)
        return cog

    return asyncio.run(load())


def test_the_tree_has_every_command_and_both_context_menus(cog):
    tree = cog.bot.tree
    assert {c.name for c in tree.get_commands()} >= {"emoji", "explain", "optin", "optout", "mydata", "forget",
                                                     "collect", "reload"}
    assert {c.name for c in tree.get_commands(type=discord.AppCommandType.message)} == {
        "Explain emojis", "Suggest reactions"}
    assert cog.bot.intents.message_content


def test_emoji_and_explain_commands_answer_ephemerally(cog):
    i = FakeInteraction(locale=discord.Locale.spain_spanish)
    asyncio.run(cog.emoji_command.callback(cog, i, "hola amigos"))
    assert i.response.deferred == {"ephemeral": True, "thinking": True}
    assert i.sent[0]["ephemeral"] and i.texts[0].startswith("Emojis para esto (es):\n🍕  pizza")
    j = FakeInteraction()
    asyncio.run(cog.explain_command.callback(cog, j, "good night 🌙"))
    assert j.texts[0].startswith("🌙  crescent moon")


def test_context_menus_explain_and_suggest_reactions(cog):
    explain_menu, suggest_menu = cog.menus
    assert explain_menu.name == "Explain emojis" and suggest_menu.name == "Suggest reactions"
    i = FakeInteraction(locale=discord.Locale.german)
    asyncio.run(explain_menu.callback(i, fake_message("🌙🔥")))
    assert i.texts[0].startswith("🌙  Mondsichel") and i.sent[0]["ephemeral"]
    j = FakeInteraction()
    asyncio.run(suggest_menu.callback(j, fake_message("pizza night")))
    assert "🍕  pizza" in j.texts[0]
    k = FakeInteraction()
    asyncio.run(explain_menu.callback(k, fake_message("")))  # an embed-only message
    assert k.texts == ["That message has no emojis to explain."]


def test_the_users_locale_is_the_models_hint(cog):
    explain_menu, suggest_menu = cog.menus
    asyncio.run(cog.emoji_command.callback(cog, FakeInteraction(locale=discord.Locale.brazil_portuguese), "hi"))
    asyncio.run(cog.explain_command.callback(cog, FakeInteraction(locale=discord.Locale.french), "🌙"))
    asyncio.run(explain_menu.callback(FakeInteraction(locale=discord.Locale.german), fake_message("🔥")))
    asyncio.run(suggest_menu.callback(FakeInteraction(locale=discord.Locale.japanese), fake_message("pizza")))
    assert cog.core.holder.current.hints == [("suggest_batch", "pt-BR"), ("explain", "fr"), ("explain", "de"),
                                             ("suggest_batch", "ja")]


def test_optin_mydata_optout_forget(cog):
    core = cog.core
    optin = FakeInteraction(guild_id=None)
    asyncio.run(cog.optin.callback(cog, optin))
    assert optin.sent[0]["ephemeral"] and core.store.has_consent("discord", ANA)
    asyncio.run(cog.on_message(fake_message("dm with mail me@example.com 💌", guild_id=None)))

    mine = FakeInteraction()
    asyncio.run(cog.mydata.callback(cog, mine))
    sent = mine.sent[0]
    assert sent["ephemeral"] and sent["file"].filename == "emoji-assistant-mydata.json"
    stored = json.loads(sent["file"].fp.read())
    assert [m["text"] for m in stored["messages"]] == ["dm with mail <email> 💌"]

    optout = FakeInteraction()
    asyncio.run(cog.optout.callback(cog, optout))
    assert not core.store.has_consent("discord", ANA) and optout.texts[0].startswith("Stopped")

    forget = FakeInteraction()
    asyncio.run(cog.forget.callback(cog, forget))
    assert forget.texts[0].startswith("Deleted everything") and forget.sent[0]["ephemeral"]
    assert rows_mentioning(core.store, core.store.pseudonym("discord", "user", ANA), "dm with mail") == []

    again = FakeInteraction()
    asyncio.run(cog.mydata.callback(cog, again))
    assert again.texts == ["Nothing is stored about you."] and again.sent[0]["file"] is None


def test_server_admins_switch_collection_and_reactions_become_labels(cog):
    core = cog.core
    for user in (ANA, MEMBER):
        asyncio.run(cog.optin.callback(cog, FakeInteraction(user)))
    asyncio.run(cog.on_message(fake_message("pizza tonight?", message_id=1)))
    assert core.store.db["messages"].count == 0  # the server has not switched collection on

    refused = FakeInteraction(MEMBER)
    asyncio.run(cog.collect.callback(cog, refused, True))
    assert refused.texts == ["Only chat admins can change this."] and not core.store.chat_collection("discord", GUILD)
    switched = FakeInteraction(ADMIN, manage_guild=True)
    asyncio.run(cog.collect.callback(cog, switched, True))
    assert switched.texts[0].startswith("Collection is on") and not switched.sent[0]["ephemeral"]  # announced
    status = FakeInteraction(MEMBER)
    asyncio.run(cog.collect.callback(cog, status, None))
    assert status.texts[0].startswith("Collection is on") and status.sent[0]["ephemeral"]

    asyncio.run(cog.on_message(fake_message("pizza tonight?", message_id=2)))
    asyncio.run(cog.on_raw_reaction_add(reaction("🍕", user_id=MEMBER, message_id=2)))
    asyncio.run(cog.on_raw_reaction_add(reaction("🍕", user_id=ADMIN, message_id=2)))  # not opted in
    asyncio.run(cog.on_raw_reaction_add(reaction("😋", user_id=MEMBER, message_id=999)))  # message not stored
    assert [(e["text"], e["emoji"], e["source"]) for e in core.store.examples()] == [
        ("pizza tonight?", "🍕", "reaction")]

    asyncio.run(cog.collect.callback(cog, FakeInteraction(ADMIN, manage_guild=True), False))
    asyncio.run(cog.on_message(fake_message("after switching off 🎉", message_id=3)))
    assert core.store.db["messages"].count == 1


def test_a_server_message_is_read_with_the_servers_locale_as_the_language_hint(cog):
    core = cog.core
    core.store.set_chat_collection("discord", GUILD, True)
    asyncio.run(cog.optin.callback(cog, FakeInteraction(ANA)))
    core.holder.current.hints.clear()
    asyncio.run(cog.on_message(fake_message("ciao", message_id=20, locale=discord.Locale.italian)))
    asyncio.run(cog.on_message(fake_message("ciao", message_id=21, locale=discord.Locale.brazil_portuguese)))
    asyncio.run(cog.on_message(fake_message("ciao", message_id=22, guild_id=None)))  # a DM: no server, no hint
    assert core.holder.current.hints == [("detect_language", "it"), ("detect_language", "pt-BR"),
                                         ("detect_language", None)]
    assert core.store.db["messages"].count == 3


def test_nothing_is_stored_for_a_user_who_has_not_opted_in(cog):
    core = cog.core
    core.store.set_chat_collection("discord", GUILD, True)
    asyncio.run(cog.on_message(fake_message("secret in server 🤫", message_id=10)))
    asyncio.run(cog.on_message(fake_message("secret in dm 🤫", message_id=11, guild_id=None)))
    asyncio.run(cog.on_raw_reaction_add(reaction("🤫", user_id=ANA, message_id=10)))
    asyncio.run(cog.emoji_command.callback(cog, FakeInteraction(), "secret"))
    assert core.store.db["messages"].count == 0 and core.store.db["labels"].count == 0
    assert rows_mentioning(core.store, "secret") == []


def test_bots_and_custom_emojis_are_ignored(cog):
    core = cog.core
    asyncio.run(cog.optin.callback(cog, FakeInteraction()))
    asyncio.run(cog.on_message(fake_message("beep 🤖", bot=True, guild_id=None)))
    assert core.store.db["messages"].count == 0
    custom = discord.RawReactionActionEvent({"message_id": 1, "channel_id": DM, "user_id": ANA, "type": 0},
                                            discord.PartialEmoji(name="parrot", id=123), "REACTION_ADD")
    asyncio.run(cog.on_raw_reaction_add(custom))
    assert core.store.db["labels"].count == 0


def test_rate_limit_and_reload_admins(tmp_path):
    core = make_core(tmp_path / "db", rate_limit=1, discord_admin_ids=(ADMIN,))
    cog = EmojiCog(build_bot(core, core.config), core)
    first, second = FakeInteraction(), FakeInteraction()
    asyncio.run(cog.emoji_command.callback(cog, first, "pizza"))
    asyncio.run(cog.emoji_command.callback(cog, second, "pizza"))
    assert second.texts == ["Too many requests; try again in a minute."] and second.response.deferred is None

    denied, allowed = FakeInteraction(MEMBER), FakeInteraction(ADMIN)
    asyncio.run(cog.reload_model.callback(cog, denied))
    asyncio.run(cog.reload_model.callback(cog, allowed))
    assert denied.texts == ["Only the bot's operators can do this."] and allowed.texts == ["Model fake 1.0 loaded."]


def test_errors_are_logged_then_answered_briefly(cog, caplog):
    i = FakeInteraction()
    i.response.deferred = {"ephemeral": True, "thinking": True}  # failed after deferring
    with caplog.at_level(logging.ERROR, logger="bots.discord_bot"):
        asyncio.run(cog.bot.tree.on_error(i, discord.app_commands.AppCommandError("boom")))
    assert i.texts == ["Sorry, something went wrong. Try again later."] and i.sent[0]["ephemeral"]
    assert caplog.records[-1].exc_info is not None


def test_setup_hook_adds_the_cog_and_starts_the_core(tmp_path):
    core = make_core(tmp_path / "db", discord_sync_commands=False)
    bot = build_bot(core, core.config)

    async def go():
        await bot.setup_hook()
        await core.stop()
        return bot.get_cog("EmojiCog")

    assert asyncio.run(go()) is not None


def test_main_without_a_token_says_where_to_set_it(monkeypatch, capsys):
    for name in ("DISCORD_BOT_TOKEN", "EMOJI_ASSISTANT_BOT_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    assert discord_bot.main([]) == 2
    assert "DISCORD_BOT_TOKEN" in capsys.readouterr().err


def test_main_runs_the_bot_with_the_token(monkeypatch, tmp_path):
    monkeypatch.setenv("DISCORD_BOT_TOKEN", "tok-123")
    monkeypatch.setattr("bots.runner.build_core", lambda config: make_core(tmp_path / "db"))
    ran = {}
    monkeypatch.setattr(discord_bot.EmojiBot, "run", lambda self, token, **kw: ran.update(token=token, **kw))
    assert discord_bot.main([]) == 0
    assert ran == {"token": "tok-123", "log_handler": None}

