/* The rollouts pages: the dialog that plans a rollout (a dry run: "12 servers in 4 waves") before it starts, and one
 * rollout's page, whose grid of hosts, status, gate and buttons follow the rollout's event stream while it goes on. */
import { api } from './api.js';
import { confirmDialog } from './dialogs.js';
import { $, $$, toast } from './dom.js';
import { showFormError } from './forms.js';
import { parseAmount, statusWord } from './util.js';

const ACTIVE = ['AWAITING_APPROVAL', 'RUNNING', 'PAUSED'];


function rolloutBody(form) {
  const f = name => form.elements[name];
  const target = {};
  ['group', 'environment', 'selector'].forEach(k => { if (f(k).value.trim()) target[k] = f(k).value.trim(); });
  const body = { target, strategy: f('strategy').value, on_breach: f('on_breach').value };
  const put = (key, value) => { if (value !== undefined && value !== '') body[key] = value; };
  put('ref', f('ref').value.trim());
  put('note', f('note').value.trim());
  put('error_pattern', f('error_pattern').value.trim());
  put('max_failures', parseAmount(f('max_failures').value));
  if (f('max_in_flight').value) body.max_in_flight = Number(f('max_in_flight').value);
  if (f('soak_seconds').value) body.soak_seconds = Number(f('soak_seconds').value);
  if (body.strategy === 'rolling') put('batch', parseAmount(f('batch').value));
  if (body.strategy === 'canary') {
    const c = f('canary').value.trim();
    if (c) body.canary = /^\d+$/.test(c) ? Number(c) : c.split(',').map(s => s.trim()).filter(Boolean);
    const w = f('waves').value.trim();
    if (w) body.waves = w.split(',').map(s => parseAmount(s)).filter(x => x !== undefined);
  }
  if (f('promote').checked) body.promote = true;
  if (f('resume_after_freeze').checked) body.resume_after_freeze = true;
  return body;
}

function describePlan(plan) {
  const hosts = plan.waves.reduce((n, w) => n + w.length, 0) + (plan.hidden_hosts || 0);
  const box = document.createElement('div');
  const head = document.createElement('p');
  head.className = 'plan-summary';
  head.textContent = hosts + (hosts === 1 ? ' server in ' : ' servers in ') + plan.waves.length
    + (plan.waves.length === 1 ? ' wave' : ' waves') + ', ' + plan.strategy + ', at most ' + plan.max_in_flight
    + ' at once, ' + plan.max_failures + (plan.max_failures === 1 ? ' failure' : ' failures') + ' allowed';
  box.append(head);
  const list = document.createElement('ol');
  plan.waves.forEach(w => {
    const li = document.createElement('li');
    li.textContent = w.join(', ');
    list.append(li);
  });
  box.append(list);
  if (plan.hidden_hosts) {
    const p = document.createElement('p');
    p.className = 'alert error';
    p.textContent = plan.hidden_hosts + ' of these servers are hidden from you: you cannot start this rollout.';
    box.append(p);
  }
  if (plan.not_allowed) {
    const p = document.createElement('p');
    p.className = 'alert error';
    p.textContent = 'You may not deploy to ' + plan.not_allowed.join(', ') + ': you cannot start this rollout.';
    box.append(p);
  }
  return box;
}

function wireDialog(form) {
  const out = $('#rollout-plan');
  const start = $('#rollout-start');
  const planButton = $('#rollout-plan-button');
  form.addEventListener('input', () => { start.disabled = true; });
  planButton.addEventListener('click', async () => {
    showFormError(form, null);
    try {
      const plan = await api('POST', '/api/rollouts?dry_run=true', rolloutBody(form));
      out.replaceChildren(describePlan(plan));
      out.hidden = false;
      start.disabled = Boolean(plan.hidden_hosts || plan.not_allowed);
    } catch (err) {
      out.hidden = true;
      showFormError(form, err);
    }
  });
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    start.disabled = true;
    try {
      const r = await api('POST', '/api/rollouts', rolloutBody(form));
      location.href = '/rollouts/' + r.id;
    } catch (err) {
      showFormError(form, err);
    }
  });
}

function seconds(from, to) {
  if (!from) return '';
  const ms = (to ? Date.parse(to) : Date.now()) - Date.parse(from);
  return (ms / 1000).toFixed(1) + ' s';
}

