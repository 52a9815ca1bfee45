"""Charts as hand-written inline SVG: no library, no script, nothing fetched.

Every chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>`` (the alt
text), with axis titles, and the report puts a data table beside it. Colours are the
Okabe-Ito palette (Okabe & Ito 2008, "Color universal design"), distinguishable with the
common colour-vision deficiencies; series also differ by marker shape or line dash, so that
nothing is told by colour alone and a grey-scale print still reads.

Missing and suppressed figures are never drawn as zero: a suppressed point is left out and
marked with an "s" on the axis, and a suppressed bar is a labelled gap.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Final

import numpy as np

#: Okabe-Ito
BLACK: Final = "#000000"
ORANGE: Final = "#E69F00"
SKY_BLUE: Final = "#56B4E9"
GREEN: Final = "#009E73"
YELLOW: Final = "#F0E442"
BLUE: Final = "#0072B2"
VERMILLION: Final = "#D55E00"
PURPLE: Final = "#CC79A7"
GREY: Final = "#6B6B6B"
PALETTE: Final = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY_BLUE, YELLOW, BLACK)

WIDTH: Final = 640
_SUPPRESSED_CLASS: Final = ' class="suppressed-mark"'
#: what a plotted line or marker carries, so that labels can be kept off it (and tested to be)
_MARK: Final = ' class="mark"'
FONT: Final = 12


@dataclass(frozen=True)
class Chart:
    """One rendered chart: its SVG and the texts that label it."""

    id: str
    title: str
    description: str
    svg: str
    #: the points a chart could not name for want of room (their names are in its table)
    unlabelled: tuple[str, ...] = ()


@dataclass(frozen=True)
class Series:
    """Values (with optional limits) for the categories of a chart, in order."""

    name: str
    values: Sequence[float]
    lower: Sequence[float] | None = None
    upper: Sequence[float] | None = None
    suppressed: Sequence[bool] | None = None
    colour: str = BLUE
    marker: str = "circle"
    dash: str = ""


@dataclass
class _Frame:
    """Plot area inside the SVG, and the SVG elements drawn so far."""

    width: int
    height: int
    left: int = 70
    right: int = 20
    top: int = 20
    bottom: int = 50
    parts: list[str] = field(default_factory=list)
    #: what is drawn so far that a label must not cover: texts and markers, plotted lines
    boxes: list[Box] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)

    @property
    def x0(self) -> float:
        return self.left

    @property
    def x1(self) -> float:
        return self.width - self.right

    @property
    def y0(self) -> float:
        return self.height - self.bottom

    @property
    def y1(self) -> float:
        return self.top

    @property
    def plot(self) -> Box:
        return Box(self.x0, self.y1, self.x1, self.y0)


def _ok(x: float | None) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def _n(x: float) -> str:
    """A coordinate, short."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


# -- label layout: where a label can go without covering a line, a marker or another text ---

#: Arial's (and Helvetica's, Liberation Sans') advance widths in thousandths of an em, for the
#: characters that differ from the common 556 (digits and most lower-case letters)
_ADVANCE: Final = {
    **dict.fromkeys("'", 191),
    **dict.fromkeys("ijl|", 222),
    **dict.fromkeys(" !,./:;I[\\]ft", 278),
    **dict.fromkeys('()-r`"*', 333),
    **dict.fromkeys("cksvxyzJ", 500),
    **dict.fromkeys("+<=>~", 584),
    **dict.fromkeys("FTZ", 611),
    **dict.fromkeys("ABEKPSVXY&", 667),
    **dict.fromkeys("CDHNRUw", 722),
    **dict.fromkeys("GOQ", 778),
    **dict.fromkeys("Mm", 833),
    **dict.fromkeys("%", 889),
    **dict.fromkeys("W", 944),
}
#: how far a text's box reaches above and below its baseline, in ems (Arial's ascent, descent)
_ASCENT: Final = 0.905
_DESCENT: Final = 0.212

#: a straight line from (x1, y1) to (x2, y2)
Segment = tuple[float, float, float, float]


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in the SVG's user units (y downwards)."""

    left: float
    top: float
    right: float
    bottom: float

    def meets(self, other: Box) -> bool:
        """Whether the two boxes overlap (touching edges do not)."""
        return (
            self.left < other.right
            and other.left < self.right
            and self.top < other.bottom
            and other.top < self.bottom
        )

    def inside(self, other: Box) -> bool:
        """Whether this box lies wholly within ``other``."""
        return (
            self.left >= other.left
            and self.right <= other.right
            and self.top >= other.top
            and self.bottom <= other.bottom
        )

    def grown(self, by: float) -> Box:
        """The box with ``by`` added on every side."""
        return Box(self.left - by, self.top - by, self.right + by, self.bottom + by)


def text_width(label: str, size: float = FONT) -> float:
    """The width of ``label`` set in Arial at ``size`` px, from the font's advance widths.

    The report names Arial first (Liberation Sans, metric-compatible, where Arial is absent),
    so this is the width a browser draws, to within kerning: labels are placed from it
    without a browser at build time."""
    return sum(_ADVANCE.get(c, 667 if c.isupper() else 556) for c in label) * size / 1000


def text_box(x: float, y: float, label: str, size: float = FONT, anchor: str = "start") -> Box:
    """The box a ``<text>`` at (``x``, ``y``: its baseline) with ``text-anchor`` covers."""
    width = text_width(label, size)
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return Box(left, y - _ASCENT * size, left + width, y + _DESCENT * size)


def crosses(box: Box, segment: Segment) -> bool:
    """Whether ``segment`` passes through ``box`` (Liang-Barsky clipping: the part of the
    segment's parameter range inside all four edges is not empty)."""
    x1, y1, x2, y2 = segment
    dx, dy = x2 - x1, y2 - y1
    start, end = 0.0, 1.0
    for p, q in (
        (-dx, x1 - box.left),
        (dx, box.right - x1),
        (-dy, y1 - box.top),
        (dy, box.bottom - y1),
    ):
        if p == 0:
            if q < 0:
                return False
        elif p < 0:
            start = max(start, q / p)
        else:
            end = min(end, q / p)
    return start <= end


#: SVG units around a box within which a segment gets the exact test (:func:`near`)
NEAR: Final = 1.0


def segment_extents(segments: Sequence[Segment]) -> np.ndarray:
    """Each segment's extent: (lowest x, lowest y, highest x, highest y), a row each."""
    ends = np.asarray(segments, dtype=float).reshape(-1, 4)
    return np.column_stack(
        [
            np.minimum(ends[:, 0], ends[:, 2]),
            np.minimum(ends[:, 1], ends[:, 3]),
            np.maximum(ends[:, 0], ends[:, 2]),
            np.maximum(ends[:, 1], ends[:, 3]),
        ]
    )


def near(extents: np.ndarray, box: Box) -> np.ndarray:
    """The segments (indices, in order) whose extent comes within ``NEAR`` of ``box``, or that
    have a coordinate not finite: the only ones :func:`crosses` can find in it.

    A funnel's limits are some 300 segments, tested against each candidate of each label (most
    of a report's label placing): a segment wholly beyond a side of the box by more than
    ``NEAR`` leaves ``crosses``' parameter range empty by far more than rounding (its ratio is
    past 0 or 1 by ``NEAR`` over the segment's length), so passing it over changes no answer.
    """
    reach = (
        (extents[:, 2] >= box.left - NEAR)
        & (extents[:, 0] <= box.right + NEAR)
        & (extents[:, 3] >= box.top - NEAR)
        & (extents[:, 1] <= box.bottom + NEAR)
    )
    return np.flatnonzero(reach | ~np.isfinite(extents).all(axis=1))


