"""The report's tables: a text cell that a spreadsheet would run (once copied into one) is
shown with a leading quote; numbers keep their sign; everything is HTML-escaped."""

from tip_pipeline.reports.html import table


def test_a_hostile_area_name_is_inert_and_escaped_and_numbers_keep_their_sign():
    html = table(
        "t",
        "caption",
        ["Area", "Change"],
        [['=HYPERLINK("http://example.org")', "-1.2"], ["Leeds", "@SUM(A1)"]],
        "published.indicator_values",
    )
    quote = "&#x27;"  # html.escape's ', which the browser shows as '
    assert f'<th scope="row">{quote}=HYPERLINK(&quot;http://example.org&quot;)</th>' in html
    assert '<td class="num">-1.2</td>' in html
    assert f"<td>{quote}@SUM(A1)</td>" in html and '<th scope="row">Leeds</th>' in html
