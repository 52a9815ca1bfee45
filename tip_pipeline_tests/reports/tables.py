"""Read the report's data tables back out of its HTML (stdlib parser, no browser)."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._id: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            html_id = dict(attrs).get("id") or f"table-{len(self.tables)}"
            self._id = html_id.removeprefix("table-")  # html.table's ids: table-<its name>
            self.tables[self._id] = []
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._id and not self._in_head:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._id:
            self.tables[self._id].append(self._row)
            self._row = None
        elif tag == "table":
            self._id = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    """Table name (its HTML id without ``table-``) -> body rows, each a list of cell texts."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def number(text: str) -> tuple[float, float]:
    """A shown number and half a unit of its last decimal place (its rounding tolerance)."""
    clean = text.replace(",", "").replace("%", "").strip()
    places = len(clean.split(".")[1]) if "." in clean else 0
    return float(clean), 0.5 * 10**-places + 1e-9
