"""The expat parser with defusedxml's protections set directly: a DTD, an entity declaration
(parsed or unparsed) and an external reference each stop the parse with defusedxml's own
exception, as defusedxml's SAX parser does; a document without any of them parses."""

from __future__ import annotations

from xml.parsers import expat

import pytest
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from tip_pipeline.intake.safe_expat import FORBIDDEN_ERRORS, defused_parser

DTD = '<?xml version="1.0"?>\n<!DOCTYPE Message SYSTEM "cin.dtd">\n<Message/>\n'
ENTITY = '<!DOCTYPE Message [ <!ENTITY lol "lol"> ]>\n<Message>&lol;</Message>\n'
UNPARSED = (
    '<!DOCTYPE Message [ <!NOTATION gif SYSTEM "viewer">\n'
    '<!ENTITY picture SYSTEM "p.gif" NDATA gif> ]>\n<Message/>\n'
)
EXTERNAL = '<!DOCTYPE Message [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n<Message/>\n'


def _parse(text: str, *, allow_dtd_start: bool = False) -> None:
    parser = defused_parser()
    if allow_dtd_start:
        # let the parse reach the declarations that the DTD's start would otherwise refuse
        parser.StartDoctypeDeclHandler = None
    parser.Parse(text.encode(), True)


def test_a_dtd_is_forbidden_at_its_start():
    with pytest.raises(DTDForbidden):
        _parse(DTD)
    with pytest.raises(DTDForbidden):
        _parse(ENTITY)


@pytest.mark.parametrize("text", [ENTITY, UNPARSED, EXTERNAL])
def test_entity_declarations_are_forbidden_behind_the_dtd(text):
    with pytest.raises(EntitiesForbidden):
        _parse(text, allow_dtd_start=True)


def test_an_external_reference_is_forbidden():
    parser = defused_parser()
    parser.StartDoctypeDeclHandler = None
    parser.EntityDeclHandler = None
    # the external DTD subset is an external reference once parameter entities are parsed
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_UNLESS_STANDALONE)
    with pytest.raises(ExternalReferenceForbidden):
        parser.Parse(b'<!DOCTYPE Message SYSTEM "cin.dtd">\n<Message/>\n', True)


def test_the_errors_are_defusedxml_s_and_a_plain_document_parses():
    assert set(FORBIDDEN_ERRORS) == {DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden}
    _parse("<Message><Header/></Message>")
