"""A year's children in need census return, the XML file an authority submits to DfE, for
``generate(format="dfe")``: the raw return intake converts into ``cin_children``,
``cin_episodes``, ``cin_assessments``, ``cin_cp_plans`` and ``cin_section47``.

The layout is DfE's (*Children in need census: business and technical specification*, "XML
schema"), as intake reads it (``intake/cin_xml.py``) and as the sector's validator's sample
returns write it (data-to-insight/csc-validator-be-cin, ``fake_data``)::

    Message
      Header
        CollectionDetails: Collection (CIN), Year (the census year), ReferenceDate (31 March)
        Source: SourceLevel, LEA, SoftwareCode, Release, SerialNo, DateTime
      Children
        Child
          ChildIdentifiers: LAchildID, UPN, PersonBirthDate, GenderCurrent or Sex
          ChildCharacteristics: Ethnicity
          CINdetails (one per episode of need): CINreferralDate, ReferralSource,
            PrimaryNeedCode, CINclosureDate, ReasonForClosure,
            Assessments (each: AssessmentActualStartDate, AssessmentAuthorisationDate,
              FactorsIdentifiedAtAssessment with one AssessmentFactors per factor),
            Section47 (each: S47ActualStartDate, InitialCPCtarget, DateOfInitialCPC,
              ICPCnotRequired),
            ReferralNFA,
            ChildProtectionPlans (each: CPPstartDate, CPPendDate, InitialCategoryOfAbuse,
              LatestCategoryOfAbuse, NumberOfPreviousCPP)

The rows are the contract files' rows for the same year (``deliveries.cin_tables``, run with
the children as the authority holds them, ``identities.RawPeople``): the same children,
episodes, assessments, plans and section 47 enquiries, nested by child and referral date. What
differs:

- LAchildID is the case-system id, UPN a UPN-like value, PersonBirthDate the full date of
  birth (``xs:date``, ``yyyy-mm-dd``, as every date of the return);
- the child's sex is written in the element of the year's specification: ``GenderCurrent``
  (0, 1, 2, 9) up to 2023/24, ``Sex`` (M, F, U) from 2024/25, with the contracts' code of the
  year (``codes.SEX_LETTER_FROM``);
- ReferralNFA and ICPCnotRequired are ``xs:boolean`` (``true``/``false``);
- an empty value (an episode not yet closed, an assessment not yet authorised, no factors) is
  an element left out, as DfE's schema has them optional;
- the census carries no address: the child's home postcode is not written (intake writes
  HomeLSOA empty), nor a death date (the generator's children do not die).

Elements the generator does not simulate (FormerUPN, UPNunknown, Disabilities, CINPlanDates,
the episode's own DateOfInitialCPC, the plans' Reviews) are left out; intake drops them all
anyway.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.sax.saxutils import escape

import pandas as pd

from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import codes
from tip_pipeline.sources.generator import deliveries
from tip_pipeline.sources.generator.cin import Cin
from tip_pipeline.sources.generator.config import VERSION
from tip_pipeline.sources.generator.identities import RawPeople

INDENT = "  "
SOFTWARE = "tip_pipeline synthetic generator"
#: the contract's 1/0 codes as xs:boolean (ReferralNFA, ICPCnotRequired)
NFA = {"1": "true", "0": "false"}


def _element(depth: int, name: str, value: object) -> str:
    """One element with its text, or nothing for an empty value."""
    text = "" if value is None or pd.isna(value) else str(value)
    if not text:
        return ""
    return f"{INDENT * depth}<{name}>{escape(text)}</{name}>\n"


def _header(fy: FinancialYear, lea: str) -> str:
    year = fy.end_year
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<Message>\n"
        f"{INDENT}<Header>\n"
        f"{INDENT * 2}<CollectionDetails>\n"
        + _element(3, "Collection", "CIN")
        + _element(3, "Year", year)
        + _element(3, "ReferenceDate", fy.end.isoformat())
        + f"{INDENT * 2}</CollectionDetails>\n"
        f"{INDENT * 2}<Source>\n"
        + _element(3, "SourceLevel", "L")
        + _element(3, "LEA", lea)
        + _element(3, "SoftwareCode", SOFTWARE)
        + _element(3, "Release", VERSION)
        + _element(3, "SerialNo", "1")
        + _element(3, "DateTime", f"{year}-04-30T09:00:00")
        + f"{INDENT * 2}</Source>\n"
        f"{INDENT}</Header>\n"
    )


def _assessment(row: dict) -> str:
    factors = [f for f in str(row["AssessmentFactors"]).split(",") if f]
    listed = "".join(_element(6, "AssessmentFactors", f) for f in factors)
    return (
        f"{INDENT * 4}<Assessments>\n"
        + _element(5, "AssessmentActualStartDate", row["AssessmentActualStartDate"])
        + _element(5, "AssessmentAuthorisationDate", row["AssessmentAuthorisationDate"])
        + (
            f"{INDENT * 5}<FactorsIdentifiedAtAssessment>\n{listed}"
            f"{INDENT * 5}</FactorsIdentifiedAtAssessment>\n"
            if listed
            else ""
        )
        + f"{INDENT * 4}</Assessments>\n"
    )


def _plan(row: dict) -> str:
    return (
        f"{INDENT * 4}<ChildProtectionPlans>\n"
        + _element(5, "CPPstartDate", row["CPPstartDate"])
        + _element(5, "CPPendDate", row["CPPendDate"])
        + _element(5, "InitialCategoryOfAbuse", row["InitialCategoryOfAbuse"])
        + _element(5, "LatestCategoryOfAbuse", row["LatestCategoryOfAbuse"])
        + _element(5, "NumberOfPreviousCPP", row["NumberOfPreviousCPP"])
        + f"{INDENT * 4}</ChildProtectionPlans>\n"
    )


def _section47(row: dict) -> str:
    not_required = row["ICPCnotRequired"]
    return (
        f"{INDENT * 4}<Section47>\n"
        + _element(5, "S47ActualStartDate", row["S47ActualStartDate"])
        + _element(5, "InitialCPCtarget", row["InitialCPCtarget"])
        + _element(5, "DateOfInitialCPC", row["DateOfInitialCPC"])
        + _element(5, "ICPCnotRequired", NFA.get(not_required, not_required))
        + f"{INDENT * 4}</Section47>\n"
    )


def _grouped(frame: pd.DataFrame, keys: tuple[str, ...]) -> dict[tuple, list[dict]]:
    """The rows of ``frame`` by ``keys``, in the frame's order."""
    groups: dict[tuple, list[dict]] = {}
    for row in frame.to_dict("records"):
        groups.setdefault(tuple(row[k] for k in keys), []).append(row)
    return groups