def place_labels(
    candidates: Sequence[Sequence[Box]],
    bounds: Box,
    boxes: Sequence[Box] = (),
    segments: Sequence[Segment] = (),
) -> list[Box | None]:
    """For each label (most important first), the first of its candidate boxes that lies in
    ``bounds`` and meets none of ``boxes`` (markers, texts), ``segments`` (plotted lines) or
    the labels placed before it; None for a label none of whose candidates is free.

    Greedy first fit, because a chart has a handful of labels and a few places for each:
    the order alone decides which labels win when not all fit, so a caller that puts the
    most important first (the most extreme ward) knows that those left out are the least,
    and can say where they are instead."""
    placed: list[Box] = []
    out: list[Box | None] = []
    extents = segment_extents(segments)
    for options in candidates:
        chosen = next(
            (
                c
                for c in options
                if c.inside(bounds)
                and not any(c.meets(b) for b in (*boxes, *placed))
                and not any(crosses(c, segments[i]) for i in near(extents, c))
            ),
            None,
        )
        if chosen is not None:
            placed.append(chosen)
        out.append(chosen)
    return out


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (1, 2, 2.5 or 5 times a power of ten)."""
    if not (_ok(low) and _ok(high)):
        return [0.0, 1.0]
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    tick = start
    while tick < high + step * 0.999:
        ticks.append(round(tick, 10))
        tick += step
    return ticks


def _tick_label(x: float) -> str:
    if x == 0:
        return "0"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.4g}"


class _Linear:
    def __init__(self, lo: float, hi: float, out_lo: float, out_hi: float) -> None:
        self.lo, self.hi, self.out_lo, self.out_hi = lo, hi, out_lo, out_hi

    def __call__(self, x: float) -> float:
        span = self.hi - self.lo or 1.0
        return self.out_lo + (x - self.lo) / span * (self.out_hi - self.out_lo)


def _extent(*seqs: Sequence[float] | None, include_zero: bool = False) -> tuple[float, float]:
    values = [float(v) for s in seqs if s is not None for v in s if _ok(v)]
    if include_zero:
        values.append(0.0)
    if not values:
        return 0.0, 1.0
    return min(values), max(values)


def _svg(frame: _Frame, chart_id: str, title: str, description: str) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{chart_id}" class="chart" role="img" '
        f'viewBox="0 0 {frame.width} {frame.height}" width="{frame.width}" '
        f'height="{frame.height}" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="Arial, Helvetica, sans-serif" font-size="{FONT}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )
    return head + "".join(frame.parts) + "</svg>"


def _text(
    frame: _Frame,
    x: float,
    y: float,
    label: str,
    anchor: str = "middle",
    extra: str = "",
    size: float = FONT,
) -> None:
    """A text at (``x``, ``y``: its baseline); its box is kept unless it is rotated."""
    sized = f' font-size="{_n(size)}"' if size != FONT else ""
    frame.parts.append(
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}"{sized}{extra}>{escape(label)}</text>'
    )
    if "transform" not in extra:
        frame.boxes.append(text_box(x, y, label, size, anchor))


def _line(
    frame: _Frame,
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    colour: str = GREY,
    extra: str = "",
    mark: bool = False,
) -> None:
    """A line; ``mark``: a plotted one, which labels keep off."""
    cls = _MARK if mark else ""
    frame.parts.append(
        f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{colour}"'
        f"{extra}{cls}/>"
    )
    if mark:
        frame.segments.append((x1, y1, x2, y2))


def _polyline(
    frame: _Frame, points: Sequence[tuple[float, float]], colour: str, extra: str = ""
) -> None:
    """A plotted line through ``points`` (user units), which labels keep off."""
    path = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
    frame.parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}"{extra}{_MARK}/>')
    frame.segments.extend((*a, *b) for a, b in itertools.pairwise(points))


def _marker(
    frame: _Frame, x: float, y: float, shape: str, colour: str, label: str, mark: bool = True
) -> None:
    """A point's marker (``mark``: of the data, not the legend) with its value as a tooltip."""
    tip = f"<title>{escape(label)}</title>"
    cls = _MARK if mark else ""
    if mark:
        frame.boxes.append(Box(x - 5, y - 5, x + 5, y + 5))
    if shape == "diamond":
        d = 5
        points = f"{_n(x)},{_n(y - d)} {_n(x + d)},{_n(y)} {_n(x)},{_n(y + d)} {_n(x - d)},{_n(y)}"
        frame.parts.append(f'<polygon points="{points}" fill="{colour}"{cls}>{tip}</polygon>')
    elif shape == "square":
        frame.parts.append(
            f'<rect x="{_n(x - 4)}" y="{_n(y - 4)}" width="8" height="8" fill="{colour}"{cls}>'
            f"{tip}</rect>"
        )
    elif shape == "triangle":
        points = f"{_n(x)},{_n(y - 5)} {_n(x + 5)},{_n(y + 4)} {_n(x - 5)},{_n(y + 4)}"
        frame.parts.append(f'<polygon points="{points}" fill="{colour}"{cls}>{tip}</polygon>')
    else:
        frame.parts.append(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4" fill="{colour}"{cls}>{tip}</circle>'
        )


def _y_axis(frame: _Frame, scale: _Linear, ticks: list[float], label: str) -> None:
    for tick in ticks:
        y = scale(tick)
        _line(frame, frame.x0, y, frame.x1, y, "#DDDDDD")
        _text(frame, frame.x0 - 6, y + 4, _tick_label(tick), "end")
    _line(frame, frame.x0, frame.y0, frame.x0, frame.y1, BLACK)
    mid = (frame.y0 + frame.y1) / 2
    _text(frame, 14, mid, label, extra=f' transform="rotate(-90 14 {_n(mid)})" class="axis-title"')


def _x_axis_title(frame: _Frame, label: str) -> None:
    _line(frame, frame.x0, frame.y0, frame.x1, frame.y0, BLACK)
    _text(frame, (frame.x0 + frame.x1) / 2, frame.height - 8, label, extra=' class="axis-title"')


def _legend(frame: _Frame, items: Sequence[tuple[str, str, str, str]]) -> None:
    """Legend in the top margin: (label, colour, marker or 'line', dash)."""
    x = frame.x0
    for label, colour, shape, dash in items:
        if shape == "line":
            dashed = f' stroke-dasharray="{dash}"' if dash else ""
            _line(frame, x, 12, x + 18, 12, colour, f' stroke-width="2"{dashed}')
            x += 22
        elif shape == "band":
            frame.parts.append(
                f'<rect x="{_n(x)}" y="6" width="18" height="12" fill="{colour}" '
                'fill-opacity="0.35"/>'
            )
            x += 22
        else:
            _marker(frame, x + 5, 12, shape, colour, label, mark=False)
            x += 14
        _text(frame, x, 16, label, "start")
        x += text_width(label) + 16


def _whisker(frame: _Frame, x: float, lo: float, hi: float, colour: str) -> None:
    for x1, y1, x2, y2 in ((x, lo, x, hi), (x - 4, lo, x + 4, lo), (x - 4, hi, x + 4, hi)):
        _line(frame, x1, y1, x2, y2, colour, ' stroke-width="1.5"', mark=True)


def _at(seq: Sequence[float] | Sequence[bool] | None, i: int) -> float | None:
    return None if seq is None else seq[i]


