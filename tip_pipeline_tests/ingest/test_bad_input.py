"""Bad input never ends in a traceback: a table of broken deliveries, each refused with a
message naming file, line and problem, or read with every record accounted for (accepted,
quarantined by a named rule, or set aside as a malformed line)."""

import re
from dataclasses import dataclass

import pytest

from tip_pipeline.ingest.discovery import DeliveryError
from tip_pipeline.ingest.reader import read_extract
from tip_pipeline.sources.contracts import EXTRACTS
from tip_pipeline.validate.engine import validate_delivery
from tip_pipeline.validate.rules import RULES
from tip_pipeline_tests.validate.helpers import delivery

NAME = "cin_children_2023-24.csv"
HEADER = "LAchildID,PersonBirthDate,Sex,Ethnicity,HomeLSOA,PersonDeathDate"
GOOD = "a1,2015-06-01,1,WBRI,E01011264,"
GOOD2 = "a2,2016-07-01,2,AIND,E01011265,"
FAMILY = {rule.id: rule.family for rule in RULES}


@dataclass
class Refused:
    message: str  # a regex the DeliveryError must match


@dataclass
class Read:
    accepted: int
    malformed: int = 0
    rules: tuple[str, ...] = ()  # rule families that quarantine the other rows


def text(*lines: str, end: str = "\n") -> bytes:
    return (end.join(lines) + end).encode()


