/* Analytics charts as inline SVG, drawn from /api/analytics: no chart library, no network beyond this service. */
(() => {
  'use strict';
  const NS = 'http://www.w3.org/2000/svg';
  const COLORS = { SUCCEEDED: '#16a34a', FAILED: '#dc2626', TIMED_OUT: '#ea580c', INTERRUPTED: '#a21caf',
    CANCELLED: '#64748b', RUNNING: '#2563eb', QUEUED: '#ca8a04' };
  const W = 600, H = 220, L = 44, R = 10, T = 10, B = 28;

  function el(name, attrs, parent, text) {
    const e = document.createElementNS(NS, name);
    Object.entries(attrs || {}).forEach(([k, v]) => e.setAttribute(k, v));
    if (text != null) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function svg(host) {
    host.innerHTML = '';
    return el('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'xMidYMid meet' }, host);
  }
  /** Counts: at least 4 so that the 4 grid steps are whole numbers. */
  const countMax = v => Math.max(4, Math.ceil(niceMax(v) / 4) * 4);
  function niceMax(v) {
    if (v <= 0) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    return [1, 2, 5, 10].map(m => m * p).find(m => m >= v);
  }
  function axis(s, max, fmt) {
    for (let i = 0; i <= 4; i++) {
      const y = T + (H - T - B) * (1 - i / 4);
      el('line', { x1: L, x2: W - R, y1: y, y2: y, class: 'grid' }, s);
      el('text', { x: L - 6, y: y + 3, 'text-anchor': 'end' }, s, fmt(max * i / 4));
    }
  }
  function xLabels(s, labels, step) {
    const n = labels.length, w = (W - L - R) / n;
    const every = Math.max(1, Math.ceil(n / step));
    labels.forEach((lab, i) => {
      if (i % every === 0) el('text', { x: L + w * i + w / 2, y: H - 10, 'text-anchor': 'middle' }, s, lab);
    });
  }
  const dur = ms => ms == null ? '—' : ms < 60000 ? (ms / 1000).toFixed(ms < 10000 ? 1 : 0) + ' s' : (ms / 60000).toFixed(1) + ' min';

  function days(host, legend, data) {
    const s = svg(host);
    const statuses = Object.keys(COLORS);
    const max = countMax(Math.max(0, ...data.per_day.map(d => d.total)));
    axis(s, max, v => Math.round(v));
    const n = data.per_day.length, w = (W - L - R) / n;
    data.per_day.forEach((d, i) => {
      let y = H - B;
      statuses.forEach(st => {
        const v = d.by_status[st] || 0;
        if (!v) return;
        const h = (H - T - B) * v / max;
        y -= h;
        const r = el('rect', { x: L + w * i + w * 0.12, y, width: Math.max(1, w * 0.76), height: h, fill: COLORS[st] }, s);
        el('title', {}, r, `${d.day}: ${v} ${st}`);
      });
    });
    xLabels(s, data.per_day.map(d => d.day.substring(5)), 8);
    legend.innerHTML = '';
    statuses.forEach(st => {
      const span = document.createElement('span');
      const i = document.createElement('i');
      i.style.background = COLORS[st];
      span.appendChild(i);
      span.appendChild(document.createTextNode(st));
      legend.appendChild(span);
    });
  }

  function duration(host, data) {
    const s = svg(host);
    const max = niceMax(Math.max(0, ...data.per_day.map(d => d.p95_duration_ms || 0)));
    axis(s, max, dur);
    const n = data.per_day.length, w = (W - L - R) / n;
    [['mean_duration_ms', '#2563eb'], ['p95_duration_ms', '#ea580c']].forEach(([key, color]) => {
      const pts = data.per_day.map((d, i) => d[key] == null ? null : [L + w * i + w / 2, T + (H - T - B) * (1 - d[key] / max), d]);
      let path = '';
      pts.forEach(p => { if (p) path += (path ? ' L ' : 'M ') + p[0].toFixed(1) + ' ' + p[1].toFixed(1); });
      if (path) el('path', { d: path, fill: 'none', stroke: color, 'stroke-width': 2 }, s);
      pts.filter(Boolean).forEach(p => {
        const c = el('circle', { cx: p[0], cy: p[1], r: 3, fill: color }, s);
        el('title', {}, c, `${p[2].day}: ${key.startsWith('p95') ? 'p95' : 'mean'} ${dur(p[2][key])}`);
      });
    });
    el('text', { x: W - R, y: T + 10, 'text-anchor': 'end', fill: '#2563eb' }, s, 'mean').style.fill = '#2563eb';
    el('text', { x: W - R - 40, y: T + 10, 'text-anchor': 'end' }, s, 'p95').style.fill = '#ea580c';
    xLabels(s, data.per_day.map(d => d.day.substring(5)), 8);
  }

  function servers(host, data) {
    const rows = data.per_server.filter(g => g.finished > 0).slice(0, 12);
    if (!rows.length) { host.innerHTML = '<p class="empty">No finished deployments in this window.</p>'; return; }
    const h = 24 * rows.length + 10;
    host.innerHTML = '';
    const s = el('svg', { viewBox: `0 0 ${W} ${h}` }, host);
    rows.forEach((g, i) => {
      const y = 5 + i * 24, rate = g.success_rate || 0, x0 = 150, width = W - x0 - 60;
      el('text', { x: x0 - 8, y: y + 14, 'text-anchor': 'end' }, s, g.name.length > 22 ? g.name.substring(0, 21) + '…' : g.name);
      el('rect', { x: x0, y, width, height: 18, fill: 'rgba(148,163,184,.25)', rx: 3 }, s);
      const bar = el('rect', { x: x0, y, width: Math.max(1, width * rate), height: 18, rx: 3,
        fill: rate >= 0.9 ? '#16a34a' : rate >= 0.7 ? '#ca8a04' : '#dc2626' }, s);
      el('title', {}, bar, `${g.name}: ${g.succeeded} of ${g.finished} succeeded`);
      el('text', { x: x0 + width + 6, y: y + 14 }, s, (rate * 100).toFixed(0) + ' %');
    });
  }

  function hours(host, data) {
    const s = svg(host);
    const max = countMax(Math.max(0, ...data.busiest_hours.map(h => h.total)));
    axis(s, max, v => Math.round(v));
    const w = (W - L - R) / 24;
    data.busiest_hours.forEach((h, i) => {
      const bh = (H - T - B) * h.total / max;
      const r = el('rect', { x: L + w * i + w * 0.15, y: H - B - bh, width: w * 0.7, height: bh, fill: '#2563eb' }, s);
      el('title', {}, r, `${String(h.hour).padStart(2, '0')}:00–${String(h.hour).padStart(2, '0')}:59 UTC: ${h.total}`);
    });
    xLabels(s, data.busiest_hours.map(h => String(h.hour).padStart(2, '0')), 12);
  }

  /** One figure per week as a line (bars for counts); a week without data leaves a gap. */
  function weekly(host, weeks, key, fmt, bars) {
    const s = svg(host);
    const values = weeks.map(w => w[key]);
    const top = Math.max(0, ...values.filter(v => v != null));
    if (values.every(v => v == null)) {
      host.innerHTML = '<p class="empty">Nothing to measure in these weeks.</p>';
      return;
    }
    const max = bars ? countMax(top) : key === 'change_failure_rate' ? Math.max(0.2, niceMax(top)) : spanMax(top);
    axis(s, max, fmt);
    const n = weeks.length, w = (W - L - R) / n;
    let path = '';
    weeks.forEach((week, i) => {
      const v = week[key];
      if (v == null) { path += ' '; return; }
      const x = L + w * i + w / 2, y = T + (H - T - B) * (1 - v / max);
      const label = `week of ${week.start.substring(0, 10)}: ${fmt(v)}`;
      if (bars) {
        const r = el('rect', { x: L + w * i + w * 0.15, y, width: w * 0.7, height: H - B - y, fill: '#2563eb' }, s);
        el('title', {}, r, label);
      } else {
        path += (path.trim() && !path.endsWith(' ') ? ' L ' : ' M ') + x.toFixed(1) + ' ' + y.toFixed(1);
        const c = el('circle', { cx: x, cy: y, r: 3, fill: '#2563eb' }, s);
        el('title', {}, c, label);
      }
    });
    if (path.trim()) el('path', { d: path.trim(), fill: 'none', stroke: '#2563eb', 'stroke-width': 2 }, s);
    xLabels(s, weeks.map(week => week.start.substring(5, 10)), 7);
  }
  /** A time axis whose quarters read as whole units (1 min: 15 s steps; 1 h: 15 min; 1 d: 6 h). */
  const spanMax = v => [60, 240, 1200, 3600, 7200, 14400, 43200, 86400, 172800, 345600, 2419200]
    .find(m => m >= v) || niceMax(v);
  const span = v => v == null ? '—' : v < 60 ? Math.round(v) + ' s' : v < 3600 ? Math.round(v / 60) + ' min'
    : v < 86400 ? +(v / 3600).toFixed(1) + ' h' : +(v / 86400).toFixed(1) + ' d';

  async function insight(box) {
    try {
      const res = await fetch(box.dataset.src, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      const weeks = await res.json();
      weekly(document.getElementById('chart-weekly-deployments'), weeks, 'deployments', v => Math.round(v), true);
      weekly(document.getElementById('chart-weekly-lead'), weeks, 'lead_time_median_seconds', span, false);
      weekly(document.getElementById('chart-weekly-failures'), weeks, 'change_failure_rate', v => Math.round(v * 100) + ' %', false);
      weekly(document.getElementById('chart-weekly-restore'), weeks, 'time_to_restore_median_seconds', span, false);
      box.dataset.drawn = 'true';
    } catch (e) {
      box.insertAdjacentHTML('afterbegin', '<p class="alert error" role="alert">The charts could not be loaded; reload the page.</p>');
    }
  }

  document.addEventListener('DOMContentLoaded', async () => {
    const weeks = document.getElementById('insight-charts');
    if (weeks) insight(weeks);
    const box = document.getElementById('charts');
    if (!box) return;
    try {
      const res = await fetch(box.dataset.src, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      const data = await res.json();
      days(document.getElementById('chart-days'), document.getElementById('legend-days'), data);
      duration(document.getElementById('chart-duration'), data);
      servers(document.getElementById('chart-servers'), data);
      hours(document.getElementById('chart-hours'), data);
      box.dataset.drawn = 'true';
    } catch (e) {
      box.insertAdjacentHTML('afterbegin', '<p class="alert error" role="alert">The charts could not be loaded; reload the page.</p>');
    }
  });
})();
