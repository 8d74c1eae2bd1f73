/* The navigation's groups (Deploy, Operate, Administer) open as small menus, one at a time; a click elsewhere or
 * Escape closes them. The colour scheme switch is remembered in this browser (theme.js applies it on every page). */
import { $, $$ } from './dom.js';

function setOpen(group, open) {
  group.classList.toggle('open', open);
  $('.nav-group-toggle', group).setAttribute('aria-expanded', String(open));
}

export function wireNav() {
  document.addEventListener('click', ev => {
    const toggle = ev.target.closest('.nav-group-toggle');
    $$('.nav-group.open').forEach(g => { if (!g.contains(ev.target)) setOpen(g, false); });
    if (toggle) setOpen(toggle.closest('.nav-group'), !toggle.closest('.nav-group').classList.contains('open'));
  });
  document.addEventListener('keydown', ev => {
    if (ev.key !== 'Escape') return;
    const open = $('.nav-group.open');
    if (!open) return;
    setOpen(open, false);
    $('.nav-group-toggle', open).focus();
  });
  const theme = $('#theme-switch');
  if (!theme) return;
  let saved = '';
  try { saved = localStorage.getItem('td-theme') || ''; } catch (e) { saved = ''; }
  theme.value = saved === 'light' || saved === 'dark' ? saved : '';
  theme.addEventListener('change', () => {
    try {
      if (theme.value) localStorage.setItem('td-theme', theme.value); else localStorage.removeItem('td-theme');
    } catch (e) { /* not remembered, still applied */ }
    if (theme.value) document.documentElement.setAttribute('data-theme', theme.value);
    else document.documentElement.removeAttribute('data-theme');
  });
}