CASES = {
    "clean": (text(HEADER, GOOD, GOOD2), Read(2)),
    "windows line endings": (text(HEADER, GOOD, GOOD2, end="\r\n"), Read(2)),
    "old mac line endings": (text(HEADER, GOOD, GOOD2, end="\r"), Read(2)),
    "byte-order mark": (b"\xef\xbb\xbf" + text(HEADER, GOOD), Read(1)),
    "no final newline": ((HEADER + "\n" + GOOD).encode(), Read(1)),
    "mixed line endings": (f"{HEADER}\r\n{GOOD}\n{GOOD2}\r\n".encode(), Read(2)),
    "blank lines between records": (text(HEADER, GOOD, "", GOOD2, ""), Read(2)),
    "empty file": (b"", Refused(r"the file is empty")),
    "only whitespace": (b"  \n\n", Refused(r"the file is empty")),
    "header only": (text(HEADER), Read(0)),
    "latin-1 file": (f"{HEADER}\n{GOOD}\na3,2015-06-01,1,WBRI,Sé,\n".encode("latin-1"),
                     Refused(r"line 3 is not UTF-8")),
    "utf-16 file": (f"{HEADER}\n{GOOD}\n".encode("utf-16"), Refused(r"line 1 is not UTF-8")),
    "gzip saved as csv": (b"\x1f\x8b\x08\x00" + bytes(20), Refused(r"not UTF-8")),
    "semicolon delimiter": (text(HEADER.replace(",", ";"), GOOD.replace(",", ";")),
                            Refused(r"line 1 is not the header.*delimited by semicolons")),
    "tab delimiter": (text(HEADER.replace(",", "\t"), GOOD.replace(",", "\t")),
                      Refused(r"delimited by tabs")),
    "extra column": (text(HEADER + ",NOTES", GOOD + ",x"), Refused(r"not in the contract NOTES")),
    "missing column": (text(HEADER.rsplit(",", 1)[0], GOOD[:-1]),
                       Refused(r"missing column\(s\) PersonDeathDate")),
    "renamed column": (text(HEADER.replace("Sex", "Gender"), GOOD),
                       Refused(r"missing column\(s\) Sex; column\(s\) not in the contract Gender")),
    "lower-case header": (text(HEADER.lower(), GOOD), Refused(r"differ from the contract's in")),
    "header with spaces": (text(HEADER.replace(",", ", "), GOOD), Refused(r"missing column")),
    "duplicated column": (text(HEADER + ",Sex", GOOD + ",1"), Refused(r"duplicated column")),
    "columns in another order": (text("Sex," + HEADER.replace(",Sex", ""),
                                      "1," + GOOD.replace(",1,", ",", 1)), Read(1)),
    "excel sep= line": (text("sep=,", HEADER, GOOD), Refused(r"an Excel 'sep=' line")),
    "html error page": (text("<html><body>502 Bad Gateway</body></html>"),
                        Refused(r"line 1 is not the header.*not an extract")),
    "too few fields": (text(HEADER, GOOD, "a2,2016-07-01,2"), Read(1, malformed=1)),
    "too many fields": (text(HEADER, GOOD, GOOD2 + ",extra"), Read(1, malformed=1)),
    "trailing comma": (text(HEADER, GOOD + ","), Read(0, malformed=1)),
    "unbalanced quote mid-file": (text(HEADER, GOOD, 'a2,"2016-07-01,2,AIND,E01011265,', GOOD2),
                                  Read(1, malformed=1)),
    "quote after a value": (text(HEADER, 'a2,"2016"-07-01,2,AIND,E01011265,', GOOD),
                            Read(1, malformed=1)),
    "nul byte": (text(HEADER, GOOD, "a2,2016-07-01,2,AI\x00ND,E01011265,"),
                 Read(1, malformed=1)),
    "quoted comma inside a value": (text(HEADER, 'a1,2015-06-01,1,"WB,RI",E01011264,'),
                                    Read(0, rules=("code_list",))),
    "quoted newline inside a value": (text(HEADER, 'a1,2015-06-01,1,"WB\nRI",E01011264,', GOOD2),
                                      Read(1, rules=("code_list",))),
    "header repeated mid-file": (text(HEADER, GOOD, HEADER, GOOD2),
                                 Read(2, rules=("format",))),
    "NULL spelled out": (text(HEADER, "a1,2015-06-01,NULL,WBRI,E01011264,"),
                         Read(0, rules=("code_list",))),
    "N/A as a date": (text(HEADER, "a1,N/A,1,WBRI,E01011264,"), Read(0, rules=("format",))),
    "day-first date": (text(HEADER, "a1,01/06/2015,1,WBRI,E01011264,"),
                       Read(0, rules=("format",))),
    "impossible date": (text(HEADER, "a1,2015-02-30,1,WBRI,E01011264,"),
                        Read(0, rules=("format",))),
    "date with time": (text(HEADER, "a1,2015-06-01 00:00:00,1,WBRI,E01011264,"),
                       Read(0, rules=("format",))),
    "full date of birth": (text(HEADER, "a1,2015-06-17,1,WBRI,E01011264,", GOOD2),
                           Read(1, rules=("birth_month",))),
    "implausible date of birth": (text(HEADER, "a1,2031-06-01,1,WBRI,E01011264,"),
                                  Read(0, rules=("birth_range",))),
    "postcode in the LSOA column": (text(HEADER, "a1,2015-06-01,1,WBRI,LS9 8AB,", GOOD2),
                                    Read(1, rules=("format",))),
    "unknown LSOA": (text(HEADER, "a1,2015-06-01,1,WBRI,E01099999,"),
                     Read(0, rules=("lsoa_known",))),
    "missing id": (text(HEADER, ",2015-06-01,1,WBRI,E01011264,"), Read(0, rules=("required",))),
    "whitespace-only id": (text(HEADER, "  ,2015-06-01,1,WBRI,E01011264,", GOOD2),
                           Read(1, rules=("required",))),
    "duplicate row": (text(HEADER, GOOD, GOOD), Read(1, rules=("unique_key",))),
    "duplicate key": (text(HEADER, GOOD, GOOD.replace(",1,", ",2,")),
                      Read(1, rules=("unique_key",))),
    "new sex code in an old year": (text(HEADER, "a1,2015-06-01,M,WBRI,E01011264,"),
                                    Read(0, rules=("code_list",))),
    "padded values": (text(HEADER, " a1 , 2015-06-01 ,1, WBRI ,E01011264,"), Read(1)),
    "very long line": (text(HEADER, GOOD, "a2," + "9" * 100_000 + ",2,AIND,E01011265,"),
                       Read(1, rules=("format",))),
    "line longer than the limit": (text(HEADER, GOOD, "a2," + "9" * 1_100_000 + ",2,AIND,,", GOOD2),
                                   Read(2, malformed=1)),
    "header longer than the limit": (text(HEADER + ",x" * 600_000, GOOD),
                                     Refused(r"line 1 \(the header\) is longer than 1,048,576")),
}  # fmt: skip


def test_the_table_is_big_enough():
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input(case, tmp_path):
    content, expected = CASES[case]
    path = tmp_path / NAME
    path.write_bytes(content)
    if isinstance(expected, Refused):
        with pytest.raises(DeliveryError) as refused:
            read_extract(path, EXTRACTS["cin_children"])
        assert NAME in str(refused.value) and re.search(expected.message, str(refused.value))
        return
    raw = read_extract(path, EXTRACTS["cin_children"])
    frame = raw.frame.rename(columns={"_line": "line_number"})
    frame.insert(0, "source_file", NAME)
    outcome = validate_delivery(delivery(cin_children=frame))["cin_children"]
    assert len(raw.malformed) == expected.malformed
    assert len(outcome.accepted) == expected.accepted
    assert {FAMILY[r] for r in outcome.quarantined["rule_id"]} == set(expected.rules)
    # every record accounted for
    assert raw.rows == len(outcome.accepted) + len(outcome.quarantined)
    assert all(m.line >= 2 and m.problem for m in raw.malformed)
