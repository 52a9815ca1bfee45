"""Render warehouse/README.md, the data dictionary, from the schema metadata and the views.

``python -m tip_pipeline.warehouse.dictionary > warehouse/README.md`` rewrites it; a test fails
when the committed file differs from what this renders. Everything comes from code: tables,
columns and comments from ``schema.metadata``, views from ``views.VIEWS``, example queries from
``examples.EXAMPLES``, the suppression threshold's default from ``config``. The output depends
on nothing else (no environment, no clock), so it is the same on every machine.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from sqlalchemy import Column, Table
from sqlalchemy.dialects import postgresql

from tip_pipeline import config
from tip_pipeline.warehouse.examples import EXAMPLES, Example
from tip_pipeline.warehouse.layers import OPS, PUBLISHED, RESTRICTED
from tip_pipeline.warehouse.schema import metadata
from tip_pipeline.warehouse.views import VIEWS, View

COMMAND = "python -m tip_pipeline.warehouse.dictionary > warehouse/README.md"

#: layers in the order the dictionary shows them, with what each is for
_LAYER_TITLES = {
    PUBLISHED: "Published layer (`published`): what analysts read",
    RESTRICTED: "Restricted layer (`restricted`): person-level and true figures, pipeline only",
    OPS: "Ops layer (`ops`): the pipeline's bookkeeping",
}

_THRESHOLD = int(config.SUPPRESSION_THRESHOLD.default)

#: layer -> (what it holds, who reads it)
_LAYER_ROLES = {
    PUBLISHED: (
        "aggregates only, after disclosure control: indicator values, comparisons, inequality, "
        "adversity, prevalence, data quality, areas and the indicator catalogue",
        "analysts, reports, `tip export`",
    ),
    RESTRICTED: (
        "person-level rows (staging as delivered, validated and typed), reference data, and "
        "the true indicator figures before disclosure control",
        "the pipeline only",
    ),
    OPS: (
        "lineage (runs, files read and their hashes), quarantine, validation history, "
        "completeness, quality summaries waiting for their year's publication, Alembic's "
        "version table",
        "the pipeline and its maintainers",
    ),
}
_LAYERS_TABLE = "\n".join(
    [
        "| layer | holds | who reads it |",
        "|---|---|---|",
        *(f"| `{layer}` | {holds} | {who} |" for layer, (holds, who) in _LAYER_ROLES.items()),
    ]
)

_INTRO = f"""\
# Warehouse data dictionary

Generated from the schema metadata (`tip_pipeline/warehouse/schema.py`), the analysts' views
(`views.py`) and the example queries (`examples.py`) by

    {COMMAND}

A test fails when this file is stale. The warehouse files themselves (`*.db`) are never
committed.

## Layers

{_LAYERS_TABLE}

## Opening the warehouse

**SQLite** (the default, `TIP_WAREHOUSE_URL=sqlite:///warehouse/tip.db`): each layer is a file.
`warehouse/tip.db` holds the published layer only, so it is the file to hand to analysts, and
after `tip run` it is complete on its own (the run ends with a WAL checkpoint of every layer
file: no `tip.db-wal` needs to go with it). It opens in any SQLite client (the `sqlite3`
shell, DB Browser, DBeaver, Python's `sqlite3`, R's `RSQLite`), where the tables and views have
their plain names (`indicator_values`, `latest_indicator_values`): every query below runs there
as written.
`tip.restricted.db` and `tip.ops.db` beside it stay with the pipeline. From Python, no part of
this project is needed:

```python
import pandas as pd
from sqlalchemy import create_engine

engine = create_engine("sqlite:///warehouse/tip.db")
pd.read_sql("SELECT indicator_id, indicator_name FROM dim_indicator", engine)
pd.read_sql_table("indicator_values", engine)
```

Whoever maintains the pipeline can read the ops layer from the same session by attaching its
file under its name, in any client (the `ops.` tables of this dictionary then resolve):

```sql
ATTACH DATABASE 'warehouse/tip.ops.db' AS ops;
```

**PostgreSQL** (`TIP_WAREHOUSE_URL=postgresql+psycopg://user@host:5432/db`): each layer is a
schema of one database, named as above (`published.indicator_values`). Analysts connect as a
read-only role that can read the `published` schema and nothing else, and whose `search_path`
is `published`, so the same plain names and the same queries run
(`create_engine("postgresql+psycopg://tip_analyst@db:5432/tip")`; [README.md](../README.md),
"Deploying on PostgreSQL: roles"). Another role runs `SET search_path TO published;` first, or
names the schema.

Column types are PostgreSQL's; SQLite stores the same values (booleans as 0/1, timestamps as
ISO text).

## Disclosure control

