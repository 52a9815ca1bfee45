"""Unknown home area: a record with no home LSOA, as a counted state (docs/CONVENTIONS.md,
"Population, geography and age"; docs/DOMAIN.md, "Children in Need census").

The CIN census carries no address, and a postcode the ONS lookup lacks gives no LSOA, so an
accepted record may have an empty home LSOA. Such a child is still a child of the authority
that returned it: it counts in that LA's total and in its sex, age and ethnicity breakdowns,
and in the area-based breakdowns it has a category of its own (``UNKNOWN``: the ward
``UNKNOWN_WARD`` under the LA, the IMD decile and quintile ``UNKNOWN``) so that every
breakdown still sums to its total. It is in no LSOA and no deprivation decile, and has no
population denominator.

Which LA: the contract files carry no LA, only the LSOA the lookup places. The delivering LA is
``TIP_HOME_LA`` where set (it must be an LA of the LSOA lookup); otherwise the one LA the
lookup covers, which is the case of every single-authority deployment (an authority's lookup
holds its own LSOAs). A warehouse whose lookup covers several LAs and that names none cannot
tell, and validation quarantines the record (``validate.rules.keys.home_la_known``). The CIN
header's LEA number is not used: the project holds no table from DfE's LA numbers to ONS codes.

Validation and the indicators resolve the LA with the same function, from the same lookup and
setting, so what validation accepted the indicators can place.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import pandas as pd

from tip_pipeline import config

#: the category of the area-based breakdowns (IMD decile and quintile) holding the children
#: whose home area is unknown, and the key that stands for their LSOA inside the indicators
UNKNOWN: Final = "unknown"
#: the ward of the children of unknown home area, under the delivering LA: ONS's pseudo-code
#: for "no area" in England (as the ONS Postcode Directory writes it where a postcode has no
#: ward), never a real ward's code
UNKNOWN_WARD: Final = "E99999999"
UNKNOWN_WARD_NAME: Final = "Unknown home area"


def delivering_la(las: Iterable[object], configured: str | None = None) -> str | None:
    """The LA a record with no home LSOA belongs to, or None when it cannot be told.

    ``las``: the LA codes of the LSOA lookup (repeats and missing values allowed).
    ``configured``: ``TIP_HOME_LA``'s value (read from the environment when None). A setting
    naming an LA the lookup lacks tells nothing: the LA would have no region, name or
    denominator.
    """
    codes = {str(c) for c in las if c is not None and not pd.isna(c) and str(c).strip()}
    named = (config.HOME_LA.value() if configured is None else configured).strip()
    if named:
        return named if named in codes else None
    return next(iter(codes)) if len(codes) == 1 else None


def is_unknown(lsoa: pd.Series) -> pd.Series:
    """True where a home LSOA is empty (missing, or blank text)."""
    return lsoa.isna() | (lsoa.astype("string").str.strip() == "").fillna(True)
