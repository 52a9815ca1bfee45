"""Every fault the generator injects is caught by its intended rule, and nothing else is
quarantined but rows cascaded from an injected fault; every planted identifier refuses."""

import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from tip_pipeline.ingest.load import ingest_extract, malformed_rule_id
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.contracts import EXTRACTS, parse_file_name
from tip_pipeline.validate.guard import guard_delivery
from tip_pipeline.validate.identifiers import KIND_LABELS, DeliveryRefused
from tip_pipeline.validate.rules import RULES
from tip_pipeline.validate.store import quarantine_impact, validate_tables
from tip_pipeline.warehouse.engine import make_engine
from tip_pipeline.warehouse.migrate import upgrade

#: the generator's fault kinds -> the rule family meant to catch each; a rule that declares its
#: fault example (``Rule.fault``) names its own kind
INTENDED = {
    "invalid_code": "code_list",
    "missing_required": "required",
    "malformed_line": "malformed_line",
    "duplicate_row": "unique_key",
    "duplicate_key": "unique_key",
    "orphan_row": "parent_present",
    "malformed_date": "format",
    "end_before_start": "end_before_start",
    "future_date": "not_future",
    "unknown_lsoa": "lsoa_known",
    "dob_after_event": "born_before_events",
    "rec_without_dec": "rec_with_dec",
    "age_out_of_range": "age_in_range",
    "overlapping_episode": "overlapping_episodes",
    **{rule.fault.kind: rule.family for rule in RULES if rule.fault},
}
CASCADE = "parent_quarantined"
YEARS = (FinancialYear(2023), FinancialYear(2024))  # either side of the sex-code change

# ingests and validates every source of two generated years: a whole stage, minutes not seconds
pytestmark = pytest.mark.integration
FAMILY = {rule.id: rule.family for rule in RULES}


def family_of(rule_id: str) -> str:
    return "malformed_line" if rule_id.endswith(".malformed_line") else FAMILY[rule_id]


@pytest.fixture(scope="module")
def quarantined(faulty_delivery, tmp_path_factory) -> pd.DataFrame:
    data, _ = faulty_delivery
    url = f"sqlite:///{tmp_path_factory.mktemp('wh')}/tip.db"
    upgrade(url)
    engine = make_engine(url)
    static = [t for t, e in EXTRACTS.items() if not e.per_period]
    for table in static:
        ingest_extract(engine, data, table, None, "test")
    validate_tables(engine, static, None, "test")
    for year in YEARS:
        for source in ("ref", "cin", "ssda903", "yjs", "hclic"):
            tables = [t for t, e in EXTRACTS.items() if e.source == source and e.per_period]
            for table in tables:
                ingest_extract(engine, data, table, year, "test")
            validate_tables(engine, tables, year, "test")
    frame = pd.read_sql("SELECT * FROM ops.quarantine", engine)
    frame.attrs["url"] = url
    return frame


def others(value) -> list[str]:
    return value.split(",") if isinstance(value, str) else []


def faults_of_years(manifest) -> list[dict]:
    tags = {y.tag for y in YEARS}
    return [f for f in manifest["faults"] if any(f"_{t}" in f["file"] for t in tags)]


def test_the_generator_knows_no_fault_kind_we_do_not(faulty_delivery):
    _, manifest = faulty_delivery
    assert {f["kind"] for f in manifest["faults"]} <= set(INTENDED)


def test_no_injected_fault_escapes_its_intended_rule(faulty_delivery, quarantined):
    _, manifest = faulty_delivery
    faults = faults_of_years(manifest)
    assert len({f["kind"] for f in faults}) >= 12, "too few kinds to be a real test"
    by_line = {
        (r.source_file, int(r.line_number)): {r.rule_id, *others(r.other_rules)}
        for r in quarantined.itertuples()
    }
    escaped, wrong = [], []
    for fault in faults:
        rules = by_line.get((fault["file"], fault["line"]))
        if rules is None:
            escaped.append(fault)
        elif INTENDED[fault["kind"]] not in {family_of(r) for r in rules}:
            wrong.append((fault, rules))
    assert not escaped, f"faults not quarantined: {escaped[:5]}"
    assert not wrong, f"faults caught by another rule: {wrong[:5]}"


def test_nothing_else_is_quarantined_but_cascades(faulty_delivery, quarantined):
    _, manifest = faulty_delivery
    fault_lines = {(f["file"], f["line"]) for f in faults_of_years(manifest)}
    others = quarantined[
        [
            (f, int(n)) not in fault_lines
            for f, n in zip(quarantined.source_file, quarantined.line_number, strict=True)
        ]
    ]
    assert Counter(family_of(r) for r in others.rule_id) <= Counter({CASCADE: len(others)})


def test_malformed_lines_keep_their_text(quarantined):
    malformed = quarantined[quarantined.rule_id.str.endswith(".malformed_line")]
    assert len(malformed) and malformed.record.notna().all()
    assert set(malformed.stage) == {"read"}
    assert malformed_rule_id("cin_children") == "cin_children.malformed_line"


def _planted_values(clean: Path, planted: Path, item: dict) -> set[str]:
    """The values the generator planted: those of the planted column that the clean delivery
    (same seed) does not have there."""
    new = pd.read_csv(planted / item["file"], dtype=str, keep_default_na=False)
    old = pd.read_csv(clean / item["file"], dtype=str, keep_default_na=False)
    before = set(old[item["column"]]) if item["column"] in old else set()
    return {v for v in new[item["column"]] if v and v not in before}


def test_each_planted_identifier_refuses_the_delivery_on_its_own(
    small_delivery, planted_delivery, tmp_path
):
    """Each planted kind alone refuses the delivery, with a message naming file, column and
    kind (or the column outside the contract), and no planted value."""
    clean, _ = small_delivery
    planted, manifest = planted_delivery
    assert {p["refused_as"] for p in manifest["identifiers"]} >= set(KIND_LABELS) - {
        "free_text",
        "not_a_pseudonym",
    }
    tables = tuple(t for t, e in EXTRACTS.items() if e.per_period)
    for item in manifest["identifiers"]:
        folder = tmp_path / item["kind"]
        shutil.copytree(clean, folder)
        shutil.copy(planted / item["file"], folder / item["file"])
        year = parse_file_name(item["file"]).period
        with pytest.raises(DeliveryRefused) as refused:
            guard_delivery(Path(folder), tables, year)
        message = str(refused.value)
        assert item["file"] in message and item["column"] in message, item
        if item["refused_as"] is None:
            assert "not in the contract" in message, item
        else:
            label = KIND_LABELS[item["refused_as"]]
            assert f"{item['file']}, column {item['column']}: {label}" in message, item
        values = _planted_values(clean, planted, item)
        assert values, item
        assert not [v for v in values if v in message], item
    # and the clean delivery passes
    assert guard_delivery(Path(clean), tables, year)


def test_quarantine_impact_counts_distinct_children_per_source(quarantined):
    # recount from the quarantine itself, independently of the function
    frame = quarantined[quarantined.period == "2023/24"]
    source = frame.table_name.map(lambda t: EXTRACTS[t].source)
    expected = frame.assign(source=source).groupby("source")["child_id"].nunique()
    assert expected.sum() > 0
    impact = quarantine_impact(make_engine(quarantined.attrs["url"]), "2023/24")
    for name, children in expected.items():
        if name in impact.index:
            assert impact.loc[name, "children_with_quarantined_rows"] == children
