"""The web demo: a small Starlette app over the Assistant API, served by uvicorn.

    GET  /              the page (page.html beside this module: plain HTML, CSS and JS, nothing external)
    GET  /api/model     name, version, languages and measured metrics from the manifest
    POST /api/suggest   {"text": ...} → detected language and the top-5 emojis with localized names
    POST /api/explain   {"text": ...} → each emoji's readings and the rewritten message

Texts travel in POST bodies so they never appear in URLs or access logs, and this
module logs them only when started with --log-texts. Each request passes the browser's
Accept-Language header to the Assistant as its language hint.

Startup (the app's lifespan) warms everything a first request would otherwise wait for,
and uvicorn opens the port only after it: the first suggestion is as quick as the rest.

The model follows its folder without a restart: a ModelHolder (assistant.core.holder) checks
every `reload_check_s` seconds (EMOJI_ASSISTANT_RELOAD_CHECK_S, default 30) for a new
manifest.json or, for a versioned root, a promotion or rollback; it loads and warms the new
model in a worker thread, and each request uses the model current when it starts.
"""
from __future__ import annotations

import asyncio
import json
import logging
import math
import secrets
import time
from contextlib import asynccontextmanager
from importlib.resources import files

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from assistant.core import Assistant
from assistant.core.holder import ModelHolder
from assistant.core.ratelimit import RateLimit, TokenBuckets

from .web_settings import WebSettings

log = logging.getLogger(__name__)

TOP_K = 5
MAX_CHARS = 5000  # characters per message; a chat message is far shorter, 100 KB of text is refused
BODY_OVERHEAD = 1024  # bytes of JSON around the text
LOOPBACK_NAMES = ["127.0.0.1", "localhost", "::1", "[::1]"]
WARM_LANGUAGES = ["en", "es", "de", "fr", "pt", "ru", "zh", "ar", "he"]  # the languages of the page's examples


class Refusal(Exception):
    """A request the page answers with a friendly message instead of results."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def create_app(model: Assistant | ModelHolder, *, log_texts: bool = False, max_chars: int = MAX_CHARS,
               rate: RateLimit | None = None, allowed_hosts: list[str] | None = None,
               warm_languages: list[str] = WARM_LANGUAGES, reload_check_s: float = 0) -> Starlette:
    """The demo app around one loaded Assistant (shared by all requests).

    Args:
        model: the loaded model, or a ModelHolder whose current model each request uses; its
            calls run in worker threads, off the event loop.
        log_texts: also log the typed texts (off: only lengths, languages and timings).
        max_chars: longest message accepted; longer ones get a 413 with a friendly message.
        rate: per-client request limit (default RateLimit()); over it, a 429.
        allowed_hosts: Host header values to accept (None: any). Serving on loopback
            with ["127.0.0.1", "localhost"] stops other web sites reaching the API by DNS rebinding.
        warm_languages: languages whose keyword indexes are built at startup (see warm_up);
            a visitor writing another language waits ~50 ms once for its index.
        reload_check_s: seconds between checks for a new model (0: never), while the app runs.

    Returns:
        A Starlette app, e.g. for `uvicorn.run(app)` or `with TestClient(app)` (which runs the warm-up).
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, got {max_chars}")
    holder = model if isinstance(model, ModelHolder) else ModelHolder(lambda: model)
    buckets = TokenBuckets(rate or RateLimit())
    max_body = max_chars * 4 + BODY_OVERHEAD  # UTF-8 needs at most 4 bytes a character
    page = files("assistant.web").joinpath("page.html").read_text(encoding="utf-8")

    @asynccontextmanager
    async def lifespan(app: Starlette):
        seconds = await run_in_threadpool(warm_up, holder.current, warm_languages)
        log.info("warmed up in %.1f s; ready", seconds)
        watcher = asyncio.create_task(holder.watch(reload_check_s)) if reload_check_s > 0 else None
        try:
            yield
        finally:
            if watcher is not None:
                watcher.cancel()

    async def index(request: Request):
        """The page, with a fresh nonce so only its own inline script and style run."""
        nonce = secrets.token_urlsafe(16)
        csp = (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; connect-src 'self'; "
               "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
        return HTMLResponse(page.replace("__NONCE__", nonce),
                            headers={"Content-Security-Policy": csp, **SAFE_HEADERS})

    async def model_info(request: Request):
        """What is loaded: name, version, languages, labels and measured metrics."""
        _admit(request, buckets)
        m = holder.current.manifest
        return _json({"name": m.name, "version": m.version, "languages": m.languages, "labels": len(m.labels),
                      "metrics": m.metrics, "top_k": TOP_K, "max_chars": max_chars})

    async def suggest(request: Request):
        """The top-5 emojis for a message, and the language it was read as."""
        _admit(request, buckets)
        text = await _read_text(request, max_body=max_body, max_chars=max_chars)
        assistant = holder.current  # this request's model, even if a new one comes in meanwhile
        started = time.perf_counter()
        result = (await run_in_threadpool(assistant.suggest_batch, [text], k=TOP_K, hint=_hint(request)))[0]
        notice = ""
        if not result.suggestions:
            notice = "There is nothing to read in this message yet: type a few words."
        elif assistant.is_emoji_only(text):
            notice = "This message is only emojis, so the suggestions are guesses. Try Explain to see what they mean."
        _log_call("suggest", text, result.lang, started, log_texts)
        return _json({"lang": result.lang, "notice": notice,
                      "suggestions": [{"emoji": s.emoji, "name": s.name, "score": s.score}
                                      for s in result.suggestions]})

    async def explain(request: Request):
        """Each emoji's readings and the rewritten message."""
        _admit(request, buckets)
        text = await _read_text(request, max_body=max_body, max_chars=max_chars)
        started = time.perf_counter()
        explanation = (await run_in_threadpool(holder.current.explain, text, hint=_hint(request))).to_dict()
        explanation["notice"] = "" if explanation["emojis"] else \
            "There are no emojis in this message. Add one, e.g. 🌙, to see what it can stand for."
        _log_call("explain", text, explanation["lang"], started, log_texts)
        return _json(explanation)

    routes = [Route("/", index), Route("/api/model", model_info), Route("/api/suggest", suggest, methods=["POST"]),
              Route("/api/explain", explain, methods=["POST"])]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)] if allowed_hosts else []
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                     exception_handlers={Refusal: _refused, Exception: _crashed})


