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

from collections.abc import Iterable, Mapping
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


class ParseStopped(Exception):
    """Why a parse stopped (``parse``): the line and the kind of problem, in the caller's own
    words for the protections, never the document's text."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(line, reason)
        self.line, self.reason = line, reason


def parse(
    parser: expat.XMLParserType,
    pieces: Iterable[bytes],
    forbidden: Mapping[type[Exception], str],
    final: bool = True,
) -> None:
    """Hand ``pieces`` to ``parser``, then say the document has ended if ``final``. A document
    expat cannot read, or a construct the protections refuse (``forbidden``: each of
    ``FORBIDDEN_ERRORS`` -> the reason to give), raises :class:`ParseStopped`; the handlers'
    own exceptions pass through. expat's messages are the fixed texts of its error table and
    defusedxml's exceptions are never shown, so nothing of the document is in the reason."""
    try:
        for piece in pieces:
            parser.Parse(piece, False)
        if final:
            parser.Parse(b"", True)
    except expat.ExpatError as error:
        reason = f"not well-formed XML ({expat.ErrorString(error.code)})"
        raise ParseStopped(error.lineno, reason) from None
    except FORBIDDEN_ERRORS as error:
        reason = next(why for kind, why in forbidden.items() if isinstance(error, kind))
        raise ParseStopped(parser.CurrentLineNumber, reason) from None
