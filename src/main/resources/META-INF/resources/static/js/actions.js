/* What the pages' buttons do: deploy (with the server's parameters), re-run, roll back, promote, cancel, and the
 * admin pages' scans, checks, tests and imports; the dashboard's self-refreshing parts. */
import { ApiError, api, toLogin } from './api.js';
import { confirmDialog } from './dialogs.js';
import { $, $$, localTimes, toast } from './dom.js';
import { showFormError } from './forms.js';
import { fillParameters, parameterFields, parameterValues } from './params.js';
import { deploymentName, formatLocal, importSummary, statusWord } from './util.js';

/* A reason box for an emergency bypass, where the server's environment allows breaking glass. */
async function breakGlassField(server) {
  if (!server || !server.environment) return null;
  let env = null;
  try { env = await api('GET', '/api/environments/' + encodeURIComponent(server.environment)); } catch (err) { return null; }
  if (!env.break_glass) return null;
  const label = document.createElement('label');
  label.className = 'field break-glass';
  const caption = document.createElement('span');
  caption.textContent = 'Break glass (emergency only): reason to bypass approvals and freezes; audited and notified';
  const input = document.createElement('input');
  input.name = 'break_glass';
  input.dataset.own = 'true';
  input.maxLength = 500;
  input.placeholder = 'leave empty for a normal deployment';
  label.append(caption, input);
  return label;
}

/*
 * Fills the deploy dialog from an earlier deployment (its version and parameter values); secret values are never in a
 * deployment's view, so those fields stay empty. Answers the deployment, or null when it cannot be read.
 */
async function prefill(fields, fromId) {
  let d;
  try { d = await api('GET', '/api/deployments/' + encodeURIComponent(fromId)); } catch (err) { return null; }
  fillParameters(fields, d.parameters || {});
  return d;
}

export async function deploy(button) {
  const name = button.dataset.serverName || button.dataset.server;
  let server = null;
  try { server = await api('GET', '/api/servers/' + encodeURIComponent(button.dataset.server)); } catch (err) { server = null; }
  const fields = parameterFields(server);
  const glass = await breakGlassField(server);
  let error = null;
  let text = 'Deploy ' + name + ' now? Its deploy command runs over SSH.';
  const from = button.dataset.from ? await prefill(fields, button.dataset.from) : null;
  if (from) {
    text = 'Deploy ' + (from.ref ? from.ref + ' to ' : '') + name + '? Filled from deployment #' + from.id
      + '; change anything before it runs.' + ((server && (server.parameters || []).some(p => p.type === 'secret'))
        ? ' Secret values are not copied: enter them again.' : '');
  }
  if (server && server.environment) text += ' Environment: ' + server.environment + '.';
  // a refused value (400), or a freeze where glass may be broken (409), opens the form again with the API's message
  for (;;) {
    if (!await confirmDialog(text, 'Deploy', glass ? fields.concat([glass]) : fields, error)) return;
    button.disabled = true;
    try {
      const body = { server: button.dataset.server, parameters: parameterValues(fields) };
      const reason = glass ? glass.querySelector('input').value.trim() : '';
      if (reason) body.break_glass = reason;
      const d = await api('POST', '/api/deployments', body);
      location.href = '/deployments/' + d.id;
      return;
    } catch (err) {
      button.disabled = false;
      if (err.status !== 400 && !(glass && err.status === 409)) { toast(err.message, true); return; }
      error = err;
    }
  }
}

export async function again(button) {
  const what = button.dataset.action;
  const id = button.dataset.id;
  let url = '/api/deployments/' + id + '/rerun';
  let body;
  let text = 'Run deployment #' + id + ' again with the same version and parameters?';
  if (what === 'rollback') {
    return rollback(button);
  } else if (what === 'promote') {
    // a choice of the other servers, not free text
    let servers = [];
    try { servers = await api('GET', '/api/servers'); } catch (err) { toast(err.message, true); return; }
    const label = document.createElement('label');
    label.className = 'field';
    const caption = document.createElement('span');
    caption.textContent = 'Target server';
    const select = document.createElement('select');
    select.name = 'server';
    select.required = true;
    select.append(new Option('', ''));
    servers.filter(s => s.active && s.alias !== button.dataset.server)
      .forEach(s => select.append(new Option(s.name + ' (' + s.alias + (s.environment ? ', ' + s.environment : '') + ')', s.alias)));
    label.append(caption, select);
    if (!await confirmDialog('Deploy the version and parameters of #' + id + ' on another server?', 'Promote', [label])) return;
    url = '/api/deployments/' + id + '/promote';
    body = { server: select.value };
    return post(button, url, body);
  }
  if (!await confirmDialog(text, button.textContent.trim())) return;
  return post(button, url, body);
}

