"""Retakes the README's screenshots: the web demo (docs/web-demo.png) and the desktop helper's
popup (docs/desktop-popup.png).

    python docs/screenshots.py [web] [--model PATH] [--text TEXT] [--out FILE]
    python docs/screenshots.py desktop [--model PATH] [--text TEXT] [--out FILE]
    python docs/screenshots.py all [--model PATH]

web (also what runs when no mode is named): it serves the demo on a free loopback port (after
the same warm-up as `emoji-assistant web`), opens the page in headless Chromium, types the
sentence, clicks **Suggest emojis** and, when the sentence has emojis, **Explain the emojis**,
waits for both answers and saves the whole page. Needs the web and test extras
(`pip install -e '.[test]'`) and the system's Chromium, its driver and an emoji font:
apt-get install chromium chromium-driver fonts-noto-color-emoji fonts-noto-cjk (the example buttons include Chinese).

desktop: it starts a private X server (Xvfb), opens a text field there (a Tk Entry in a process
of its own), runs `emoji-assistant desktop run` against that display with a temporary home (so
your settings, pick history and running helper are left alone), types the sentence through the
X server's XTest extension as a keyboard would, waits for the popup and saves the field and the
popup, cropped. Needs the desktop and test extras and apt-get install xvfb python3-tk
fonts-noto-color-emoji.

all: both, with their default sentences. Nothing is downloaded.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
CHROMEDRIVER = Path(shutil.which("chromedriver") or "/usr/bin/chromedriver")
OUT = HERE / "web-demo.png"
TEXT = "Pizza tonight with my friends? 🍕🔥"
WIDTH = 1100  # CSS pixels; the page is centred and at most ~930 wide
START_S = 300  # loading and warming the model on a busy 2-core machine
ANSWER_S = 30  # one suggestion or explanation, with the browser's own start-up

XVFB = shutil.which("Xvfb")
DESKTOP_OUT = HERE / "desktop-popup.png"
DESKTOP_TEXT = "Happy birthday, have a great party tonight"
SCREEN = (1024, 768)  # pixels of the private display; the picture is cropped from its top-left corner
MARGIN = 28  # pixels of the field's window kept around the field and the popup
X_START_S = 15  # the X server and the text field, each
POPUP_S = 30  # the popup, once the sentence is typed (the 250 ms debounce plus one suggestion)
KEY_INTERVAL_S = 0.04  # between key presses: a quick typist, well under the helper's debounce
POPUP_TITLE = "emoji-assistant suggestions"  # assistant/desktop/popup.py names its window so

# The text field: a Tk window filling the display, so the picture has one tidy background, with an
# Entry in a white box near its top-left corner. It writes the box's geometry to <folder>/field once it is shown
# and its text to <folder>/text whenever that changes.
FIELD = r"""
import os, sys, tkinter as tk
folder, chars, width, height, margin = sys.argv[1], *map(int, sys.argv[2:6])
root = tk.Tk(className="textfield")
root.title("text field")
root.geometry(f"{width}x{height}+0+0")
root.configure(background="#e8ebee")
box = tk.Frame(root, background="#ffffff", highlightthickness=1, highlightbackground="#3b7ddd",
               highlightcolor="#3b7ddd")
box.place(x=margin, y=margin)
field = tk.Entry(box, width=chars, font=("DejaVu Sans", 12), relief="flat", borderwidth=0, highlightthickness=0,
                 background="#ffffff", insertofftime=0)  # a caret that does not blink, so every picture has it
