// What is out of place in the report as the browser lays it out: read by test_browser.py.
// Returns a list of problems (strings, empty when none) and counts of what was checked.
() => {
  const TOL = 0.5;
  const problems = [];
  const counts = { charts: 0, texts: 0, labels: 0, funnelLabels: {}, rows: 0, pyramidBars: 0, flowCells: 0 };
  const box = (el) => el.getBoundingClientRect();
  const meets = (a, b) =>
    a.left < b.right - TOL && b.left < a.right - TOL &&
    a.top < b.bottom - TOL && b.top < a.bottom - TOL;
  const within = (a, b) =>
    a.left >= b.left - TOL && a.right <= b.right + TOL &&
    a.top >= b.top - TOL && a.bottom <= b.bottom + TOL;
  const said = (el) => JSON.stringify(el.textContent.trim());
  const clipBox = (el) => {
    const ref = el.getAttribute("clip-path");
    const id = ref && ref.match(/url\(#([^)]+)\)/);
    const clip = id && document.getElementById(id[1]);
    return clip ? box(clip.firstElementChild) : null;
  };
  // a line's points on screen, one per user unit of its length, kept only where not clipped
  const traced = (el) => {
    const matrix = el.getScreenCTM();
    const clip = clipBox(el);
    const length = el.getTotalLength();
    const out = [];
    for (let at = 0; at <= length; at += 1) {
      const p = new DOMPoint(el.getPointAtLength(at).x, el.getPointAtLength(at).y)
        .matrixTransform(matrix);
      if (!clip || (p.x >= clip.left && p.x <= clip.right && p.y >= clip.top && p.y <= clip.bottom))
        out.push(p);
    }
    return out;
  };
  const crosses = (mark, r) => {
    if (mark.tagName === "line" || mark.tagName === "polyline" || mark.tagName === "path") {
      const half = (parseFloat(mark.getAttribute("stroke-width") || "1") / 2) *
        mark.getScreenCTM().a;
      return traced(mark).some((p) =>
        p.x > r.left - half + TOL && p.x < r.right + half - TOL &&
        p.y > r.top - half + TOL && p.y < r.bottom + half - TOL);
    }
    return meets(box(mark), r);
  };
  for (const svg of document.querySelectorAll("svg.chart")) {
    counts.charts += 1;
    const edge = box(svg);
    const texts = [...svg.querySelectorAll("text")].filter((t) => t.textContent.trim());
    const rects = texts.map(box);
    counts.texts += texts.length;
    texts.forEach((t, i) => {
      if (!within(rects[i], edge)) problems.push(`${svg.id}: text ${said(t)} cut off by the chart's edge`);
      for (let j = i + 1; j < texts.length; j += 1)
        if (meets(rects[i], rects[j]))
          problems.push(`${svg.id}: text ${said(t)} overlaps text ${said(texts[j])}`);
    });
    const marks = [...svg.querySelectorAll(".mark")];
    // the population pyramid: no text (an age, a tick, a side's name) lies on a bar
    if (svg.id === "chart-population") {
      const bars = [...svg.querySelectorAll("rect.mark")];
      counts.pyramidBars += bars.length;
      texts.forEach((t, i) => {
        for (const bar of bars)
          if (meets(rects[i], box(bar))) problems.push(`${svg.id}: text ${said(t)} lies on a bar`);
      });
    }
    // the flow matrix: each cell's text (a count, "suppressed") lies inside its cell
    if (svg.id === "chart-flows") {
      const cells = [...svg.querySelectorAll("rect")].filter((r) => r.querySelector("title"));
      counts.flowCells += cells.length;
      texts.forEach((t, i) => {
        const x = (rects[i].left + rects[i].right) / 2, y = (rects[i].top + rects[i].bottom) / 2;
        for (const cell of cells) {
          const c = box(cell);
          if (x > c.left && x < c.right && y > c.top && y < c.bottom && !within(rects[i], c))
            problems.push(`${svg.id}: text ${said(t)} runs out of its cell`);
        }
      });
    }
    for (const label of svg.querySelectorAll("text.label")) {
      counts.labels += 1;
      if (svg.id.startsWith("chart-funnel-"))
        counts.funnelLabels[svg.id] = (counts.funnelLabels[svg.id] || 0) + 1;
      const r = box(label);
      for (const mark of marks)
        if (crosses(mark, r))
          problems.push(`${svg.id}: label ${said(label)} overlaps a plotted ${mark.tagName}`);
    }
  }
  const page = document.documentElement.clientWidth;
  for (const table of document.querySelectorAll("table")) {
    [...table.rows].forEach((tr, i) => {
      counts.rows += 1;
      const r = box(tr);
      if (r.left < -TOL || r.right > page + TOL)
        problems.push(`table ${table.id}: row ${i} wider than the page (${Math.round(r.right)} > ${page})`);
      for (let up = tr.parentElement; up && up !== document.body; up = up.parentElement) {
        const style = getComputedStyle(up);
        if (style.overflowX === "visible" && style.overflowY === "visible") continue;
        const b = box(up);
        const seen = { left: b.left + up.clientLeft, top: b.top + up.clientTop };
        seen.right = seen.left + up.clientWidth;
        seen.bottom = seen.top + up.clientHeight;
        if (!within(r, seen)) problems.push(`table ${table.id}: row ${i} clipped by its container`);
      }
    });
  }
  for (const figure of document.querySelectorAll("figure")) {
    const svg = figure.querySelector("svg.chart");
    const band = box(figure).bottom - box(svg).bottom;
    if (band > 4) problems.push(`${svg.id}: a blank band of ${Math.round(band)} px under the chart`);
  }
  return { problems, counts };
}