/*
 * A rollback names what it deploys before anyone confirms it: "Roll back web-1 from v1.6.0 (#17) to v1.5.2 (#12)?", with
 * the earlier successes to pick from (the default steps back past the version running now and past releases a rollback
 * replaced, so a second rollback goes further back instead of redeploying the same version).
 */
async function rollback(button) {
  const server = button.dataset.server;
  let plan;
  try { plan = await api('GET', '/api/servers/' + encodeURIComponent(server) + '/rollback'); } catch (err) { toast(err.message, true); return; }
  if (!plan.from || !plan.candidates.length) {
    toast(server + ' has no earlier successful deployment to roll back to', true);
    return;
  }
  const label = document.createElement('label');
  label.className = 'field';
  const caption = document.createElement('span');
  caption.textContent = 'Deploy again';
  const select = document.createElement('select');
  select.name = 'to';
  select.id = 'rollback-to';
  plan.candidates.forEach(c => select.append(new Option(deploymentName(c) + ' · ' + (c.requested_by || '')
    + (c.finished_at ? ' · ' + formatLocal(new Date(c.finished_at)) : ''), String(c.deployment_id))));
  const chosen = plan.to || plan.candidates[0];
  select.value = String(chosen.deployment_id);
  label.append(caption, select);
  const question = id => 'Roll back ' + server + ' from ' + deploymentName(plan.from) + ' to '
    + deploymentName(plan.candidates.find(c => String(c.deployment_id) === id)) + '?';
  select.addEventListener('change', () => { $('#confirm-title').textContent = question(select.value); });
  if (!await confirmDialog(question(select.value) + ' Its version and parameters run again.', 'Roll back', [label])) return;
  return post(button, '/api/servers/' + encodeURIComponent(server) + '/rollback', { to: Number(select.value) });
}

/* Queues a deployment (re-run, rollback, promotion) and opens its page. */
async function post(button, url, body) {
  button.disabled = true;
  try {
    const d = await api('POST', url, body);
    location.href = '/deployments/' + d.id;
  } catch (err) {
    toast(err.message, true);
    button.disabled = false;
  }
}

export async function cancel(button) {
  if (!await confirmDialog('Cancel deployment #' + button.dataset.id + '? A running command is stopped.', 'Cancel deployment')) return;
  button.disabled = true;
  try {
    await api('POST', '/api/deployments/' + button.dataset.id + '/cancel');
    toast('Cancel requested');
    document.dispatchEvent(new CustomEvent('td:deployment-changed')); // the deployment page shows the new state
  } catch (err) {
    toast(err.message, true);
    button.disabled = false;
  }
}

export async function request(button) {
  if (button.dataset.confirm && !await confirmDialog(button.dataset.confirm, button.dataset.ok)) return;
  let body;
  if (button.dataset.field) {
    const raw = button.dataset.value;
    body = { [button.dataset.field]: raw === 'true' ? true : raw === 'false' ? false : raw };
  }
  button.disabled = true;
  try {
    await api(button.dataset.method || 'POST', button.dataset.url, body);
    location.reload();
  } catch (err) {
    toast(err.message, true);
    button.disabled = false;
  }
}

export async function scan(button) {
  const dlg = $('#scan-dialog');
  const id = button.dataset.id;
  const pin = $('#scan-pin', dlg);
  const err = $('.form-error', dlg);
  $('#scan-name', dlg).textContent = button.dataset.name;
  $('#scan-state', dlg).textContent = 'Connecting to the server to read its host key…';
  $('#scan-fingerprint', dlg).textContent = '';
  $('#scan-pinned', dlg).textContent = '';
  err.hidden = true;
  pin.hidden = true;
  dlg.showModal();
  try {
    const r = await api('POST', '/api/servers/' + id + '/host-key/scan');
    $('#scan-fingerprint', dlg).textContent = r.fingerprint;
    if (r.matches_pinned) {
      $('#scan-state', dlg).textContent = 'The server presents the key that is pinned. Nothing to do.';
    } else {
      $('#scan-state', dlg).textContent = r.pinned_fingerprint
        ? 'Warning: the server presents a DIFFERENT key than the pinned one.'
        : 'No key is pinned yet.';
      $('#scan-pinned', dlg).textContent = r.pinned_fingerprint ? 'Pinned now: ' + r.pinned_fingerprint : '';
      pin.textContent = r.pinned_fingerprint ? 'Replace the pinned key with this one' : 'Trust and pin this key';
      pin.hidden = false;
      pin.onclick = async () => {
        pin.disabled = true;
        try {
          await api('PUT', '/api/servers/' + id + '/host-key', { fingerprint: r.fingerprint });
          dlg.close();
          location.reload();
        } catch (e) {
          err.textContent = e.message;
          err.hidden = false;
        } finally {
          pin.disabled = false;
        }
      };
      // trusting a key is a decision, never Enter's default: the focus stays on Close
      $('[data-close]', dlg).focus();
    }
  } catch (e) {
    $('#scan-state', dlg).textContent = 'The scan failed.';
    err.textContent = e.message;
    err.hidden = false;
  }
}