function hostRow(h, operator, rolloutActive) {
  const tr = document.createElement('tr');
  tr.dataset.host = h.server;
  const cell = (content, cls) => {
    const td = document.createElement('td');
    if (cls) td.className = cls;
    if (content instanceof Node) td.append(content); else td.textContent = content == null ? '' : String(content);
    tr.append(td);
    return td;
  };
  cell(h.wave);
  cell(h.server);
  const badge = document.createElement('span');
  badge.className = 'badge badge-' + h.status.toLowerCase();
  badge.textContent = statusWord(h.status);
  cell(badge);
  if (h.deployment_id) {
    const a = document.createElement('a');
    a.href = '/deployments/' + h.deployment_id;
    a.textContent = '#' + h.deployment_id;
    cell(a);
  } else cell('—');
  cell(seconds(h.started_at, h.finished_at));
  cell((h.detail || '') + (h.rollback_deployment_id ? ' rolled back by #' + h.rollback_deployment_id : ''), 'small');
  if (operator) {
    const td = cell('', 'row-actions');
    const failed = ['FAILED', 'TIMED_OUT', 'INTERRUPTED', 'REFUSED', 'CANCELLED'].includes(h.status);
    if (rolloutActive && failed) td.append(hostButton('retry', h.server), hostButton('skip', h.server));
    else if (rolloutActive && h.status === 'PENDING') td.append(hostButton('skip', h.server));
  }
  return tr;
}

function hostButton(action, server) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'secondary small';
  b.dataset.hostAction = action;
  b.dataset.server = server;
  b.textContent = action === 'retry' ? 'Retry' : 'Skip';
  return b;
}

function render(section, r) {
  const operator = section.dataset.operator === 'true';
  section.dataset.status = r.status;
  const status = $('#rollout-status');
  status.textContent = statusWord(r.status);
  status.className = 'badge badge-' + r.status.toLowerCase();
  $('#rollout-wave').textContent = r.current_wave + ' of ' + r.waves.length;
  $('#rollout-failures').textContent = r.failures + ' of ' + r.max_failures + ' allowed'
    + (r.accepted_failures ? ' (+' + r.accepted_failures + ' accepted)' : '');
  const gate = $('#rollout-gate');
  gate.textContent = r.gate || '';
  gate.hidden = !r.gate;
  const reason = $('#rollout-reason');
  reason.textContent = r.paused_reason || '';
  reason.hidden = !r.paused_reason;
  const promoting = r.status === 'RUNNING' && (r.gate || '').startsWith('promote:');
  $$('[data-rollout-action]').forEach(b => {
    const when = b.dataset.when.split(' ');
    b.hidden = !(when.includes(r.status) || (promoting && when.includes('PROMOTE')));
  });
  const active = ACTIVE.includes(r.status);
  $('#rollout-hosts tbody').replaceChildren(...r.hosts.map(h => hostRow(h, operator, active && r.status !== 'AWAITING_APPROVAL')));
}

/* The status of each host's deployment (by deployment id), as the rollout last read says. */
const deploymentStatus = new Map();

/* The output tabs: "All hosts" (the merged log, each line prefixed with its server) and one per host that has run. */
function renderTabs(r) {
  r.hosts.filter(h => h.deployment_id).forEach(h => deploymentStatus.set(String(h.deployment_id), h.status));
  const bar = $('#rollout-log-tabs');
  const selected = (bar.querySelector('[aria-selected="true"]') || {}).dataset || { log: 'all' };
  const tabs = [['all', 'All hosts']];
  r.hosts.filter(h => h.deployment_id).forEach(h => tabs.push([String(h.deployment_id), h.server]));
  const same = tabs.length === bar.children.length
    && tabs.every(([key], i) => bar.children[i].dataset.log === key);
  if (same) return;
  bar.replaceChildren(...tabs.map(([key, label]) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.setAttribute('role', 'tab');
    b.dataset.log = key;
    b.textContent = label;
    b.setAttribute('aria-selected', String(key === selected.log));
    return b;
  }));
  if (!bar.querySelector('[aria-selected="true"]')) bar.children[0].setAttribute('aria-selected', 'true');
}

/* The live output of the host tab on view while its deployment is queued or running (one stream per page). */
let hostStream = null;

function stopHostStream() {
  if (hostStream) {
    hostStream.close();
    hostStream = null;
  }
}

/*
 * Output line by line while it is written: a running host's from its deployment's event stream, or every host's from
 * the rollout's merged stream (each line prefixed with its server), in the form /log answers. The browser resumes a
 * dropped stream after the last position it got; the stream ends with the run (status) or the rollout (end).
 */
function follow(key, pre, url) {
  stopHostStream();
  pre.textContent = '';
  pre.dataset.source = 'stream:' + key;
  const es = new EventSource(url);
  hostStream = es;
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.append(pending);
    pending = '';
    if (atEnd) pre.scrollTop = pre.scrollHeight;
  };
  const add = text => {
    pending += text;
    if (!scheduled) { scheduled = true; requestAnimationFrame(flush); }
  };
  es.addEventListener('skipped', ev => {
    add('(' + JSON.parse(ev.data).lines + " earlier lines not shown: each host's deployment has its whole log)\n");
  });
  es.addEventListener('line', ev => {
    const l = JSON.parse(ev.data);
    add(l.at + ' ' + (l.server ? l.server + ' | ' : '') + l.stream + ' | ' + l.text + '\n');
  });
  const end = () => {
    es.close();
    if (hostStream === es) hostStream = null;
  };
  es.addEventListener('status', end);
  es.addEventListener('end', end);
}

