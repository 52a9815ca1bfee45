"""Writing files byte-for-byte reproducibly (UTF-8, ``\\n``, no index) and the manifest."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd


def write_frame(path: Path, df: pd.DataFrame) -> None:
    df.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def write_lines(path: Path, header: list[str], lines: list[str]) -> None:
    text = ",".join(header) + "\n" + "".join(line + "\n" for line in lines)
    path.write_bytes(text.encode("utf-8"))


def file_entry(
    out: Path, name: str, source: str, table: str, period: str | None, quarter: int | None
) -> dict:
    data = (out / name).read_bytes()
    return {
        "path": name,
        "source": source,
        "table": table,
        "period": period,
        "quarter": quarter,
        "rows": data.count(b"\n") - 1,
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def write_manifest(out: Path, manifest: dict) -> None:
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    (out / "manifest.json").write_bytes(text.encode("utf-8"))
