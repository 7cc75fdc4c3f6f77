"""The saved HTML player in a real headless Chromium (Selenium, pointed at the system browser).

``scripts/setup_browser.sh`` installs Chromium, its driver and Selenium; the test is skipped only
where Chromium is absent.
"""

import os
import shutil

import pytest

import autograd as ag
from autograd import viz

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None)

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None or DRIVER is None, reason="Chromium/chromedriver not installed (scripts/setup_browser.sh)"
    ),
    pytest.mark.skipif(not viz.has_dot(), reason="the Graphviz `dot` program is not installed"),
]


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1400,900",
    ):
        opts.add_argument(flag)
    # An explicit driver path: Selenium Manager never downloads a browser or driver.
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    yield driver
    driver.quit()


def state(driver):
    """(caption, counter, id of the highlighted SVG node in the visible frame, frame's data-node)."""
    from selenium.webdriver.common.by import By

    frame = driver.find_element(By.CSS_SELECTOR, ".gg-frame.gg-on")
    current = frame.find_elements(By.CSS_SELECTOR, "g.gg-current")
    return (
        driver.find_element(By.CSS_SELECTOR, ".gg-caption").text,
        driver.find_element(By.CSS_SELECTOR, ".gg-count").text,
        current[0].get_attribute("id") if current else None,
        frame.get_attribute("data-node"),
    )


@pytest.mark.slow
def test_player_steps_in_a_real_browser(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    a, b = ag.Scalar(2.0, label="a"), ag.Scalar(-3.0, label="b")
    c = (a * b + b**2).tanh()
    player = viz.step_through(c)
    n = len(player)
    path = player.save(tmp_path / "backprop.html")
    browser.get("file://" + path)

    caption0, count0, node0, data0 = state(browser)
    assert count0 == f"1/{n}" and caption0.startswith("forward 1/4")
    assert node0 is not None and node0.endswith(data0)

    nxt = browser.find_element(By.CSS_SELECTOR, ".gg-next")
    for _ in range(3):
        nxt.click()
    caption3, count3, node3, data3 = state(browser)
    assert count3 == f"4/{n}"
    assert caption3 != caption0 and caption3.startswith("forward 4/4")
    assert node3 != node0 and node3.endswith(data3)
    assert len(browser.find_elements(By.CSS_SELECTOR, ".gg-frame.gg-on")) == 1

    # keyboard: → goes on into the backward pass, ← comes back
    player_div = browser.find_element(By.CSS_SELECTOR, ".gg-player")
    player_div.send_keys(Keys.ARROW_RIGHT)
    caption4, count4, node4, _ = state(browser)
    assert count4 == f"5/{n}" and "tanh: δ = g ⊙ (1 − a²)" in caption4
    player_div.send_keys(Keys.ARROW_LEFT)
    assert state(browser)[1] == f"4/{n}"

    # the slider jumps, prev steps back
    browser.execute_script(
        "var s = document.querySelector('.gg-slider'); s.value = arguments[0]; s.dispatchEvent(new Event('input'));",
        n - 1,
    )
    assert state(browser)[0].startswith("done")
    browser.find_element(By.CSS_SELECTOR, ".gg-prev").click()
    assert state(browser)[1] == f"{n - 1}/{n}"

    shot = tmp_path / "player.png"
    assert browser.save_screenshot(str(shot))
    data = shot.read_bytes()
    assert len(data) > 1000 and data[:8] == b"\x89PNG\r\n\x1a\n"
