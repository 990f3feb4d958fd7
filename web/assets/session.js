// session.js: who is signed in, and keeping them signed in.
//
// The page holds only the short-lived access token, in memory: a reload or
// a new tab gets a new one from the refresh cookie (HttpOnly, so no script
// ever reads the refresh token). Before the access token expires, and
// whenever the server refuses it, the session spends the cookie at
// POST /api/auth/refresh for a new token and a new cookie. A refresh
// token is single-use and the server ends the whole session when one is
// presented twice, so two refreshes must never send the same cookie: one
// refresh at a time in this tab (one promise in flight), and one at a time
// across this browser's tabs (a Web Lock). A tab that waited for the lock
// sends the cookie the other tab left, which is already the new one.
import { ApiError } from './api.js';

// LOCK is the Web Lock held by every request that spends or sets the
// refresh cookie, in every tab of this origin.
export const LOCK = 'syncboard-refresh';
export const ENDED = 'Your session has ended. Sign in again.';

// Refresh this long before the token expires (a quarter of its life when
// that is shorter), so a throttled background timer still fires in time.
const MAX_MARGIN_MS = 2 * 60_000;
const MIN_DELAY_MS = 1_000;
// A refresh that failed on the way (network, 5xx, 429) is tried again
// after a backoff, doubled each time.
const RETRY_MS = 2_000;
const MAX_RETRY_MS = 60_000;
// A refresh holds the lock of every tab: it must not hang.
const REFRESH_TIMEOUT_MS = 15_000;

// Session holds who is signed in. Its environment is injectable so node
// --test can drive it: fetch, locks (navigator.locks, or null where the
// Web Locks API is missing: then refreshes are serialized in this tab
// only), now, setTimeout and clearTimeout.
//
// Callbacks, set by the page: onChange() after the token or the user
// changed or was cleared; onEnded(message) when the server ended the
// session under a signed-in page.
export class Session {
  constructor(env = {}) {
    this.fetch = env.fetch ?? ((...args) => globalThis.fetch(...args));
    this.locks = env.locks !== undefined ? env.locks : (globalThis.navigator?.locks ?? null);
    this.now = env.now ?? (() => Date.now());
    this.setTimeout = env.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
    this.clearTimeout = env.clearTimeout ?? ((t) => globalThis.clearTimeout(t));
    this.onChange = () => {};
    this.onEnded = () => {};
    this.token = null;
    this.user = null;
    this.sessionID = null;
    this.expiresAt = 0; // on this machine's clock
    this.refreshAt = 0;
    this.timer = null;
    this.failures = 0;
    this.inflight = null; // the refresh under way
    this.tail = Promise.resolve(); // the last exclusive task of this tab
    // epoch counts sign-ins and sign-outs: a refresh that started before
    // one drops its answer.
    this.epoch = 0;
  }

  get signedIn() { return this.token !== null; }

  // set takes an AuthResponse (its refresh_token is not kept: the cookie
  // has it). serverNow is the server's clock when it answered (the Date
  // header), so a machine whose clock is off still refreshes in time.
  set(auth, serverNow = NaN) {
    const now = this.now();
    const expires = Date.parse(auth.expires_at);
    const lifetime = expires - (Number.isFinite(serverNow) ? serverNow : now);
    this.epoch++;
    this.token = auth.access_token;
    this.user = auth.user;
    this.sessionID = auth.session_id ?? null;
    this.expiresAt = now + lifetime;
    this.failures = 0;
    this.schedule(Number.isFinite(lifetime) && lifetime > 0 ? lifetime : 0);
    this.onChange();
  }

  // setUser takes the User of a display-name change.
  setUser(user) {
    this.user = user;
    this.onChange();
  }

  clear() {
    this.epoch++;
    this.clearTimeout(this.timer);
    this.timer = null;
    this.token = null;
    this.user = null;
    this.sessionID = null;
    this.expiresAt = 0;
    this.refreshAt = 0;
    this.onChange();
  }

  // end signs the page out because the server ended its session; several
  // requests may learn it at once: it acts once.
  end(message = ENDED) {
    if (this.token === null) return;
    this.clear();
    this.onEnded(message);
  }

  // schedule sets the timer of the next refresh: a little before a token
  // of this lifetime expires. A lifetime that makes no sense (a missing
  // Date header and a clock far off) schedules nothing: the first refused
  // request refreshes instead.
  schedule(lifetime) {
    this.clearTimeout(this.timer);
    this.timer = null;
    this.refreshAt = 0;
    if (lifetime <= 0) return;
    const margin = Math.min(MAX_MARGIN_MS, lifetime / 4);
    const delay = Math.max(MIN_DELAY_MS, this.expiresAt - margin - this.now());
    this.refreshAt = this.now() + delay;
    this.timer = this.setTimeout(() => this.scheduled(), Math.min(delay, 2 ** 31 - 1));
  }

