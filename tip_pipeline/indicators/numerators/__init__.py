"""Numerators, one module per family; importing this package registers them all."""

from tip_pipeline.indicators.numerators import (  # noqa: F401
    care,
    children_in_need,
    homelessness,
    linked,
    youth_justice,
)
