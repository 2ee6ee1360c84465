"""WebKitGTK (Safari's engine): its MiniBrowser driven by WebKitWebDriver through Selenium, on a
virtual screen of our own (Xvfb picks a free display and tells us which).

MiniBrowser saves downloads into the XDG download folder by itself; HOME and that folder are the
run's own.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import warnings
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.webkitgtk.options import Options
from selenium.webdriver.webkitgtk.service import Service

from tests.browser.engines.base import DownloadFolder, SavedFile

DRIVER = "/usr/bin/WebKitWebDriver"
MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"
XVFB = "/usr/bin/Xvfb"
START_TIMEOUT = 20
PAGE_LOAD_SECONDS = 30


def start_xvfb(log: Any) -> tuple[subprocess.Popen[bytes], str]:
    read, write = os.pipe()
    process = subprocess.Popen(
        [XVFB, "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write,), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    os.close(write)
    try:
        ready, _, _ = select.select([read], [], [], START_TIMEOUT)
        number = os.read(read, 16).decode().strip() if ready else ""
    finally:
        os.close(read)
    if not number:
        process.kill()
        raise AssertionError(f"Xvfb gave no display within {START_TIMEOUT} s")
    return process, f":{number}"


class WebKit:
    name = "webkit"

    def __init__(self, workdir: Path) -> None:
        for path in (DRIVER, MINIBROWSER, XVFB):
            if not os.path.exists(path):
                raise AssertionError(
                    f"{path} is missing: `make setup` installs webkit2gtk-driver and xvfb"
                )
        home = workdir / "home"
        self.folder = DownloadFolder(home / "Downloads")
        (home / ".config").mkdir()
        (home / ".config" / "user-dirs.dirs").write_text('XDG_DOWNLOAD_DIR="$HOME/Downloads"\n')
        self.log = (workdir / "webkit.log").open("wb")
        self.xvfb, display = start_xvfb(self.log)
        env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "DISPLAY": display}
        options = Options()
        options.binary_location = MINIBROWSER
        options.add_argument("--automation")
        service = Service(executable_path=DRIVER, env=env, log_output=self.log)
        try:
            with warnings.catch_warnings():
                # Selenium's own WebKitGTK class still passes the address the deprecated way.
                warnings.filterwarnings("ignore", "setting remote_server_addr", DeprecationWarning)
                self.driver = webdriver.WebKitGTK(options=options, service=service)
            self.driver.set_page_load_timeout(PAGE_LOAD_SECONDS)
        except Exception:
            self.stop_xvfb()
            raise

    def open(self, url: str) -> None:
        self.driver.switch_to.default_content()
        self.driver.get(url)

    def click(self, css: str) -> None:
        self.driver.find_element(By.CSS_SELECTOR, css).click()

    def select(self, css: str, value: str) -> None:
        self.driver.find_element(
            By.CSS_SELECTOR, f"{css} option[value={json.dumps(value)}]"
        ).click()

    def evaluate(self, expression: str) -> Any:
        return self.driver.execute_script(f"return ({expression});")

    def enter_frame(self, css: str) -> None:
        self.driver.switch_to.frame(self.driver.find_element(By.CSS_SELECTOR, css))

    def leave_frame(self) -> None:
        self.driver.switch_to.default_content()

    def downloads(self) -> list[str]:
        return self.folder.names()

    def saved(self, timeout: float) -> SavedFile:
        return self.folder.saved(timeout)

    def reset(self) -> None:
        self.open("about:blank")
        self.folder.clear()

    def close(self) -> None:
        try:
            self.driver.quit()
        finally:
            self.stop_xvfb()

    def stop_xvfb(self) -> None:
        self.xvfb.terminate()
        try:
            self.xvfb.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.xvfb.kill()
            self.xvfb.wait(timeout=10)
        self.log.close()