  async scheduled() {
    this.timer = null;
    try {
      await this.refresh();
    } catch {
      // On the way, not refused: try again, while the page is signed in.
      if (this.token === null || this.timer !== null) return;
      const wait = Math.min(MAX_RETRY_MS, RETRY_MS * 2 ** this.failures);
      this.failures++;
      this.refreshAt = this.now() + wait;
      this.timer = this.setTimeout(() => this.scheduled(), wait);
    }
  }

  // wake refreshes now if the timer is overdue (a tab that slept, or was
  // frozen in the background, wakes up with an old token).
  wake() {
    if (this.token !== null && this.refreshAt !== 0 && this.now() >= this.refreshAt) {
      this.clearTimeout(this.timer);
      this.scheduled();
    }
  }

  // exclusive runs fn while no other request that spends or sets the
  // refresh cookie runs, in this tab or another.
  exclusive(fn) {
    const run = () => (this.locks ? this.locks.request(LOCK, () => fn()) : fn());
    const p = this.tail.then(run, run);
    this.tail = p.catch(() => {});
    return p;
  }

  // refresh exchanges the cookie for a new access token. It resolves true
  // when the page holds a new token, false when the server refused the
  // cookie (the session has ended: the page is signed out), and rejects
  // with an ApiError when the refresh did not get through (network, 5xx,
  // 429; the token held, if any, stays). Callers at the same time share
  // one refresh.
  refresh() {
    this.inflight ??= this.exclusive(() => this.spend()).then((ok) => {
      if (!ok) this.end();
      return ok;
    }).finally(() => { this.inflight = null; });
    return this.inflight;
  }

  // restore is the page's start: one refresh from the cookie. It resolves
  // whether the page is signed in, and never rejects.
  async restore() {
    try {
      return await this.refresh();
    } catch {
      return false;
    }
  }

  // spend posts the cookie; it runs under the lock.
  async spend() {
    const epoch = this.epoch;
    let res;
    let auth = null;
    try {
      res = await this.fetch('/api/auth/refresh', {
        method: 'POST', headers: { Accept: 'application/json' },
        credentials: 'same-origin', cache: 'no-store', signal: AbortSignal.timeout(REFRESH_TIMEOUT_MS),
      });
      if (res.ok) auth = await res.json();
    } catch {
      throw new ApiError(0, 'network', 'SyncBoard cannot be reached. Check your connection and try again.');
    }
    // Signed in or out while this was on the way: that wins.
    if (epoch !== this.epoch) return this.token !== null;
    if (auth?.access_token) {
      this.set(auth, Date.parse(res.headers.get('Date') ?? ''));
      return true;
    }
    // 401: no cookie, or a spent, expired or ended one; 403: not from this
    // page's origin. Either way the cookie will not do.
    if (res.status === 401 || res.status === 403) return false;
    throw new ApiError(res.status, 'unavailable', `The server answered ${res.status}.`);
  }
}

// deviceName turns a User-Agent into a few words a person recognises:
// "Chrome on Linux", "Safari on iPhone", or the program's name.
export function deviceName(userAgent) {
  const ua = String(userAgent ?? '').trim();
  if (ua === '') return 'Unknown device';
  const browser = [
    [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
    [/\b(?:OPR|Opera)\//, 'Opera'],
    [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
    [/\bSamsungBrowser\//, 'Samsung Internet'],
    [/\bHeadlessChrome\//, 'Headless Chrome'],
    [/\bChrom(?:e|ium)\/|\bCriOS\//, 'Chrome'],
    [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
  ].find(([re]) => re.test(ua))?.[1];
  const os = [
    [/\biPhone\b/, 'iPhone'],
    [/\biPad\b/, 'iPad'],
    [/\bAndroid\b/, 'Android'],
    [/\bCrOS\b/, 'ChromeOS'],
    [/\bWindows\b/, 'Windows'],
    [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
    [/\bLinux\b/, 'Linux'],
  ].find(([re]) => re.test(ua))?.[1];
  if (browser && os) return `${browser} on ${os}`;
  if (browser || os) return browser ?? os;
  // Not a browser: the first product token (curl/8.5.0, node, okhttp/4).
  const product = ua.split(/[\s/;(]/)[0];
  return product.length > 40 ? `${product.slice(0, 39)}…` : product || 'Unknown device';
}

// timeAgo says when an instant (an RFC 3339 string) was, from now, in
// words: "just now", "5 minutes ago", "yesterday", or a date.
export function timeAgo(iso, now = Date.now()) {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return 'at an unknown time';
  const seconds = Math.round((now - t) / 1000);
  if (seconds < 60) return 'just now';
  const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return rtf.format(-minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return rtf.format(-hours, 'hour');
  const days = Math.floor(hours / 24);
  if (days < 30) return rtf.format(-days, 'day');
  return `on ${new Date(t).toLocaleDateString('en', { year: 'numeric', month: 'short', day: 'numeric' })}`;
}
