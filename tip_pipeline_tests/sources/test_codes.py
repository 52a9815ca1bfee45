"""The code lists of the SSDA903 outcome tables, as DfE's guide and validation rules give them
(1006 MISSING, 167 REVIEW_CODE, 196 SDQ_REASON, 131 IN_TOUCH, 132 ACTIV, 133 ACCOM), and the
contract columns that use them."""

from tip_pipeline.sources import codes
from tip_pipeline.sources.contracts import EXTRACTS


def test_missing_and_review_codes():
    assert tuple(codes.MISSING_TYPE) == ("M", "A")
    assert tuple(codes.REVIEW_PARTICIPATION) == tuple(f"PN{i}" for i in range(8))
    assert codes.REVIEW_UNDER_4 == "PN0"


def test_oc2_codes():
    assert tuple(codes.SDQ_REASON) == ("SDQ1", "SDQ2", "SDQ3", "SDQ4", "SDQ5")
    assert codes.SDQ_AGES == (4, 16) and codes.SDQ_MAX == 40


def test_oc3_codes():
    assert tuple(codes.IN_TOUCH) == ("YES", "NO", "DIED", "REFU", "NREQ", "RHOM")
    assert set(codes.ACTIVITY) == {
        *("F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "G4", "G5", "G6", "0")
    }
    assert set(codes.ACTIVITY_EET) < set(codes.ACTIVITY)
    # 16 kinds of accommodation, each suitable (1) or not (2), but S and X never suitable
    assert len(codes.ACCOMMODATION) == 16 * 2 - 2 + 1
    assert {"S1", "X1"}.isdisjoint(codes.ACCOMMODATION)
    assert {"B1", "B2", "S2", "X2", "Z1", "Z2", "0"} <= set(codes.ACCOMMODATION)


def test_the_contracts_use_the_lists():
    def allowed(table: str, column: str) -> tuple[str, ...] | None:
        return EXTRACTS[table].column(column).allowed(None)

    assert allowed("ssda903_missing", "MISSING") == ("M", "A")
    assert allowed("ssda903_reviews", "REVIEW_CODE") == tuple(codes.REVIEW_PARTICIPATION)
    assert allowed("ssda903_oc2", "SDQ_REASON") == tuple(codes.SDQ_REASON)
    assert allowed("ssda903_oc3", "ACCOM") == codes.ACCOMMODATION
    for table in ("ssda903_missing", "ssda903_reviews", "ssda903_oc2", "ssda903_oc3"):
        extract = EXTRACTS[table]
        assert extract.parent == ("ssda903_header", ("CHILD",))
        assert extract.column_names[:2] == ("CHILD", "DOB")
        assert extract.source == "ssda903" and not extract.read_by_indicators