The published layer is disclosure-controlled: every count from 1 to {_THRESHOLD - 1} (below
`TIP_SUPPRESSION_THRESHOLD`, default {_THRESHOLD}) is suppressed, with secondary suppression so
that no suppressed count can be worked out from the totals, categories, wards, deciles or
derived figures published beside it. A zero is published, except where secondary suppression
needs it as a complement: a suppressed count may be a zero, so a suppression says only that
the count is 0 or more, and the audit proves that each stays uncertain by at least
{_THRESHOLD} on that assumption. A suppressed row keeps its
place, with `suppressed` true and the count and everything computed from it (value, limits,
shares, comparisons) NULL. The restricted layer holds the true figures and person-level rows:
it is not for analysts, and nothing in it may be shared.

## Unknown home area

Children with no known home area (the CIN census carries no address; a postcode the ONS
lookup lacks) count in their local authority's total and its sex, age and ethnicity
breakdowns. In `indicator_values` they are the ward `E99999999` "Unknown home area" (a ward of
that LA in `dim_area`, with no LSOA) and the category `unknown` of `imd_decile` and
`imd_quintile`, so the categories and the wards still add up to the LA. Those rows have a
count (suppressed like any other) but no denominator, value or limits; SII, RII and the
quintile gap leave them out.
"""


def _markdown(text: str) -> str:
    """One table cell: pipes escaped, line breaks joined."""
    return " ".join(text.split()).replace("|", "\\|")


def _type_name(column: Column) -> str:
    return column.type.compile(dialect=postgresql.dialect()).lower()


def _column_row(column: Column) -> str:
    cells = (
        f"`{column.name}`",
        _type_name(column),
        "yes" if column.nullable else "no",
        "PK" if column.primary_key else "",
        _markdown(column.comment or ""),
    )
    return "| " + " | ".join(cells) + " |"


def _table_section(table: Table) -> list[str]:
    return [
        f"### `{table.fullname}`",
        "",
        _markdown(table.comment or ""),
        "",
        "| column | type | nullable | key | description |",
        "|---|---|---|---|---|",
        *(_column_row(column) for column in table.columns),
        "",
    ]


def _view_section(view: View) -> list[str]:
    return [
        f"### `{PUBLISHED}.{view.name}` (view)",
        "",
        _markdown(view.comment),
        "",
        "| column | description |",
        "|---|---|",
        *(f"| `{name}` | {_markdown(text)} |" for name, text in view.columns.items()),
        "",
    ]


def _tables_of(layer: str) -> list[Table]:
    return sorted((t for t in metadata.tables.values() if t.schema == layer), key=lambda t: t.name)


def _layer_section(layer: str) -> list[str]:
    tables = _tables_of(layer)
    lines = [f"## {_LAYER_TITLES[layer]}", ""]
    names = [f"`{t.name}`" for t in tables]
    if layer == PUBLISHED:
        names += [f"`{v}` (view)" for v in sorted(VIEWS)]
    lines += [f"{len(names)} tables and views: " + ", ".join(names) + ".", ""]
    for table in tables:
        lines += _table_section(table)
    if layer == PUBLISHED:
        for name in sorted(VIEWS):
            lines += _view_section(VIEWS[name])
    return lines


def _example_section(number: int, example: Example) -> list[str]:
    params = ", ".join(f"`{name}` = `{value!r}`" for name, value in example.params.items())
    return [
        f"### {number}. {example.title}",
        "",
        " ".join(example.question.split()),
        "",
        "```sql",
        example.literal_sql().strip(),
        "```",
        "",
        f"Example values: {params}." if params else "No parameters.",
        "",
    ]


def _examples_section(examples: Iterable[Example]) -> list[str]:
    lines = [
        "## Example queries",
        "",
        "Each query runs as written, pasted into any client opened on `warehouse/tip.db` alone "
        "or connected to PostgreSQL as the analyst role, and the tests run every one on both "
        "backends (`tip_pipeline_tests/warehouse/test_examples.py`). The values of the example "
        "(an LA, a year, an indicator) are written in; `tip_pipeline/warehouse/examples.py` "
        "declares each query with bind parameters (`:area_code`, `:period`, `:indicator_id`) "
        "instead, to ask it of another area or year from Python:",
        "",
        "```python",
        "import pandas as pd",
        "from sqlalchemy import create_engine, text",
        "",
        'engine = create_engine("sqlite:///warehouse/tip.db")',
        "trend = text(",
        '    "SELECT period, value, lower_ci_95, upper_ci_95 FROM indicator_values "',
        '    "WHERE indicator_id = :indicator_id AND area_code = :area_code "',
        "    \"AND breakdown = 'total' AND category = 'all' ORDER BY period\"",
        ")",
        'params = {"indicator_id": "cla_31mar", "area_code": "E08000035"}',
        "pd.read_sql(trend, engine, params=params)",
        "```",
        "",
    ]
    for number, example in enumerate(examples, start=1):
        lines += _example_section(number, example)
    return lines


def render() -> str:
    lines = [_INTRO.rstrip("\n"), ""]
    for layer in (PUBLISHED, RESTRICTED, OPS):
        lines += _layer_section(layer)
    lines += _examples_section(EXAMPLES.values())
    return "\n".join(lines).rstrip("\n") + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
