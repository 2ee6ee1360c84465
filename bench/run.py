"""Run every benchmark (bench/bench_*.py), then write bench/out/REPORT.md.

Each benchmark writes bench/out/<area>.json: rows of {benchmark, chatdump, baseline, unit, ratio,
target, ok, notes}. The baseline is measured in the same run, so the ratio is what we claim:
absolute times on a shared machine are noise.

    .venv/bin/python bench/run.py            # all
    .venv/bin/python bench/run.py endpoint   # only bench_endpoint.py
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
TIME_LIMIT_S = 1800


def main(only: list[str]) -> int:
    OUT.mkdir(exist_ok=True)
    scripts = sorted(HERE.glob("bench_*.py"))
    if only:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in only]
    failed = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        started = time.monotonic()
        try:
            done = subprocess.run([sys.executable, str(script)], timeout=TIME_LIMIT_S, check=False)
            if done.returncode != 0:
                failed.append(script.name)
        except subprocess.TimeoutExpired:
            failed.append(f"{script.name} (timed out)")
        print(f"   {time.monotonic() - started:.0f} s", flush=True)
    report = render_report(sorted(OUT.glob("*.json")))
    (OUT / "REPORT.md").write_text(report, encoding="utf-8")
    print(report)
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


def machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    import os

    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def render_report(files: list[Path]) -> str:
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {machine()}.",
        "",
        "| benchmark | chatdump | baseline (same run) | ratio | target | met | notes |",
        "|---|---|---|---|---|---|---|",
    ]
    for file in files:
        if file.name == "plot.json":
            continue
        for row in json.loads(file.read_text(encoding="utf-8")):
            lines.append(
                f"| {row['benchmark']} | {_num(row['chatdump'])} {row['unit']} "
                f"| {_num(row['baseline'])} {row['unit']} | {_num(row['ratio'])} | {row['target']} "
                f"| {'yes' if row['ok'] else '**no**'} | {row.get('notes', '')} |"
            )
    return "\n".join(lines) + "\n"


def _num(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
