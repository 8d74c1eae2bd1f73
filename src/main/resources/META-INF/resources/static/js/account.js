/* The account page: two-factor sign-in (state, enrolment, recovery codes) and the Slack link. */
import { api } from './api.js';
import { $, toast } from './dom.js';
import { onThen } from './forms.js';

/** The two-factor state: on (with the codes left) or off, and the matching control. */
function totpState() {
  api('GET', '/api/me/totp').then(s => {
    $('#totp-state').textContent = s.enabled
      ? 'On: signing in asks for a code from your authenticator app (' + s.recovery_codes_left + ' recovery codes left).'
      : 'Off: your password alone signs you in.';
    $('#totp-start').hidden = s.enabled || !$('#totp-enrol').hidden || $('#totp-start').disabled;
    $('#totp-disable').hidden = !s.enabled;
  }).catch(err => { $('#totp-state').textContent = err.message; });
}

/* the confirmation's answer: the recovery codes, shown this once */
onThen('show-recovery', (form, result) => {
  form.reset();
  $('#totp-enrol').hidden = true;
  const list = $('#totp-recovery-codes');
  list.replaceChildren(...(result.recovery_codes || []).map(c => { const li = document.createElement('li'); li.textContent = c; return li; }));
  $('#totp-recovery').hidden = false;
  totpState();
});

export function accountPage() {
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
}
