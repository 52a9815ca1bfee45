"""The code lists of the SSDA903 tables beyond the header and episodes, as DfE's guide and
validation rules give them (1006 MISSING, 167 REVIEW_CODE, 196 SDQ_REASON, 131 IN_TOUCH, 132
ACTIV, 133 ACCOM; 114 FOSTER_CARE, 175 NB_ADOPTR, 176 SEX_ADOPTR, 177 LS_ADOPTR, 120
REASON_PLACED_CEASED, 631 PREV_PERM, 633 LA_PERM, SW13STG1 SW_REASON), and the contract
columns that use them."""

from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import codes
from tip_pipeline.sources.contracts import EXTRACTS, ColumnKind


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
        assert extract.source == "ssda903"
        # Missing and OC3 feed the outcome measures (missing from care, care leavers)
        assert extract.read_by_indicators == (table in ("ssda903_missing", "ssda903_oc3"))


def test_adoption_codes():
    assert tuple(codes.NUMBER_OF_ADOPTERS) == ("1", "2")
    assert tuple(codes.SEX_OF_ADOPTERS) == ("M1", "F1", "MM", "FF", "MF")
    assert codes.SEX_OF_ONE_ADOPTER == ("M1", "F1")
    assert tuple(codes.LEGAL_STATUS_OF_ADOPTERS) == ("L0", "L11", "L12", "L2", "L3", "L4")
    assert tuple(codes.REASON_PLACED_CEASED) == ("RD1", "RD2", "RD3", "RD4")
    assert codes.ADOPTION_PLACEMENTS == ("A3", "A4", "A5", "A6")
    assert set(codes.ADOPTION_WITH_FOSTER_CARERS) < set(codes.ADOPTION_PLACEMENTS)
    assert set(codes.ADOPTED) <= set(codes.REASON_EPISODE_CEASED)


def test_previous_permanence_and_social_worker_codes():
    assert tuple(codes.PREVIOUS_PERMANENCE) == ("P1", "P2", "P3", "P4", "Z1")
    assert codes.NO_PREVIOUS_PERMANENCE == "Z1"
    # DfE's three-digit authority numbers (rule 633), unique, and the countries beyond England
    assert len(codes.LA_NUMBERS) == len(set(codes.LA_NUMBERS)) == 153
    assert all(len(n) == 3 and n.isdigit() for n in codes.LA_NUMBERS)
    assert "383" in codes.LA_NUMBERS and {"WAL", "SCO", "NIR", "NUK"} <= set(codes.LA_PERM)
    assert set(codes.SOCIAL_WORKER_CHANGE) == {
        *("MANAGE", "FCONTA", "LEFTRL", "ORGRST", "TSPROC"),
        *("ABSENC", "CHCHAN", "PCCHAN", "SWDIED", "OTHERS"),
    }
    assert FinancialYear(2023) == codes.SW_EPISODES_FROM


def test_the_later_tables_use_the_lists():
    def allowed(table: str, column: str) -> tuple[str, ...] | None:
        return EXTRACTS[table].column(column).allowed(FinancialYear(2023))

    assert allowed("ssda903_ad1", "FOSTER_CARE") == codes.YES_NO
    assert allowed("ssda903_ad1", "LS_ADOPTR") == tuple(codes.LEGAL_STATUS_OF_ADOPTERS)
    assert allowed("ssda903_placed_adoption", "REASON_PLACED_CEASED") == (
        "RD1",
        "RD2",
        "RD3",
        "RD4",
    )
    assert allowed("ssda903_prev_perm", "LA_PERM") == codes.LA_PERM
    assert allowed("ssda903_sw_episodes", "SW_REASON") == tuple(codes.SOCIAL_WORKER_CHANGE)
    assert allowed("ssda903_uasc", "SEX") == tuple(codes.SEX_NUMERIC)
    assert EXTRACTS["ssda903_sw_episodes"].column("SW_ID").kind is ColumnKind.STAFF_PSEUDO_ID
    assert EXTRACTS["ssda903_prev_perm"].column("DATE_PERM").kind is ColumnKind.PARTIAL_DATE
    later = ("ssda903_uasc", "ssda903_ad1", "ssda903_placed_adoption", "ssda903_prev_perm",
             "ssda903_sw_episodes")  # fmt: skip
    for table in later:
        extract = EXTRACTS[table]
        assert extract.parent == ("ssda903_header", ("CHILD",))
        assert extract.column_names[0] == "CHILD" and "DOB" in extract.column_names
        assert extract.source == "ssda903" and not extract.read_by_indicators
        assert extract.anonymisation
