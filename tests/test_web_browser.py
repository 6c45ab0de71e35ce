"""End to end: the web demo served by uvicorn and driven in headless Chromium.

Uses the system browser and driver (Debian: apt-get install chromium chromium-driver; without them
the test is skipped, or fails under CI=true); nothing is downloaded. The README's screenshot is
retaken by `python docs/screenshots.py`, not by this test.
"""
import shutil
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from assistant import Assistant
from assistant.web.server import create_app

pytestmark = [pytest.mark.browser, pytest.mark.needs("chromium", "chromedriver")]

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
CHROMEDRIVER = Path(shutil.which("chromedriver") or "/usr/bin/chromedriver")
WAIT_S = 20  # seconds for the server's start (with its warm-up) and for each answer in the page


@pytest.fixture
def server_url(tiny_model):
    """The demo on a free loopback port (port 0: the OS picks one, so parallel runs cannot clash)."""
    app = create_app(Assistant(tiny_model))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the demo server did not start on 127.0.0.1; see the log above")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser(tmp_path):
    """Headless Chromium with a fresh profile and no background traffic."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 "--lang=en-US", "--window-size=1100,1120", f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    yield driver
    driver.quit()


def test_type_suggest_explain_and_bad_input_in_a_real_browser(browser, server_url, tmp_path):
    wait = WebDriverWait(browser, WAIT_S)
    browser.get(server_url)
    wait.until(lambda d: d.find_element(By.ID, "model").text.startswith("Model "))

    # Typing a sentence shows five emojis with their names once typing pauses.
    browser.find_element(By.ID, "text").send_keys("I love pizza with my friends")
    rows = wait.until(lambda d: _suggestions(d) if len(_suggestions(d)) == 5 else None)
    assert all(emoji and name for emoji, name in rows)
    assert "🍕" in [emoji for emoji, _ in rows]
    assert "(en)" in browser.find_element(By.ID, "lang").text

    # Bad input gets a friendly message, and the server keeps serving.
    _set_text(browser, "")
    browser.find_element(By.ID, "suggest").click()
    _wait_message(wait, "Type a sentence first")
    _set_text(browser, "word " * 20_000)  # 100 KB
    browser.find_element(By.ID, "suggest").click()
    _wait_message(wait, "too long")
    _set_text(browser, "🍕🔥🎉")
    browser.find_element(By.ID, "suggest").click()
    _wait_message(wait, "only emojis")
    browser.find_element(By.XPATH, "//button[@class='example' and text()='عيد ميلاد سعيد']").click()
    wait.until(lambda d: "(ar)" in d.find_element(By.ID, "lang").text and len(_suggestions(d)) == 5)
    assert not browser.find_element(By.ID, "message").is_displayed()

    # Explain shows each emoji's readings under the decoder's label.
    _set_text(browser, "Pizza tonight with my friends? 🍕🔥")
    browser.find_element(By.ID, "explain").click()
    readings = wait.until(lambda d: [r.text for r in d.find_elements(By.CSS_SELECTOR, ".reading")] or None)
    assert readings[0].startswith("pizza · literal") and readings[1].startswith("fire · literal")
    assert "literal names only" in browser.find_element(By.CSS_SELECTOR, ".decoder").text
    wait.until(lambda d: "(ar)" not in d.find_element(By.ID, "lang").text and len(_suggestions(d)) == 5)
    assert "Traceback" not in browser.page_source

    assert browser.save_screenshot(str(tmp_path / "web-demo.png"))  # kept with the test's files, for a look


def _suggestions(driver) -> list[tuple[str, str]]:
    # Read the rows in one script call: the page re-renders as results arrive, so element
    # handles taken one by one can go stale between calls.
    rows = driver.execute_script(
        "return [...document.querySelectorAll('#suggestions .suggestion')].map(r => "
        "[r.querySelector('.emoji').textContent.trim(), r.querySelector('.name').textContent.trim()]);")
    return [tuple(row) for row in rows]


def _set_text(driver, text: str) -> None:
    """Fill the text box as typing would (send_keys cannot type emojis outside the BMP)."""
    driver.execute_script("const box = arguments[0]; box.value = arguments[1];"
                          "box.dispatchEvent(new Event('input'));", driver.find_element(By.ID, "text"), text)


def _wait_message(wait, expected: str) -> None:
    wait.until(lambda d: expected in d.find_element(By.ID, "message").text)
