/* Forms that call the API: the form as a JSON body, a record loaded into it, the API's refusal shown at the fields. */
import { api } from './api.js';
import { $, $$, localTimes, markInvalid, toast } from './dom.js';
import { fillRows, markRowError, readParams, readRows, renderParams } from './rows.js';
import { getPath, keyValueLines, nonEmptyLines, parseAmount, setPath } from './util.js';

/** data-<name>-<mode> (the form's mode: create, edit) or data-<name>, with :id filled in. */
export function attr(form, name) {
  const mode = form.dataset.mode;
  const value = (mode && form.getAttribute('data-' + name + '-' + mode)) || form.getAttribute('data-' + name);
  return value ? value.replace(':id', encodeURIComponent(form.dataset.id || '')) : value;
}

/*
 * The form as a JSON body. Dotted names nest ("steps.verify.commands"); data-kind="lines" sends the non-empty lines
 * as a list, data-kind="map" key=value lines as an object and data-kind="json" the parsed JSON (all three always, so clearing a box clears the value); data-clearable
 * sends "" for an empty field when editing (it removes the value).
 */
export function formBody(form) {
  const body = {};
  Array.from(form.elements).forEach(el => {
    if (!el.name || el.disabled) return;
    if (el.closest('.create-only') && form.dataset.mode && form.dataset.mode !== 'create') return;
    const set = el.parentElement && el.parentElement.closest('fieldset[data-kind]');
    if (set && form.contains(set)) return; // a row's or a parameter's field: its set sends it
    const kind = el.dataset.kind;
    if (kind === 'rows') {
      setPath(body, el.name, readRows(el)); // always sent: removing every row clears them
    } else if (kind === 'params') {
      setPath(body, el.name, readParams(el));
    } else if (kind === 'kv') {
      const map = keyValueLines(el.value, el.name);
      if (Object.keys(map).length) setPath(body, el.name, map); // nothing written: nothing to change
    } else if (kind === 'map') {
      // key=value lines, always sent: an emptied box clears them
      const map = keyValueLines(el.value, el.name, 'Write one ' + (el.dataset.label || 'entry') + ' per line as key=value');
      setPath(body, el.name, Object.fromEntries(Object.entries(map).map(([k, v]) => [k.trim(), v.trim()])));
    } else if (kind === 'amount') {
      // a number ("3") or a percentage ("25%"), as the rollout settings take them
      const amount = parseAmount(el.value);
      if (amount !== undefined) setPath(body, el.name, amount);
    } else if (kind === 'lines') {
      setPath(body, el.name, nonEmptyLines(el.value));
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

/** A record (as the API answers it) into the form's fields; secret variables show only their names. */
export function fillForm(form, data) {
  $$('[data-hint-for]', form).forEach(h => {
    const names = data[h.dataset.hintFor.replace('secrets', 'secret_names')] || [];
    h.textContent = names.length ? 'Set now: ' + names.join(', ') : 'None set';
  });
  Array.from(form.elements).forEach(el => {
    if (!el.name || el.dataset.kind === 'kv') return;
    const v = getPath(data, el.name);
    if (v === undefined) return;
    if (el.dataset.kind === 'rows') fillRows(el, v);
    else if (el.dataset.kind === 'params') { el._values = v || {}; renderParams(el); }
    else if (el.type === 'checkbox') el.checked = !!v;
    else if (el.dataset.kind === 'lines') el.value = (v || []).join('\n');
    else if (el.dataset.kind === 'map') el.value = Object.entries(v || {}).map(([k, x]) => k + '=' + x).join('\n');
    else if (el.dataset.kind === 'json') el.value = v == null || (Array.isArray(v) && !v.length) ? '' : JSON.stringify(v, null, 2);
    else el.value = v == null ? (el.tagName === 'SELECT' ? (el.options[0] ? el.options[0].value : '') : '') : v;
  });
}

/** The API's refusal in the form's error box, each field it names marked; null clears them. */
export function showFormError(form, err) {
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
    if (markRowError(form, v)) return;
    const input = form.elements.namedItem(v.field);
    if (input && input.insertAdjacentElement) markInvalid(input, 'err-' + v.field, v.message);
  });
}

/** Re-reads the current page and swaps in a fresh copy of one element. */
export async function refreshSection(selector) {
  try {
    const res = await fetch(location.href, { credentials: 'same-origin' });
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

/* What a form does after the API said yes (its data-then); a page's own module may add one. */
const thens = {
  'show-hook': (form, result) => {
    form.reset();
    form.closest('dialog').close();
    $('#new-hook-url').textContent = location.origin + result.url;
    $('#new-hook-secret').textContent = result.secret;
    $('#new-hook').hidden = false;
    refreshSection('.hooks-list');
  },
  'show-token': (form, result) => {
    form.reset();
    $('#new-token-value').textContent = result.token;
    $('#new-token').hidden = false;
    $('#new-token button').focus();
    refreshSection('.tokens-list');
  }
};

export function onThen(name, handler) {
  thens[name] = handler;
}

function after(form, then, result) {
  if (then === 'reload') {
    location.reload();
  } else if (then.startsWith('redirect:')) {
    location.href = then.substring(9);
  } else if (then.startsWith('toast:') || then.startsWith('reset-toast:')) {
    form.reset();
    const dlg = form.closest('dialog');
    if (dlg) dlg.close();
    toast(then.substring(then.indexOf(':') + 1));
  } else if (thens[then]) {
    thens[then](form, result);
  }
}

/** A data-api form: its body to its endpoint, then what its data-then says. */
export async function submitApiForm(form) {
  const submit = $('button[type="submit"]', form);
  showFormError(form, null);
  if (submit) submit.disabled = true;
  try {
    const result = await api(attr(form, 'method') || 'POST', attr(form, 'api'), formBody(form));
    after(form, form.dataset.then || 'reload', result);
  } catch (err) {
    showFormError(form, err);
  } finally {
    if (submit) submit.disabled = false;
  }
}

/** Fields only for one kind of hook. */
export function syncHookKind() {
  const kind = $('#h-kind');
  if (!kind) return;
  $$('.hmac-only').forEach(el => {
    el.hidden = kind.value !== 'hmac';
    $$('input, select', el).forEach(i => { i.disabled = kind.value !== 'hmac'; });
  });
}

/**
 * A <select data-choice> decides which group of fields a form sends: each [data-choice-of="<its id>"] element shows
 * (and its fields are sent) only while the select's value is its data-choice-value; the others are hidden and disabled.
 */
export function syncChoices(root = document) {
  $$('select[data-choice]', root).forEach(select => {
    $$('[data-choice-of="' + select.id + '"]', root).forEach(el => {
      const on = el.dataset.choiceValue === select.value;
      el.hidden = !on;
      $$('input, select, textarea, fieldset', el).forEach(i => { i.disabled = !on; });
    });
  });
}

/** Fields only for one kind of notification channel. */
export function syncChannelKind() {
  const kind = $('#c-kind');
  if (!kind) return;
  const kinds = ['email', 'telegram', 'webhook', 'slack', 'teams', 'discord'];
  $$(kinds.map(k => '.kind-' + k).join(', ')).forEach(f => { f.hidden = !f.classList.contains('kind-' + kind.value); });
}
