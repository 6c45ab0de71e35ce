"""`emoji-assistant web`: the web demo's command (entry point `web` in pyproject.toml).

Adding the subparser needs only WebSettings, so `emoji-assistant web --help` shows the defaults
without the web extra installed; Starlette and uvicorn are imported when the demo starts.
"""
from __future__ import annotations

from assistant.core import InputError

from .web_settings import WebSettings


def add_web(sub) -> None:
    p = sub.add_parser("web", help="local web demo (pip install 'emoji-assistant[web]')")
    web = WebSettings()  # flags left out keep the settings file's or environment's value, else these defaults
    p.add_argument("--host", metavar="H", help=f"address to listen on (default: {web.host}, this computer only)")
    p.add_argument("--port", type=int, metavar="P", help=f"port (default: {web.port})")
    p.add_argument("--model", metavar="PATH",
                   help="model folder (default: $EMOJI_ASSISTANT_MODEL, else the shipped model)")
    p.add_argument("--log-texts", action="store_true", help="also log the texts people type (default: off)")
    p.add_argument("--config", metavar="FILE",
                   help="TOML settings file (default: $EMOJI_ASSISTANT_WEB_CONFIG, else none)")
    p.set_defaults(handler=cmd_web)


def cmd_web(args, out) -> int:
    try:
        from .server import serve
    except ImportError as err:
        raise InputError(f"the web demo needs its extra ({err.name} is missing): pip install 'emoji-assistant[web]'")
    return serve(args)
