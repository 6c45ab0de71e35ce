"""The Telegram adapter driven through Application.process_update with a recording Bot API transport."""
import asyncio
import itertools
import json
import logging
import sys
import time
import types

import pytest
from telegram import ChatMemberAdministrator, ChatMemberMember, Update, User
from telegram.ext import Application
from telegram.request import BaseRequest

from bots import telegram_bot
from bots.telegram_bot import build_application
from tests.bot_fakes import FakeAssistant, make_core, rows_mentioning

BOT = {"id": 999, "is_bot": True, "first_name": "Emoji", "username": "emoji_test_bot",
       "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True}
GROUP = {"id": -100123, "type": "supergroup", "title": "Friends"}
ADMIN, MEMBER, ANA = 1, 2, 7


class FakeRequest(BaseRequest):
    """Records every Bot API call and answers with canned JSON; nothing reaches the network."""

    def __init__(self, admins=()):
        self.calls: list[tuple[str, dict, object]] = []  # (method, parameters, RequestData)
        self.urls: list[str] = []
        self.admins = set(admins)
        self._ids = itertools.count(1000)

    @property
    def read_timeout(self):
        return 1.0

    async def initialize(self):
        pass

    async def shutdown(self):
        pass

    async def do_request(self, url, method, request_data=None, read_timeout=None, write_timeout=None,
                         connect_timeout=None, pool_timeout=None):
        name = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        self.urls.append(url)
        self.calls.append((name, params, request_data))
        result = getattr(self, f"_{name}")(params)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _getMe(self, params):
        return BOT

    def _message(self, params, **extra):
        chat = {"id": int(params["chat_id"]), "type": "private" if int(params["chat_id"]) > 0 else "supergroup"}
        return {"message_id": next(self._ids), "date": int(time.time()), "chat": chat, "from": BOT, **extra}

    def _sendMessage(self, params):
        return self._message(params, text=params["text"])

    def _sendDocument(self, params):
        return self._message(params, document={"file_id": "f1", "file_unique_id": "u1"})

    def _answerInlineQuery(self, params):
        return True

    def _getChatMember(self, params):
        user = User(int(params["user_id"]), "someone", False)
        if user.id in self.admins:
            return ChatMemberAdministrator(user, *[False] * 12).to_dict()
        return ChatMemberMember(user).to_dict()

    def sent(self, method="sendMessage"):
        return [params for name, params, _ in self.calls if name == method]

    def texts(self):
        return [p["text"] for p in self.sent()]


_update_ids = itertools.count(1)


def private(user_id):
    return {"id": user_id, "type": "private", "first_name": f"user{user_id}"}


def message_update(app, text, *, user_id=ANA, chat=None, lang="en", reply_to=None):
    """A real Update for a text message; a leading /command gets its bot_command entity."""
    message = {"message_id": next(_update_ids), "date": int(time.time()), "chat": chat or private(user_id),
               "from": {"id": user_id, "is_bot": False, "first_name": f"user{user_id}", "language_code": lang},
               "text": text}
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    if reply_to:
        message["reply_to_message"] = {"message_id": 1, "date": int(time.time()), "chat": message["chat"],
                                       "from": {"id": 555, "is_bot": False, "first_name": "other"}, "text": reply_to}
    return Update.de_json({"update_id": next(_update_ids), "message": message}, app.bot)


def inline_update(app, query, *, user_id=ANA, lang=None):
    return Update.de_json({"update_id": next(_update_ids), "inline_query": {
        "id": "q1", "from": {"id": user_id, "is_bot": False, "first_name": "Ana", "language_code": lang},
        "query": query, "offset": ""}}, app.bot)


def chosen_update(app, query, emoji, *, user_id=ANA, lang=None):
    return Update.de_json({"update_id": next(_update_ids), "chosen_inline_result": {
        "result_id": emoji.encode().hex(), "from": {"id": user_id, "is_bot": False, "first_name": "Ana",
                                                    "language_code": lang},
        "query": query}}, app.bot)


@pytest.fixture
def bot(tmp_path):
    """(core, request, run) where run(*updates) feeds real Updates to a fresh Application."""
    core = make_core(tmp_path / "logs.db")
    request = FakeRequest(admins={ADMIN})

    def run(*make_updates):
        async def go():
            app = build_application(core, core.config, request=request)
            async with app:
                for make in make_updates:
                    await app.process_update(make(app))
        asyncio.run(go())

    return core, request, run


def test_start_and_help_list_the_commands(bot):
    core, request, run = bot
    run(lambda app: message_update(app, "/start"), lambda app: message_update(app, "/help", lang="es"))
    start, help_text = request.texts()
    assert start.startswith("Hi!") and "/optin" in start and "@emoji_test_bot" in start
    assert "/forget" in help_text  # help falls back to English where Spanish has no string


def test_emoji_command_with_text_and_as_a_reply(bot):
    core, request, run = bot
    run(lambda app: message_update(app, "/emoji I love pizza"),
        lambda app: message_update(app, "/emoji", reply_to="hola amigos", lang="es"),
        lambda app: message_update(app, "/emoji"))
    with_text, as_reply, usage = request.texts()
    assert with_text.splitlines() == ["Emojis for this (en):", "🍕  pizza", "😋  face savoring food", "❤️  red heart",
                                      "🔥  fire", "😂  face with tears of joy"]
    assert as_reply.startswith("Emojis para esto (es):")
    assert usage.startswith("Write /emoji")
    assert core.holder.current.texts == ["I love pizza", "hola amigos"]


def test_explain_command_with_text_and_as_a_reply(bot):
    core, request, run = bot
    run(lambda app: message_update(app, "/explain good night 🌙"),
        lambda app: message_update(app, "/explain", reply_to="😂🔥"),
        lambda app: message_update(app, "/explain@emoji_test_bot no emojis"))
    moon, reply, none = request.texts()
    assert moon.startswith("🌙  crescent moon")
    assert reply.splitlines()[0].startswith("😂  face with tears of joy") and reply.splitlines()[1].startswith("🔥")
    assert none == "That message has no emojis to explain."


def test_private_messages_get_suggestions_or_explanations(bot):
    core, request, run = bot
    run(lambda app: message_update(app, "I love pizza"), lambda app: message_update(app, "🌙"))
    suggestions, explanation = request.texts()
    assert "🍕  pizza" in suggestions and explanation.startswith("🌙  crescent moon")


def test_the_users_language_code_is_the_models_hint(bot):
    core, request, run = bot
    run(lambda app: message_update(app, "/emoji I love pizza", lang="pt-br"),
        lambda app: message_update(app, "/explain 🌙", lang="de"),
        lambda app: message_update(app, "🌙 !", lang="fr"),  # only emojis (and punctuation): explained
        lambda app: inline_update(app, "good night", lang="es"))
    assert core.holder.current.hints == [("suggest_batch", "pt-br"), ("explain", "de"), ("explain", "fr"),
                                         ("suggest_batch", "es")]
    _, moon_de, moon_fr = request.texts()
    assert moon_de.startswith("🌙  Mondsichel") and moon_fr.startswith("🌙  croissant de lune")


def test_stored_messages_and_choices_are_read_with_the_users_language(bot):
    core, request, run = bot
    run(lambda app: message_update(app, "/optin", lang="de"))
    core.holder.current.hints.clear()
    run(lambda app: message_update(app, "👍👍", lang="de"), lambda app: chosen_update(app, "🎉", "🥳", lang="de"))
    assert core.holder.current.hints[0] == ("detect_language", "de")  # the message, before its reply
    assert ("detect_language", "de") in core.holder.current.hints[1:]  # the inline choice
    data = json.loads(asyncio.run(core.my_data("telegram", ANA)))
    assert [m["lang"] for m in data["messages"]] == ["de"]


def test_inline_mode_offers_the_top_five_with_the_text(bot):
    core, request, run = bot
    run(lambda app: inline_update(app, "good night"), lambda app: inline_update(app, "   "))
    answer, empty = request.sent("answerInlineQuery")
    results = answer["results"]
    assert [r["title"] for r in results][:2] == ["🍕  pizza", "😋  face savoring food"] and len(results) == 5
    assert results[3]["input_message_content"]["message_text"] == "good night 🔥"
    assert answer["inline_query_id"] == "q1" and empty["results"] == []


def test_chosen_inline_result_is_a_label_only_after_opt_in(bot):
    core, request, run = bot
    run(lambda app: chosen_update(app, "good night", "🌙"))
    assert core.store.db["labels"].count == 0
    run(lambda app: message_update(app, "/optin"), lambda app: chosen_update(app, "good night", "🌙"),
        lambda app: chosen_update(app, "spoofed", "not-an-emoji"))
    labels = list(core.store.db["labels"].rows)
    assert [(label["text"], label["emoji"], label["source"]) for label in labels] == [("good night", "🌙", "inline")]


def test_optin_optout_and_the_consent_record(bot):
    core, request, run = bot
    run(lambda app: message_update(app, "/optin", lang="de"))
    assert core.store.has_consent("telegram", ANA) and "180 days" in request.texts()[-1]
    run(lambda app: message_update(app, "/optout", lang="de"))
    assert not core.store.has_consent("telegram", ANA)
    assert request.texts()[-1].startswith("Gestoppt")


def test_mydata_sends_the_stored_data_as_a_file_in_private_only(bot):
    core, request, run = bot
    run(lambda app: message_update(app, "/mydata"),
        lambda app: message_update(app, "/optin"),
        lambda app: message_update(app, "Pizza with @bob at 8 🍕"),
        lambda app: message_update(app, "/mydata"),
        lambda app: message_update(app, "/mydata", chat=GROUP))
    assert request.texts()[0] == "Nothing is stored about you."
    assert request.texts()[-1].startswith("Ask me in a private chat")
    [(name, params, data)] = [c for c in request.calls if c[0] == "sendDocument"]
    filename, content, _ = data.multipart_data["document"]
    stored = json.loads(content)
    assert filename == "emoji-assistant-mydata.json" and params["caption"] == "Everything stored about you."
    assert [m["text"] for m in stored["messages"]] == ["Pizza with @user at 8 🍕"]
    assert stored["consent"]["opted_in"] is True


def test_forget_deletes_everything_about_the_user(bot):
    core, request, run = bot
    core.store.set_chat_collection("telegram", GROUP["id"], True)
    run(lambda app: message_update(app, "/optin"),
        lambda app: message_update(app, "Zanzibar trip 🏝️"),
        lambda app: message_update(app, "Zanzibar group plans 🏝️", chat=GROUP),
        lambda app: chosen_update(app, "Zanzibar inline", "🏝️"),
        lambda app: message_update(app, "/optin", user_id=MEMBER),
        lambda app: message_update(app, "kept 🙂", user_id=MEMBER, chat=GROUP))
    assert core.store.db["messages"].count == 3
    run(lambda app: message_update(app, "/forget"))
    assert request.texts()[-1].startswith("Deleted everything stored about you (4 entries)")
    user = core.store.pseudonym("telegram", "user", ANA)
    assert rows_mentioning(core.store, user, "Zanzibar") == []
    assert [r["text"] for r in core.store.db["messages"].rows] == ["kept 🙂"]


def test_group_admins_switch_collection(bot):
    core, request, run = bot
    group_text = lambda user: lambda app: message_update(app, "party tonight 🎉", user_id=user, chat=GROUP)  # noqa: E731
    run(lambda app: message_update(app, "/optin", user_id=MEMBER),
        group_text(MEMBER),  # collection is off in a group until an admin switches it on
        lambda app: message_update(app, "/collect on", user_id=MEMBER, chat=GROUP),
        lambda app: message_update(app, "/collect on", user_id=ADMIN, chat=GROUP),
        group_text(MEMBER),
        group_text(ANA),  # not opted in: never stored
        lambda app: message_update(app, "/collect", user_id=MEMBER, chat=GROUP),
        lambda app: message_update(app, "/collect maybe", user_id=ADMIN, chat=GROUP),
        lambda app: message_update(app, "/collect off", user_id=ADMIN, chat=GROUP),
        group_text(MEMBER),
        lambda app: message_update(app, "/collect on", user_id=ANA))
    replies = request.texts()
    assert replies[1] == "Only chat admins can change this."
    assert replies[2].startswith("Collection is on") and replies[3].startswith("Collection is on")
    assert replies[4] == "Use /collect on or /collect off." and replies[5].startswith("Collection is off")
    assert replies[6].startswith("This switch is for groups")
    assert core.store.db["messages"].count == 1
    assert [c[1]["user_id"] for c in request.calls if c[0] == "getChatMember"] == [MEMBER, ADMIN, ADMIN]


def test_nothing_is_stored_for_a_user_who_has_not_opted_in(bot):
    core, request, run = bot
    core.store.set_chat_collection("telegram", GROUP["id"], True)
    run(lambda app: message_update(app, "my secret 🤫"),
        lambda app: message_update(app, "group secret 🤫", chat=GROUP),
        lambda app: message_update(app, "/emoji secret"),
        lambda app: inline_update(app, "secret"),
        lambda app: chosen_update(app, "secret", "🤫"))
    assert core.store.db["messages"].count == 0 and core.store.db["labels"].count == 0
    assert core.store.db["consent"].count == 0
    assert rows_mentioning(core.store, "secret") == []


def test_rate_limit_answers_politely(tmp_path):
    core = make_core(tmp_path / "db", rate_limit=1)
    request = FakeRequest()

    async def go():
        app = build_application(core, core.config, request=request)
        async with app:
            for _ in range(2):
                await app.process_update(message_update(app, "/emoji pizza", lang="fr"))

    asyncio.run(go())
    assert request.texts()[1] == "Trop de demandes ; réessaie dans une minute."


def test_reload_is_for_configured_admins_only(tmp_path):
    core = make_core(tmp_path / "db", telegram_admin_ids=(ADMIN,))
    request = FakeRequest()

    async def go():
        app = build_application(core, core.config, request=request)
        async with app:
            await app.process_update(message_update(app, "/reload", user_id=MEMBER))
            await app.process_update(message_update(app, "/reload", user_id=ADMIN))

    asyncio.run(go())
    assert request.texts() == ["Only the bot's operators can do this.", "Model fake 1.0 loaded."]


def test_errors_are_logged_then_answered_briefly(tmp_path, caplog):
    class Broken(FakeAssistant):
        def suggest_batch(self, texts, k=5, lang=None, *, hint=None):
            raise RuntimeError("model exploded")

    core = make_core(tmp_path / "db", assistant=Broken())
    request = FakeRequest()

    async def go():
        app = build_application(core, core.config, request=request)
        async with app:
            await app.process_update(message_update(app, "/emoji private words"))

    with caplog.at_level(logging.ERROR, logger="bots.telegram_bot"):
        asyncio.run(go())
    assert request.texts() == ["Sorry, something went wrong. Try again later."]
    [record] = [r for r in caplog.records if r.name == "bots.telegram_bot"]
    assert record.exc_info[1].args == ("model exploded",) and "private words" not in record.getMessage()


def test_a_custom_bot_api_server_is_used(tmp_path):
    core = make_core(tmp_path / "db", telegram_api_base_url="http://localhost:8081/")
    request = FakeRequest()

    async def go():
        async with build_application(core, core.config, request=request):
            pass

    asyncio.run(go())
    assert request.urls[0] == "http://localhost:8081/bot123456:TEST-TOKEN/getMe"


def _patched_main(monkeypatch, tmp_path, env):
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_URL", "EMOJI_ASSISTANT_BOT_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    ran = {}
    monkeypatch.setattr("bots.runner.build_core", lambda config: make_core(tmp_path / "db"))
    monkeypatch.setattr(Application, "run_polling", lambda self, **kw: ran.setdefault("polling", kw))
    monkeypatch.setattr(Application, "run_webhook", lambda self, **kw: ran.setdefault("webhook", kw))
    return ran


def test_main_runs_by_long_polling_or_webhook(monkeypatch, tmp_path):
    ran = _patched_main(monkeypatch, tmp_path, {"TELEGRAM_BOT_TOKEN": "123456:SECRET"})
    assert telegram_bot.main([]) == 0 and "polling" in ran

    ran = _patched_main(monkeypatch, tmp_path, {"TELEGRAM_BOT_TOKEN": "123456:SECRET",
                                                "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/hook/abc",
                                                "TELEGRAM_WEBHOOK_SECRET": "s3cret"})
    monkeypatch.setitem(sys.modules, "tornado", types.ModuleType("tornado"))
    assert telegram_bot.main([]) == 0
    assert ran["webhook"]["url_path"] == "hook/abc" and ran["webhook"]["secret_token"] == "s3cret"


def test_main_explains_missing_settings_without_echoing_secrets(monkeypatch, tmp_path, capsys):
    _patched_main(monkeypatch, tmp_path, {})
    assert telegram_bot.main([]) == 2
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().err

    _patched_main(monkeypatch, tmp_path, {"TELEGRAM_BOT_TOKEN": "123456:SECRET",
                                          "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/hook"})
    monkeypatch.setitem(sys.modules, "tornado", None)  # not installed
    assert telegram_bot.main([]) == 2
    err = capsys.readouterr().err
    assert "python-telegram-bot[webhooks]" in err and "SECRET" not in err
