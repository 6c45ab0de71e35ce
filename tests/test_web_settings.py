"""WebSettings and `emoji-assistant web`: defaults shown in --help, then a file, the environment and flags."""
import pytest
import uvicorn

from assistant.cli import main
from assistant.web.web_settings import WebSettings


def test_web_help_shows_every_default(capsys):
    with pytest.raises(SystemExit):
        main(["web", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for shown in ("--host H address to listen on (default: 127.0.0.1", "--port P port (default: 7860)",
                  "(default: $EMOJI_ASSISTANT_MODEL, else the shipped model)", "people type (default: off)",
                  "(default: $EMOJI_ASSISTANT_WEB_CONFIG, else none)"):
        assert shown in out


def test_the_file_then_the_environment_then_the_flags(tmp_path):
    path = tmp_path / "web.toml"
    path.write_text('host = "0.0.0.0"\nport = 8000\nlog_texts = true\n', encoding="utf-8")
    settings = WebSettings.load(env={"EMOJI_ASSISTANT_WEB_CONFIG": str(path), "EMOJI_ASSISTANT_WEB_PORT": "9000",
                                     "EMOJI_ASSISTANT_MODEL": "models/x"})
    assert settings == WebSettings(host="0.0.0.0", port=9000, model="models/x", log_texts=True)
    flagged = settings.with_flags(host=None, port=7000, model=None, log_texts=None)
    assert flagged == WebSettings(host="0.0.0.0", port=7000, model="models/x", log_texts=True)
    assert WebSettings.load(env={}) == WebSettings()


@pytest.mark.parametrize("argv, env, message", [
    (["web", "--port", "70000"], {}, "port must be a TCP port, 1 to 65535, got 70000 (from the command line)"),
    (["web"], {"EMOJI_ASSISTANT_WEB_PORT": "http"}, "EMOJI_ASSISTANT_WEB_PORT must be a whole number, got 'http'"),
    (["web"], {"EMOJI_ASSISTANT_WEB_LOG_TEXTS": "sometimes"}, "EMOJI_ASSISTANT_WEB_LOG_TEXTS must be true or false"),
])
def test_bad_settings_are_one_line_and_status_2(monkeypatch, capsys, argv, env, message):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_serve_listens_where_the_settings_say(monkeypatch, tiny_model):
    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.update(options, app=app))
    monkeypatch.setenv("EMOJI_ASSISTANT_WEB_HOST", "localhost")
    assert main(["web", "--model", str(tiny_model), "--port", "8123"]) == 0
    assert (served["host"], served["port"]) == ("localhost", 8123)
