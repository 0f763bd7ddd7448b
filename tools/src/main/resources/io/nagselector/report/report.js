// Draws the report's charts from REPORT (computed in ReportModel) with ECharts' SVG renderer.
// Each chart's element gets, once drawn, data-rendered="true", data-series (how many series) and
// data-points (how many data items the series hold after ECharts processed them).
function draw(el, option) {
  const chart = echarts.init(el, null, { renderer: 'svg' });
  chart.on('finished', () => {
    el.dataset.rendered = 'true';
    const series = chart.getModel().getSeries();
    el.dataset.series = String(series.length);
    el.dataset.points = String(series.reduce((n, s) => n + s.getData().count(), 0));
  });
  chart.setOption(Object.assign({ animation: false }, option));
}

function text(tag, content, attrs) {
  const e = document.createElement(tag);
  if (content !== undefined) e.textContent = content;
  Object.entries(attrs || {}).forEach(([k, v]) => e.setAttribute(k, v));
  return e;
}

function fmt(x, digits) { return x === null || x === undefined ? '-' : Number(x).toFixed(digits); }

document.getElementById('meta').textContent =
  REPORT.targets.length + ' targets, ' + REPORT.documents + ' documents scored';

const root = document.getElementById('targets');
REPORT.targets.forEach((t, i) => {
  root.appendChild(text('h2', t.name + ' (version ' + t.version + ', ' + t.policy.toLowerCase() + ' ' +
    t.policyValue + '): ' + t.accepted + ' accepted, threshold ' + fmt(t.threshold, 4)));
  const grid = text('div', undefined, { class: 'grid' });
  root.appendChild(grid);
  const chart = (kind) => {
    const el = text('div', undefined, { class: 'chart', id: 't' + i + '-' + kind, 'data-chart': kind });
    grid.appendChild(el);
    return el;
  };

  draw(chart('acceptance'), {
    title: { text: 'Accepted over time, per target version', textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis' },
    legend: { top: 24 },
    grid: { top: 64 },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', name: 'accepted' },
    series: Object.entries(t.acceptance).map(([version, points]) =>
      ({ type: 'line', name: version, showSymbol: false, step: 'end', data: points }))
  });

  const marks = t.threshold === null ? [] : [{ xAxis: t.threshold, name: 'threshold' }];
  draw(chart('histogram'), {
    title: { text: 'Similarity of every document (threshold in red)', textStyle: { fontSize: 14 } },
    tooltip: {},
    xAxis: { type: 'value', name: 'similarity', scale: true },
    yAxis: { type: 'value', name: 'documents' },
    series: [{
      type: 'bar', name: 'documents', barWidth: '90%',
      data: t.histogram.map(b => [(b[0] + b[1]) / 2, b[2]]),
      markLine: { symbol: 'none', lineStyle: { color: '#d33', width: 2 }, label: { formatter: 'threshold' }, data: marks }
    }]
  });

  const maxHeat = Math.max(0.0001, ...t.heatmap.map(c => c[2]));
  draw(chart('heatmap'), {
    title: { text: 'Share of the similarity per layer (selected documents)', textStyle: { fontSize: 14 } },
    tooltip: { formatter: p => 'layer ' + p.value[0] + ', ' + t.heatmapSources[p.value[1]] + ': ' + fmt(p.value[2], 3) },
    grid: { left: 90, bottom: 70 },
    xAxis: { type: 'category', name: 'layer', data: Array.from({ length: t.layers }, (_, l) => String(l)) },
    yAxis: { type: 'category', data: t.heatmapSources },
    visualMap: { min: 0, max: maxHeat, precision: 2, calculable: true, orient: 'horizontal', left: 'center', bottom: 0 },
    series: [{ type: 'heatmap', name: 'share', data: t.heatmap }]
  });

  const sources = Object.keys(t.meanBySource);
  draw(chart('domains'), {
    title: { text: 'Mean similarity per domain / source', textStyle: { fontSize: 14 } },
    tooltip: {},
    grid: { left: 90 },
    xAxis: { type: 'value', name: 'mean', scale: true },
    yAxis: { type: 'category', data: sources.slice().reverse() },
    series: [{ type: 'bar', name: 'mean similarity', data: sources.slice().reverse().map(s => t.meanBySource[s]) }]
  });

  root.appendChild(text('h3', 'Top ' + t.topK.length + ' documents'));
  const table = text('table', undefined, { 'data-table': 'top-k' });
  const head = text('tr');
  ['#', 'similarity', 'source', 'id', 'text'].forEach(h => head.appendChild(text('th', h)));
  table.appendChild(head);
  t.topK.forEach((e, r) => {
    const row = text('tr');
    row.appendChild(text('td', String(r + 1), { class: 'num' }));
    row.appendChild(text('td', fmt(e.similarity, 4), { class: 'num' }));
    row.appendChild(text('td', e.source || ''));
    row.appendChild(text('td', e.id));
    row.appendChild(text('td', e.snippet || ''));
    table.appendChild(row);
  });
  root.appendChild(table);
});

(() => {
  const root = document.getElementById('duplicates');
  const counts = REPORT.duplicates;
  root.appendChild(text('p', Object.keys(counts).length === 0
    ? 'none (or no duplicates topic configured)'
    : `${counts.EXACT || 0} exact, ${counts.NEAR || 0} near-duplicates`, { 'data-summary': 'duplicates' }));
  if (REPORT.nearDuplicates.length === 0) return;
  const table = text('table', undefined, { 'data-table': 'near-duplicates' });
  const head = text('tr');
  ['id', 'source', 'duplicate of', 'estimated Jaccard'].forEach(h => head.appendChild(text('th', h)));
  table.appendChild(head);
  REPORT.nearDuplicates.forEach(d => {
    const row = text('tr');
    row.appendChild(text('td', d.docId));
    row.appendChild(text('td', d.source || ''));
    row.appendChild(text('td', d.duplicateOf));
    row.appendChild(text('td', fmt(d.jaccard, 3), { class: 'num' }));
    table.appendChild(row);
  });
  root.appendChild(table);
})();

const reasons = Object.keys(REPORT.deadLetters);
draw(document.getElementById('dead-letters'), {
  tooltip: {},
  grid: { left: 140 },
  xAxis: { type: 'value', name: 'records', minInterval: 1 },
  yAxis: { type: 'category', data: reasons },
  series: [{ type: 'bar', name: 'dead letters', data: reasons.map(r => REPORT.deadLetters[r]) }]
});
