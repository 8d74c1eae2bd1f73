/*
 * Forms instead of JSON boxes. A <fieldset data-kind="rows" name="..."> holds a list of rows made from its <template>
 * (an "Add" button, a "Remove" button per row) and sends them as a list of objects, one key per [data-key] field;
 * data-single sends the one row as an object, or null when there is none. A <fieldset data-kind="params"
 * data-server-select="id"> holds the fields of the parameters the selected server declares and sends their values.
 * The API's refusals name fields as paths ("freeze_windows[1].end", "parameters.TARGET.pattern",
 * "deploy_hours.from"); each is marked at its row's field.
 */
import { api } from './api.js';
import { $, $$, markInvalid } from './dom.js';
import { fillParameters, parameterFields, parameterValues } from './params.js';

const pad = n => String(n).padStart(2, '0');

/* An instant as a datetime-local value in the viewer's time zone. */
function toLocalInput(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' + pad(d.getHours()) + ':' + pad(d.getMinutes());
}

/* A field of a row is sent unless it is hidden because the row's type does not use it. */
function inUse(el, row) {
  const only = el.closest('[data-show-for]');
  return !only || !row.contains(only) || !only.hidden;
}

function readField(el) {
  const as = el.dataset.as;
  if (as === 'checks') return $$('input[type=checkbox]', el).filter(c => c.checked).map(c => c.value);
  if (el.type === 'checkbox') return el.checked;
  const v = el.value.trim();
  if (v === '') return undefined;
  if (as === 'list') return v.split(',').map(x => x.trim()).filter(x => x !== '');
  if (as === 'datetime') {
    const d = new Date(v); // a datetime-local value is read in the viewer's zone
    return Number.isNaN(d.getTime()) ? v : d.toISOString();
  }
  if (el.type === 'number') return Number(v);
  return v;
}

function writeField(el, v) {
  const as = el.dataset.as;
  if (as === 'checks') {
    const on = new Set((v || []).map(String));
    $$('input[type=checkbox]', el).forEach(c => { c.checked = on.has(c.value); });
  } else if (el.type === 'checkbox') {
    el.checked = v === true || v === 'true';
  } else if (as === 'list') {
    el.value = (v || []).join(', ');
  } else if (as === 'datetime') {
    el.value = v ? toLocalInput(v) : '';
  } else {
    el.value = v == null ? (el.tagName === 'SELECT' && el.options[0] ? el.options[0].value : '') : String(v);
  }
}

/* A row's object: its fields, and what the record had that the form has no field for (kept as it was). */
function readRow(row) {
  const out = Object.assign({}, row._orig || {});
  $$('[data-key]', row).forEach(el => { delete out[el.dataset.key]; });
  $$('[data-key]', row).forEach(el => {
    if (!inUse(el, row)) return;
    const v = readField(el);
    if (v !== undefined) out[el.dataset.key] = v;
  });
  return out;
}

/* Shows only the fields the row's type uses (a choice's choices, an integer's min and max, ...). */
export function syncRow(row) {
  const type = $('select[data-key="type"]', row);
  $$('[data-show-for]', row).forEach(el => {
    el.hidden = !!type && !el.dataset.showFor.split(' ').includes(type.value);
  });
}

function addRow(set, values) {
  const list = $('.rows-list', set);
  const row = $('template', set).content.firstElementChild.cloneNode(true);
  list.append(row);
  if (values) {
    row._orig = values;
    $$('[data-key]', row).forEach(el => writeField(el, values[el.dataset.key]));
  }
  syncRow(row);
  syncAdd(set);
  return row;
}

/* A single-row set offers "Add" only while it has no row. */
function syncAdd(set) {
  const add = $('[data-add-row]', set);
  if (add && set.hasAttribute('data-single')) add.hidden = $$('.row', set).length > 0;
  const none = $('.rows-none', set);
  if (none) none.hidden = $$('.row', set).length > 0;
}

/* The rows of a set as the API takes them. */
export function readRows(set) {
  const rows = $$('.rows-list > .row', set).map(readRow);
  if (set.hasAttribute('data-single')) return rows.length ? rows[0] : null;
  return rows;
}

/* A record's value (a list, an object or null) as the set's rows. */
export function fillRows(set, value) {
  $('.rows-list', set).replaceChildren();
  const items = value == null ? [] : Array.isArray(value) ? value : [value];
  items.forEach(v => addRow(set, v));
  syncAdd(set);
}

