/* trigger-deploy pages: small, dependency-free native modules, no build step. Actions call the JSON API with the
 * session cookie and the page's CSRF token; errors come back as application/problem+json and are shown where the user
 * acted. This module wires the page; the deployment page loads its own module beside it. */
import { accountPage } from './account.js';
import * as actions from './actions.js';
import { openDialog } from './dialogs.js';
import { $, $$, localTimes } from './dom.js';
import { submitApiForm, syncChannelKind, syncChoices, syncHookKind } from './forms.js';
import { wireNav } from './nav.js';
import { wireRows } from './rows.js';

const BUTTONS = {
  deploy: actions.deploy,
  rerun: actions.again,
  rollback: actions.again,
  promote: actions.again,
  cancel: actions.cancel,
  request: actions.request,
  'test-connection': actions.testConnection,
  scan: actions.scan,
  check: actions.checkService,
  'test-channel': actions.testChannel
};

document.addEventListener('click', ev => {
  const t = ev.target.closest('button, a');
  if (!t) return;
  if (t.matches('[data-open]')) { ev.preventDefault(); openDialog(t); return; }
  if (t.matches('[data-close]')) { ev.preventDefault(); t.closest('dialog').close(); return; }
  if (t.matches('[data-copy]')) { actions.copy(t); return; }
  if (t.matches('.menu-toggle')) {
    const nav = $('#nav');
    const open = nav.classList.toggle('open');
    t.setAttribute('aria-expanded', String(open));
    return;
  }
  const action = BUTTONS[t.dataset.action];
  if (action) action(t);
});

document.addEventListener('submit', ev => {
  const form = ev.target;
  if (form.dataset.import) { ev.preventDefault(); actions.importGeneric(form); return; }
  if (form.id === 'channel-form') { ev.preventDefault(); actions.submitChannel(form); return; }
  if (form.dataset.api) { ev.preventDefault(); submitApiForm(form); }
});

document.addEventListener('change', ev => {
  const el = ev.target;
  if (el.id === 'h-kind') syncHookKind();
  if (el.id === 'c-kind') syncChannelKind();
  if (el instanceof HTMLSelectElement && el.hasAttribute('data-choice')) syncChoices(el.form || document);
  // <select data-autosubmit> sends its form when changed (no inline handlers: the pages' CSP allows none)
  if (el instanceof HTMLSelectElement && el.hasAttribute('data-autosubmit') && el.form) el.form.submit();
});

// a module runs once the document is parsed
syncHookKind();
syncChannelKind();
syncChoices();
localTimes();
wireRows();
wireNav();
$$('[data-refresh]').forEach(actions.autoRefresh);
accountPage();
