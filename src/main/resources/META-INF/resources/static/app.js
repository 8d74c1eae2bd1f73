/* trigger-deploy pages: small, dependency-free. Actions call the JSON API with the session cookie and the
 * page's CSRF token; errors come back as application/problem+json and are shown where the user acted. */
(() => {
  'use strict';

  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const csrf = () => ($('meta[name="csrf-token"]') || {}).content || '';

  class ApiError extends Error {
    constructor(message, status, violations) {
      super(message);
      this.status = status;
      this.violations = violations || [];
    }
  }

  function toLogin() {
    window.location.href = '/login?next=' + encodeURIComponent(window.location.pathname + window.location.search);
  }

  async function api(method, url, body) {
    const opts = { method, credentials: 'same-origin', headers: { Accept: 'application/json', 'X-CSRF-Token': csrf() } };
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(url, opts);
    } catch (e) {
      throw new ApiError('The service cannot be reached; check the connection and try again.', 0);
    }
    if (res.status === 401) {
      toLogin();
      throw new ApiError('Your session has ended; log in again.', 401);
    }
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (!res.ok) {
      const msg = (data && (data.detail || data.title)) || ('Request failed (' + res.status + ')');
      throw new ApiError(msg, res.status, data && data.violations);
    }
    return data;
  }

  /* ---------- small UI helpers ---------- */

  function toast(message, isError) {
    const box = $('#toast');
    if (!box) return;
    const m = document.createElement('div');
    m.className = 'msg' + (isError ? ' error' : '');
    m.textContent = message;
    box.appendChild(m);
    setTimeout(() => m.remove(), isError ? 8000 : 4000);
  }

  function localTimes(root = document) {
    $$('time[datetime]', root).forEach(t => {
      const v = t.getAttribute('datetime');
      if (!v) return;
      const d = new Date(v);
      if (isNaN(d)) return;
      t.title = d.toISOString();
      t.textContent = d.toLocaleString();
    });
  }

  /* A modal question; with fields, a form; with error (an ApiError), the API's answer and the fields it names marked. */
  function confirmDialog(text, okLabel, fields, error) {
    const dlg = $('#confirm-dialog');
    if (!dlg || typeof dlg.showModal !== 'function') return Promise.resolve(window.confirm(text));
    $('#confirm-text', dlg).textContent = text;
    const box = $('#confirm-fields', dlg);
    if (box) box.replaceChildren(...(fields || []));
    const errBox = $('#confirm-error', dlg);
    $$('.field-error', dlg).forEach(e => e.remove());
    $$('[aria-invalid]', dlg).forEach(e => e.removeAttribute('aria-invalid'));
    if (errBox) { errBox.hidden = !error; errBox.textContent = error ? error.message : ''; }
    ((error && error.violations) || []).forEach(v => {
      const input = $$('input, select', box).find(i => 'parameters.' + i.name === v.field || (i.dataset.own && i.name === v.field));
      if (input) markInvalid(input, 'err-' + input.name, v.message);
    });
    $('#confirm-ok', dlg).textContent = okLabel || 'OK';
    dlg.returnValue = '';
    return new Promise(resolve => {
      dlg.addEventListener('close', () => resolve(dlg.returnValue === 'ok'), { once: true });
      dlg.showModal();
      $('#confirm-ok', dlg).focus();
    });
  }

  function formatDuration(ms) {
    if (ms == null || isNaN(ms)) return '—';
    const s = Math.floor(ms / 1000);
    if (s < 60) return ms < 10000 ? (ms / 1000).toFixed(1) + ' s' : s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  }

  function showFormError(form, err) {
    const box = $('.form-error', form);
    $$('.field-error', form).forEach(e => e.remove());
    $$('[aria-invalid]', form).forEach(e => e.removeAttribute('aria-invalid'));
    if (!err) {
      if (box) box.hidden = true;
      return;
    }
    if (box) {
      box.textContent = err.message;
      box.hidden = false;
    } else {
      toast(err.message, true);
    }
    (err.violations || []).forEach(v => {
      const input = form.elements.namedItem(v.field);
      if (input && input.insertAdjacentElement) markInvalid(input, 'err-' + v.field, v.message);
    });
  }

  /* Marks a field the API refused and puts its message right after it. */
  function markInvalid(input, id, message) {
    input.setAttribute('aria-invalid', 'true');
    const small = document.createElement('small');
    small.className = 'field-error';
    small.id = id;
    small.textContent = message;
    input.setAttribute('aria-describedby', small.id);
    input.insertAdjacentElement('afterend', small);
  }

  function attr(form, name) {
    const mode = form.dataset.mode;
    const value = (mode && form.getAttribute('data-' + name + '-' + mode)) || form.getAttribute('data-' + name);
    return value ? value.replace(':id', encodeURIComponent(form.dataset.id || '')) : value;
  }

  /* Sets body[a][b][c] for a field named "a.b.c". */
  function setPath(body, name, value) {
    const parts = name.split('.');
    let o = body;
    parts.slice(0, -1).forEach(p => { o = (o[p] = o[p] || {}); });
    o[parts[parts.length - 1]] = value;
  }

  function getPath(data, name) {
    return name.split('.').reduce((o, p) => (o == null ? undefined : o[p]), data);
  }

  /*
   * The form as a JSON body. Dotted names nest ("steps.verify.commands"); data-kind="lines" sends the non-empty lines
   * as a list and data-kind="json" the parsed JSON (both always, so clearing a box clears the value); data-clearable
   * sends "" for an empty field when editing (it removes the value).
   */
  function formBody(form) {
    const body = {};
    Array.from(form.elements).forEach(el => {
      if (!el.name || el.disabled) return;
      if (el.closest('.create-only') && form.dataset.mode && form.dataset.mode !== 'create') return;
      const kind = el.dataset.kind;
      if (kind === 'kv') {
        const lines = el.value.split('\n').map(v => v.trim()).filter(v => v);
        if (!lines.length) return; // nothing to change
        const map = {};
        lines.forEach(line => {
          const at = line.indexOf('=');
          if (at < 1) {
            throw { message: 'Write each secret variable as NAME=value (NAME= removes it)',
                    violations: [{ field: el.name, message: 'not NAME=value' }] };
          }
          map[line.substring(0, at).trim()] = line.substring(at + 1);
        });
        setPath(body, el.name, map);
      } else if (kind === 'lines') {
        setPath(body, el.name, el.value.split('\n').map(v => v.trim()).filter(v => v));
      } else if (kind === 'json') {
        try {
          setPath(body, el.name, el.value.trim() ? JSON.parse(el.value) : JSON.parse(el.dataset.empty || 'null'));
        } catch (e) {
          throw { message: 'The ' + (el.dataset.label || el.name) + ' box is not valid JSON: ' + e.message,
                  violations: [{ field: el.name, message: 'not valid JSON' }] };
        }
      } else if (el.type === 'checkbox') {
        setPath(body, el.name, el.checked);
      } else if (el.type === 'number') {
        if (el.value !== '') setPath(body, el.name, Number(el.value));
      } else if (el.value !== '') {
        setPath(body, el.name, el.type === 'password' ? el.value : el.value.trim());
      } else if (el.hasAttribute('data-clearable') && form.dataset.mode === 'edit') {
        setPath(body, el.name, '');
      }
    });
    return body;
  }

  function fillForm(form, data) {
    $$('[data-hint-for]', form).forEach(h => {
      const names = data[h.dataset.hintFor.replace('secrets', 'secret_names')] || [];
      h.textContent = names.length ? 'Set now: ' + names.join(', ') : 'None set';
    });
    Array.from(form.elements).forEach(el => {
      if (!el.name || el.dataset.kind === 'kv') return;
      const v = getPath(data, el.name);
      if (v === undefined) return;
      if (el.type === 'checkbox') el.checked = !!v;
      else if (el.dataset.kind === 'lines') el.value = (v || []).join('\n');
      else if (el.dataset.kind === 'json') el.value = v == null || (Array.isArray(v) && !v.length) ? '' : JSON.stringify(v, null, 2);
      else el.value = v == null ? (el.tagName === 'SELECT' ? (el.options[0] ? el.options[0].value : '') : '') : v;
    });
  }

  /* ---------- forms that call the API ---------- */

  async function submitApiForm(form) {
    const submit = $('button[type="submit"]', form);
    showFormError(form, null);
    if (submit) submit.disabled = true;
    try {
      const result = await api(attr(form, 'method') || 'POST', attr(form, 'api'), formBody(form));
      const then = form.dataset.then || 'reload';
      if (then === 'reload') {
        window.location.reload();
      } else if (then.startsWith('redirect:')) {
        window.location.href = then.substring(9);
      } else if (then.startsWith('toast:') || then.startsWith('reset-toast:')) {
        form.reset();
        const dlg = form.closest('dialog');
        if (dlg) dlg.close();
        toast(then.substring(then.indexOf(':') + 1));
      } else if (then === 'show-hook') {
        form.reset();
        form.closest('dialog').close();
        $('#new-hook-url').textContent = window.location.origin + result.url;
        $('#new-hook-secret').textContent = result.secret;
        $('#new-hook').hidden = false;
        refreshSection('.hooks-list');
      } else if (then === 'show-recovery') {
        form.reset();
        $('#totp-enrol').hidden = true;
        const list = $('#totp-recovery-codes');
        list.replaceChildren(...(result.recovery_codes || []).map(c => { const li = document.createElement('li'); li.textContent = c; return li; }));
        $('#totp-recovery').hidden = false;
        totpState();
      } else if (then === 'show-token') {
        form.reset();
        $('#new-token-value').textContent = result.token;
        $('#new-token').hidden = false;
        $('#new-token button').focus();
        refreshSection('.tokens-list');
      }
    } catch (err) {
      showFormError(form, err);
    } finally {
      if (submit) submit.disabled = false;
    }
  }

  /** Re-reads the current page and swaps in a fresh copy of one element. */
  async function refreshSection(selector) {
    try {
      const res = await fetch(window.location.href, { credentials: 'same-origin' });
      if (!res.ok) return;
      const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
      const fresh = $(selector, doc);
      const current = $(selector);
      if (fresh && current) {
        current.replaceWith(fresh);
        localTimes(fresh);
      }
    } catch (e) { /* the next reload shows it */ }
  }

  /* ---------- dialogs ---------- */

  async function openDialog(button) {
    const dlg = document.getElementById(button.dataset.open);
    if (!dlg) return;
    const form = $('form', dlg);
    const mode = button.dataset.mode || 'create';
    dlg.dataset.mode = mode;
    if (form) {
      form.reset();
      $$('[data-hint-for]', form).forEach(h => { h.textContent = ''; });
      syncHookKind();
      form.dataset.mode = mode;
      form.dataset.id = button.dataset.id || '';
      showFormError(form, null);
    }
    const title = $('[data-title-' + mode + ']', dlg);
    if (title) title.textContent = title.getAttribute('data-title-' + mode);
    $$('[data-fill]', dlg).forEach(el => { el.textContent = button.dataset[el.dataset.fill] || ''; });
    $$('[data-fill-value]', dlg).forEach(el => { el.value = button.dataset[el.dataset.fillValue] || ''; });
    $$('.import-result', dlg).forEach(r => { r.textContent = ''; });
    dlg.showModal();
    const load = form && attr(form, 'load');
    if (load && form.dataset.id) {
      try {
        fillForm(form, await api('GET', load));
      } catch (err) {
        showFormError(form, err);
      }
    }
    const first = form && Array.from(form.elements).find(el => el.name && !el.disabled && el.offsetParent !== null);
    if (first) first.focus();
  }

  /* ---------- buttons ---------- */

  /* One input per declared parameter (and REF, the version, when the server does not declare it). */
  function parameterFields(server) {
    const specs = (server && server.parameters) || [];
    const all = specs.some(p => p.name === 'REF') ? specs
      : [{ name: 'REF', label: 'Version (branch, tag or commit; optional)', type: 'string' }].concat(specs);
    return all.map(p => {
      const label = document.createElement('label');
      label.className = 'field';
      const caption = document.createElement('span');
      caption.textContent = (p.label || p.name) + (p.required ? ' *' : '');
      let input;
      if (p.type === 'choice') {
        input = document.createElement('select');
        if (!p.required) input.append(new Option('', ''));
        (p.choices || []).forEach(c => input.append(new Option(c, c, false, p.default === c)));
      } else {
        input = document.createElement('input');
        input.type = p.type === 'secret' ? 'password' : p.type === 'integer' ? 'number' : p.type === 'boolean' ? 'checkbox' : 'text';
        if (p.type === 'boolean') input.checked = p.default === true;
        else if (p.default != null) input.value = String(p.default);
        if (p.type === 'integer') { if (p.min != null) input.min = p.min; if (p.max != null) input.max = p.max; }
        if (p.type === 'secret') input.autocomplete = 'off';
      }
      input.name = p.name;
      input.dataset.type = p.type || 'string';
      if (p.required && p.type !== 'boolean') input.required = true;
      label.append(caption, input);
      return label;
    });
  }

  function parameterValues(fields) {
    const values = {};
    fields.forEach(label => {
      const input = label.querySelector('input, select');
      if (input.dataset.type === 'boolean') values[input.name] = input.checked;
      else if (input.value !== '') values[input.name] = input.dataset.type === 'integer' ? Number(input.value) : input.value;
    });
    return values;
  }

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

  async function deploy(button) {
    const name = button.dataset.serverName || button.dataset.server;
    let server = null;
    try { server = await api('GET', '/api/servers/' + encodeURIComponent(button.dataset.server)); } catch (err) { server = null; }
    const fields = parameterFields(server);
    const glass = await breakGlassField(server);
    let error = null;
    let text = 'Deploy ' + name + ' now? Its deploy command runs over SSH.';
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
        window.location.href = '/deployments/' + d.id;
        return;
      } catch (err) {
        button.disabled = false;
        if (err.status !== 400 && !(glass && err.status === 409)) { toast(err.message, true); return; }
        error = err;
      }
    }
  }

  async function again(button) {
    const what = button.dataset.action;
    const id = button.dataset.id;
    let url = '/api/deployments/' + id + '/rerun';
    let body;
    let text = 'Run deployment #' + id + ' again with the same version and parameters?';
    if (what === 'rollback') {
      url = '/api/servers/' + encodeURIComponent(button.dataset.server) + '/rollback';
      body = {};
      text = 'Roll ' + button.dataset.server + ' back to its last successful deployment before the current one?';
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

  /* Queues a deployment (re-run, rollback, promotion) and opens its page. */
  async function post(button, url, body) {
    button.disabled = true;
    try {
      const d = await api('POST', url, body);
      window.location.href = '/deployments/' + d.id;
    } catch (err) {
      toast(err.message, true);
      button.disabled = false;
    }
  }

  async function cancel(button) {
    if (!await confirmDialog('Cancel deployment #' + button.dataset.id + '? A running command is stopped.', 'Cancel deployment')) return;
    button.disabled = true;
    try {
      await api('POST', '/api/deployments/' + button.dataset.id + '/cancel');
      toast('Cancel requested');
      if (window.tdRefreshDeployment) window.tdRefreshDeployment();
    } catch (err) {
      toast(err.message, true);
      button.disabled = false;
    }
  }

  async function request(button) {
    if (button.dataset.confirm && !await confirmDialog(button.dataset.confirm, button.dataset.ok)) return;
    let body;
    if (button.dataset.field) {
      const raw = button.dataset.value;
      body = { [button.dataset.field]: raw === 'true' ? true : raw === 'false' ? false : raw };
    }
    button.disabled = true;
    try {
      await api(button.dataset.method || 'POST', button.dataset.url, body);
      window.location.reload();
    } catch (err) {
      toast(err.message, true);
      button.disabled = false;
    }
  }

  async function scan(button) {
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
        pin.hidden = false;
        pin.onclick = async () => {
          pin.disabled = true;
          try {
            await api('PUT', '/api/servers/' + id + '/host-key', { fingerprint: r.fingerprint });
            dlg.close();
            window.location.reload();
          } catch (e) {
            err.textContent = e.message;
            err.hidden = false;
          } finally {
            pin.disabled = false;
          }
        };
        pin.focus();
      }
    } catch (e) {
      $('#scan-state', dlg).textContent = 'The scan failed.';
      err.textContent = e.message;
      err.hidden = false;
    }
  }

  async function checkService(button) {
    button.disabled = true;
    try {
      const r = await api('POST', '/api/services/' + button.dataset.id + '/check');
      toast('Check: ' + r.status + (r.response_ms != null ? ' in ' + r.response_ms + ' ms' : '') + (r.error ? ' (' + r.error + ')' : ''), r.status === 'DOWN');
      setTimeout(() => window.location.reload(), 1200);
    } catch (err) {
      toast(err.message, true);
      button.disabled = false;
    }
  }

  async function testChannel(button) {
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

  function syncChannelKind() {
    const kind = $('#c-kind');
    if (!kind) return;
    ['email', 'telegram', 'webhook'].forEach(k => { $$('.kind-' + k).forEach(f => { f.hidden = kind.value !== k; }); });
  }

  async function submitChannel(form) {
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
      window.location.reload();
    } catch (err) {
      showFormError(form, err);
    }
  }

  async function importGeneric(form) {
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
      const lines = ['Imported ' + r.created.length + (r.created.length ? ': ' + r.created.map(s => s.name).join(', ') : '') + '.'];
      r.skipped.forEach(s => lines.push('Skipped #' + s.index + (s.name ? ' (' + s.name + ')' : '') + ': ' + s.reason));
      result.textContent = lines.join('\n');
      result.style.whiteSpace = 'pre-line';
      if (r.created.length) setTimeout(() => window.location.reload(), 2500);
    } catch (e) {
      showFormError(form, e);
    }
  }

  async function copy(button) {
    const text = document.getElementById(button.dataset.copy).textContent;
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {
      const range = document.createRange();
      range.selectNodeContents(document.getElementById(button.dataset.copy));
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      document.execCommand('copy');
    }
    button.textContent = 'Copied';
    setTimeout(() => { button.textContent = 'Copy'; }, 2000);
  }

  /* ---------- self-refreshing parts (dashboard) ---------- */

  function autoRefresh(el) {
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

  /* ---------- deployment page: live log ---------- */

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
    const isFinal = s => s !== 'QUEUED' && s !== 'RUNNING' && s !== 'AWAITING_APPROVAL';
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
        b.textContent = c.status;
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
    const hashLine = (/^#L(\d+)$/.exec(window.location.hash) || [])[1];
    let target = hashLine ? Number(hashLine) : null;

    function paint(row, term) {
      const text = row.tdText;
      const lower = text.toLowerCase();
      let at = lower.indexOf(term);
      if (at < 0 && !lit.has(row)) return;
      row.replaceChildren(row.firstChild);
      lit.delete(row);
      let from = 0;
      for (; term && at >= 0; at = lower.indexOf(term, at + term.length)) {
        if (at > from) row.appendChild(document.createTextNode(text.substring(from, at)));
        const m = document.createElement('mark');
        m.className = 'find-hit';
        m.textContent = text.substring(at, at + term.length);
        row.appendChild(m);
        marks.push(m);
        lit.add(row);
        from = at + term.length;
      }
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
      b.textContent = state;
      b.className = 'badge badge-' + state.toLowerCase();
      $('.step-detail', li).textContent = detail || '';
      list.hidden = false;
    }

    function update(d) {
      (d.steps || []).forEach(st => showStep(st.name, st.state, st.detail));
      const pos = $('#position');
      if (pos) {
        if (d.position) pos.textContent = '· #' + d.position + ' in line for ' + d.server;
        else pos.remove();
      }
      status = d.status;
      section.dataset.status = d.status;
      const badge = $('#status');
      badge.textContent = d.status;
      badge.className = 'badge badge-' + d.status.toLowerCase();
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

    let es = null;
    function connect() {
      es = new EventSource(log.dataset.events);
      es.addEventListener('line', ev => {
        const l = JSON.parse(ev.data);
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

    async function poll() {
      try {
        update(await api('GET', '/api/deployments/' + id));
      } catch (e) { /* the stream and the next poll go on */ }
    }
    window.tdRefreshDeployment = poll;
    const poller = setInterval(() => { if (isFinal(status)) clearInterval(poller); else poll(); }, 2000);
    const ticker = setInterval(() => {
      if (isFinal(status)) { clearInterval(ticker); return; }
      if (started) $('#duration').textContent = formatDuration(Date.now() - started.getTime());
    }, 1000);
  }

  /* ---------- wiring ---------- */

  document.addEventListener('click', ev => {
    const t = ev.target.closest('button, a');
    if (!t) return;
    if (t.matches('[data-open]')) { ev.preventDefault(); openDialog(t); return; }
    if (t.matches('[data-close]')) { ev.preventDefault(); t.closest('dialog').close(); return; }
    if (t.matches('[data-copy]')) { copy(t); return; }
    if (t.matches('.menu-toggle')) {
      const nav = $('#nav');
      const open = nav.classList.toggle('open');
      t.setAttribute('aria-expanded', String(open));
      return;
    }
    switch (t.dataset.action) {
      case 'deploy': deploy(t); break;
      case 'rerun': case 'rollback': case 'promote': again(t); break;
      case 'cancel': cancel(t); break;
      case 'request': request(t); break;
      case 'scan': scan(t); break;
      case 'check': checkService(t); break;
      case 'test-channel': testChannel(t); break;
      default:
    }
  });

  document.addEventListener('submit', ev => {
    const form = ev.target;
    if (form.dataset.import) { ev.preventDefault(); importGeneric(form); return; }
    if (form.id === 'channel-form') { ev.preventDefault(); submitChannel(form); return; }
    if (form.dataset.api) { ev.preventDefault(); submitApiForm(form); }
  });

  /* fields only for one kind of hook */
  document.addEventListener('change', ev => {
    if (ev.target.id === 'h-kind') syncHookKind();
    if (ev.target.id === 'c-kind') syncChannelKind();
  });
  function syncHookKind() {
    const kind = $('#h-kind');
    if (!kind) return;
    $$('.hmac-only').forEach(el => {
      el.hidden = kind.value !== 'hmac';
      $$('input, select', el).forEach(i => { i.disabled = kind.value !== 'hmac'; });
    });
  }

  /** The account page's two-factor state: on (with the codes left) or off, and the matching control. */
  function totpState() {
    api('GET', '/api/me/totp').then(s => {
      $('#totp-state').textContent = s.enabled
        ? 'On: signing in asks for a code from your authenticator app (' + s.recovery_codes_left + ' recovery codes left).'
        : 'Off: your password alone signs you in.';
      $('#totp-start').hidden = s.enabled || !$('#totp-enrol').hidden;
      $('#totp-disable').hidden = !s.enabled;
    }).catch(err => { $('#totp-state').textContent = err.message; });
  }

  document.addEventListener('DOMContentLoaded', () => {
    syncHookKind();
    syncChannelKind();
    localTimes();
    $$('[data-refresh]').forEach(autoRefresh);
    const d = $('#deployment');
    if (d) deploymentPage(d);
    if ($('#totp-state')) {
      totpState();
      $('#totp-start').addEventListener('click', async () => {
        try {
          const e = await api('POST', '/api/me/totp');
          $('#totp-qr').src = e.qr_data_uri;
          $('#totp-secret').textContent = e.secret;
          $('#totp-enrol').hidden = false;
          $('#totp-start').hidden = true;
          $('#totp-code').focus();
        } catch (err) {
          toast(err.message);
        }
      });
    }
    const slack = $('#slack-state');
    if (slack) {
      api('GET', '/api/me/slack').then(r => {
        const ids = r.slack_user_ids || [];
        slack.textContent = ids.length ? 'Linked to Slack user ' + ids.join(', ') + '. Slash commands act as you, with your role.'
          : 'Not linked: slash commands from your Slack account answer only help.';
        $('#slack-unlink').hidden = !ids.length;
      }).catch(err => { slack.textContent = err.message; });
    }
  });
})();

// <select data-autosubmit> sends its form when changed (no inline handlers: the pages' CSP allows none)
document.addEventListener('change', (e) => {
  const el = e.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute('data-autosubmit') && el.form) {
    el.form.submit();
  }
});
