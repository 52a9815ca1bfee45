"""The report's sections, one module each: its own queries of the published layer (rows
several sections share are in ``reports.data``), its sentences and its chart (the chart kinds
and SVG primitives are in ``reports.charts``), behind one function,
``render(conn, report) -> html.Section | None`` (None: the section has nothing to show and is
left out). ``reports.build.SECTIONS`` lists them in the order the report shows them."""
