"""Indicators: population-health indicators computed from the validated (restricted) tables.

Plain modules, no Dagster: ``catalogue`` declares every indicator, ``numerators`` holds the
numerators (one small module per family, registered by name in ``numerator_registry``),
``data`` reads a year's validated tables, ``values`` computes values by area and breakdown with
their limits, ``comparisons``, ``inequality``, ``adversity`` and ``prevalence`` derive the
rest, and ``store`` writes the restricted indicator tables. Wiring lives in
``tip_pipeline.defs.indicators``.
"""
