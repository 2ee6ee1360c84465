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
import time
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.client_config import ClientConfig
from selenium.webdriver.remote.remote_connection import RemoteConnection
from selenium.webdriver.webkitgtk.options import Options
from selenium.webdriver.webkitgtk.service import Service

from tests.browser.engines.base import DownloadFolder, SavedFile

DRIVER = "/usr/bin/WebKitWebDriver"
MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"
XVFB = "/usr/bin/Xvfb"
START_TIMEOUT = 20
PAGE_LOAD_SECONDS = 30
# Every driver command is bounded (Selenium's default is to wait for ever).
COMMAND_SECONDS = 60


def start_xvfb(log: Any) -> tuple[subprocess.Popen[bytes], str]:
    read, write = os.pipe()
    process = subprocess.Popen(
        [XVFB, "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write,), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    os.close(write)
    try:
        number = read_display(read, time.monotonic() + START_TIMEOUT)
    finally:
        os.close(read)
    if not number or process.poll() is not None:
        process.kill()
        raise AssertionError(f"Xvfb gave no display within {START_TIMEOUT} s")
    return process, f":{number}"


def read_display(fd: int, deadline: float) -> str:
    """The display number Xvfb writes to ``fd``, once its line is whole: Xvfb writes the number
    and the newline separately and dies (SIGPIPE) if the pipe is closed in between."""
    seen = b""
    while not seen.endswith(b"\n"):
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        piece = os.read(fd, 16) if ready else b""
        if not piece:
            return ""
        seen += piece
    return seen.decode().strip()


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
        self.service = Service(executable_path=DRIVER, env=env, log_output=self.log)
        try:
            self.service.start()
            config = ClientConfig(self.service.service_url, timeout=COMMAND_SECONDS)
            self.driver = webdriver.Remote(RemoteConnection(client_config=config), options=options)
            self.driver.set_page_load_timeout(PAGE_LOAD_SECONDS)
        except Exception:
            self.service.stop()
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
            self.service.stop()
            self.stop_xvfb()

    def stop_xvfb(self) -> None:
        self.xvfb.terminate()
        try:
            self.xvfb.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.xvfb.kill()
            self.xvfb.wait(timeout=10)
        self.log.close()
