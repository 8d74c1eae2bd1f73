/* Small DOM helpers shared by the pages' modules. */
import { formatLocal } from './util.js';

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

/** The session's CSRF token, from the page's meta tag. */
export const csrf = () => ($('meta[name="csrf-token"]') || {}).content || '';

/** A short message at the corner of the page; errors stay longer. */
export function toast(message, isError) {
  const box = $('#toast');
  if (!box) return;
  const m = document.createElement('div');
  m.className = 'msg' + (isError ? ' error' : '');
  m.textContent = message;
  box.appendChild(m);
  setTimeout(() => m.remove(), isError ? 8000 : 4000);
}

/** Shows every <time datetime> in the reader's local time (the exact instant as its title). */
export function localTimes(root = document) {
  $$('time[datetime]', root).forEach(t => {
    const v = t.getAttribute('datetime');
    if (!v) return;
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) return;
    t.title = d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
    t.textContent = formatLocal(d);
  });
}

/** Marks a field the API refused and puts its message right after it. */
export function markInvalid(input, id, message) {
  input.setAttribute('aria-invalid', 'true');
  const small = document.createElement('small');
  small.className = 'field-error';
  small.id = id;
  small.textContent = message;
  input.setAttribute('aria-describedby', small.id);
  input.insertAdjacentElement('afterend', small);
}
