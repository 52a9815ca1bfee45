"""Memory of reading a delivered file with one very long line: peak RSS before and after.

    python benchmarks/bench_long_line.py [--line-mb 300] [--records 1000]

Writes a cin_children file (the contract's header, ``--records`` records, one line of
``--line-mb`` MB without a line break, ``--records`` more records) to a temporary directory,
in 1 MiB blocks so writing it costs no memory, then reads it with ``read_extract`` and prints
the wall time and the process's peak resident set size (getrusage) before and after. The
reader skips a line longer than ``MAX_LINE_BYTES`` unread, so the peak should barely move
whatever the line's size. Not a test: prints figures for the record.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from tip_pipeline.ingest.reader import MAX_LINE_BYTES, file_sha256, read_extract
from tip_pipeline.sources.contracts import EXTRACTS

EXTRACT = EXTRACTS["cin_children"]
RECORD = "a{:07d},2015-06-01,1,WBRI,E01011264,\n"
BLOCK = b"9" * (1024 * 1024)


def write_file(path: Path, line_bytes: int, records: int) -> None:
    """Header, records, the long line, records: the long line is line ``records + 2``."""
    with path.open("wb") as out:
        out.write((",".join(EXTRACT.column_names) + "\n").encode())
        out.write("".join(RECORD.format(i) for i in range(records)).encode())
        for _ in range(line_bytes // len(BLOCK)):
            out.write(BLOCK)
        out.write(BLOCK[: line_bytes % len(BLOCK)] + b"\n")
        out.write("".join(RECORD.format(records + i) for i in range(records)).encode())


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--line-mb", type=int, default=300, help="the long line's size, MB")
    parser.add_argument("--records", type=int, default=1000, help="records on either side")
    args = parser.parse_args(argv)
    line_bytes = args.line_mb * 1_000_000
    with tempfile.TemporaryDirectory(prefix="tip-bench-long-line-") as tmp:
        path = Path(tmp) / "cin_children_2023-24.csv"
        write_file(path, line_bytes, args.records)
        size = path.stat().st_size
        before = peak_mb()
        start = time.perf_counter()
        raw = read_extract(path, EXTRACT)
        wall = time.perf_counter() - start
        after = peak_mb()
        assert raw.sha256 == file_sha256(path) and raw.size_bytes == size
    assert raw.rows == 2 * args.records
    assert raw.rows + len(raw.malformed) + raw.blank_lines == raw.physical_lines - 1
    [long_line] = raw.malformed
    print(
        f"file {size / 1e6:,.1f} MB, long line {line_bytes / 1e6:,.0f} MB "
        f"(limit {MAX_LINE_BYTES:,} bytes), {raw.rows:,} records"
    )
    print(f"malformed: line {long_line.line}: {long_line.problem} (text {long_line.text!r})")
    print(f"read_extract: {wall:.2f} s")
    print(
        f"peak RSS: {before:,.0f} MB before reading, {after:,.0f} MB after "
        f"(+{after - before:,.0f} MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
