"""Retakes docs/web-demo.png: the web demo in headless Chromium, with a sentence suggested for and explained.

    python docs/screenshots.py [--model PATH] [--text TEXT] [--out FILE]

It serves the demo on a free loopback port (after the same warm-up as `emoji-assistant web`),
opens the page, types the sentence, clicks **Suggest emojis** and, when the sentence has
emojis, **Explain the emojis**, waits for both answers and saves the whole page. Needs the
web and test extras (`pip install -e '.[test]'`) and the system's Chromium, its driver and
an emoji font: apt-get install chromium chromium-driver fonts-noto-color-emoji. Nothing is
downloaded.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
CHROMEDRIVER = Path(shutil.which("chromedriver") or "/usr/bin/chromedriver")
OUT = Path(__file__).resolve().parent / "web-demo.png"
TEXT = "Pizza tonight with my friends? 🍕🔥"
WIDTH = 1100  # CSS pixels; the page is centred and at most ~930 wide
START_S = 300  # loading and warming the model on a busy 2-core machine
ANSWER_S = 30  # one suggestion or explanation, with the browser's own start-up


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Retake the web demo's screenshot for the README.")
    parser.add_argument("--model", metavar="PATH", help="model folder (default: $EMOJI_ASSISTANT_MODEL, "
                                                        "else the shipped model)")
    parser.add_argument("--text", default=TEXT, help=f"the sentence typed (default: {TEXT!r})")
    parser.add_argument("--out", type=Path, default=OUT, help=f"PNG to write (default: {OUT})")
    args = parser.parse_args(argv)
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
    if missing:
        print(f"screenshots: error: {', '.join(missing)} not found; install them with: "
              "apt-get install chromium chromium-driver fonts-noto-color-emoji", file=sys.stderr)
        return 2
    from assistant import Assistant

    url, stop = serve_demo(Assistant(args.model))
    try:
        with tempfile.TemporaryDirectory() as profile:
            size = screenshot(url, args.text, args.out, profile=Path(profile))
    finally:
        stop()
    print(f"wrote {args.out} ({size[0]}×{size[1]})")
    return 0


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
            raise SystemExit("screenshots: error: the demo server did not start; see the log above")
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
            raise SystemExit(f"screenshots: error: Chromium could not write {out}")
        return driver.execute_script("return [window.innerWidth, window.innerHeight];")
    finally:
        driver.quit()


if __name__ == "__main__":
    sys.exit(main())