/* A schedule's (or any form's) parameter fields for the server its select names; kept values filled in again. */
export async function renderParams(set) {
  const select = document.getElementById(set.dataset.serverSelect);
  const token = (set._token = (set._token || 0) + 1);
  const box = $('.params-fields', set);
  const alias = select ? select.value : '';
  let server = null;
  if (alias) {
    try { server = await api('GET', '/api/servers/' + encodeURIComponent(alias)); } catch (err) { server = null; }
  }
  if (token !== set._token) return; // another server was picked meanwhile
  const fields = parameterFields(server, { skipSecrets: true });
  fillParameters(fields, set._values || {});
  box.replaceChildren(...fields);
  const secrets = ((server && server.parameters) || []).filter(p => p.type === 'secret').map(p => p.name);
  const note = $('.params-secrets', set);
  if (note) {
    note.hidden = !secrets.length;
    note.textContent = secrets.length ? 'Secret parameters (' + secrets.join(', ') + ') cannot be stored in a schedule.' : '';
  }
}

export function readParams(set) {
  return parameterValues($$('.params-fields > label', set));
}

/* Keeps what was typed when the server changes: the next server's fields of the same name take the values. */
export function serverChanged(select) {
  $$('fieldset[data-kind="params"]').filter(s => s.dataset.serverSelect === select.id).forEach(set => {
    set._values = Object.assign({}, set._values || {}, readParams(set));
    renderParams(set);
  });
}

/* Every set of a form back to empty (a dialog opened to create). */
export function resetSets(form) {
  $$('fieldset[data-kind="rows"]', form).forEach(set => fillRows(set, null));
  $$('fieldset[data-kind="params"]', form).forEach(set => { set._values = {}; renderParams(set); });
}

/* Marks the row field a refusal names; false when no set of the form has it. */
export function markRowError(form, v) {
  for (const set of $$('fieldset[data-kind]', form)) {
    const name = set.name;
    if (!name || !v.field || !v.field.startsWith(name) || v.field === name) continue;
    const rest = v.field.slice(name.length);
    let target = null;
    if (set.dataset.kind === 'params') {
      const m = /^\.([^.[]+)/.exec(rest);
      target = m ? $$('input, select', set).find(i => i.name === m[1]) : null;
    } else {
      const rows = $$('.rows-list > .row', set);
      let row = null;
      let key = null;
      let m = /^\[(\d+)\](?:\.(\w+))?/.exec(rest);
      if (m) {
        row = rows[Number(m[1])];
        key = m[2];
      } else if ((m = /^\.([^.[]+)(?:\.(\w+))?$/.exec(rest))) {
        if (set.hasAttribute('data-single')) {
          row = rows[0];
          key = m[1];
        } else {
          row = rows.find(r => { const n = $('[data-key="name"]', r); return n && n.value.trim() === m[1]; });
          key = m[2];
        }
      }
      if (row) target = (key && $('[data-key="' + key + '"]', row)) || $('[data-key]', row);
    }
    if (target) {
      markInvalid(target, 'err-' + v.field, v.message);
      return true;
    }
  }
  return false;
}

/* The add and remove buttons of every set on the page, and a type change in a row. */
export function wireRows() {
  document.addEventListener('click', ev => {
    const add = ev.target.closest('[data-add-row]');
    if (add) {
      const row = addRow(add.closest('fieldset[data-kind="rows"]'));
      const first = $('input, select', row);
      if (first) first.focus();
      return;
    }
    const remove = ev.target.closest('[data-remove-row]');
    if (remove) {
      const set = remove.closest('fieldset[data-kind="rows"]');
      remove.closest('.row').remove();
      syncAdd(set);
      const next = $('[data-add-row]:not([hidden])', set);
      if (next) next.focus();
    }
  });
  document.addEventListener('change', ev => {
    const el = ev.target;
    if (el.matches('select[data-key="type"]')) syncRow(el.closest('.row'));
    if (el instanceof HTMLSelectElement && el.id) serverChanged(el);
  });
  $$('[data-local-zone]').forEach(el => { el.textContent = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local'; });
  const zones = $('#time-zones');
  if (zones && $('input[list="time-zones"]') && typeof Intl.supportedValuesOf === 'function') {
    zones.replaceChildren(...['UTC'].concat(Intl.supportedValuesOf('timeZone')).map(z => new Option(z, z)));
  }
}
