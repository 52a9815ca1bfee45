"""Hand-made section 47 enquiries for the tests of the DfE Section47 rules (8615, 2889, 8740,
8839): each enquiry with its child and episode, validated by the engine (year 2023/24), and
the rules each row breaks."""

from __future__ import annotations

import pandas as pd

from tip_pipeline.validate.engine import validate_delivery
from tip_pipeline.validate.rules.base import Rule
from tip_pipeline_tests.validate.helpers import DEFAULTS, delivery, table

TABLE = "cin_section47"


def rules_broken(*enquiries: dict) -> list[set[str]]:
    """For each enquiry row, in order, every rule it breaks (first and others). An empty text
    is missing, as staging reads an empty field."""
    enquiries = tuple({k: v or None for k, v in e.items()} for e in enquiries)
    default = DEFAULTS[TABLE]
    episodes = sorted(
        {
            (e.get("LAchildID", default["LAchildID"]), e.get("CINreferralDate") or "")
            for e in enquiries
        }
    )
    children = sorted({child for child, _ in episodes})
    d = delivery(
        cin_children=table("cin_children", *({"LAchildID": c} for c in children)),
        cin_episodes=table(
            "cin_episodes",
            *(
                {"LAchildID": c, "CINreferralDate": r or default["CINreferralDate"]}
                for c, r in episodes
            ),
        ),
        cin_section47=table(TABLE, *enquiries),
    )
    quarantined = validate_delivery(d)[TABLE].quarantined
    by_line: dict[int, set[str]] = {}
    for row in quarantined.itertuples():
        others = row.other_rules.split(",") if pd.notna(row.other_rules) else []
        by_line[int(row.line_number)] = {row.rule_id, *others}
    return [by_line.get(line, set()) for line in range(2, len(enquiries) + 2)]


def as_text(enquiry: dict) -> dict[str, str]:
    """An enquiry as a delivered file holds it: the defaults, overridden, "" where blank."""
    row = {**DEFAULTS[TABLE], **enquiry}
    return {column: "" if value is None else value for column, value in row.items()}


def with_declared_fault(rule: Rule, clean: dict[str, str]) -> dict[str, str] | None:
    """``clean`` turned by the rule's declared fault example (None where no way applies)."""
    assert rule.fault is not None
    changed = rule.fault.broken(clean)
    return None if changed is None else {**clean, **changed}