def _episode(row: dict, assessments: list[dict], plans: list[dict], enquiries: list[dict]) -> str:
    return (
        f"{INDENT * 3}<CINdetails>\n"
        + _element(4, "CINreferralDate", row["CINreferralDate"])
        + _element(4, "ReferralSource", row["ReferralSource"])
        + _element(4, "PrimaryNeedCode", row["PrimaryNeedCode"])
        + _element(4, "CINclosureDate", row["CINclosureDate"])
        + _element(4, "ReasonForClosure", row["ReasonForClosure"])
        + "".join(_assessment(a) for a in assessments)
        + "".join(_section47(s) for s in enquiries)
        + _element(4, "ReferralNFA", NFA.get(row["ReferralNFA"], row["ReferralNFA"]))
        + "".join(_plan(p) for p in plans)
        + f"{INDENT * 3}</CINdetails>\n"
    )


def _children(tables: dict[str, pd.DataFrame], people: RawPeople, sex: str) -> Iterator[str]:
    children = tables["cin_children"]
    upns = people.identities.upn[people.identities.child_of(children["LAchildID"])]
    episodes = _grouped(tables["cin_episodes"], ("LAchildID",))
    assessments = _grouped(tables["cin_assessments"], ("LAchildID", "CINreferralDate"))
    plans = _grouped(tables["cin_cp_plans"], ("LAchildID", "CINreferralDate"))
    enquiries = _grouped(tables["cin_section47"], ("LAchildID", "CINreferralDate"))
    for child, upn in zip(children.to_dict("records"), upns, strict=True):
        case_id = child["LAchildID"]
        yield (
            f"{INDENT * 2}<Child>\n"
            f"{INDENT * 3}<ChildIdentifiers>\n"
            + _element(4, "LAchildID", case_id)
            + _element(4, "UPN", upn)
            + _element(4, "PersonBirthDate", child["PersonBirthDate"])
            + _element(4, sex, child["Sex"])
            + f"{INDENT * 3}</ChildIdentifiers>\n"
            f"{INDENT * 3}<ChildCharacteristics>\n"
            + _element(4, "Ethnicity", child["Ethnicity"])
            + f"{INDENT * 3}</ChildCharacteristics>\n"
            + "".join(
                _episode(
                    e,
                    assessments.get((case_id, e["CINreferralDate"]), []),
                    plans.get((case_id, e["CINreferralDate"]), []),
                    enquiries.get((case_id, e["CINreferralDate"]), []),
                )
                for e in episodes.get((case_id,), [])
            )
            + f"{INDENT * 2}</Child>\n"
        )


def census(cin: Cin, people: RawPeople, fy: FinancialYear, lea: str) -> str:
    """The year's census return, as the text of its XML file."""
    tables = deliveries.cin_tables(cin, people, fy)
    sex = "Sex" if fy >= codes.SEX_LETTER_FROM else "GenderCurrent"
    body = "".join(_children(tables, people, sex))
    return f"{_header(fy, lea)}{INDENT}<Children>\n{body}{INDENT}</Children>\n</Message>\n"
