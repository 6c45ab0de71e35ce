"""The local web demo: a page over the Assistant API (pip install 'emoji-assistant[web]').

    web_command.py   `emoji-assistant web`: its flags, then serve (Starlette is imported only then)
    web_settings.py  WebSettings: host, port, model, log_texts from a TOML file, the environment, flags
    server.py        the Starlette app (create_app), its warm-up, and serve() under uvicorn
    page.html        the page: plain HTML, CSS and JS, nothing external
"""
