"""An expat parser (``xml.parsers.expat``) with defusedxml's protections applied directly: a
document type declaration (DTD), an entity declaration or a reference to an external resource
stops the parse with defusedxml's own exception.

Why not defusedxml's SAX parser: the SAX layers (``xml.sax.expatreader``) add a Python call
and an attributes object for every element of the file, which was most of the time a CIN
census return took to read; the protections themselves are four expat handlers, set here as
defusedxml 0.7's ``DefusedExpatParser.reset`` (``defusedxml/expatreader.py``) sets them with
``forbid_dtd``, ``forbid_entities`` and ``forbid_external`` all true, raising
``DTDForbidden``, ``EntitiesForbidden`` and ``ExternalReferenceForbidden``
(``defusedxml/common.py``). A DTD is what entity expansion ("billion laughs") and external
entities (reading other files of the server) need, so refusing its start refuses both before
any of it is read. Parameter entities are never parsed (expat's
``XML_PARAM_ENTITY_PARSING_NEVER``, its default, said explicitly), which is stricter than the
SAX layer's "unless standalone".

defusedxml's exceptions repeat the names, values and addresses the file declares, so a caller
must never show their messages: it says what was forbidden by the exception's type.
"""

from __future__ import annotations

from xml.parsers import expat

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

#: the exceptions the parser's protections raise
FORBIDDEN_ERRORS = (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden)


def _forbid_dtd(name: str, sysid: str | None, pubid: str | None, has_internal_subset: int) -> None:
    raise DTDForbidden(name, sysid, pubid)


def _forbid_entity(
    name: str,
    is_parameter_entity: int,
    value: str | None,
    base: str | None,
    sysid: str | None,
    pubid: str | None,
    notation_name: str | None,
) -> None:
    raise EntitiesForbidden(name, value, base, sysid, pubid, notation_name)


def _forbid_unparsed_entity(
    name: str, base: str | None, sysid: str | None, pubid: str | None, notation_name: str | None
) -> None:
    raise EntitiesForbidden(name, None, base, sysid, pubid, notation_name)


def _forbid_external(
    context: str | None, base: str | None, sysid: str | None, pubid: str | None
) -> None:
    raise ExternalReferenceForbidden(context, base, sysid, pubid)


def defused_parser() -> expat.XMLParserType:
    """A new expat parser that refuses DTDs, entity declarations and external references as
    defusedxml's does, giving text in as few calls as expat can (``buffer_text``) and
    attributes as a plain list (``ordered_attributes``: no dict built per element)."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _forbid_dtd
    parser.EntityDeclHandler = _forbid_entity
    parser.UnparsedEntityDeclHandler = _forbid_unparsed_entity
    parser.ExternalEntityRefHandler = _forbid_external
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    parser.ordered_attributes = True
    return parser
