"""The authority's cross-reference read from hand-made files: recognised by its header, ids
compared as they are hashed, rows refused (unknown system, empty id, a source id listed with
two people) by line and column without a value, every row used or refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from tip_pipeline.intake.cross_reference import (
    CrossReferenceError,
    is_cross_reference,
    read_cross_reference,
)

CROSS_REFERENCE_CSV = (
    "Source_System,SOURCE_ID,PERSON_ID,MATCH_SCORE\n"
    "social_care,1000123,MPI-1,0.98\n"
    "youth_justice, yj4411 ,mpi-1,0.91\n"
    "housing,P-2,MPI-1,0.88\n"
    "education,U999,MPI-2,1\n"
    "housing,,MPI-3,1\n"
    "youth_justice,YJ5000,,1\n"
    "housing,P-9,MPI-4,1\n"
    "housing,p-9,MPI-5,1\n"
    "social_care,1000123,MPI-1,0.98\n"
)
RAW_VALUES = ("1000123", "yj4411", "P-2", "MPI-1", "U999", "YJ5000", "P-9", "MPI-4", "education")


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mpi.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_rows_are_used_or_refused_and_ids_normalised(tmp_path):
    xref = read_cross_reference(_file(tmp_path, CROSS_REFERENCE_CSV))
    assert (xref.read, xref.used, len(xref.refused)) == (9, 4, 5)
    assert xref.links == {
        ("social_care", "1000123"): "mpi-1",
        ("youth_justice", "yj4411"): "mpi-1",
        ("housing", "p-2"): "mpi-1",
    }
    assert xref.listed == {"social_care": 1, "youth_justice": 1, "housing": 1}
    refused = {(r.line, r.column) for r in xref.refused}
    assert refused == {
        (5, "SOURCE_SYSTEM"),
        (6, "SOURCE_ID"),
        (7, "PERSON_ID"),
        (8, "SOURCE_ID"),
        (9, "SOURCE_ID"),
    }
    ambiguous = [r for r in xref.refused if r.line in (8, 9)]
    assert all("more than one PERSON_ID" in r.reason for r in ambiguous)
    report = "\n".join(xref.report())
    assert "dropped column MATCH_SCORE" in report
    for value in RAW_VALUES:
        assert value not in report, value


def test_the_header_recognises_it_and_another_table_is_refused(tmp_path):
    assert is_cross_reference(("PERSON_ID", "SOURCE_ID", "SOURCE_SYSTEM", "OTHER"))
    assert not is_cross_reference(("SOURCE_SYSTEM", "SOURCE_ID"))
    with pytest.raises(CrossReferenceError) as caught:
        read_cross_reference(_file(tmp_path, "CHILD,DOB\n1000123,01/01/2010\n"))
    assert "1000123" not in str(caught.value)
