"""What every benchmark shares: the row it reports, and where it writes its rows.

A row compares chatdump with a baseline measured in the same run; ``bench/run.py`` turns every
``bench/out/<area>.json`` into ``bench/out/REPORT.md``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


@dataclass
class Result:
    benchmark: str
    chatdump: float
    baseline: float
    unit: str
    ratio: float
    target: str
    ok: bool
    notes: str


def save(area: str, rows: Sequence[Result | Mapping[str, object]]) -> None:
    """Write ``bench/out/<area>.json`` and print the rows."""
    plain = [asdict(row) if isinstance(row, Result) else dict(row) for row in rows]
    for row in plain:
        missing = set(Result.__dataclass_fields__) - set(row)
        if missing:
            raise ValueError(f"{row.get('benchmark')}: no {', '.join(sorted(missing))}")
    OUT.mkdir(parents=True, exist_ok=True)
    text = json.dumps(plain, indent=2, ensure_ascii=False)
    (OUT / f"{area}.json").write_text(text + "\n", encoding="utf-8")
    print(text)
