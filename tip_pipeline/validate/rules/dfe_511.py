"""DfE SSDA903 rule 511: two adopters are a couple, so AD1's SEX_ADOPTR for NB_ADOPTR 2 must be
MM, FF or MF, never a single adopter's M1 or F1. A couple recorded as one adopter, or one
adopter as a couple, is an error of entry that would miscount adoptions by couples."""

from __future__ import annotations

import pandas as pd

from tip_pipeline.sources import codes
from tip_pipeline.validate.rules.base import (
    Delivery,
    Rule,
    Scope,
    Stage,
)

TABLE = "ssda903_ad1"
NUMBER = "NB_ADOPTR"
SEX = "SEX_ADOPTR"
TWO = "2"


def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
    """True where there are two adopters and the sex given is a single adopter's."""
    return (rows[NUMBER] == TWO) & rows[SEX].isin(codes.SEX_OF_ONE_ADOPTER)


RULE = Rule(
    id=f"{TABLE}.dfe_511",
    table=TABLE,
    text=f"With two adopters ({NUMBER} 2), {SEX} must be a couple's (MM, FF or MF), not M1 or F1",
    stage=Stage.ROW,
    scope=Scope.ROW,
    quarantines="the adoption",
    check=check,
    family="dfe_511",
    dfe_rule="511",
    dfe_message=(
        "If reporting that the number of person(s) adopting the looked after child is two "
        "adopters then the code should only be MM, FF or MF. MM = the adopting couple are both "
        "males; FF = the adopting couple are both females; MF = The adopting couple are male "
        "and female."
    ),
    columns=(NUMBER, SEX),
)