field.pack(padx=8, pady=6)
root.update()
field.focus_force()
def write(name, text):
    with open(os.path.join(folder, name + ".tmp"), "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(os.path.join(folder, name + ".tmp"), os.path.join(folder, name))
write("field", f"{box.winfo_rootx()} {box.winfo_rooty()} {box.winfo_width()} {box.winfo_height()}")
last = None
def dump():
    global last
    if field.get() != last:
        last = field.get()
        write("text", last)
    root.after(50, dump)
dump()
root.mainloop()
"""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in ("web", "desktop", "all", "-h", "--help"):
        argv = ["web", *argv]  # the command before there were modes: `python docs/screenshots.py [--text ...]`
    parser = argparse.ArgumentParser(description="Retake the README's screenshots.")
    modes = parser.add_subparsers(dest="mode", required=True, metavar="{web,desktop,all}")
    model_help = "model folder (default: $EMOJI_ASSISTANT_MODEL, else the shipped model)"
    for mode, text, out, what in (("web", TEXT, OUT, "the web demo"),
                                  ("desktop", DESKTOP_TEXT, DESKTOP_OUT, "the desktop helper's popup")):
        p = modes.add_parser(mode, help=f"{what} (writes {out.name})")
        p.add_argument("--model", metavar="PATH", help=model_help)
        p.add_argument("--text", default=text, help=f"the sentence typed (default: {text!r})")
        p.add_argument("--out", type=Path, default=out, help=f"PNG to write (default: {out})")
    p = modes.add_parser("all", help="both, with their default sentences")
    p.add_argument("--model", metavar="PATH", help=model_help)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: fail("stopped"))  # unwinds, so the processes started are stopped too
    if args.mode in ("web", "all"):
        web(args.model, TEXT if args.mode == "all" else args.text, OUT if args.mode == "all" else args.out)
    if args.mode in ("desktop", "all"):
        desktop(args.model, DESKTOP_TEXT if args.mode == "all" else args.text,
                DESKTOP_OUT if args.mode == "all" else args.out)
    return 0


def fail(message: str):
    raise SystemExit(f"screenshots: error: {message}")


# --- web ---------------------------------------------------------------------------------------

def web(model: str | None, text: str, out: Path) -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
    if missing:
        fail(f"{', '.join(missing)} not found; install them with: "
             "apt-get install chromium chromium-driver fonts-noto-color-emoji")
    from assistant import Assistant

    url, stop = serve_demo(Assistant(model))
    try:
        with tempfile.TemporaryDirectory() as profile:
            size = screenshot(url, text, out, profile=Path(profile))
    finally:
        stop()
    print(f"wrote {out} ({size[0]}×{size[1]})")


def serve_demo(assistant) -> tuple[str, callable]:
    """The demo on a free loopback port, once warm: (its URL, a function that stops it)."""
    import uvicorn

    from assistant.web.server import create_app

    server = uvicorn.Server(uvicorn.Config(create_app(assistant), host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_S
    while not server.started:  # set once the warm-up is done and the port is open
        if not thread.is_alive() or time.monotonic() > deadline:
            fail("the demo server did not start; see the log above")
        time.sleep(0.1)
    port = server.servers[0].sockets[0].getsockname()[1]

    def stop():
        server.should_exit = True
        thread.join(timeout=10)
    return f"http://127.0.0.1:{port}/", stop


def screenshot(url: str, text: str, out: Path, *, profile: Path) -> tuple[int, int]:
    """Open the page, suggest for (and explain) `text`, save the whole page as `out`; its size in pixels."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 "--hide-scrollbars", "--lang=en-US", f"--window-size={WIDTH},900", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    try:
        wait = WebDriverWait(driver, ANSWER_S)
        driver.get(url)
        wait.until(lambda d: d.find_element(By.ID, "model").text.startswith("Model "))
        # Set the box as typing would: chromedriver cannot type characters outside the BMP (most emojis).
        driver.execute_script("const box = arguments[0]; box.value = arguments[1];"
                              "box.dispatchEvent(new Event('input'));", driver.find_element(By.ID, "text"), text)
        driver.find_element(By.ID, "suggest").click()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#suggestions .suggestion")) == 5)
        if driver.execute_script(r"return /\p{Extended_Pictographic}/u.test(arguments[0]);", text):
            driver.find_element(By.ID, "explain").click()
            wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".reading"))
        # The whole page in one picture: a viewport as tall as the page (a headless window is
        # never made taller than the screen it was started with, so the window is not resized).
        height = driver.execute_script("return document.documentElement.scrollHeight;")
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": WIDTH, "height": height, "deviceScaleFactor": 1, "mobile": False})
        time.sleep(0.3)  # one more frame at the new size
        out.parent.mkdir(parents=True, exist_ok=True)
        if not driver.save_screenshot(str(out)):
            fail(f"Chromium could not write {out}")
        return driver.execute_script("return [window.innerWidth, window.innerHeight];")
    finally:
        driver.quit()


# --- desktop -----------------------------------------------------------------------------------