async function loadLog(id) {
  const tab = $('#rollout-log-tabs [aria-selected="true"]');
  const key = tab ? tab.dataset.log : 'all';
  const url = key === 'all' ? '/api/rollouts/' + id + '/log' : '/api/deployments/' + key + '/log';
  const pre = $('#rollout-log');
  pre.setAttribute('aria-label', key === 'all' ? 'Output of all hosts, each line prefixed with its server'
    : 'Output of ' + tab.textContent + ' (deployment #' + key + ')');
  const live = key === 'all' ? ACTIVE.includes($('#rollout').dataset.status)
    : ['QUEUED', 'RUNNING'].includes(deploymentStatus.get(key));
  if (live && typeof EventSource === 'function') {
    pre.dataset.live = 'true';
    if (!(hostStream && pre.dataset.source === 'stream:' + key)) {
      follow(key, pre, key === 'all' ? '/api/rollouts/' + id + '/log/events'
        : '/api/deployments/' + encodeURIComponent(key) + '/events');
    }
    return;
  }
  // a finished host's stream has ended by itself; its full log is read once more below (nothing lost at the end)
  if (pre.dataset.source === 'stream:' + key && hostStream) return;
  stopHostStream();
  pre.dataset.live = 'false';
  try {
    const res = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/plain' } });
    if (!res.ok) return;
    const text = await res.text();
    const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    if (pre.dataset.source !== url || pre.textContent !== text) {
      pre.textContent = text || (key === 'all' ? 'No output yet.' : '');
      if (atEnd || pre.dataset.source !== url) pre.scrollTop = pre.scrollHeight;
      pre.dataset.source = url;
    }
  } catch (e) { /* the next refresh tries again */ }
}

function wireRollout(section) {
  const id = section.dataset.id;
  const url = '/api/rollouts/' + id;
  let timer = null;
  let stream = null;
  let pending = null;
  const refresh = async () => {
    try {
      const r = await api('GET', url);
      render(section, r);
      renderTabs(r);
      loadLog(id);
      if (!ACTIVE.includes(r.status)) {
        if (timer) { clearInterval(timer); timer = null; }
      }
    } catch (err) { /* the next round tries again */ }
  };
  // the rollout's event stream says when something changed (any replica); the page then reads the rollout once
  const soon = () => { if (!pending) pending = setTimeout(() => { pending = null; refresh(); }, 150); };
  const listen = () => {
    if (stream || typeof EventSource !== 'function') return;
    stream = new EventSource(url + '/events');
    ['status', 'wave', 'gate', 'host'].forEach(kind => stream.addEventListener(kind, soon));
    // the stream ends with the rollout: do not reconnect then
    stream.onerror = () => { if (!ACTIVE.includes(section.dataset.status)) { stream.close(); stream = null; } };
  };
  $('#rollout-log-tabs').addEventListener('click', ev => {
    const tab = ev.target.closest('[role="tab"]');
    if (!tab) return;
    $$('#rollout-log-tabs [role="tab"]').forEach(t => t.setAttribute('aria-selected', String(t === tab)));
    loadLog(id);
  });
  section.parentElement.addEventListener('click', async ev => {
    const b = ev.target.closest('button[data-rollout-action], button[data-host-action]');
    if (!b) return;
    let path;
    let body;
    if (b.dataset.rolloutAction) {
      const action = b.dataset.rolloutAction;
      if (action === 'reject') {
        const label = document.createElement('label');
        label.className = 'field';
        const caption = document.createElement('span');
        caption.textContent = 'Why (the requester reads it)';
        const input = document.createElement('input');
        input.name = 'comment';
        input.required = true;
        label.append(caption, input);
        if (!await confirmDialog('Reject rollout #' + id + '?', 'Reject', [label])) return;
        body = { comment: input.value };
      } else if (['abort', 'rollback'].includes(action)
        && !await confirmDialog(action === 'abort' ? 'Abort rollout #' + id + '? Running hosts are cancelled.'
          : 'Roll every host of rollout #' + id + ' back to its own release before it?', b.textContent.trim())) return;
      path = '/' + action;
    } else {
      path = '/hosts/' + encodeURIComponent(b.dataset.server) + '/' + b.dataset.hostAction;
    }
    b.disabled = true;
    try {
      render(section, await api('POST', url + path, body));
      if (!timer) timer = setInterval(refresh, 5000);
      listen();
    } catch (err) {
      toast(err.message, true);
    } finally {
      b.disabled = false;
    }
  });
  refresh();
  if (ACTIVE.includes(section.dataset.status)) {
    listen();
    // a slow safety net (a proxy that drops the stream): the stream normally brings every change at once
    timer = setInterval(refresh, 5000);
  }
}

const form = $('#rollout-form');
if (form) wireDialog(form);
const section = $('#rollout');
if (section) wireRollout(section);
