"""Debian's Firefox ESR, headless, through its built-in Marionette (Mozilla's own client).

A profile of our own: downloads go to a folder without asking, and nothing phones home.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import warnings
from pathlib import Path
from typing import Any

# The client's own dependencies (mozinfo, mozrunner) use deprecated APIs on import: distro's
# linux_distribution(), telnetlib. Not ours to fix; everything after the import stays strict.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from marionette_driver.by import By
    from marionette_driver.marionette import Marionette

from tests.browser.engines.base import DownloadFolder, SavedFile, poll
from tests.live import free_port

FIREFOX = "/usr/bin/firefox-esr"
START_TIMEOUT = 60
PAGE_LOAD_SECONDS = 30
QUIET = {
    "app.update.disabledForTesting": True,
    "app.normandy.enabled": False,
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.newtabpage.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.update.enabled": False,
    "browser.search.update": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "extensions.update.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "network.dns.disablePrefetch": True,
    "network.prefetch-next": False,
    "services.settings.server": "http://127.0.0.1:9/",  # nothing listens there
    # Anything not on loopback goes to a proxy that is not there: the suite never leaves the machine.
    "network.proxy.type": 1,
    "network.proxy.http": "127.0.0.1",
    "network.proxy.http_port": 9,
    "network.proxy.ssl": "127.0.0.1",
    "network.proxy.ssl_port": 9,
    "network.proxy.no_proxies_on": "localhost, 127.0.0.1",
    "network.proxy.allow_hijacking_localhost": False,
}


def prefs(port: int, downloads: Path) -> dict[str, object]:
    return {
        **QUIET,
        "marionette.port": port,
        "browser.download.dir": str(downloads),
        "browser.download.folderList": 2,
        "browser.download.useDownloadDir": True,
        "browser.download.start_downloads_in_tmp_dir": False,
        "browser.download.always_ask_before_handling_new_types": False,
        "browser.download.alwaysOpenPanel": False,
        "browser.helperApps.neverAsk.saveToDisk": (
            "text/csv,application/jsonl,application/x-ndjson,text/plain,application/octet-stream"
        ),
    }


def listening(process: subprocess.Popen[bytes], port: int, timeout: float) -> None:
    """Wait for Marionette's port ourselves: the client's own wait leaks a socket per try."""

    def up() -> bool:
        assert process.poll() is None, f"firefox-esr exited with {process.returncode}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            return False
        return True

    poll(f"Marionette on port {port}", up, timeout)


class Firefox:
    name = "firefox"

    def __init__(self, workdir: Path) -> None:
        if not os.path.exists(FIREFOX):
            raise AssertionError(
                f"{FIREFOX} is missing: `make setup` installs Debian's firefox-esr"
            )
        profile = workdir / "profile"
        profile.mkdir()
        self.folder = DownloadFolder(workdir / "downloads")
        port = free_port()
        lines = (
            f"user_pref({json.dumps(k)}, {json.dumps(v)});\n"
            for k, v in prefs(port, self.folder.path).items()
        )
        (profile / "user.js").write_text("".join(lines))
        # Its own temp folder too: Firefox keeps big Blobs in temp files (mozilla-temp-*), which
        # a terminated Firefox leaves behind; in the workdir they go with it.
        (workdir / "tmp").mkdir()
        env = {
            "PATH": "/usr/bin:/bin", "HOME": str(workdir), "TMPDIR": str(workdir / "tmp"),
            "MOZ_CRASHREPORTER_DISABLE": "1",
        }  # fmt: skip
        self.log = (workdir / "firefox.log").open("wb")
        self.process = subprocess.Popen(
            [FIREFOX, "--headless", "--marionette", "--marionette-port", str(port), "--no-remote",
             "--profile", str(profile)],
            env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            listening(self.process, port, START_TIMEOUT)
            self.client = Marionette(host="127.0.0.1", port=port, startup_timeout=START_TIMEOUT)
            self.client.start_session()
            self.client.timeout.page_load = PAGE_LOAD_SECONDS
        except Exception:
            self.stop_firefox()
            raise

    def open(self, url: str) -> None:
        self.client.switch_to_frame()
        self.client.navigate(url)

    def click(self, css: str) -> None:
        self.client.find_element(By.CSS_SELECTOR, css).click()

    def select(self, css: str, value: str) -> None:
        self.client.find_element(
            By.CSS_SELECTOR, f"{css} option[value={json.dumps(value)}]"
        ).click()

    def evaluate(self, expression: str) -> Any:
        # No sandbox: the page's own globals (a host page's recorded events) are visible.
        return self.client.execute_script(f"return ({expression});", sandbox=None)

    def enter_frame(self, css: str) -> None:
        self.client.switch_to_frame(self.client.find_element(By.CSS_SELECTOR, css))

    def leave_frame(self) -> None:
        self.client.switch_to_frame()

    def downloads(self) -> list[str]:
        return self.folder.names()

    def saved(self, timeout: float) -> SavedFile:
        return self.folder.saved(timeout)

    def reset(self) -> None:
        self.open("about:blank")
        self.folder.clear()

    def close(self) -> None:
        try:
            self.client.delete_session()
        finally:
            self.stop_firefox()

    def stop_firefox(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()
