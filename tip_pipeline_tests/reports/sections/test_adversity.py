"""The adversity section's sentence: the share known in two or more domains, never a
suppressed figure."""

import math

from tip_pipeline.reports.sections.adversity import adversity_statement


def test_the_share_in_two_or_more_domains_is_stated():
    text = adversity_statement("Leeds", 4.25, False)
    assert text.startswith("4.25% of children in Leeds were known to two or more services")


def test_a_suppressed_or_missing_share_is_never_a_number():
    for share, suppressed in ((1.5, True), (math.nan, False), (None, False)):
        text = adversity_statement("Leeds", share, suppressed)
        assert text.endswith("two or more domains is suppressed.")