#: how far below the x axis its tick labels' baselines lie: clear of the y axis' lowest label
_X_TICK_DROP: Final = 19
#: room kept round a label, so that it does not touch what it avoids
_LABEL_PAD: Final = 2


def _label(frame: _Frame, box: Box, label: str, size: float) -> None:
    """``label`` drawn in ``box`` (a placed candidate, padded by ``_LABEL_PAD``)."""
    baseline = box.bottom - _LABEL_PAD - _DESCENT * size
    _text(frame, box.left + _LABEL_PAD, baseline, label, "start", ' class="label"', size)


def _padded(left: float, top: float, label: str, size: float) -> Box:
    """The padded box of ``label`` whose text box has its top-left corner at (left, top)."""
    height = (_ASCENT + _DESCENT) * size
    return Box(left, top, left + text_width(label, size), top + height).grown(_LABEL_PAD)


def baseline_candidates(
    edges: Sequence[float], y: float, label: str, size: float = FONT
) -> list[Box]:
    """Places for the baseline's label, just above or below its line at ``y``: at the right
    end first (where a reader looks for it), then the left end, then centred on each of the
    column ``edges`` (between two years) from the right."""
    width = text_width(label, size)
    height = (_ASCENT + _DESCENT) * size
    gap = _LABEL_PAD + 2
    lefts = [edges[-1] - width - gap, edges[0] + gap]
    lefts += [e - width / 2 for e in reversed(edges[1:-1])]
    return [
        _padded(left, top, label, size) for left in lefts for top in (y - gap - height, y + gap)
    ]


def trend_chart(
    chart_id: str,
    title: str,
    description: str,
    periods: Sequence[str],
    series: Sequence[Series],
    y_label: str,
    baseline: tuple[str, float] | None = None,
) -> Chart:
    """Values over years with 95% limits (whiskers), comparators as dashed lines, and a
    horizontal reference line at the baseline year's value, labelled where the label covers
    no line or marker (in the legend when there is no such place)."""
    frame = _Frame(WIDTH, 300, top=30)
    lo, hi = _extent(*[v for s in series for v in (s.values, s.lower, s.upper)], include_zero=True)
    ticks = nice_ticks(lo, hi)
    y = _Linear(ticks[0], ticks[-1], frame.y0, frame.y1)
    step = (frame.x1 - frame.x0) / max(len(periods), 1)
    xs = [frame.x0 + step * (i + 0.5) for i in range(len(periods))]
    _y_axis(frame, y, ticks, y_label)
    _x_axis_title(frame, "Reporting year (April to March)")
    for x, period in zip(xs, periods, strict=True):
        _text(frame, x, frame.y0 + _X_TICK_DROP, period)
    yb = None
    if baseline is not None and _ok(baseline[1]):
        yb = y(baseline[1])
        _line(frame, frame.x0, yb, frame.x1, yb, BLACK, ' stroke-dasharray="2 3"', mark=True)
    legend = []
    for s in series:
        _draw_series_over_x(frame, xs, y, s)
        legend.append((s.name, s.colour, s.marker, s.dash))
    if baseline is not None and yb is not None:
        label = f"baseline {baseline[0]}"
        edges = [frame.x0 + step * i for i in range(len(periods) + 1)]
        [box] = place_labels(
            [baseline_candidates(edges, yb, label)], frame.plot, frame.boxes, frame.segments
        )
        if box is None:
            legend.append((label, BLACK, "line", "2 3"))
        else:
            _label(frame, box, label, FONT)
    _legend(frame, legend)
    return Chart(chart_id, title, description, _svg(frame, chart_id, title, description))


def _draw_series_over_x(frame: _Frame, xs: Sequence[float], y: _Linear, s: Series) -> None:
    dashed = f' stroke-dasharray="{s.dash}"' if s.dash else ""
    points = [(x, y(float(v))) for x, v in zip(xs, s.values, strict=True) if _ok(v)]
    if len(points) > 1:
        _polyline(frame, points, s.colour, f' stroke-width="2"{dashed}')
    for i, x in enumerate(xs):
        if _at(s.suppressed, i):
            _text(frame, x, frame.y0 - 4, "s", extra=_SUPPRESSED_CLASS)
            continue
        value, lower, upper = s.values[i], _at(s.lower, i), _at(s.upper, i)
        if _ok(lower) and _ok(upper):
            assert lower is not None and upper is not None
            _whisker(frame, x, y(lower), y(upper), s.colour)
        if _ok(value):
            _marker(frame, x, y(value), s.marker, s.colour, f"{s.name}: {value:.4g}")


def decile_chart(
    chart_id: str,
    title: str,
    description: str,
    deciles: Sequence[int],
    values: Series,
    fitted: Sequence[float] | None,
    y_label: str,
) -> Chart:
    """Bars by IMD decile (1 = most deprived) with 95% limits, and the SII line: the fitted
    values of the population-weighted regression on the deciles' relative rank."""
    frame = _Frame(WIDTH, 300, top=30)
    lo, hi = _extent(values.values, values.upper, fitted, include_zero=True)
    ticks = nice_ticks(lo, hi)
    y = _Linear(ticks[0], ticks[-1], frame.y0, frame.y1)
    step = (frame.x1 - frame.x0) / max(len(deciles), 1)
    xs = [frame.x0 + step * (i + 0.5) for i in range(len(deciles))]
    _y_axis(frame, y, ticks, y_label)
    _x_axis_title(frame, "IMD decile (national): 1 = most deprived, 10 = least deprived")
    for i, (x, decile) in enumerate(zip(xs, deciles, strict=True)):
        _text(frame, x, frame.y0 + _X_TICK_DROP, str(decile))
        value = values.values[i]
        if _at(values.suppressed, i) or not _ok(value):
            mark = "suppressed" if _at(values.suppressed, i) else "n/a"
            _text(frame, x, frame.y0 - 6, mark, extra=_SUPPRESSED_CLASS, size=9)
            continue
        top, base = y(float(value)), y(max(ticks[0], 0.0))
        frame.parts.append(
            f'<rect x="{_n(x - step * 0.35)}" y="{_n(min(top, base))}" width="{_n(step * 0.7)}" '
            f'height="{_n(abs(base - top))}" fill="{SKY_BLUE}"{_MARK}>'
            f"<title>Decile {decile}: {value:.4g}</title></rect>"
        )
        lower, upper = _at(values.lower, i), _at(values.upper, i)
        if _ok(lower) and _ok(upper):
            assert lower is not None and upper is not None
            _whisker(frame, x, y(lower), y(upper), BLACK)
    legend = [("value with 95% limits", SKY_BLUE, "square", "")]
    if fitted is not None:
        points = [(x, y(v)) for x, v in zip(xs, fitted, strict=True) if _ok(v)]
        _polyline(frame, points, VERMILLION, ' stroke-width="2.5" stroke-dasharray="8 4"')
        legend.append(("SII line (fitted)", VERMILLION, "line", "8 4"))
    _legend(frame, legend)
    return Chart(chart_id, title, description, _svg(frame, chart_id, title, description))


@dataclass(frozen=True)
class FunnelPoint:
    name: str
    denominator: float
    value: float
    outside: str  # "" | "95" | "99.8", and above/below by the value's side of the benchmark


#: the size of the funnel plot's ward names
FUNNEL_LABEL_SIZE: Final = 10


