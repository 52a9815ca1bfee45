"""Intake: a local authority's raw DfE returns (SSDA903 tables or XML, CIN census XML)
converted into the project's pseudonymised contract files (docs/CONVENTIONS.md, "Raw returns
(intake)").

Plain Python, no Dagster. These modules are the converters every reader uses: keyed
pseudonyms (``pseudonyms``), dates as the returns and spreadsheets write them (``dates``) and
postcodes to LSOA 2021 through the ONS lookup (``postcodes``).

The readers: ``tables`` reads one raw table as an authority holds it (a CSV in UTF-8, or the
first sheet of an XLSX workbook), every value as written, each record with its line or row;
``ssda903`` recognises DfE's SSDA903 Header, Episodes, Missing, Reviews, OC2 and OC3 tables
by their header (the raw layouts declared as data), converts them into the ``ssda903_*``
extracts and accounts for every record read (written, or refused with file, line, column and
reason, never a value); ``ssda903_xml`` reads the same return as DfE's XML (root
``EXPSSDA903``, its elements declared in ``ssda903_xml_layout``), streamed with the same
protections as the CIN census, into the same raw tables, converted by ``ssda903``'s own
conversion; ``cin_xml`` reads DfE's CIN census return (XML), streamed through
expat with defusedxml's protections (``safe_expat``: DTDs, entities and external references
forbidden), recognised by its content (a ``Message`` whose header's Collection is ``CIN``, its
year told by the ReferenceDate), and converts every Child, CINdetails, Assessments,
ChildProtectionPlans and Section47 element into a row of ``cin_children``, ``cin_episodes``,
``cin_assessments``, ``cin_cp_plans`` and ``cin_section47``, with the same account per table;
the census's records are declared as data in ``cin_layout`` and converted in batches by
``cin_convert``.
"""
