"""Hand-made CIN assessments for the tests of the DfE factor rules (8869, 8898, 8614): each
assessment with its child and episode, validated by the engine, and the rules each row breaks."""

from __future__ import annotations

import pandas as pd

from tip_pipeline.validate.engine import validate_delivery
from tip_pipeline.validate.rules.base import Rule
from tip_pipeline_tests.validate.helpers import DEFAULTS, delivery, table


def rules_broken(*assessments: dict) -> list[set[str]]:
    """For each assessment row, in order, every rule it breaks (first and others). An empty
    text is missing, as staging reads an empty field."""
    assessments = tuple({k: v or None for k, v in a.items()} for a in assessments)
    children = sorted(
        {a.get("LAchildID", DEFAULTS["cin_assessments"]["LAchildID"]) for a in assessments}
    )
    d = delivery(
        cin_children=table("cin_children", *({"LAchildID": c} for c in children)),
        cin_episodes=table("cin_episodes", *({"LAchildID": c} for c in children)),
        cin_assessments=table("cin_assessments", *assessments),
    )
    quarantined = validate_delivery(d)["cin_assessments"].quarantined
    by_line: dict[int, set[str]] = {}
    for row in quarantined.itertuples():
        others = row.other_rules.split(",") if pd.notna(row.other_rules) else []
        by_line[int(row.line_number)] = {row.rule_id, *others}
    return [by_line.get(line, set()) for line in range(2, len(assessments) + 2)]


def as_text(assessment: dict) -> dict[str, str]:
    """An assessment as a delivered file holds it: the defaults, overridden, "" where blank."""
    row = {**DEFAULTS["cin_assessments"], **assessment}
    return {column: "" if value is None else value for column, value in row.items()}


def with_declared_fault(rule: Rule, clean: dict[str, str]) -> dict[str, str] | None:
    """``clean`` turned by the rule's declared fault example (None where no way applies)."""
    assert rule.fault is not None
    changed = rule.fault.broken(clean)
    return None if changed is None else {**clean, **changed}