def interpolate(xs: Sequence[float], ys: Sequence[float], x: float) -> float:
    """``ys`` at ``x``, linearly between the two nearest of the increasing ``xs`` (the end
    values beyond them): a control limit at a ward's denominator, from the drawn curve."""
    pairs = [(a, b) for a, b in zip(xs, ys, strict=True) if _ok(b)]
    if not pairs:
        return math.nan
    if x <= pairs[0][0]:
        return pairs[0][1]
    for (xa, ya), (xb, yb) in itertools.pairwise(pairs):
        if x <= xb:
            return ya + (yb - ya) * (x - xa) / ((xb - xa) or 1.0)
    return pairs[-1][1]


def outlier_order(
    points: Sequence[FunnelPoint],
    benchmark: float,
    curve_x: Sequence[float],
    limits: tuple[Sequence[float], Sequence[float]] | None,
) -> list[FunnelPoint]:
    """The points outside the 99.8% limits, most extreme first: by how many times the
    distance of its 99.8% limit from the benchmark a point lies from it (so that a small
    ward far out, where the funnel is wide, ranks by its own limit, not by its raw value)."""

    def extremeness(p: FunnelPoint) -> float:
        distance = abs(p.value - benchmark)
        if limits is None:
            return distance
        limit = interpolate(curve_x, limits[1] if p.value > benchmark else limits[0], p.denominator)
        half = abs(limit - benchmark)
        return distance / half if _ok(half) and half > 0 else distance

    return sorted((p for p in points if p.outside == "99.8"), key=extremeness, reverse=True)


def funnel_label_candidates(
    px: float, py: float, label: str, size: float = FUNNEL_LABEL_SIZE
) -> list[Box]:
    """Places for a ward's name by its point at (``px``, ``py``): beside it right then left,
    above and below it, then further up or down (joined to the point by a leader line)."""
    width = text_width(label, size)
    height = (_ASCENT + _DESCENT) * size
    right, left = px + 8, px - 8 - width
    middle = py - height / 2
    spots = [(right, middle), (left, middle)]
    spots += [(x, y) for y in (py - 7 - height, py + 7) for x in (px - 2, px + 2 - width)]
    for k in range(1, 4):
        shift = k * (height + 2 * _LABEL_PAD + 1)
        spots += [(x, middle + d) for d in (-shift, shift) for x in (right, left)]
    return [_padded(x, y, label, size) for x, y in spots]


def _leader(frame: _Frame, px: float, py: float, box: Box) -> None:
    """A thin line from a point to its label, when the label is not next to it."""
    nx, ny = min(max(px, box.left), box.right), min(max(py, box.top), box.bottom)
    if math.hypot(nx - px, ny - py) > 10:
        _line(frame, px, py, nx, ny, GREY, ' stroke-width="0.75"')


def funnel_chart(
    chart_id: str,
    title: str,
    description: str,
    points: Sequence[FunnelPoint],
    benchmark: float,
    curve_x: Sequence[float],
    limits: dict[str, tuple[Sequence[float], Sequence[float]]],
    x_label: str,
    y_label: str,
) -> Chart:
    """Wards' values against their denominators, with control limits around the LA value
    (95%: dashed, 99.8%: solid). Wards outside 99.8% are named, most extreme first, each
    where its name covers no line, marker or other name; those for which there is no such
    place are listed in the chart's description (and ``Chart.unlabelled``)."""
    frame = _Frame(WIDTH, 360, top=30)
    curves = [c for pair in limits.values() for c in pair]
    lo, hi = _extent([p.value for p in points], [benchmark], *curves, include_zero=True)
    ticks = nice_ticks(lo, hi)
    x_ticks = nice_ticks(
        min([*curve_x, *(p.denominator for p in points)], default=0.0),
        max([*curve_x, *(p.denominator for p in points)], default=1.0),
    )
    x = _Linear(x_ticks[0], x_ticks[-1], frame.x0, frame.x1)
    y = _Linear(ticks[0], ticks[-1], frame.y0, frame.y1)
    _y_axis(frame, y, ticks, y_label)
    _x_axis_title(frame, x_label)
    for tick in x_ticks:
        _text(frame, x(tick), frame.y0 + _X_TICK_DROP, _tick_label(tick))
    clip = f"{chart_id}-clip"
    frame.parts.append(
        f'<clipPath id="{clip}"><rect x="{_n(frame.x0)}" y="{_n(frame.y1)}" '
        f'width="{_n(frame.x1 - frame.x0)}" height="{_n(frame.y0 - frame.y1)}"/></clipPath>'
    )
    styles = {"95": ("6 4", GREY), "99.8": ("", BLACK)}
    for level, (lows, highs) in limits.items():
        dash, colour = styles.get(level, ("", GREY))
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        for curve in (lows, highs):
            drawn = [(x(cx), y(cy)) for cx, cy in zip(curve_x, curve, strict=True) if _ok(cy)]
            _polyline(frame, drawn, colour, f' stroke-width="1.5"{dashed} clip-path="url(#{clip})"')
    yb = y(benchmark)
    _line(frame, frame.x0, yb, frame.x1, yb, BLUE, ' stroke-width="2"', mark=True)
    for p in points:
        colour, shape = {
            "99.8": (VERMILLION, "triangle"),
            "95": (ORANGE, "square"),
        }.get(p.outside, (BLUE, "circle"))
        _marker(frame, x(p.denominator), y(p.value), shape, colour, f"{p.name}: {p.value:.4g}")
    ranked = outlier_order(points, benchmark, curve_x, limits.get("99.8"))
    spots = [(x(p.denominator), y(p.value), p.name) for p in ranked]
    unlabelled = _funnel_labels(frame, spots)
    _legend(
        frame,
        [
            ("LA value", BLUE, "line", ""),
            ("95% limits", GREY, "line", "6 4"),
            ("99.8% limits", BLACK, "line", ""),
            ("outside 95%", ORANGE, "square", ""),
            ("outside 99.8%", VERMILLION, "triangle", ""),
        ],
    )
    if unlabelled:
        description += (
            f" {len(unlabelled)} of the {len(ranked)} wards outside the 99.8% limits are not "
            f"named on the chart for want of room: {', '.join(unlabelled)}. Every ward is in "
            "the table."
        )
    svg = _svg(frame, chart_id, title, description)
    return Chart(chart_id, title, description, svg, tuple(unlabelled))


def _funnel_labels(frame: _Frame, spots: Sequence[tuple[float, float, str]]) -> list[str]:
    """Names by their points (x, y, name; most important first) where they fit; the names
    left out."""
    candidates = [funnel_label_candidates(px, py, name) for px, py, name in spots]
    placed = place_labels(candidates, frame.plot, frame.boxes, frame.segments)
    left_out = []
    for (px, py, name), box in zip(spots, placed, strict=True):
        if box is None:
            left_out.append(name)
            continue
        _leader(frame, px, py, box)
        _label(frame, box, name, FUNNEL_LABEL_SIZE)
    return left_out


def _category_labels_width(labels: Sequence[Sequence[str]]) -> int:
    """The left margin the (wrapped) category labels of a horizontal chart need."""
    return 16 + math.ceil(max((text_width(line) for w in labels for line in w), default=60.0))


