import json
import logging
import shutil

import anyio
import pytest
from starlette.testclient import TestClient

from assistant import Assistant
from assistant.core.ratelimit import RateLimit
from assistant.web.server import WARM_LANGUAGES, create_app

HUNDRED_KB = "word " * 20_000


@pytest.fixture(scope="module")
def assistant(tiny_model):
    return Assistant(tiny_model)


@pytest.fixture
def client(assistant):
    with TestClient(create_app(assistant)) as client:
        yield client


def test_page_is_self_contained_and_locked_down(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.text
    assert '<textarea id="text"' in page and "__NONCE__" not in page
    assert "http://" not in page and "https://" not in page  # nothing from a CDN: the page works offline
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'nonce-" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in page
    assert client.get("/").headers["content-security-policy"] != policy  # a fresh nonce per page


def test_suggest_gives_five_named_emojis_and_the_language(client):
    response = client.post("/api/suggest", json={"text": "I love pizza"})
    data = response.json()
    assert response.status_code == 200
    assert data["lang"] == "en" and data["notice"] == ""
    assert len(data["suggestions"]) == 5
    assert all(s["emoji"] and s["name"] and 0 <= s["score"] <= 1 for s in data["suggestions"])
    assert "🍕" in [s["emoji"] for s in data["suggestions"]]


def test_suggest_names_are_localized(client):
    data = client.post("/api/suggest", json={"text": "Me encanta la paella"}).json()
    assert data["lang"] == "es"
    assert {"emoji": "🥘", "name": "paella"} in [{k: s[k] for k in ("emoji", "name")} for s in data["suggestions"]]


def test_explain_shows_readings_and_the_decoder_label(client):
    data = client.post("/api/explain", json={"text": "Gute Nacht 🌙"}).json()
    assert data["lang"] == "de" and data["rewritten"] == "Gute Nacht 🌙"
    assert data["decoder"] == "literal names only (no implicit-emoji decoder loaded)"
    [moon] = data["emojis"]
    assert moon["emoji"] == "🌙" and moon["name"] == {"de": "Mondsichel", "en": "crescent moon"}
    assert moon["readings"] == [{"text": "Mondsichel", "kind": "literal", "score": 1.0}]


def test_explain_without_emojis_says_so(client):
    data = client.post("/api/explain", json={"text": "no emojis here"}).json()
    assert data["emojis"] == [] and "no emojis" in data["notice"]


def test_model_info_comes_from_the_manifest(tiny_model, tmp_path):
    # A copy of the tiny model with measured metrics, as a trained model's manifest has them.
    model = shutil.copytree(tiny_model, tmp_path / "model")
    manifest = json.loads((model / "manifest.json").read_text(encoding="utf-8"))
    manifest["metrics"] = {"test": {"top1": 0.41, "top5": 0.72, "macro_f1": 0.33}}
    (model / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with TestClient(create_app(Assistant(model))) as client:
        data = client.get("/api/model").json()
    assert data["name"] == manifest["name"] and data["version"] == manifest["version"]
    assert data["metrics"] == {"test": {"top1": 0.41, "top5": 0.72, "macro_f1": 0.33}}
    assert data["languages"] == manifest["languages"] and data["labels"] == len(manifest["labels"])


@pytest.mark.parametrize("path", ["/api/suggest", "/api/explain"])
@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_text_is_a_friendly_400(client, path, text):
    response = client.post(path, json={"text": text})
    assert response.status_code == 400
    assert response.json() == {"error": "Type a sentence first, or click one of the examples."}


@pytest.mark.parametrize("path", ["/api/suggest", "/api/explain"])
def test_100_kb_of_text_is_a_friendly_413(client, path):
    response = client.post(path, json={"text": HUNDRED_KB})
    assert response.status_code == 413
    assert "too long" in response.json()["error"] and "Traceback" not in response.text
    assert client.post(path, json={"text": "I love pizza 🍕"}).status_code == 200  # still serving


def test_a_body_over_the_limit_is_refused_before_it_is_read(assistant):
    app = create_app(assistant, max_chars=10)
    received = []

    async def receive():  # the body arrives in 1 KB chunks without a Content-Length
        received.append(1)
        return {"type": "http.request", "body": b"x" * 1024, "more_body": len(received) < 1000}

    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/suggest", "headers": [], "query_string": b"",
             "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 7860), "scheme": "http", "root_path": "",
             "http_version": "1.1"}
    anyio.run(app, scope, receive, send)
    assert sent[0]["status"] == 413
    assert len(received) == 2  # 10 characters allow 1,064 bytes: the second chunk is too many


def test_a_declared_length_over_the_limit_is_refused_unread(assistant):
    with TestClient(create_app(assistant, max_chars=10)) as client:
        response = client.post("/api/suggest", content=b"{}", headers={"Content-Length": "999999"})
    assert response.status_code == 413


def test_text_just_over_max_chars_is_refused(assistant):
    with TestClient(create_app(assistant, max_chars=10)) as client:
        assert client.post("/api/suggest", json={"text": "a" * 10}).status_code == 200
        assert client.post("/api/suggest", json={"text": "a" * 11}).status_code == 413


def test_only_emojis_still_suggests_with_a_notice(client):
    data = client.post("/api/suggest", json={"text": "🍕🔥 🎉!"}).json()
    assert len(data["suggestions"]) == 5
    assert "only emojis" in data["notice"]
    assert [e["emoji"] for e in client.post("/api/explain", json={"text": "🍕🔥 🎉!"}).json()["emojis"]] == \
        ["🍕", "🔥", "🎉"]


@pytest.mark.parametrize("text, lang", [("عيد ميلاد سعيد يا صديقي", "ar"), ("לילה טוב וחלומות מתוקים", "he")])
def test_right_to_left_text_works(client, text, lang):
    data = client.post("/api/suggest", json={"text": text}).json()
    assert data["lang"] == lang and len(data["suggestions"]) == 5
    explained = client.post("/api/explain", json={"text": text + " 🎂"}).json()
    assert explained["emojis"][0]["emoji"] == "🎂" and explained["emojis"][0]["readings"]


@pytest.mark.parametrize("body", [b"not json", b'{"txt": "hi"}', b'{"text": 5}', b"[1, 2]", b"\xff\xfe"])
def test_malformed_requests_get_a_friendly_400(client, body):
    response = client.post("/api/suggest", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and "expected JSON like" in response.json()["error"]


def test_lone_surrogates_do_not_break_the_reply(client):
    response = client.post("/api/explain", content='{"text": "broken \\ud83d half 🌙"}'.encode(),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 200 and response.json()["emojis"][0]["emoji"] == "🌙"


def test_rate_limit_answers_429_with_retry_after(assistant):
    with TestClient(create_app(assistant, rate=RateLimit(per_second=0.01, burst=3))) as client:
        codes = [client.post("/api/suggest", json={"text": "hi"}).status_code for _ in range(4)]
        refused = client.post("/api/explain", json={"text": "hi 🌙"})
    assert codes == [200, 200, 200, 429]
    assert refused.status_code == 429 and "Slow down" in refused.json()["error"]
    assert int(refused.headers["retry-after"]) >= 1


def test_the_429_message_and_retry_after_give_the_same_whole_seconds(assistant):
    # 2 requests a second: the refused one waits 0.5 s, which both round up to 1 (the message said "0 s").
    with TestClient(create_app(assistant, rate=RateLimit(per_second=2, burst=1), warm_languages=[])) as client:
        client.post("/api/suggest", json={"text": "hi"})
        refused = client.post("/api/suggest", json={"text": "hi"})
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    assert refused.json()["error"].endswith("Try again in 1 s.")


def test_texts_are_not_logged_by_default(client, caplog):
    with caplog.at_level(logging.DEBUG):
        client.post("/api/suggest", json={"text": "my secret pizza plan"})
        client.post("/api/explain", json={"text": "my secret moon 🌙"})
    assert "suggest lang=en chars=20" in caplog.text  # the call is logged ...
    assert "secret" not in caplog.text  # ... but not what was typed


def test_texts_are_logged_with_log_texts(assistant, caplog):
    with TestClient(create_app(assistant, log_texts=True)) as client, caplog.at_level(logging.INFO):
        client.post("/api/suggest", json={"text": "my secret pizza plan"})
    assert "my secret pizza plan" in caplog.text


def test_a_crash_is_a_friendly_500_and_the_server_keeps_serving(assistant, caplog):
    class BrokenOnce(Recording):
        """The real Assistant, except that the first explain() of a "secret" message raises."""

        broken = False

        def explain(self, text, lang=None, *, hint=None):
            if text.startswith("secret") and not BrokenOnce.broken:
                BrokenOnce.broken = True
                raise RuntimeError("boom")
            return super().explain(text, lang, hint=hint)

    with TestClient(create_app(BrokenOnce(assistant)), raise_server_exceptions=False) as client, \
            caplog.at_level(logging.ERROR):
        response = client.post("/api/explain", json={"text": "secret 🌙"})
        assert response.status_code == 500
        assert response.json() == {"error": "Something went wrong on the server. Try again, or try another message."}
        assert client.post("/api/explain", json={"text": "again 🌙"}).status_code == 200
    assert "RuntimeError: boom" in caplog.text and "secret" not in caplog.text


def test_loopback_serving_refuses_other_host_names(assistant):
    app = create_app(assistant, allowed_hosts=["127.0.0.1", "localhost"])
    with TestClient(app, base_url="http://evil.example") as client:
        assert client.post("/api/suggest", json={"text": "hi"}).status_code == 400
    with TestClient(app, base_url="http://localhost:7860") as client:
        assert client.post("/api/suggest", json={"text": "hi"}).status_code == 200


class Recording:
    """The real Assistant, recording which of its verbs each call used (verb, lang, hint)."""

    def __init__(self, real):
        self.real, self.manifest, self.calls = real, real.manifest, []

    def detect_language(self, text, *, hint=None):
        self.calls.append(("detect_language", None, hint))
        return self.real.detect_language(text, hint=hint)

    def is_emoji_only(self, text):
        return self.real.is_emoji_only(text)

    def suggest(self, text, k=5, lang=None, *, hint=None):
        self.calls.append(("suggest", lang, hint))
        return self.real.suggest(text, k=k, lang=lang, hint=hint)

    def suggest_batch(self, texts, k=5, lang=None, *, hint=None):
        self.calls.append(("suggest_batch", lang, hint))
        return self.real.suggest_batch(texts, k=k, lang=lang, hint=hint)

    def explain(self, text, lang=None, *, hint=None):
        self.calls.append(("explain", lang, hint))
        return self.real.explain(text, lang, hint=hint)

    def prepare_explain(self):
        self.calls.append(("prepare_explain", None, None))
        return self.real.prepare_explain()


def test_startup_warms_everything_before_the_first_request(assistant):
    recording = Recording(assistant)
    with TestClient(create_app(recording)) as client:
        warmed = [verb for verb, _, _ in recording.calls]
        warmed_langs = {lang for verb, lang, _ in recording.calls if verb == "suggest"}
        client.post("/api/suggest", json={"text": "I love pizza"})
    assert "detect_language" in warmed  # the language detector
    assert warmed_langs == set(WARM_LANGUAGES)  # the model session and the likely languages' keyword indexes
    assert "explain" in warmed and "prepare_explain" in warmed  # the explain decoder and its indexes
    assert len(recording.calls) == len(warmed) + 1  # the request itself found everything loaded


@pytest.mark.parametrize("text", ["I love pizza", "🍕🔥 🎉!"])
def test_suggest_requests_never_run_explain(assistant, text):
    recording = Recording(assistant)
    with TestClient(create_app(recording, warm_languages=[])) as client:
        recording.calls.clear()
        assert client.post("/api/suggest", json={"text": text}).status_code == 200
    assert [verb for verb, _, _ in recording.calls] == ["suggest_batch"]


@pytest.mark.parametrize("path, verb", [("/api/suggest", "suggest_batch"), ("/api/explain", "explain")])
def test_the_browsers_languages_are_the_hint(assistant, path, verb):
    recording = Recording(assistant)
    with TestClient(create_app(recording, warm_languages=[])) as client:
        recording.calls.clear()
        data = client.post(path, json={"text": "👍🎉"}, headers={"Accept-Language": "pt-BR,pt;q=0.9,en;q=0.5"}).json()
    assert recording.calls == [(verb, None, "pt-BR,pt;q=0.9,en;q=0.5")]
    assert data["lang"] == "pt"  # no words to detect a language from: the browser's first language


@pytest.mark.model
def test_the_shipped_models_decoder_is_loaded_before_the_first_request():
    assistant = Assistant()
    with TestClient(create_app(assistant, warm_languages=["en"])):
        assert assistant._decoder is not None  # loaded by the warm-up, not by the first Explain
        table = assistant._decoder.table
        assert set(table._repairers) == set(table.languages)  # and its glued-pun indexes built
