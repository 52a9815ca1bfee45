"""A year's figures depend on the validated tables of the years its indicators look back to
(``defs.indicators.validated_dep``): materialising an earlier year again makes the years that
read it out of date, shown with Dagster's own evaluation of automation conditions."""

import dagster as dg
import pytest

from tip_pipeline.defs import indicators
from tip_pipeline.defs.partitions import reporting_years
from tip_pipeline.indicators import look_back

KEYS = reporting_years.get_partition_keys()


def _stand_ins(table: str):
    """The validated table's asset and a year's figures with the real dependency on it (the
    real assets need a warehouse; the dependency is what is tested)."""

    @dg.asset(key=["validated", table], partitions_def=reporting_years)
    def validated() -> None:
        return None

    @dg.asset(
        key=["indicators", "indicator_values"],
        partitions_def=reporting_years,
        deps=[indicators.validated_dep(table)],
        automation_condition=dg.AutomationCondition.any_deps_updated(),
    )
    def figures() -> None:
        return None

    return validated, figures


def _stale_after_rerun(table: str, year: str) -> set[str]:
    """The figures' partitions whose dependencies updated when ``year`` of ``table`` was
    materialised again after every partition of both had been."""
    validated, figures = _stand_ins(table)
    defs = dg.Definitions(assets=[validated, figures])
    instance = dg.DagsterInstance.ephemeral()
    for key in KEYS:
        assert dg.materialize([validated, figures], partition_key=key, instance=instance).success
    first = dg.evaluate_automation_conditions(defs=defs, instance=instance)
    assert dg.materialize([validated], partition_key=year, instance=instance).success
    result = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=first.cursor)
    return set(result.get_requested_partitions(figures.key))


@pytest.mark.parametrize(
    ("table", "reach"),
    # the cohorts read four years of the CIN census, SSDA903 episodes and H-CLIC (the longest
    # look-back); a table no measure looks back to, none
    [("cin_episodes", 4), ("ssda903_episodes", 4), ("hclic_children", 4), ("ssda903_header", 0)],
)
def test_rerunning_a_year_makes_the_years_that_look_back_to_it_stale(table, reach):
    assert look_back.tables_to_read().get(table, 0) == reach
    year = KEYS[1]
    expected = set(KEYS[1 : 2 + reach])
    assert _stale_after_rerun(table, year) == expected