export async function checkService(button) {
  button.disabled = true;
  try {
    const r = await api('POST', '/api/services/' + button.dataset.id + '/check');
    toast('Check: ' + statusWord(r.status) + (r.response_ms != null ? ' in ' + r.response_ms + ' ms' : '') + (r.error ? ' (' + r.error + ')' : ''), r.status === 'DOWN');
    setTimeout(() => location.reload(), 1200);
  } catch (err) {
    toast(err.message, true);
    button.disabled = false;
  }
}

export async function testChannel(button) {
  button.disabled = true;
  try {
    await api('POST', '/api/notifications/channels/' + button.dataset.id + '/test');
    toast('Test message sent');
  } catch (err) {
    toast(err.message, true);
  } finally {
    button.disabled = false;
  }
}

export async function submitChannel(form) {
  showFormError(form, null);
  const kind = $('#c-kind', form).value;
  const settings = {};
  $$('.kind-' + kind + ' [data-setting]', form).forEach(i => {
    if (i.value.trim() !== '') settings[i.dataset.setting] = i.type === 'number' ? Number(i.value) : i.value.trim();
  });
  const body = { name: $('#c-name', form).value.trim(), kind, settings,
    events: $$('[data-event]', form).filter(c => c.checked).map(c => c.dataset.event) };
  if ($('#c-secret', form).value) body.secret = $('#c-secret', form).value;
  try {
    await api('POST', '/api/notifications/channels', body);
    location.reload();
  } catch (err) {
    showFormError(form, err);
  }
}

export async function importGeneric(form) {
  const file = $('.import-file', form).files[0];
  const text = file ? await file.text() : $('.import-text', form).value;
  const result = $('.import-result', form);
  showFormError(form, null);
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    showFormError(form, new ApiError('That is not valid JSON: ' + e.message, 400));
    return;
  }
  try {
    const r = await api('POST', form.dataset.import, parsed);
    result.textContent = importSummary(r).join('\n');
    result.style.whiteSpace = 'pre-line';
    if (r.created.length) setTimeout(() => location.reload(), 2500);
  } catch (e) {
    showFormError(form, e);
  }
}

export async function copy(button) {
  const text = document.getElementById(button.dataset.copy).textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch (e) {
    const range = document.createRange();
    range.selectNodeContents(document.getElementById(button.dataset.copy));
    const sel = getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    document.execCommand('copy');
  }
  button.textContent = 'Copied';
  setTimeout(() => { button.textContent = 'Copy'; }, 2000);
}

/* ---------- self-refreshing parts (dashboard) ---------- */

export function autoRefresh(el) {
  const every = Number(el.dataset.interval) || 5000;
  const stamp = $('[data-refreshed]');
  let busy = false;
  setInterval(async () => {
    if (busy || document.hidden || $('dialog[open]')) return;
    busy = true;
    try {
      const res = await fetch(el.dataset.refresh, { credentials: 'same-origin' });
      if (res.redirected && new URL(res.url).pathname === '/login') { toLogin(); return; }
      if (!res.ok) throw new Error(res.status === 503 ? 'database unreachable' : 'HTTP ' + res.status);
      const html = await res.text();
      const focused = document.activeElement;
      const key = focused && el.contains(focused) && focused.dataset ? focused.dataset.server : null;
      el.innerHTML = html;
      localTimes(el);
      if (key) {
        const again = $('[data-server="' + CSS.escape(key) + '"] .deploy-button, .deploy-button[data-server="' + CSS.escape(key) + '"]', el);
        if (again) again.focus();
      }
      if (stamp) stamp.textContent = 'updated ' + new Date().toLocaleTimeString();
    } catch (e) {
      if (stamp) stamp.textContent = 'refresh failed (' + e.message + '); retrying';
    } finally {
      busy = false;
    }
  }, every);
}

/** Test connection: each step a deployment takes before its script, and the first that failed. */
export async function testConnection(button) {
  button.disabled = true;
  try {
    const r = await api('POST', '/api/servers/' + button.dataset.id + '/test-connection');
    const last = r.steps[r.steps.length - 1];
    toast(r.ok ? 'Connection to ' + button.dataset.name + ' works: ' + r.steps.map(s => s.step).join(', ') + ' passed'
      : 'Connection to ' + button.dataset.name + ' failed at ' + r.failed_step + ': ' + last.detail, !r.ok);
  } catch (err) {
    toast(err.message, true);
  }
  button.disabled = false;
}