def hbar_chart(
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    x_label: str,
    dots: bool = False,
) -> Chart:
    """Horizontal bars (or dots) by category, one bar per series, with 95% limits; a vertical
    line at zero when the axis spans it (for differences)."""
    rows = len(categories)
    wrapped = [wrap(c) for c in categories]
    band = max(14 * max(len(series), 1), 14 * max((len(w) for w in wrapped), default=1)) + 12
    left = _category_labels_width(wrapped)
    frame = _Frame(WIDTH + left - 70, 40 + 50 + band * rows, left=left, top=40)
    lo, hi = _extent(
        *[v for s in series for v in (s.values, s.lower, s.upper)], include_zero=not dots
    )
    if dots:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    ticks = nice_ticks(lo, hi)
    x = _Linear(ticks[0], ticks[-1], frame.x0, frame.x1)
    for tick in ticks:
        _line(frame, x(tick), frame.y1, x(tick), frame.y0, "#DDDDDD")
        _text(frame, x(tick), frame.y0 + _X_TICK_DROP, _tick_label(tick))
    _x_axis_title(frame, x_label)
    if ticks[0] < 0 < ticks[-1]:
        _line(frame, x(0), frame.y1, x(0), frame.y0, BLACK)
    for r in range(rows):
        top = frame.y1 + band * r + 6
        lines = wrapped[r]
        first = top + band / 2 + 4 - 7 * (len(lines) - 1)
        for k, line in enumerate(lines):
            _text(frame, frame.x0 - 6, first + 14 * k, line, "end")
        for k, s in enumerate(series):
            cy = top + 7 + 14 * k
            _hbar(frame, x, cy, s, r, dots, ticks)
    _legend(frame, [(s.name, s.colour, "square" if not dots else s.marker, "") for s in series])
    return Chart(chart_id, title, description, _svg(frame, chart_id, title, description))


