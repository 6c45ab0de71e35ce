"""The model holder follows a versioned root: promotions and rollbacks reach a running bot, the desktop
helper and the web demo without a restart, and a version that does not load leaves the old one serving."""
import asyncio
import logging
import os
import time

import pytest
from starlette.testclient import TestClient

from assistant import Assistant
from assistant.core.holder import ModelHolder
from assistant.desktop.app import model_holder, suggester
from assistant.desktop.desktop_settings import DesktopConfig
from assistant.web.server import create_app
from assistant.web.web_settings import WebSettings
from bots.telegram_bot import build_application
from tests.bot_fakes import make_core
from tests.model_versions import NONSENSE, two_versions, which
from tests.test_telegram_bot import FakeRequest, message_update


def _answer(assistant) -> str:
    return which([s.emoji for s in assistant.suggest(NONSENSE)])


def test_the_holder_follows_promotions_and_rollbacks(tiny_model, tmp_path):
    versions, first, second = two_versions(tiny_model, tmp_path)
    holder = ModelHolder(lambda: Assistant(versions.root))
    old = holder.current
    assert not holder.changed() and holder.check_sync() is False
    versions.promote(second)
    assert holder.changed() and holder.check_sync() is True
    assert _answer(holder.current) == "second" and holder.current.model_dir.name == second
    assert _answer(old) == "first"  # a call that already holds the old model finishes with it
    versions.rollback()
    assert asyncio.run(holder.check()) is True and _answer(holder.current) == "first"
    assert asyncio.run(holder.check()) is False


def test_a_version_that_does_not_load_leaves_the_old_one_serving(tiny_model, tmp_path, caplog):
    versions, first, second = two_versions(tiny_model, tmp_path)
    loads = []
    holder = ModelHolder(lambda: loads.append(1) or Assistant(versions.root))
    versions.promote(second)
    damaged = versions.versions_dir / second / "model.onnx"
    os.chmod(damaged, 0o644)
    damaged.write_bytes(b"not a model")  # damaged on disk after its promotion
    with caplog.at_level(logging.INFO, logger="assistant.core.holder"):
        assert holder.check_sync() is False
    assert _answer(holder.current) == "first" and holder.current.model_dir.name == first
    [record] = caplog.records
    assert record.levelno == logging.ERROR and "\n" not in record.getMessage()
    assert f"version {second} of {versions.root}" in record.getMessage() and "still serving tiny-test 0.0.1" in \
        record.getMessage() and "model.onnx: sha256 differs" in record.getMessage()
    assert holder.check_sync() is False and len(loads) == 2  # tried once, not at every check
    versions.rollback()
    assert holder.check_sync() is False and len(loads) == 2  # back to what it serves: nothing to load


def test_the_holder_watches_from_a_thread_and_from_asyncio(tiny_model, tmp_path):
    versions, first, second = two_versions(tiny_model, tmp_path)
    holder = ModelHolder(lambda: Assistant(versions.root))
    stop = holder.watch_in_thread(0.02)
    versions.promote(second)
    _wait_for(lambda: holder.current.model_dir.name == second)
    stop.set()

    async def scenario():
        watcher = asyncio.create_task(holder.watch(0.02))
        versions.rollback()
        for _ in range(500):
            if holder.current.model_dir.name == first:
                break
            await asyncio.sleep(0.02)
        watcher.cancel()

    asyncio.run(scenario())
    assert _answer(holder.current) == "first"


def test_a_running_telegram_bot_answers_with_the_promoted_version_then_the_rolled_back_one(tiny_model, tmp_path):
    versions, first, second = two_versions(tiny_model, tmp_path)
    core = make_core(tmp_path / "logs.db", reload_check_s=0.02)
    core.holder = ModelHolder(lambda: Assistant(versions.root))  # as build_core makes it, on the root
    request = FakeRequest()

    async def ask(app) -> str:
        await app.process_update(message_update(app, f"/emoji {NONSENSE}"))
        reply = request.texts()[-1].splitlines()
        return which([line.split()[0] for line in reply[1:]])

    async def follow(app, name):
        for _ in range(500):
            if core.holder.current.model_dir.name == name:
                return
            await asyncio.sleep(0.02)

    async def scenario():
        app = build_application(core, core.config, request=request)
        async with app:
            await core.start()  # what the application's post_init does when it runs
            answers = [await ask(app)]
            versions.promote(second, reason="retrained")
            await follow(app, second)
            answers.append(await ask(app))
            versions.rollback(reason="worse")
            await follow(app, first)
            answers.append(await ask(app))
            await core.stop()
        return answers

    assert asyncio.run(scenario()) == ["first", "second", "first"]


def test_the_desktop_helper_follows_a_promotion(tiny_model, tmp_path):
    versions, first, second = two_versions(tiny_model, tmp_path)
    holder = model_holder(DesktopConfig(model=str(versions.root), languages=["en"]))
    suggest = suggester(holder, ["en"])
    assert which([s.emoji for s in suggest(NONSENSE, 5)]) == "first"
    stop = holder.watch_in_thread(0.02)
    versions.promote(second)
    _wait_for(lambda: holder.current.model_dir.name == second)
    stop.set()
    assert which([s.emoji for s in suggest(NONSENSE, 5)]) == "second"
    assert DesktopConfig().reload_check_s == 30.0


def test_the_web_demo_follows_a_promotion(tiny_model, tmp_path, monkeypatch):
    monkeypatch.setattr("assistant.core.assistant.models_dir", lambda: tmp_path / "no-shipped-models")
    versions, first, second = two_versions(tiny_model, tmp_path)
    app = create_app(ModelHolder(lambda: Assistant(versions.root)), warm_languages=["en"], reload_check_s=0.02)
    with TestClient(app) as client:
        assert client.get("/api/model").json()["version"] == "0.0.1"
        versions.promote(second)
        _wait_for(lambda: client.get("/api/model").json()["version"] == "0.0.2")
        emojis = [s["emoji"] for s in client.post("/api/suggest", json={"text": NONSENSE}).json()["suggestions"]]
    assert which(emojis) == "second"
    assert WebSettings.load(env={"EMOJI_ASSISTANT_RELOAD_CHECK_S": "5"}).reload_check_s == 5.0
    assert WebSettings().reload_check_s == 30.0


def _wait_for(condition, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("the model was not swapped in time")
        time.sleep(0.02)
