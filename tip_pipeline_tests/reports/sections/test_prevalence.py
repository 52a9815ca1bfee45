"""The strategy slide's 2020 figures are reference data shipped with the package, read as the
slide prints them, for the slide's area only."""

from tip_pipeline.reports.sections.prevalence import slide_figures

LEEDS = "E08000035"


def test_the_slide_figures_are_read_as_printed():
    assert slide_figures(LEEDS) == {
        "toxic_trio_any": ("19.8%", "33,580"),
        "domestic_abuse": ("7.3%", ""),
        "parental_substance_misuse": ("5%", ""),
        "parental_mental_health": ("15%", ""),
        "toxic_trio_all": ("1.2%", "1,994"),
        "looked_after": ("0.76%", "1,288"),
        "youth_justice": ("0.4%", "676"),
        "homelessness": ("0.13%", "228"),
    }


def test_no_slide_figures_for_another_area():
    assert slide_figures("E08000036") == {}
