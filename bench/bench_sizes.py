"""Download time against dump size: the widget vs a plain-JS fetch -> blob -> <a download> page.

Same server, same signed URLs, same browser; one fresh context per download, the two pages
interleaved so machine load hits both alike. Writes bench/out/sizes.json (the 10 MB and 100 MB
ratios) and docs/bench-download-time.png (the plot in the README).

Run: .venv/bin/python bench/bench_sizes.py   (loopback only; needs matplotlib: `make bench`)
"""

from __future__ import annotations

import statistics
from pathlib import Path

from bench_widget import (
    ARGS,
    CHROMIUM,
    DEFAULT_SESSION_ID,
    ROUNDS,
    bench_server,
    big_dump,
    click_to_saved,
    ratio_result,
    signed_url,
    widget_url,
)
from common import save
from playwright.sync_api import Browser, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SIZES_MB = (1, 10, 25, 50, 100)
REPORTED_MB = (10, 100)
PLOT = ROOT / "docs" / "bench-download-time.png"


def measure(browser: Browser, base: str) -> tuple[float, float]:
    """Median seconds from click to saved: (widget, plain JS)."""
    widget, plain = [], []
    for _ in range(ROUNDS):
        plain.append(
            click_to_saved(browser, f"{base}/bench/plain.html#{signed_url(base)}", "#go")[0]
        )
        widget.append(click_to_saved(browser, widget_url(base), "#chatdump-download")[0])
    return statistics.median(widget), statistics.median(plain)


def plot(sizes: list[float], widget: list[float], plain: list[float]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 3.6), dpi=120)
    axes.plot(sizes, widget, "o-", label="chatdump widget (PyScript)")
    axes.plot(sizes, plain, "s--", label="plain JS fetch → blob → <a download>")
    axes.set_xlabel("chat dump size (MB)")
    axes.set_ylabel("click to saved file (s)")
    axes.set_title(f"Click to saved, loopback, headless Chromium (median of {ROUNDS})", fontsize=10)
    axes.grid(alpha=0.3)
    axes.legend()
    figure.tight_layout()
    PLOT.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(PLOT)


def main() -> None:
    widget_s: list[float] = []
    plain_s: list[float] = []
    actual_mb: list[float] = []  # big_dump ends on a whole block of rows: a few MB over the ask
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for size_mb in SIZES_MB:
                dump = big_dump(size_mb * 1000 * 1000)
                with bench_server({f"{DEFAULT_SESSION_ID}.csv": dump}) as base:
                    mine, baseline = measure(browser, base)
                widget_s.append(mine)
                plain_s.append(baseline)
                actual_mb.append(len(dump) / 1e6)
                print(
                    f"{actual_mb[-1]:.1f} MB: widget {mine:.2f} s, plain JS {baseline:.2f} s",
                    flush=True,
                )
        finally:
            browser.close()
    plot(actual_mb, widget_s, plain_s)
    results = [
        ratio_result(
            f"{actual_mb[i]:.1f} MB CSV click to saved (size sweep)",
            widget_s[i],
            plain_s[i],
            "s",
            1.3,
            f"median of {ROUNDS}; baseline: plain JS page, same URL; plot: docs/bench-download-time.png",
        )
        for i, mb in enumerate(SIZES_MB)
        if mb in REPORTED_MB
    ]
    save("sizes", results)


if __name__ == "__main__":
    main()
