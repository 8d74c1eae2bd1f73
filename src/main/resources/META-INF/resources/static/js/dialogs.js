/* The pages' dialogs: a modal question (with fields, a small form), and the create/edit dialogs of data-open buttons. */
import { api } from './api.js';
import { $, $$, markInvalid } from './dom.js';
import { attr, fillForm, showFormError, syncChoices, syncHookKind } from './forms.js';
import { resetSets } from './rows.js';

/* A modal question; with fields, a form; with error (an ApiError), the API's answer and the fields it names marked. */
export function confirmDialog(text, okLabel, fields, error) {
  const dlg = $('#confirm-dialog');
  if (!dlg || typeof dlg.showModal !== 'function') return Promise.resolve(confirm(text));
  // the title asks the question itself ("Cancel deployment #12?"), never "Are you sure?"; the rest explains
  const q = text.indexOf('?');
  $('#confirm-title', dlg).textContent = q > 0 ? text.slice(0, q + 1) : (okLabel ? okLabel + '?' : text);
  const rest = q > 0 ? text.slice(q + 1).trim() : text;
  $('#confirm-text', dlg).textContent = rest;
  $('#confirm-text', dlg).hidden = !rest || rest === $('#confirm-title', dlg).textContent;
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
    // Enter must not do it with the defaults: the first field has the focus, or else Cancel
    const first = $$('input, select, textarea', box).find(i => !i.disabled);
    (first || $('#confirm-cancel', dlg)).focus();
  });
}

/** The dialog a data-open button names, in the button's mode (create, edit), its record loaded when editing. */
export async function openDialog(button) {
  const dlg = document.getElementById(button.dataset.open);
  if (!dlg) return;
  const form = $('form', dlg);
  const mode = button.dataset.mode || 'create';
  dlg.dataset.mode = mode;
  if (form) {
    form.reset();
    resetSets(form);
    $$('[data-hint-for]', form).forEach(h => { h.textContent = ''; });
    syncHookKind();
    syncChoices(form);
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
  // a select of other records (a server's jump host) never offers the record being edited
  const others = form ? $$('select[data-not-self] option', form) : [];
  others.forEach(o => { o.hidden = false; o.disabled = false; });
  if (load && form.dataset.id) {
    try {
      const record = await api('GET', load);
      others.filter(o => o.value && o.value === record.alias).forEach(o => { o.hidden = true; o.disabled = true; });
      fillForm(form, record);
    } catch (err) {
      showFormError(form, err);
    }
  }
  const first = form && Array.from(form.elements).find(el => el.name && !el.disabled && el.offsetParent !== null);
  if (first) first.focus();
}
