"""Intake: a local authority's raw DfE returns (SSDA903 tables, CIN census XML) converted into
the project's pseudonymised contract files (docs/CONVENTIONS.md, "Raw returns (intake)").

Plain Python, no Dagster. These modules are the converters every reader uses: keyed
pseudonyms (``pseudonyms``), dates as the returns and spreadsheets write them (``dates``) and
postcodes to LSOA 2021 through the ONS lookup (``postcodes``).
"""