def desktop(model: str | None, text: str, out: Path) -> None:
    if not XVFB:
        fail("Xvfb not found; install it with: apt-get install xvfb")
    try:
        import tkinter  # noqa: F401  (the field and the helper need it; say so before starting anything)

        from PIL import Image
        from Xlib import X, display as xdisplay
        from Xlib.ext import xtest
    except ImportError as err:
        fail(f"{err.name or err} is missing; install python3-tk (apt-get) and the desktop and test extras "
             "(pip install -e '.[test]')")
    from assistant.desktop.popup_bench import XTestKeyboard

    with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp, contextlib.ExitStack() as running:
        tmp = Path(tmp)
        name = start_xvfb(running)
        env = private_env(tmp, name)
        try:  # the keyboard maps missing letters now, before the helper reads the keymap
            keyboard = XTestKeyboard([text], display_name=name)
            x = xdisplay.Display(name)
        except Exception as err:  # python-xlib's connection and extension errors share no base class
            fail(f"cannot use the private display {name}: {err}")
        running.callback(x.close)

        field = running.enter_context(process(
            [sys.executable, "-c", FIELD, str(tmp), str(len(text) + 4), *map(str, SCREEN), str(MARGIN)], env=env))
        wait_for(lambda: (tmp / "field").exists(), X_START_S, "the text field to open", field)
        fx, fy, fw, fh = map(int, (tmp / "field").read_text().split())

        log = tmp / "helper.log"
        (tmp / "desktop.toml").write_text("popup_timeout_s = 120\nreload_check_s = 0\n", encoding="utf-8")
        command = [sys.executable, "-m", "assistant", "desktop", "run", "--verbose",
                   "--config", str(tmp / "desktop.toml")]
        with open(log, "w", encoding="utf-8") as log_file:
            helper = running.enter_context(process(command + (["--model", model] if model else []), env=env,
                                                   stdout=log_file, stderr=subprocess.STDOUT))
        wait_for(lambda: "listening" in log.read_text(encoding="utf-8"), START_S, "the desktop helper to start",
                 helper, log)

        # The popup opens 18 px right of and below the pointer: put the pointer under the field.
        xtest.fake_input(x, X.MotionNotify, x=fx + fw // 3, y=fy + fh + 4)
        x.sync()
        time.sleep(0.3)
        for ch in text:
            try:
                keyboard.tap(ch)
            except KeyError:
                fail(f"{ch!r} cannot be typed: the display's keymap has no spare key left for it")
            time.sleep(KEY_INTERVAL_S)
        shown = popup_lines(log)  # the sentence's own popup comes after these, once the debounce has passed
        try:
            wait_for(lambda: popup_lines(log) > shown and find_window(x, POPUP_TITLE), POPUP_S, "the popup",
                     helper, log)
        except SystemExit:
            typed = (tmp / "text").read_text(encoding="utf-8") if (tmp / "text").exists() else ""
            if not typed:
                fail("the typed sentence never reached the text field (is the XTEST extension enabled?)")
            raise
        time.sleep(0.5)  # let Tk finish drawing the rows
        px, py, pw, ph = find_window(x, POPUP_TITLE)
        width = min(max(fx + fw, px + pw) + MARGIN, SCREEN[0])
        height = min(max(fy + fh, py + ph) + MARGIN, SCREEN[1])
        image = x.screen().root.get_image(0, 0, width, height, X.ZPixmap, 0xFFFFFFFF)
        out.parent.mkdir(parents=True, exist_ok=True)
        Image.frombytes("RGB", (width, height), image.data, "raw", "BGRX").save(out, optimize=True)
        emojis = [line.split(":", 1)[1].split() for line in log.read_text(encoding="utf-8").splitlines()
                  if line.startswith("popup:")][-1]
    print(f"wrote {out} ({width}×{height}; popup: {' '.join(emojis)})")


def start_xvfb(running: contextlib.ExitStack) -> str:
    """A private X server, stopped with `running`: its display name (the number comes from -displayfd)."""
    read_fd, write_fd = os.pipe()
    # -noreset: the server would drop the keymap XTestKeyboard set when its last client disconnects.
    running.enter_context(process([XVFB, "-displayfd", str(write_fd), "-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24",
                                   "-nolisten", "tcp", "-noreset"], pass_fds=[write_fd],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip() if select.select([pipe], [], [], X_START_S)[0] else ""
    if not number:
        fail(f"Xvfb did not start within {X_START_S} s")
    return f":{number}"


def private_env(tmp: Path, display: str) -> dict[str, str]:
    """The field's and the helper's environment: the private display, and HOME, XDG folders and TMPDIR in `tmp`."""
    env = {**os.environ, "DISPLAY": display, "PYTHONUNBUFFERED": "1", "HOME": str(tmp / "home"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE.parent), os.environ.get("PYTHONPATH")]))}
    for var, folder in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"), ("XDG_CACHE_HOME", "cache"),
                        ("XDG_RUNTIME_DIR", "run"), ("TMPDIR", "tmp")):
        (tmp / "home" / folder).mkdir(parents=True)
        env[var] = str(tmp / "home" / folder)
    env.pop("WAYLAND_DISPLAY", None)
    return env


@contextlib.contextmanager
def process(command: list[str], **popen):
    """A child process, terminated (then killed, 10 s later) on the way out."""
    proc = subprocess.Popen(command, **popen)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_for(check, timeout: float, what: str, proc: subprocess.Popen, log: Path | None = None):
    """Poll `check` until it is true; fail in one line if `proc` exits or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while not (found := check()):
        if proc.poll() is not None or time.monotonic() > deadline:
            why = f"exited with code {proc.returncode}" if proc.poll() is not None else f"timed out after {timeout} s"
            lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines() if log else []
            fail(f"waiting for {what}: {why}" + (f"; the helper's last line: {lines[-1]}" if lines else ""))
        time.sleep(0.05)
    return found


def popup_lines(log: Path) -> int:
    """How many popups the helper has shown (its --verbose log has one `popup:` line each)."""
    return sum(line.startswith("popup:") for line in log.read_text(encoding="utf-8").splitlines())


def find_window(x, title: str) -> tuple[int, int, int, int] | None:
    """(x, y, width, height) of the shown top-level window called `title`, or None."""
    from Xlib import X, error

    for window in x.screen().root.query_tree().children:
        try:
            if window.get_wm_name() == title and window.get_attributes().map_state == X.IsViewable:
                g = window.get_geometry()
                return g.x, g.y, g.width, g.height
        except error.XError:  # a window that went away while we looked
            continue
    return None


if __name__ == "__main__":
    sys.exit(main())
