// Unit tests of the pages' pure helpers: node --test src/test/js/util.test.mjs (run by ./mvnw verify).
// The browser loads util.js as a module; Node reads a .js file as CommonJS unless told otherwise, so the test imports
// the very same text from a copy named .mjs (no flag, no package.json among the served files, any Node from 18 on).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

const copy = join(mkdtempSync(join(tmpdir(), 'td-util-')), 'util.mjs');
writeFileSync(copy, readFileSync(new URL('../../main/resources/META-INF/resources/static/js/util.js', import.meta.url)));
const {
  deploymentName, findRanges, formatDuration, formatLocal, getPath, importSummary, isFinal, keyValueLines, lineFromHash, nonEmptyLines, parseAmount, positionText,
  setPath, statusWord
} = await import(pathToFileURL(copy).href);

test('statuses read as words, not codes', () => {
  assert.equal(statusWord('AWAITING_APPROVAL'), 'Awaiting approval');
  assert.equal(statusWord('TIMED_OUT'), 'Timed out');
  assert.equal(statusWord('SUCCEEDED'), 'Succeeded');
  assert.equal(statusWord('UP'), 'Up');
  assert.equal(statusWord(null), '');
});

test('durations read as a person says them', () => {
  assert.equal(formatDuration(null), '—');
  assert.equal(formatDuration(undefined), '—');
  assert.equal(formatDuration('x'), '—');
  assert.equal(formatDuration(0), '0.0 s');
  assert.equal(formatDuration(4250), '4.3 s');
  assert.equal(formatDuration(9999), '10.0 s');
  assert.equal(formatDuration(42000), '42 s');
  assert.equal(formatDuration(185000), '3 min 5 s');
  assert.equal(formatDuration(3720000), '1 h 2 min');
});

test('dotted field names nest, and read back', () => {
  const body = {};
  setPath(body, 'name', 'web');
  setPath(body, 'steps.verify.commands', ['curl -f localhost']);
  setPath(body, 'steps.verify.timeout_seconds', 30);
  assert.deepEqual(body, { name: 'web', steps: { verify: { commands: ['curl -f localhost'], timeout_seconds: 30 } } });
  assert.deepEqual(getPath(body, 'steps.verify.commands'), ['curl -f localhost']);
  assert.equal(getPath(body, 'steps.rollback.commands'), undefined);
  assert.equal(getPath({ a: null }, 'a.b'), undefined);
});

test('secret variables are NAME=value lines; a line without a name is refused like the API refuses a field', () => {
  assert.deepEqual(keyValueLines('TOKEN=abc=def\n\n  EMPTY=  \nX=1', 'secrets'), { TOKEN: 'abc=def', EMPTY: '', X: '1' });
  assert.deepEqual(keyValueLines('  \n', 'secrets'), {});
  assert.throws(() => keyValueLines('TOKEN', 'secrets'), e => e.violations[0].field === 'secrets'
    && e.violations[0].message === 'not NAME=value');
  assert.throws(() => keyValueLines('=value', 'secrets'), e => e.message.startsWith('Write each secret variable'));
  // the same lines for a server's labels, with their own words when one is wrong
  assert.deepEqual(keyValueLines('role=web\nregion=eu', 'labels', 'Write one label per line'), { role: 'web', region: 'eu' });
  assert.throws(() => keyValueLines('role', 'labels', 'Write one label per line'),
    e => e.message === 'Write one label per line' && e.violations[0].field === 'labels');
});

test('line boxes keep the non-empty trimmed lines', () => {
  assert.deepEqual(nonEmptyLines(' a \n\n b\n   \n'), ['a', 'b']);
  assert.deepEqual(nonEmptyLines(''), []);
});

test('only queued, running and waiting deployments change', () => {
  ['QUEUED', 'RUNNING', 'AWAITING_APPROVAL'].forEach(s => assert.equal(isFinal(s), false, s));
  ['SUCCESS', 'FAILED', 'CANCELLED', 'REJECTED', 'EXPIRED', 'TIMED_OUT'].forEach(s => assert.equal(isFinal(s), true, s));
});

test('find in the log matches case-insensitively, without overlaps', () => {
  assert.deepEqual(findRanges('Error: an ERROR occurred', 'error'), [[0, 5], [10, 15]]);
  assert.deepEqual(findRanges('aaaa', 'aa'), [[0, 2], [2, 4]]);
  assert.deepEqual(findRanges('nothing here', 'x'), []);
  assert.deepEqual(findRanges('anything', ''), []);
});

test('an #L<n> address names a line, anything else none', () => {
  assert.equal(lineFromHash('#L42'), 42);
  assert.equal(lineFromHash('#L'), null);
  assert.equal(lineFromHash('#l42'), null);
  assert.equal(lineFromHash('#L42x'), null);
  assert.equal(lineFromHash(''), null);
  assert.equal(lineFromHash(undefined), null);
});

test('a waiting deployment shows its place in line; a started one none', () => {
  assert.equal(positionText({ position: 2, server: 'web-1' }), '· #2 in line for web-1');
  assert.equal(positionText({ position: null, server: 'web-1' }), null);
});

test('an import says what went in and what was skipped and why', () => {
  assert.deepEqual(importSummary({ created: [{ name: 'a' }, { name: 'b' }], skipped: [{ index: 3, name: 'c', reason: 'alias taken' },
    { index: 4, name: null, reason: 'not an object' }] }),
  ['Imported 2: a, b.', 'Skipped #3 (c): alias taken', 'Skipped #4: not an object']);
  assert.deepEqual(importSummary({ created: [], skipped: [] }), ['Imported 0.']);
});

test('a rollout amount is a number when it is digits, a percentage as written, nothing when empty', () => {
  assert.equal(parseAmount('3'), 3);
  assert.equal(parseAmount(' 25% '), '25%');
  assert.equal(parseAmount('1,2'), '1,2');
  assert.equal(parseAmount(''), undefined);
  assert.equal(parseAmount('   '), undefined);
  assert.equal(parseAmount(undefined), undefined);
});

test('a rollback names a deployment by its version and number, or by its number alone', () => {
  assert.equal(deploymentName({ deployment_id: 12, ref: 'v1.5.2' }), 'v1.5.2 (#12)');
  assert.equal(deploymentName({ deployment_id: 7 }), '#7');
});

test('a time says its zone', () => {
  const at = new Date(Date.UTC(2026, 11, 7, 18, 45, 10));
  const zone = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' }).formatToParts(at).find(p => p.type === 'timeZoneName').value;
  assert.ok(formatLocal(at).endsWith(zone), formatLocal(at));
  assert.ok(formatLocal(at).includes('2026'));
});