def wrap(label: str, width: int = 34) -> list[str]:
    """``label`` cut into lines of at most ``width`` characters, at spaces."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _hbar(
    frame: _Frame, x: _Linear, cy: float, s: Series, r: int, dots: bool, ticks: list[float]
) -> None:
    value = s.values[r]
    if _at(s.suppressed, r):
        _text(frame, frame.x0 + 4, cy + 4, f"{s.name}: suppressed", "start", _SUPPRESSED_CLASS)
        return
    if not _ok(value):
        return
    v = float(value)
    if dots:
        _marker(frame, x(v), cy, s.marker, s.colour, f"{s.name}: {v:.4g}")
    else:
        base = x(max(ticks[0], 0.0))
        frame.parts.append(
            f'<rect x="{_n(min(base, x(v)))}" y="{_n(cy - 5)}" width="{_n(abs(x(v) - base))}" '
            f'height="10" fill="{s.colour}"{_MARK}><title>{escape(s.name)}: {v:.4g}</title></rect>'
        )
    _hwhisker(frame, x, cy, _at(s.lower, r), _at(s.upper, r))


def _hwhisker(
    frame: _Frame, x: _Linear, cy: float, lower: float | None, upper: float | None
) -> None:
    """A horizontal 95% limits whisker at height ``cy``, when both limits are known."""
    if not (_ok(lower) and _ok(upper)):
        return
    assert lower is not None and upper is not None
    xl, xu = x(lower), x(upper)
    for x1, y1, x2, y2 in ((xl, cy, xu, cy), (xl, cy - 4, xl, cy + 4), (xu, cy - 4, xu, cy + 4)):
        _line(frame, x1, y1, x2, y2, BLACK, ' stroke-width="1.5"', mark=True)


@dataclass(frozen=True)
class Dot:
    """One row of a panel: a value, with its 95% limits when it has them."""

    label: str
    value: float
    lower: float = math.nan
    upper: float = math.nan
    colour: str = BLUE
    marker: str = "circle"


@dataclass(frozen=True)
class Panel:
    """One panel of a small-multiples chart: its heading, its rows and its own axis' title
    (``suppressed``: the panel says so instead of plotting)."""

    heading: str
    x_label: str
    dots: Sequence[Dot]
    suppressed: bool = False


#: a panel's heading, one row and the room under its plot for tick labels, axis title and gap
_PANEL_HEAD: Final = 26
_PANEL_ROW: Final = 22
_PANEL_FOOT: Final = 48


def panel_height(panel: Panel) -> int:
    """The height a panel takes: its heading, one row per dot (one line when suppressed),
    and its axis under them."""
    if panel.suppressed:
        return _PANEL_HEAD + _PANEL_ROW + 16
    return _PANEL_HEAD + _PANEL_ROW * len(panel.dots) + _PANEL_FOOT


def small_multiples_chart(
    chart_id: str, title: str, description: str, panels: Sequence[Panel]
) -> Chart:
    """Dot panels stacked one above the other, each on its own horizontal scale (with a line
    at zero when it spans it): for figures in different units, which one scale would make
    unreadable (the panels' rows are named, so no legend is needed)."""
    left = _category_labels_width([[d.label] for p in panels for d in p.dots])
    heights = [panel_height(p) for p in panels]
    frame = _Frame(WIDTH + left - 70, 8 + sum(heights), left=left, top=8, bottom=0)
    top = float(frame.top)
    for panel, height in zip(panels, heights, strict=True):
        _panel(frame, panel, top)
        top += height
    return Chart(chart_id, title, description, _svg(frame, chart_id, title, description))


def _panel(frame: _Frame, panel: Panel, top: float) -> None:
    """One panel of ``small_multiples_chart``, from ``top`` down."""
    _text(frame, 4, top + 16, panel.heading, "start", ' class="panel-heading" font-weight="bold"')
    plot_top = top + _PANEL_HEAD
    if panel.suppressed:
        _text(frame, frame.x0 + 4, plot_top + 15, "suppressed", "start", _SUPPRESSED_CLASS)
        return
    bottom = plot_top + _PANEL_ROW * len(panel.dots)
    dots = panel.dots
    lo, hi = _extent([d.value for d in dots], [d.lower for d in dots], [d.upper for d in dots])
    ticks = nice_ticks(min(lo, 0.0), max(hi, 0.0), count=4)
    x = _Linear(ticks[0], ticks[-1], frame.x0, frame.x1)
    for tick in ticks:
        _line(frame, x(tick), plot_top, x(tick), bottom, "#DDDDDD")
        _text(frame, x(tick), bottom + _X_TICK_DROP - 3, _tick_label(tick))
    _line(frame, frame.x0, bottom, frame.x1, bottom, BLACK)
    if ticks[0] < 0 < ticks[-1]:
        _line(frame, x(0), plot_top, x(0), bottom, BLACK)
    mid = (frame.x0 + frame.x1) / 2
    _text(frame, mid, bottom + _X_TICK_DROP + 15, panel.x_label, extra=' class="axis-title"')
    for i, dot in enumerate(dots):
        cy = plot_top + _PANEL_ROW * i + _PANEL_ROW / 2
        _text(frame, frame.x0 - 6, cy + 4, dot.label, "end")
        if not _ok(dot.value):
            _text(frame, frame.x0 + 4, cy + 4, "not published", "start", _SUPPRESSED_CLASS)
            continue
        _hwhisker(frame, x, cy, dot.lower, dot.upper)
        _marker(frame, x(dot.value), cy, dot.marker, dot.colour, f"{dot.label}: {dot.value:.4g}")


#: the pyramid's row height, and the width of the column of ages between its two halves
_PYRAMID_ROW: Final = 16
_PYRAMID_GAP: Final = 40


def pyramid_chart(
    chart_id: str,
    title: str,
    description: str,
    ages: Sequence[str],
    left: Series,
    right: Series,
    x_label: str,
) -> Chart:
    """A population pyramid: one row per age (the youngest at the bottom), ``left``'s bars
    (females, by the convention of ONS's pyramids) growing leftwards and ``right``'s (males)
    rightwards from a central column of ages, both halves on one scale so that their lengths
    compare. Each half is named above it, so the sides are told by their names as well as
    their colours; a missing value draws no bar (never a bar of zero)."""
    rows = len(ages)
    frame = _Frame(WIDTH, 40 + 50 + _PYRAMID_ROW * rows, left=20, right=20, top=40)
    _, hi = _extent(left.values, right.values, include_zero=True)
    ticks = nice_ticks(0.0, hi if hi > 0 else 1.0, count=4)
    mid = (frame.x0 + frame.x1) / 2
    inner_left, inner_right = mid - _PYRAMID_GAP / 2, mid + _PYRAMID_GAP / 2
    span = inner_left - frame.x0
    halves = (
        (left, _Linear(0.0, ticks[-1], inner_left, inner_left - span)),
        (right, _Linear(0.0, ticks[-1], inner_right, inner_right + span)),
    )
    for _, scale in halves:
        for tick in ticks:
            x = scale(tick)
            _line(frame, x, frame.y1, x, frame.y0, "#DDDDDD")
            _text(frame, x, frame.y0 + _X_TICK_DROP, _tick_label(tick))
        _line(frame, scale(0.0), frame.y1, scale(0.0), frame.y0, BLACK)
        _line(frame, scale(0.0), frame.y0, scale(ticks[-1]), frame.y0, BLACK)
    _text(frame, mid, frame.height - 8, x_label, extra=' class="axis-title"')
    _text(frame, mid, 28, "Age", extra=' class="axis-title"')
    for series, scale in halves:
        centre = (scale(0.0) + scale(ticks[-1])) / 2
        _text(frame, centre, 28, series.name, extra=f' class="axis-title" fill="{series.colour}"')
        for i, age in enumerate(ages):
            value = series.values[i]
            if not _ok(value):
                continue
            v = float(value)
            top = frame.y1 + _PYRAMID_ROW * (rows - 1 - i) + 2
            x_end = scale(v)
            frame.parts.append(
                f'<rect x="{_n(min(x_end, scale(0.0)))}" y="{_n(top)}" '
                f'width="{_n(abs(x_end - scale(0.0)))}" height="{_n(_PYRAMID_ROW - 4)}" '
                f'fill="{series.colour}"{_MARK}><title>{escape(series.name)}, age {escape(age)}: '
                f"{v:,.0f}</title></rect>"
            )
    for i, age in enumerate(ages):
        baseline = frame.y1 + _PYRAMID_ROW * (rows - 1 - i) + _PYRAMID_ROW / 2 + 4
        _text(frame, mid, baseline, age)
    return Chart(chart_id, title, description, _svg(frame, chart_id, title, description))


# -- spine chart ------------------------------------------------------------------------------

#: the spine's two bands: the range of England's authorities, and their middle half (darker)
SPINE_RANGE: Final = "#D0D0D0"
SPINE_MIDDLE: Final = "#8C8C8C"
WHITE: Final = "#FFFFFF"
#: how the area's marker reads its comparison with England: (legend label, fill, shape), as
#: Fingertips' legend words it ("Better 95%", "Similar", "Worse 95%"; "Lower", "Higher" where
#: higher is neither better nor worse; "Not compared"); each its own shape as well as colour
SPINE_MARKERS: Final = {
    "better": ("Better (95%)", GREEN, "triangle"),
    "similar": ("Similar", ORANGE, "circle"),
    "worse": ("Worse (95%)", VERMILLION, "triangle-down"),
    "lower": ("Lower (95%)", SKY_BLUE, "square"),
    "higher": ("Higher (95%)", BLUE, "diamond"),
    "not compared": ("Not compared", WHITE, "circle"),
}
#: a spine row's least height, and its bar's
_SPINE_ROW: Final = 30
_SPINE_BAR: Final = 16
#: how much wider bold text is than ``text_width`` (Arial Bold's advances against Arial's)
_BOLD: Final = 1.15


@dataclass(frozen=True)
class Vertebra:
    """One row of a spine chart: an indicator's England (its value and its authorities'
    lowest, 25th and 75th percentiles and highest values) and the area's value.

    ``high_is_best``: whether the highest value is drawn at the right (the best end): False
    where higher is worse, True where higher is better and where there is no polarity (then
    the ends are lowest and highest, no judgement)."""

    label: str
    england: float
    lowest: float
    p25: float
    p75: float
    highest: float
    value: float
    value_text: str
    comparison: str
    high_is_best: bool
    suppressed: bool = False


def spine_position(
    x: float, england: float, lowest: float, highest: float, high_is_best: bool
) -> float:
    """Where ``x`` lies on a spine, 0 (left, worst) to 1 (right, best), England at 0.5.

    Fingertips scales each indicator so that England is central and the authority furthest
    from England reaches its end: half the spine is the larger of England - lowest and highest
    - England (fingertipscharts, ``spine_rescaler``; FingertipsNext, ``generateSeriesData``);
    where lower is better the scale is reversed, so the best is always on the right."""
    half = max(england - lowest, highest - england)
    at = 0.5 if half <= 0 else 0.5 + (x - england) / (2 * half)
    return at if high_is_best else 1 - at


def _outlined(
    frame: _Frame, x: float, y: float, shape: str, fill: str, tip: str, row: int | None = None
) -> None:
    """A marker outlined in black (Fingertips' markers are), with a tooltip: the area's on
    spine row ``row``, or (None) the legend's."""
    mark = "" if row is None else f' class="mark spine-marker" data-row="{row}"'
    body = f'fill="{fill}" stroke="{BLACK}" stroke-width="1"{mark}><title>{escape(tip)}</title>'
    d = 6
    if shape in ("triangle", "triangle-down"):
        tip_y, base_y = (y - d, y + 0.8 * d) if shape == "triangle" else (y + d, y - 0.8 * d)
        points = f"{_n(x)},{_n(tip_y)} {_n(x + d)},{_n(base_y)} {_n(x - d)},{_n(base_y)}"
        frame.parts.append(f'<polygon points="{points}" {body}</polygon>')
    elif shape == "diamond":
        points = f"{_n(x)},{_n(y - d)} {_n(x + d)},{_n(y)} {_n(x)},{_n(y + d)} {_n(x - d)},{_n(y)}"
        frame.parts.append(f'<polygon points="{points}" {body}</polygon>')
    elif shape == "square":
        side = 2 * d - 2
        frame.parts.append(
            f'<rect x="{_n(x - side / 2)}" y="{_n(y - side / 2)}" width="{side}" height="{side}" '
            f"{body}</rect>"
        )
    else:
        frame.parts.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{d - 1}" {body}</circle>')
    if row is not None:
        frame.boxes.append(Box(x - d, y - d, x + d, y + d))


def _legend_rows(
    frame: _Frame, items: Sequence[tuple[str, str, str]], top: float, heading: str = ""
) -> float:
    """Legend items (label, colour, shape: a marker's, "line" or "band") laid left to right
    from ``top``, a new line where the next would run off the chart; the y below them."""
    x, y = 8.0, top + 12
    if heading:
        _text(frame, x, y + 4, heading, "start")
        x += text_width(heading) + 10
    for label, colour, shape in items:
        width = 22 + text_width(label) + 16
        if x + width > frame.width - 8 and x > 8:
            x, y = 8.0, y + 20
        if shape == "line":
            _line(frame, x + 9, y - 7, x + 9, y + 7, colour, ' stroke-width="2"')
        elif shape == "band":
            frame.parts.append(
                f'<rect x="{_n(x)}" y="{_n(y - 6)}" width="18" height="12" fill="{colour}"/>'
            )
        else:
            _outlined(frame, x + 9, y, shape, colour, label)
        _text(frame, x + 22, y + 4, label, "start")
        x += width
    return y + 14


def spine_chart(
    chart_id: str, title: str, description: str, rows: Sequence[Vertebra], area: str
) -> Chart:
    """Fingertips' spine chart: one row per indicator, each on its own scale with England's
    value on the centre line, the range of England's authorities from worst (left) to best
    (right) in light grey, their 25th to 75th percentiles in darker grey, and the area's value
    as a marker coloured and shaped by its comparison with England; its value is written at
    the right, "suppressed" (and no marker) where it is withheld, never a zero."""
    wrapped = [wrap(r.label, 40) for r in rows]
    left = _category_labels_width(wrapped)
    texts = [text_width(area) * _BOLD, *(text_width(r.value_text) for r in rows)]
    column = math.ceil(max(texts)) + 8
    width = WIDTH + left - 70 + column
    frame = _Frame(width, 0, left=left, right=column + 20, top=0, bottom=8)
    markers = [c for c in SPINE_MARKERS if any(r.comparison == c and _ok(r.value) for r in rows)]
    y = _legend_rows(
        frame,
        [("England value", BLACK, "line"), ("England's range (worst to best)", SPINE_RANGE, "band"),
         ("25th to 75th percentile", SPINE_MIDDLE, "band")],
        4,
    )  # fmt: skip
    if markers:
        y = _legend_rows(
            frame,
            [SPINE_MARKERS[c] for c in markers],
            y,
            f"{area} compared with England:",
        )
    header = y + 20
    mid = (frame.x0 + frame.x1) / 2
    _text(frame, frame.x0, header, "Worst / lowest", "start", ' class="axis-title"')
    _text(frame, mid, header, "England", extra=' class="axis-title"')
    _text(frame, frame.x1, header, "Best / highest", "end", ' class="axis-title"')
    _text(frame, width - 8, header, area, "end", ' class="axis-title"')
    heights = [max(_SPINE_ROW, 14 * len(w) + 10) for w in wrapped]
    frame.top = int(header + 8)
    frame.height = frame.top + sum(heights) + frame.bottom
    centres = [frame.top + sum(heights[:k]) + h / 2 for k, h in enumerate(heights)]
    for k, (row, lines, cy) in enumerate(zip(rows, wrapped, centres, strict=True)):
        _vertebra(frame, row, lines, cy, k)
    top, bottom = frame.top - 4, frame.top + sum(heights) + 4
    frame.parts.append(
        f'<line x1="{_n(mid)}" y1="{_n(top)}" x2="{_n(mid)}" y2="{_n(bottom)}" stroke="{BLACK}" '
        'stroke-width="2" class="mark spine-england"/>'
    )
    frame.segments.append((mid, top, mid, bottom))
    for k, (row, cy) in enumerate(zip(rows, centres, strict=True)):
        _spine_value(frame, row, cy, k)
    return Chart(chart_id, title, description, _svg(frame, chart_id, title, description))


def _spine_x(frame: _Frame, row: Vertebra, v: float) -> float:
    """The x of ``v`` on the row's spine."""
    at = spine_position(v, row.england, row.lowest, row.highest, row.high_is_best)
    return frame.x0 + at * (frame.x1 - frame.x0)


def _vertebra(frame: _Frame, row: Vertebra, lines: Sequence[str], cy: float, k: int) -> None:
    """Spine row ``k``, centred at ``cy``: its label and bands (under England's line)."""
    first = cy + 4 - 7 * (len(lines) - 1)
    for k, line in enumerate(lines):
        _text(frame, frame.x0 - 8, first + 14 * k, line, "end")
    bands = (
        (row.lowest, row.highest, SPINE_RANGE, "range", "England's authorities range"),
        (row.p25, row.p75, SPINE_MIDDLE, "middle", "their 25th to 75th percentile"),
    )
    for low, high, colour, kind, what in bands:
        a, b = sorted((_spine_x(frame, row, low), _spine_x(frame, row, high)))
        frame.parts.append(
            f'<rect x="{_n(a)}" y="{_n(cy - _SPINE_BAR / 2)}" width="{_n(b - a)}" '
            f'height="{_SPINE_BAR}" fill="{colour}" class="spine-{kind}" data-row="{k}">'
            f"<title>{escape(row.label)}: {what} from {low:.4g} to {high:.4g}</title></rect>"
        )


def _spine_value(frame: _Frame, row: Vertebra, cy: float, k: int) -> None:
    """The area's marker on row ``k`` at ``cy`` (over England's line) and its value at the
    right; "suppressed" and no marker where it is withheld."""
    if row.suppressed or not _ok(row.value):
        _text(frame, frame.width - 8, cy + 4, row.value_text, "end", _SUPPRESSED_CLASS)
        return
    label, fill, shape = SPINE_MARKERS.get(row.comparison, SPINE_MARKERS["not compared"])
    tip = f"{row.label}: {row.value_text}; against England ({row.england:.4g}): {label}"
    _outlined(frame, _spine_x(frame, row, row.value), cy, shape, fill, tip, k)
    _text(frame, frame.width - 8, cy + 4, row.value_text, "end")


# -- transition matrix -------------------------------------------------------------------------

#: a matrix cell's size, and the room above the matrix for the columns' names
_MATRIX_ROW: Final = 34
_MATRIX_HEAD: Final = 62
#: a cell's shading runs from white (0) to this colour (the largest count of the matrix)
_MATRIX_FULL: Final = BLUE


@dataclass(frozen=True)
class MatrixCell:
    """One cell of a transition matrix: its count (None where suppressed), whether it is a
    total (drawn unshaded, in bold), and for a cell with no count by definition the ``note``
    shown instead (drawn unshaded, in grey)."""

    count: float | None
    suppressed: bool = False
    total: bool = False
    note: str | None = None


def _shade(share: float) -> str:
    """White mixed with ``_MATRIX_FULL`` by ``share`` (0-1), as #RRGGBB."""
    full = [int(_MATRIX_FULL[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(255 + (c - 255) * share) for c in full]
    return "#" + "".join(f"{c:02X}" for c in mixed)


def matrix_chart(
    chart_id: str,
    title: str,
    description: str,
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Sequence[Sequence[MatrixCell]],
    row_title: str,
    column_title: str,
) -> Chart:
    """A transition matrix as a heat table: one row per ``rows`` (where the children were),
    one column per ``columns`` (where they went), each cell shaded by its count against the
    matrix's largest and labelled with the count itself, so that nothing is told by colour
    alone. A suppressed cell is drawn pale grey and says "suppressed" (never 0); totals are
    unshaded and bold. Each cell carries its own ``<title>`` for screen readers."""
    wrapped_columns = [wrap(c, 12) for c in columns]
    left = _category_labels_width([[r] for r in rows] + [[row_title]])
    height = _MATRIX_HEAD + _MATRIX_ROW * len(rows) + 10
    frame = _Frame(WIDTH + left - 70, height, left=left, top=_MATRIX_HEAD, bottom=10)
    width = (frame.x1 - frame.x0) / len(columns)
    counted = [
        float(c.count)
        for line in cells
        for c in line
        if not c.total and c.note is None and not c.suppressed and _ok(c.count)
    ]
    largest = max(counted, default=0.0) or 1.0
    _text(frame, (frame.x0 + frame.x1) / 2, 14, column_title, extra=' class="axis-title"')
    _text(frame, frame.x0 - 6, _MATRIX_HEAD - 8, row_title, "end", ' class="axis-title"')
    for j, lines in enumerate(wrapped_columns):
        cx = frame.x0 + width * (j + 0.5)
        for k, line in enumerate(lines):
            _text(frame, cx, _MATRIX_HEAD - 8 - 14 * (len(lines) - 1 - k), line)
    for i, name in enumerate(rows):
        top = frame.y1 + _MATRIX_ROW * i
        _text(frame, frame.x0 - 6, top + _MATRIX_ROW / 2 + 4, name, "end")
        for j, cell in enumerate(cells[i]):
            _matrix_cell(frame, frame.x0 + width * j, top, width, cell, largest, name, columns[j])
    return Chart(chart_id, title, description, _svg(frame, chart_id, title, description))


def _matrix_cell(
    frame: _Frame,
    x: float,
    top: float,
    width: float,
    cell: MatrixCell,
    largest: float,
    row: str,
    column: str,
) -> None:
    """One cell of ``matrix_chart``: its rectangle (with its title) and its text."""
    if cell.note is not None:
        fill, label, said = WHITE, cell.note, cell.note or "no count"
    elif cell.suppressed or not _ok(cell.count):
        fill, label, said = "#EEEEEE", "suppressed", "suppressed"
    else:
        value = float(cell.count)  # type: ignore[arg-type]
        fill = WHITE if cell.total else _shade(min(value / largest, 1.0))
        label = said = f"{value:,.0f}"
    frame.parts.append(
        f'<rect x="{_n(x + 1)}" y="{_n(top + 1)}" width="{_n(width - 2)}" '
        f'height="{_n(_MATRIX_ROW - 2)}" fill="{fill}" stroke="#BBBBBB">'
        f"<title>{escape(row)} to {escape(column)}: {escape(said)}</title></rect>"
    )
    dark = fill not in (WHITE, "#EEEEEE") and int(fill[1:3], 16) < 128
    colour = f' fill="{WHITE}"' if dark else ""
    extra = colour + (' font-weight="bold"' if cell.total else "")
    if cell.note is not None or label == "suppressed":
        extra = _SUPPRESSED_CLASS if cell.note is None else f' fill="{GREY}"'
        if label:
            _text(frame, x + width / 2, top + _MATRIX_ROW / 2 + 4, label, extra=extra, size=10)
        return
    _text(frame, x + width / 2, top + _MATRIX_ROW / 2 + 4, label, extra=extra)


@dataclass(frozen=True)
class LinePanel:
    """One panel of ``line_panels_chart``: its heading and its series, each a value per x of
    the chart (NaN where there is none, ``suppressed`` where withheld)."""

    heading: str
    series: Sequence[Series]


#: a line panel's size, its plot's margins inside it, and how far apart the series' points at
#: one x are set (so that their limits do not hide one another)
_LINE_PANEL_WIDTH: Final = 208
_LINE_PANEL_HEIGHT: Final = 176
_LINE_PANEL_LEFT: Final = 36
_LINE_PANEL_RIGHT: Final = 26
_LINE_PANEL_TOP: Final = 24
_LINE_PANEL_BOTTOM: Final = 30
_DODGE: Final = 7


def line_panels_chart(
    chart_id: str,
    title: str,
    description: str,
    xs: Sequence[float],
    panels: Sequence[LinePanel],
    x_label: str,
    y_label: str,
    columns: int = 3,
) -> Chart:
    """Small multiples of line charts: one panel per heading, laid ``columns`` to a row, each on
    its own vertical scale from 0; every series a line from 0 at x = 0 through its values at
    ``xs``, with 95% limits as whiskers. The series are told apart by colour, marker and dash
    (one legend above the panels); the points of one x are set a few pixels apart. A line
    stops at a point with no value; a suppressed point is left out and marked "s" on its
    panel's axis."""
    series = panels[0].series if panels else []
    frame = _Frame(WIDTH + 20, 0, left=28, right=8, top=0, bottom=0)
    legend = [(s.name, s.colour, s.marker) for s in series]
    top = _legend_rows(frame, legend, 2) + 4
    rows = math.ceil(len(panels) / columns)
    frame.height = int(top + rows * _LINE_PANEL_HEIGHT + 24)
    for k, panel in enumerate(panels):
        left = frame.left + (k % columns) * _LINE_PANEL_WIDTH
        _line_panel(frame, panel, xs, left, top + (k // columns) * _LINE_PANEL_HEIGHT)
    _text(frame, frame.left + columns * _LINE_PANEL_WIDTH / 2, frame.height - 8, x_label,
          extra=' class="axis-title"')  # fmt: skip
    mid = top + rows * _LINE_PANEL_HEIGHT / 2
    _text(
        frame, 14, mid, y_label, extra=f' transform="rotate(-90 14 {_n(mid)})" class="axis-title"'
    )
    return Chart(chart_id, title, description, _svg(frame, chart_id, title, description))


def _line_panel(
    frame: _Frame, panel: LinePanel, xs: Sequence[float], left: float, top: float
) -> None:
    """One panel of ``line_panels_chart`` with its top-left corner at (left, top)."""
    _text(
        frame,
        left + 4,
        top + 14,
        panel.heading,
        "start",
        ' class="panel-heading" font-weight="bold"',
    )
    x0, x1 = left + _LINE_PANEL_LEFT, left + _LINE_PANEL_WIDTH - _LINE_PANEL_RIGHT
    y0, y1 = top + _LINE_PANEL_HEIGHT - _LINE_PANEL_BOTTOM, top + _LINE_PANEL_TOP
    highs = [v for s in panel.series for v in (s.upper or s.values)]
    ticks = nice_ticks(0.0, max([v for v in highs if _ok(v)], default=1.0), count=4)
    y = _Linear(ticks[0], ticks[-1], y0, y1)
    x = _Linear(0.0, max(xs), x0, x1)
    for tick in ticks:
        _line(frame, x0, y(tick), x1, y(tick), "#DDDDDD")
        _text(frame, x0 - 5, y(tick) + 4, _tick_label(tick), "end")
    _line(frame, x0, y0, x1, y0, BLACK)
    _line(frame, x0, y0, x0, y1, BLACK)
    for value in (0.0, *xs):
        _text(frame, x(value), y0 + 16, _tick_label(value))
    for j, s in enumerate(panel.series):
        dx = (j - (len(panel.series) - 1) / 2) * _DODGE
        _line_series(frame, s, [x(v) + dx for v in xs], (x(0.0), y(0.0)), y, y0)


def _line_series(
    frame: _Frame,
    s: Series,
    at: Sequence[float],
    origin: tuple[float, float],
    y: _Linear,
    axis: float,
) -> None:
    """A series of a line panel: its line (broken at a point with no value), whiskers and
    markers, and "s" on the axis where a point is suppressed."""
    dashed = f' stroke-dasharray="{s.dash}"' if s.dash else ""
    previous: tuple[float, float] | None = origin
    for i, px in enumerate(at):
        value = s.values[i]
        if _at(s.suppressed, i):
            _text(frame, px, axis - 4, "s", extra=_SUPPRESSED_CLASS, size=9)
            previous = None
            continue
        if not _ok(value):
            previous = None
            continue
        point = (px, y(float(value)))
        if previous is not None:
            _polyline(frame, [previous, point], s.colour, f' stroke-width="2"{dashed}')
        previous = point
        lower, upper = _at(s.lower, i), _at(s.upper, i)
        if _ok(lower) and _ok(upper):
            assert lower is not None and upper is not None
            _whisker(frame, px, y(lower), y(upper), s.colour)
        _marker(frame, px, point[1], s.marker, s.colour, f"{s.name}: {value:.4g}")
