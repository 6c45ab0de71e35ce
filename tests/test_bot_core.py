import asyncio
import json
import os
import threading
import time

from bots.reload import ModelHolder
from tests.bot_fakes import FakeAssistant, make_core


def test_core_rate_limits_per_platform_and_user(tmp_path):
    core = make_core(tmp_path / "db", rate_limit=1)
    assert core.allow("telegram", 1) and not core.allow("telegram", 1)
    assert core.allow("discord", 1)


def _model_folder(path, version):
    path.mkdir(exist_ok=True)
    (path / "manifest.json").write_text(json.dumps({"version": version}))
    return path


def test_model_holder_swaps_in_a_new_version_when_the_manifest_changes(tmp_path):
    folder = _model_folder(tmp_path / "model", "1")
    loads = []

    def load():
        loads.append(json.loads((folder / "manifest.json").read_text())["version"])
        return FakeAssistant(folder, version=loads[-1])

    holder = ModelHolder(load)
    first = holder.current
    assert asyncio.run(holder.check()) is False  # unchanged: no reload
    _model_folder(folder, "2")
    os.utime(folder / "manifest.json", ns=(time.time_ns() + 10**9,) * 2)
    assert asyncio.run(holder.check()) is True
    assert holder.current.manifest.version == "2" and first.manifest.version == "1"
    assert loads == ["1", "2"]


def test_a_model_that_fails_to_load_leaves_the_old_one_serving(tmp_path):
    folder = _model_folder(tmp_path / "model", "1")
    attempts = []

    def load():
        attempts.append(1)
        if len(attempts) > 1:
            raise RuntimeError("half-copied model")
        return FakeAssistant(folder)

    holder = ModelHolder(load)
    old = holder.current
    os.utime(folder / "manifest.json", ns=(time.time_ns() + 10**9,) * 2)
    assert asyncio.run(holder.check()) is False
    assert holder.current is old
    assert asyncio.run(holder.check()) is False and len(attempts) == 2  # not retried until it changes again


def test_the_core_watches_the_model_folder_once_started(tmp_path):
    folder = _model_folder(tmp_path / "model", "1")
    core = make_core(tmp_path / "db", reload_check_s=0.02)
    core.holder = ModelHolder(lambda: FakeAssistant(folder, version=json.loads(
        (folder / "manifest.json").read_text())["version"]))

    async def scenario():
        await core.start()
        _model_folder(folder, "2")
        os.utime(folder / "manifest.json", ns=(time.time_ns() + 10**9,) * 2)
        for _ in range(100):
            if core.holder.current.manifest.version == "2":
                break
            await asyncio.sleep(0.02)
        await core.stop()
        return core.holder.current.manifest.version

    assert asyncio.run(scenario()) == "2"


def test_admin_reload_replies_with_the_new_version(tmp_path):
    versions = iter(["1", "2"])
    core = make_core(tmp_path / "db", assistant=None)
    core.holder = ModelHolder(lambda: FakeAssistant(tmp_path, version=next(versions)))
    reply = asyncio.run(core.reload("de"))
    assert "fake 2" in reply and core.holder.current.manifest.version == "2"


def test_inference_runs_off_the_event_loop(tmp_path):
    class Slow(FakeAssistant):
        def suggest_batch(self, texts, k=5, lang=None, *, hint=None):
            self.thread = threading.get_ident()
            time.sleep(0.2)
            return super().suggest_batch(texts, k=k, lang=lang, hint=hint)

    slow = Slow()
    core = make_core(tmp_path / "db", assistant=slow)

    async def scenario():
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        tick = asyncio.create_task(ticker())
        result = await core.suggest("I love pizza")
        tick.cancel()
        return result, ticks, threading.get_ident()

    result, ticks, loop_thread = asyncio.run(scenario())
    assert result.suggestions[0].emoji == "🍕"
    assert slow.thread != loop_thread and ticks >= 5  # the loop kept running while the model worked


def test_replies_use_the_ui_language_and_the_lexicon(tmp_path):
    core = make_core(tmp_path / "db")
    text = asyncio.run(core.suggest_reply("hola amigos", "es-ES"))
    assert text.splitlines()[0] == "Emojis para esto (es):" and "🍕  pizza" in text
    explained = asyncio.run(core.explain_reply("🌙", "de"))  # emoji only: names in the user's language
    assert explained.startswith("🌙  Mondsichel") and "(crescent moon)" in explained
    assert asyncio.run(core.explain_reply("no emojis here", "fr")) == "Ce message ne contient pas d'emoji."
    assert asyncio.run(core.explain_reply("🌙", "xx-weird-locale")).startswith("🌙  crescent moon")


def test_consent_flow_and_my_data(tmp_path):
    core = make_core(tmp_path / "db")

    async def scenario():
        before = await core.record_message("telegram", user_id=1, chat_id=1, message_id=1, text="hi 👋", private=True)
        assert "180 days" in await core.opt_in("telegram", 1, "en")
        stored = await core.record_message("telegram", user_id=1, chat_id=1, message_id=2, text="hola 👋",
                                           private=True)
        data = json.loads(await core.my_data("telegram", 1))
        await core.opt_out("telegram", 1, None)
        after = await core.record_message("telegram", user_id=1, chat_id=1, message_id=3, text="bye 👋", private=True)
        forgotten = await core.forget("telegram", 1, "en")
        return before, stored, data, after, forgotten, await core.my_data("telegram", 1)

    before, stored, data, after, forgotten, gone = asyncio.run(scenario())
    assert before is None and stored is not None and after is None
    assert [(m["text"], m["lang"]) for m in data["messages"]] == [("hola 👋", "es")]
    assert forgotten.startswith("Deleted everything") and gone is None


def test_collection_switched_off_in_config_stores_nothing(tmp_path):
    core = make_core(tmp_path / "db", store=False)

    async def scenario():
        reply = await core.opt_in("telegram", 1, "en")
        stored = await core.record_message("telegram", user_id=1, chat_id=1, message_id=1, text="x 😀", private=True)
        return reply, stored, await core.my_data("telegram", 1), await core.forget("telegram", 1, "en")

    reply, stored, data, forgotten = asyncio.run(scenario())
    assert "store nothing" in reply and stored is None and data is None and forgotten == "Nothing is stored about you."


def test_real_assistant_through_the_core(tmp_path, tiny_model):
    from assistant import Assistant

    core = make_core(tmp_path / "db", assistant=Assistant(tiny_model))
    options = asyncio.run(core.inline_options("happy birthday"))
    assert len(options) == 5 and all(message.startswith("happy birthday ") for _, _, message in options)
    assert asyncio.run(core.explain_reply("Gute Nacht 🌙", "de")).startswith("🌙")
