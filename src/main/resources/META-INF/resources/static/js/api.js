/* The JSON API, called with the session cookie and the page's CSRF token; problems become ApiErrors. */
import { csrf } from './dom.js';

export class ApiError extends Error {
  constructor(message, status, violations) {
    super(message);
    this.status = status;
    this.violations = violations || [];
  }
}

/** To the login page, coming back here afterwards. */
export function toLogin() {
  location.href = '/login?next=' + encodeURIComponent(location.pathname + location.search);
}

/** One API call; the parsed answer, or an ApiError with the problem's detail and the fields it names. */
export async function api(method, url, body) {
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
