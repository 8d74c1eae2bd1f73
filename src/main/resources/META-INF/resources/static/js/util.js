/* Pure helpers of the pages: no DOM, no network; unit-tested with node --test (src/test/js). */

/** "4.2 s", "42 s", "3 min 5 s", "1 h 2 min"; an em dash when unknown. */
export function formatDuration(ms) {
  if (ms == null || Number.isNaN(Number(ms))) return '—';
  const s = Math.floor(ms / 1000);
  if (s < 60) return ms < 10000 ? (ms / 1000).toFixed(1) + ' s' : s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
}

/** Sets body[a][b][c] for a field named "a.b.c". */
export function setPath(body, name, value) {
  const parts = name.split('.');
  let o = body;
  parts.slice(0, -1).forEach(p => { o = (o[p] = o[p] || {}); });
  o[parts[parts.length - 1]] = value;
}

/** data[a][b][c] for "a.b.c"; undefined when a step is missing. */
export function getPath(data, name) {
  return name.split('.').reduce((o, p) => (o == null ? undefined : o[p]), data);
}

/**
 * NAME=value lines (a secret variables box) as a map; blank lines are skipped, NAME= keeps an empty value (it removes
 * the variable). A line without a name before '=' is refused the way the API refuses a field.
 */
export function keyValueLines(text, field, how = 'Write each secret variable as NAME=value (NAME= removes it)') {
  const map = {};
  text.split('\n').map(v => v.trim()).filter(v => v).forEach(line => {
    const at = line.indexOf('=');
    if (at < 1) {
      throw { message: how, violations: [{ field, message: 'not NAME=value' }] };
    }
    map[line.substring(0, at).trim()] = line.substring(at + 1);
  });
  return map;
}

/** The non-empty, trimmed lines of a text box. */
export function nonEmptyLines(text) {
  return text.split('\n').map(v => v.trim()).filter(v => v);
}

/** Whether a deployment's status is one it keeps (no more lines, no more changes). */
export function isFinal(status) {
  return status !== 'QUEUED' && status !== 'RUNNING' && status !== 'AWAITING_APPROVAL';
}

/** Where {@code term} (lower case) occurs in {@code text}, case-insensitively, as [start, end) pairs that never overlap. */
export function findRanges(text, term) {
  const out = [];
  if (!term) return out;
  const lower = text.toLowerCase();
  for (let at = lower.indexOf(term); at >= 0; at = lower.indexOf(term, at + term.length)) {
    out.push([at, at + term.length]);
  }
  return out;
}

/** The line a #L<n> address points at, or null. */
export function lineFromHash(hash) {
  const m = /^#L(\d+)$/.exec(hash || '');
  return m ? Number(m[1]) : null;
}

/** What a deployment's page says of a queued one: "· #2 in line for web-1", or null when it is not waiting in line. */
export function positionText(d) {
  return d.position ? '· #' + d.position + ' in line for ' + d.server : null;
}

/** An import's answer as the lines the dialog shows. */
export function importSummary(r) {
  const lines = ['Imported ' + r.created.length + (r.created.length ? ': ' + r.created.map(s => s.name).join(', ') : '') + '.'];
  r.skipped.forEach(s => lines.push('Skipped #' + s.index + (s.name ? ' (' + s.name + ')' : '') + ': ' + s.reason));
  return lines;
}

/** A number ("3") or a percentage ("25%") as the API takes it; undefined for an empty value. */
export function parseAmount(value) {
  const v = (value || '').trim();
  if (v === '') return undefined;
  return /^\d+$/.test(v) ? Number(v) : v;
}

/* A deployment as a rollback dialog names it: "v1.5.2 (#12)", or "#12" for a server without versions. */
export function deploymentName(c) {
  return c.ref ? c.ref + ' (#' + c.deployment_id + ')' : '#' + c.deployment_id;
}

/* A time in the viewer's zone, saying which ("12/7/2026, 6:45:10 PM UTC"); pages put UTC in the title for hover. */
export function formatLocal(date) {
  return date.toLocaleString(undefined, {
    year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit', timeZoneName: 'short'
  });
}

/** A status as the pages show it: words, not a code ("AWAITING_APPROVAL" reads "Awaiting approval"). */
export function statusWord(status) {
  if (!status) return '';
  const lower = String(status).toLowerCase().replace(/_/g, ' ');
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}
