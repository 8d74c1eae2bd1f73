/* The deployment page: its live log (Server-Sent Events, resumed after a drop), find in the log, its steps and state.
 * Loaded by that page only. */
import { api } from './api.js';
import { $, localTimes } from './dom.js';
import { findRanges, formatDuration, isFinal, lineFromHash, positionText, statusWord } from './util.js';

const MAX_LINES_SHOWN = 20000;

function deploymentPage(section) {
  const id = section.dataset.id;
  const log = $('#log');
  const follow = $('#follow');
  const state = $('#log-state');
  let status = section.dataset.status;
  let started = section.dataset.started ? new Date(section.dataset.started) : null;
  let following = true;
  let count = 0;
  let pending = [];
  let scheduled = false;
  let trimmed = false;
  let checksLoaded = false;

  /** The checks of the server's services run right after the end; they may take a few seconds to arrive. */
  async function serviceChecks(round) {
    let checks = [];
    try { checks = await api('GET', '/api/deployments/' + id + '/service-checks'); } catch (e) { return; }
    if (!checks.length) {
      if (round < 5) setTimeout(() => serviceChecks(round + 1), 2000);
      return;
    }
    const list = $('#service-check-list');
    list.innerHTML = '';
    checks.forEach(c => {
      const li = document.createElement('li');
      const b = document.createElement('span');
      b.className = 'badge badge-' + c.status.toLowerCase();
      b.textContent = statusWord(c.status);
      li.appendChild(b);
      li.appendChild(document.createTextNode(' ' + c.service + (c.response_ms != null ? ' · ' + c.response_ms + ' ms' : '')
        + (c.error ? ' · ' + c.error : '')));
      list.appendChild(li);
    });
    $('#service-checks').hidden = false;
  }

  log.addEventListener('scroll', () => {
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    following = atBottom;
    follow.hidden = atBottom;
  });
  follow.addEventListener('click', () => {
    following = true;
    log.scrollTop = log.scrollHeight;
    follow.hidden = true;
  });

  /* ---- find in this log: matches marked, k of n, next/previous; #L<n> in the address marks that line ---- */
  const findInput = $('#find');
  const findCount = $('#find-count');
  let findTerm = '';
  let marks = [];
  let current = -1;
  const lit = new Set();
  let target = lineFromHash(location.hash);

  function paint(row, term) {
    const text = row.tdText;
    const hits = findRanges(text, term);
    if (!hits.length && !lit.has(row)) return;
    row.replaceChildren(row.firstChild);
    lit.delete(row);
    let from = 0;
    hits.forEach(([start, end]) => {
      if (start > from) row.appendChild(document.createTextNode(text.substring(from, start)));
      const m = document.createElement('mark');
      m.className = 'find-hit';
      m.textContent = text.substring(start, end);
      row.appendChild(m);
      marks.push(m);
      lit.add(row);
      from = end;
    });
    row.appendChild(document.createTextNode(text.substring(from)));
  }

  function showCount() {
    findCount.textContent = !findTerm ? '' : marks.length ? (current + 1) + ' of ' + marks.length : 'no match';
  }

  function runFind() {
    findTerm = findInput.value.toLowerCase();
    marks = [];
    current = -1;
    Array.from(log.children).forEach(row => paint(row, findTerm));
    if (marks.length) step(1); else showCount();
  }

  function step(dir) {
    if (!marks.length) return;
    if (current >= 0) marks[current].classList.remove('current');
    current = (current + dir + marks.length) % marks.length;
    marks[current].classList.add('current');
    following = false;
    marks[current].scrollIntoView({ block: 'center' });
    showCount();
  }

  let findTimer = null;
  findInput.addEventListener('input', () => { clearTimeout(findTimer); findTimer = setTimeout(runFind, 150); });
  findInput.addEventListener('keydown', ev => {
    if (ev.key === 'Enter') { ev.preventDefault(); if (findInput.value.toLowerCase() !== findTerm) runFind(); else step(ev.shiftKey ? -1 : 1); }
  });
  $('#find-next').addEventListener('click', () => step(1));
  $('#find-prev').addEventListener('click', () => step(-1));

  function flush() {
    scheduled = false;
    const frag = document.createDocumentFragment();
    let targetRow = null;
    pending.forEach(l => {
      const row = document.createElement('span');
      row.className = 'l' + (l.stream === 'err' ? ' e' : l.stream === 'sys' ? ' s' : '');
      row.id = 'L' + l.line;
      const n = document.createElement('span');
      n.className = 'n';
      n.textContent = l.line;
      row.appendChild(n);
      row.tdText = l.text + '\n';
      row.appendChild(document.createTextNode(row.tdText));
      if (findTerm) paint(row, findTerm);
      if (target === l.line) { row.classList.add('target'); targetRow = row; target = null; }
      frag.appendChild(row);
    });
    pending = [];
    log.appendChild(frag);
    if (findTerm) showCount();
    if (targetRow) { following = false; follow.hidden = false; targetRow.scrollIntoView({ block: 'center' }); }
    while (log.childElementCount > MAX_LINES_SHOWN) {
      const gone = log.firstChild;
      if (lit.has(gone)) { lit.delete(gone); marks = marks.filter(m => !gone.contains(m)); current = Math.min(current, marks.length - 1); }
      log.removeChild(gone);
      trimmed = true;
    }
    if (trimmed) state.textContent = count + ' lines (only the last ' + MAX_LINES_SHOWN + ' shown; download for all)';
    else if (!isFinal(status)) state.textContent = 'live · ' + count + ' lines';
    if (following) log.scrollTop = log.scrollHeight;
  }

  /** One step's state, as a step event or the deployment's list says. */
  function showStep(name, state, detail) {
    const list = $('#steps');
    let li = $('li[data-step="' + CSS.escape(name) + '"]', list);
    if (!li) {
      li = document.createElement('li');
      li.dataset.step = name;
      li.innerHTML = '<span class="step-name"></span> <span class="badge"></span> <span class="muted small step-detail"></span>';
      $('.step-name', li).textContent = name;
      list.appendChild(li);
    }
    const b = $('.badge', li);
    b.textContent = statusWord(state);
    b.className = 'badge badge-' + state.toLowerCase();
    $('.step-detail', li).textContent = detail || '';
    list.hidden = false;
  }

  /** The approvals as the deployment now stands: given of required, the window while it waits, who decided. */
  function showApprovals(d) {
    const box = $('#approvals');
    // the stream's final event carries the row without its decisions: only a full read replaces what is shown
    if (!box || !d.approval || !Array.isArray(d.approval.decisions)) return;
    const a = d.approval;
    const parts = [(a.given || 0) + ' of ' + a.required];
    if (d.status === 'AWAITING_APPROVAL' && a.expires_at) {
      const span = document.createElement('span');
      span.className = 'muted small';
      const t = document.createElement('time');
      t.setAttribute('datetime', a.expires_at);
      span.append('· window ends ', t);
      parts.push(' ', span);
    }
    if (a.decisions && a.decisions.length) {
      const ul = document.createElement('ul');
      ul.className = 'decisions';
      a.decisions.forEach(x => {
        const li = document.createElement('li');
        const badge = document.createElement('span');
        badge.className = 'badge badge-' + (x.decision === 'approve' ? 'succeeded' : 'failed');
        badge.textContent = x.decision === 'approve' ? 'approved' : 'rejected';
        const when = document.createElement('span');
        when.className = 'muted small';
        const t = document.createElement('time');
        t.setAttribute('datetime', x.at);
        when.appendChild(t);
        li.append(badge, ' ' + x.username + ' ', when);
        if (x.comment) li.append(': ' + x.comment);
        ul.appendChild(li);
      });
      parts.push(ul);
    }
    box.replaceChildren(...parts);
    localTimes(box);
  }

  function update(d) {
    // an answer that left the server before the end may arrive after it: a final state is never taken back
    if (isFinal(status) && !isFinal(d.status)) return;
    (d.steps || []).forEach(st => showStep(st.name, st.state, st.detail));
    showApprovals(d);
    const pos = $('#position');
    if (pos) {
      const text = positionText(d);
      if (text) pos.textContent = text;
      else pos.remove();
    }
    status = d.status;
    section.dataset.status = d.status;
    const badge = $('#status');
    badge.textContent = statusWord(d.status);
    badge.className = 'badge badge-' + d.status.toLowerCase();
    const queued = $('#queued');
    if (queued && !queued.querySelector('time') && (d.started_at || d.status === 'QUEUED')) {
      // approved since the page was drawn: when it entered the queue
      const t = document.createElement('time');
      t.setAttribute('datetime', d.queued_at);
      const note = document.createElement('span');
      note.className = 'muted small';
      note.textContent = ' after its approvals';
      queued.replaceChildren(t, note);
      localTimes(queued);
    }
    if (d.started_at && !started) {
      started = new Date(d.started_at);
      const cell = $('#started');
      cell.innerHTML = '';
      const t = document.createElement('time');
      t.setAttribute('datetime', d.started_at);
      cell.appendChild(t);
      localTimes(cell);
    }
    if (d.exit_code != null) $('#exit-code').textContent = d.exit_code;
    const err = $('#error');
    if (d.error) { err.textContent = d.error; err.hidden = false; }
    if (isFinal(d.status)) {
      if (!checksLoaded) { checksLoaded = true; serviceChecks(0); }
      $('#duration').textContent = formatDuration(d.duration_ms);
      const c = $('#cancel');
      if (c) c.hidden = true;
      if (!trimmed) state.textContent = count + ' lines';
      document.title = 'Deployment #' + id + ' ' + d.status + ' · trigger-deploy';
    }
  }

  let sawLine = false;
  let es = null;
  function connect() {
    es = new EventSource(log.dataset.events);
    es.addEventListener('line', ev => {
      const l = JSON.parse(ev.data);
      if (!sawLine) { sawLine = true; refresh(); } // it runs: its state and start time, once
      count = Math.max(count, l.line);
      pending.push(l);
      if (!scheduled) { scheduled = true; requestAnimationFrame(flush); }
    });
    es.addEventListener('step', ev => {
      const st = JSON.parse(ev.data);
      showStep(st.step, st.state, st.detail);
    });
    es.addEventListener('status', ev => {
      es.close();
      flush();
      update(JSON.parse(ev.data));
      refresh(); // the whole record once more: who approved, what the steps ended as
      if (count === 0) $('#log-empty').hidden = false;
    });
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED && !isFinal(status)) {
        state.textContent = 'disconnected; reconnecting…';
        setTimeout(connect, 3000);
      } else if (!isFinal(status)) {
        state.textContent = 'reconnecting…';
      }
    };
  }
  connect();

  async function refresh() {
    try {
      update(await api('GET', '/api/deployments/' + id));
    } catch (e) { /* the stream and the next refresh go on */ }
  }
  // once lines flow the stream says everything (lines, steps, the end); before the first one (queued, waiting for
  // approvals) only a look at the deployment tells its place in line and that it started
  const waiting = setInterval(() => { if (sawLine || isFinal(status)) clearInterval(waiting); else refresh(); }, 2000);
  document.addEventListener('td:deployment-changed', refresh);
  const ticker = setInterval(() => {
    if (isFinal(status)) { clearInterval(ticker); return; }
    if (started) $('#duration').textContent = formatDuration(Date.now() - started.getTime());
  }, 1000);
}

const section = $('#deployment');
if (section) deploymentPage(section);
