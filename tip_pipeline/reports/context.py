"""What every report section is given: the published rows they share, the indicators shown,
and the charts drawn so far; with the number helpers the sections share."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from tip_pipeline.reports import charts
from tip_pipeline.reports import statements as say
from tip_pipeline.reports.data import ReportData, Shared
from tip_pipeline.reports.statements import fmt_value


@dataclass(frozen=True)
class ShownIndicator:
    """What the report needs to know about one indicator it shows, read from
    ``published.dim_indicator`` (the report reads the published layer only, never the catalogue's
    ``indicators.catalogue.Indicator``)."""

    id: str
    name: str
    unit: str
    polarity: str
    multiplier: float
    kind: str | None  # "proportion" | "rate" | None when the method is not published

    @classmethod
    def from_row(cls, row: pd.Series | None, ind_id: str, series: pd.DataFrame) -> ShownIndicator:
        if row is None:
            own = series[series["indicator_id"] == ind_id]
            return cls(
                ind_id,
                str(own["indicator_name"].iloc[-1]),
                str(own["unit"].iloc[-1]),
                "",
                float("nan"),
                None,
            )
        method = str(row.get("method") or "").lower()
        kind = "proportion" if method.startswith("proportion") else None
        kind = "rate" if method.startswith("rate") else kind
        return cls(
            ind_id,
            str(row["indicator_name"]),
            str(row["unit"]),
            str(row.get("polarity") or ""),
            float(row["multiplier"]),
            kind,
        )


def indicators_shown(data: ReportData) -> list[ShownIndicator]:
    """The indicators with a headline value for the LA in the year, in catalogue order."""
    catalogue = data.indicators.set_index("indicator_id") if len(data.indicators) else None
    return [
        ShownIndicator.from_row(
            catalogue.loc[i] if catalogue is not None and i in catalogue.index else None,
            i,
            data.series,
        )
        for i in data.indicator_ids
    ]


@dataclass
class Report:
    """One report being built: the shared published rows, the indicators shown, every chart
    kept so far (counted in ``Built.charts``), and what is the same for every report of the
    year (``shared``: the report's own unless a batch hands its worker's to each report)."""

    data: ReportData
    indicators: list[ShownIndicator]
    charts: list[charts.Chart] = field(default_factory=list)
    shared: Shared = field(default_factory=Shared)

    def keep(self, chart: charts.Chart) -> charts.Chart:
        """``chart``, counted as drawn in the report."""
        self.charts.append(chart)
        return chart


def number(x: object) -> float:
    """A float, NaN for NULL."""
    try:
        return float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def present(x: object) -> bool:
    """Whether ``x`` is a number (not NULL, not NaN)."""
    return not math.isnan(number(x))


def percent(x: object, suppressed: bool = False) -> str:
    """A percentage as the report prints it: ``12.3%``, or suppressed / not available."""
    text = fmt_value(number(x), suppressed)
    return text if text in (say.SUPPRESSED, say.MISSING) else text + "%"