def warm_up(assistant: Assistant, languages: list[str] = WARM_LANGUAGES) -> float:
    """Load now what the first requests would otherwise wait for; the seconds it took.

    The shipped model on a 2-core CPU: the language detector ~0.25 s, each language's keyword
    index 0.05-0.3 s (the first also runs the model session once), the explain model ~2 s and
    its glued-pun word indexes ~0.8 s per language.
    """
    started = time.perf_counter()
    assistant.detect_language("hello")
    for lang in languages:
        assistant.suggest("ok", k=1, lang=lang)
    assistant.prepare_explain()
    assistant.explain("ok 🙂")
    return time.perf_counter() - started


def warm(assistant: Assistant) -> Assistant:
    """`assistant`, warmed up (see warm_up)."""
    warm_up(assistant)
    return assistant


def serve(args) -> int:
    """`emoji-assistant web`: load the model, warm it up, then serve until Ctrl+C.

    Settings: defaults, then the TOML file (--config or $EMOJI_ASSISTANT_WEB_CONFIG), then
    environment variables, then the flags given.

    Raises:
        SettingsError: a setting cannot be used; ModelError: the model folder cannot be loaded
        (the CLI prints either as one line).
    """
    import uvicorn

    config = WebSettings.load(args.config).with_flags(host=args.host, port=args.port, model=args.model,
                                                      log_texts=args.log_texts or None)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:  %(message)s")
    holder = ModelHolder(lambda: warm(Assistant(config.model)))  # a new version is warm before it serves
    assistant = holder.current
    loopback = config.host in LOOPBACK_NAMES
    if not loopback:
        log.warning("listening on %s: anyone who can reach this address can use the demo; "
                    "use the default 127.0.0.1 unless you mean it", config.host)
    app = create_app(holder, log_texts=config.log_texts, allowed_hosts=LOOPBACK_NAMES if loopback else None,
                     reload_check_s=config.reload_check_s)
    log.info("model %s %s; warming up, then serving http://%s:%d/", assistant.manifest.name,
             assistant.manifest.version, f"[{config.host}]" if ":" in config.host else config.host, config.port)
    # uvicorn opens the port once the app's lifespan (the warm-up) is done.
    # server_header off: the demo need not tell the world which server it runs.
    uvicorn.run(app, host=config.host, port=config.port, log_level="info", server_header=False)
    return 0


SAFE_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


def _json(payload: dict, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(payload, status_code=status, headers={**SAFE_HEADERS, **(headers or {})})


def _admit(request: Request, buckets: TokenBuckets) -> None:
    wait = buckets.take(request.client.host if request.client else "unknown")
    if wait:
        seconds = math.ceil(wait)  # whole seconds, rounded up: the message and Retry-After say the same
        raise Refusal(429, f"Slow down a little: too many requests. Try again in {seconds} s.",
                      {"Retry-After": str(seconds)})


def _hint(request: Request) -> str | None:
    """The browser's languages, most wanted first ("de-CH,de;q=0.9,en;q=0.5"): the Assistant's hint."""
    return request.headers.get("accept-language")


async def _read_text(request: Request, *, max_body: int, max_chars: int) -> str:
    """The "text" field of a JSON body, refusing a large body before reading all of it."""
    too_long = Refusal(413, f"That message is too long: the demo reads up to {max_chars:,} characters. "
                            "Paste a shorter part.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_body:
        raise too_long
    body = bytearray()
    async for chunk in request.stream():  # a body without Content-Length is counted as it arrives
        body += chunk
        if len(body) > max_body:
            raise too_long
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise Refusal(400, 'The request was not understood: expected JSON like {"text": "I love pizza"}.')
    text = data.get("text") if isinstance(data, dict) else None
    if not isinstance(text, str):
        raise Refusal(400, 'The request was not understood: expected JSON like {"text": "I love pizza"}.')
    # JSON may carry lone surrogates ("\ud83d"); they cannot be encoded in the reply, so replace them.
    text = text.encode("utf-8", "replace").decode("utf-8")
    if not text.strip():
        raise Refusal(400, "Type a sentence first, or click one of the examples.")
    if len(text) > max_chars:
        raise too_long
    return text


def _log_call(route: str, text: str, lang: str, started: float, log_texts: bool) -> None:
    ms = (time.perf_counter() - started) * 1000
    if log_texts:
        log.info("%s lang=%s chars=%d %.0f ms text=%r", route, lang, len(text), ms, text)
    else:
        log.info("%s lang=%s chars=%d %.0f ms", route, lang, len(text), ms)


async def _refused(request: Request, exc: Refusal):
    return _json({"error": exc.message}, exc.status, exc.headers)


async def _crashed(request: Request, exc: Exception):
    # Log first (the traceback, never the text), then a short reply; the server keeps serving.
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return _json({"error": "Something went wrong on the server. Try again, or try another message."}, 500)
