"""The rule registry: every validation rule, each declared once in a small module.

Generic rules come from the contracts (contract.py, keys.py); the rest are one module per rule
or rule family, DfE rules named by their number.
"""

from __future__ import annotations

from tip_pipeline.validate.rules import (
    contract,
    dates,
    dfe_304,
    dfe_511,
    dfe_567,
    dfe_579,
    dfe_635,
    dfe_2889,
    dfe_8614,
    dfe_8615,
    dfe_8740,
    dfe_8839,
    dfe_8869,
    dfe_8898,
    dfe_sw07stg2,
    keys,
    ssda903_episodes,
)
from tip_pipeline.validate.rules.base import Delivery, Rule, Scope, Stage

RULES: tuple[Rule, ...] = (
    *contract.RULES,
    *keys.RULES,
    *dates.RULES,
    dfe_8869.RULE,
    dfe_8898.RULE,
    dfe_8614.RULE,
    dfe_8615.RULE,
    dfe_2889.RULE,
    dfe_8740.RULE,
    dfe_8839.RULE,
    *ssda903_episodes.RULES,
    dfe_567.RULE,
    dfe_304.RULE,
    dfe_511.RULE,
    dfe_579.RULE,
    dfe_635.RULE,
    dfe_sw07stg2.RULE,
)

_ids = [rule.id for rule in RULES]
if len(_ids) != len(set(_ids)):  # pragma: no cover - a declaration error, caught at import
    raise RuntimeError("rule ids must be unique")


def rules_for(table: str) -> list[Rule]:
    """The rules of one table, in evaluation order (stage, then declaration)."""
    return sorted((r for r in RULES if r.table == table), key=lambda r: r.stage)


__all__ = ["RULES", "Delivery", "Rule", "Scope", "Stage", "rules_for"]
