"""Environment variables: every setting the pipeline reads, with its default, in one place.

The README's table of environment variables is checked against ``SETTINGS`` by a test.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    description: str

    def value(self) -> str:
        return os.environ.get(self.name) or self.default

    def path(self, given: Path | str | None, missing: Callable[[str], Exception]) -> Path:
        """``given``, or the path this setting names when ``given`` is None; when neither names
        one, ``missing(message)`` is raised (a setting with no default, such as a key file)."""
        named = self.value() if given is None else str(given)
        if not named.strip():
            raise missing(f"{self.name} is not set")
        return Path(named)


DATA_DIR = Setting(
    "TIP_DATA_DIR",
    "data_sources",
    "Folder of delivered extracts, found by file name alone (relative to the working folder).",
)
WAREHOUSE_URL = Setting(
    "TIP_WAREHOUSE_URL",
    "sqlite:///warehouse/tip.db",
    "SQLAlchemy URL of the warehouse. SQLite: the file holds the published layer, with "
    "`<name>.restricted.db` and `<name>.ops.db` beside it. PostgreSQL: "
    "`postgresql+psycopg://user@host:5432/db`, one schema per layer.",
)
FIRST_YEAR = Setting(
    "TIP_FIRST_YEAR",
    "2020/21",
    "First reporting year (financial year) offered as a partition.",
)

QUARANTINE_THRESHOLD = Setting(
    "TIP_QUARANTINE_THRESHOLD",
    "0.02",
    "Largest share of a file's records that may be quarantined before its validation check "
    "blocks the run.",
)

SUPPRESSION_THRESHOLD = Setting(
    "TIP_SUPPRESSION_THRESHOLD",
    "5",
    "Disclosure control of the published layer: counts from 1 to this value minus 1 are "
    "suppressed (a zero is published unless secondary suppression needs it), and every "
    "suppressed count must stay uncertain by at least this much given everything published.",
)

PUBLISH_WAIT_S = Setting(
    "TIP_PUBLISH_WAIT_S",
    "14400",
    "Years in parallel: seconds a year's publishing waits for the runs of earlier years still "
    "in flight in the Dagster instance (a year is published after the years before it) "
    "before its run fails saying which.",
)

REPORT_DIR = Setting(
    "TIP_REPORT_DIR",
    "reports_out",
    "Folder the measuring-impact report asset writes its HTML files to.",
)

RAW_DIR = Setting(
    "TIP_RAW_DIR",
    "",
    "Intake: the raw landing folder, read by intake only. It holds a local authority's returns "
    "as the authority keeps them (SSDA903 tables as CSV or XLSX in a folder per reporting "
    "year, e.g. 2023-24/), identifiers included: keep it where only the pipeline's account can "
    "read it.",
)

PSEUDONYM_KEY_FILE = Setting(
    "TIP_PSEUDONYM_KEY_FILE",
    "",
    "Intake: the secret key file of the keyed pseudonyms (HMAC-SHA256), at least 32 bytes, "
    "readable by the pipeline's account only (`chmod 600`). There is no default key: intake "
    "refuses to run without it.",
)

POSTCODE_LOOKUP = Setting(
    "TIP_POSTCODE_LOOKUP",
    "",
    "Intake: path to the ONS postcode lookup CSV the authority downloads (the ONS postcode to "
    "2021 OA, LSOA, MSOA and LAD best-fit lookup, or the ONS Postcode Directory / National "
    "Statistics Postcode Lookup), from which home postcodes become LSOA 2021 codes.",
)

HOME_LA = Setting(
    "TIP_HOME_LA",
    "",
    "ONS code of the local authority whose returns are delivered (e.g. E08000035). A record "
    "with no home LSOA (the CIN census carries no address; a postcode the lookup lacks) is "
    "counted in this LA, under an unknown home area. Empty: the one LA of the LSOA lookup; "
    "with a lookup of several LAs and no code, such records are quarantined.",
)

RETAIN_YEARS = Setting(
    "TIP_RETAIN_YEARS",
    "",
    "Retention (tip purge): the person-level records (staged, validated, quarantined) and "
    "contract files of this many most recent reporting years are kept; older years' are "
    "deleted, their published figures kept, the baseline year and youth justice kept. Empty: "
    "kept until deleted by hand.",
)
RETAIN_QUARANTINE_DAYS = Setting(
    "TIP_RETAIN_QUARANTINE_DAYS",
    "",
    "Retention (tip purge): days a quarantined record and its pseudonym are kept; then they "
    "are erased (its file, line and rule stay). Empty: kept until deleted by hand.",
)
RETAIN_RAW_DAYS = Setting(
    "TIP_RETAIN_RAW_DAYS",
    "",
    "Retention (tip purge): days a raw file is kept in the raw folder after intake converted "
    "it (a file not converted, or changed since, is never deleted). Empty: kept until deleted "
    "by hand.",
)
RETAIN_RUN_DAYS = Setting(
    "TIP_RETAIN_RUN_DAYS",
    "",
    "Retention (tip purge): days a finished Dagster run, with its event log and compute logs, "
    "is kept in the instance. Empty: kept until deleted by hand.",
)

SETTINGS = (
    DATA_DIR,
    WAREHOUSE_URL,
    FIRST_YEAR,
    QUARANTINE_THRESHOLD,
    SUPPRESSION_THRESHOLD,
    PUBLISH_WAIT_S,
    REPORT_DIR,
    RAW_DIR,
    PSEUDONYM_KEY_FILE,
    POSTCODE_LOOKUP,
    HOME_LA,
    RETAIN_YEARS,
    RETAIN_QUARANTINE_DAYS,
    RETAIN_RAW_DAYS,
    RETAIN_RUN_DAYS,
)
