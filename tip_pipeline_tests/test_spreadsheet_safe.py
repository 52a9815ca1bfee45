"""Formula injection neutralised (OWASP, "CSV Injection"): text cells only, numbers keep their
sign."""

import pandas as pd
import pytest

from tip_pipeline.spreadsheet_safe import neutralise, neutralise_frame


@pytest.mark.parametrize(
    "hostile",
    [
        '=HYPERLINK("http://example.org","Leeds")',
        "+1+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_a_cell_a_spreadsheet_would_run_gets_a_quote(hostile):
    assert neutralise(hostile) == "'" + hostile


@pytest.mark.parametrize("kept", ["Leeds 001A", "-1.2", "+3.4%", "-1,234", "-", "", "E08000035"])
def test_numbers_names_and_a_lone_dash_are_kept(kept):
    assert neutralise(kept) == kept


def test_a_frame_keeps_its_numeric_columns_and_missing_values():
    frame = pd.DataFrame(
        {"Area Name": ["=1+1", "Leeds", None], "Value": [-1.5, 2.0, None], "Count": [-3, 4, 5]}
    )
    out = neutralise_frame(frame)
    assert out["Area Name"].tolist()[:2] == ["'=1+1", "Leeds"] and pd.isna(out["Area Name"][2])
    assert out["Value"].tolist()[:2] == [-1.5, 2.0] and out["Count"].tolist() == [-3, 4, 5]
    assert frame["Area Name"][0] == "=1+1"  # the caller's frame is left alone
