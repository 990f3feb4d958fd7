// api.js: the HTTP client of SyncBoard's public API, and the session.
//
// The access token lives in memory and in sessionStorage (it survives a
// reload of this tab, and dies with the tab); it is sent only in the
// Authorization header, never in a URL.

const STORAGE_KEY = 'syncboard.session';

// ApiError is a refused request: the contract's error body, or status 0
// with code "network" when the server could not be reached at all.
export class ApiError extends Error {
  constructor(status, code, message, fields = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

// Session holds who is signed in.
export class Session {
  constructor() {
    this.token = null;
    this.user = null;
    this.expiresAt = 0;
    try {
      const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null');
      if (saved && Date.parse(saved.expires_at) > Date.now()) this.set(saved);
    } catch {
      sessionStorage.removeItem(STORAGE_KEY);
    }
  }

  get signedIn() { return this.token !== null && this.expiresAt > Date.now(); }

  // set takes an AuthResponse.
  set(auth) {
    this.token = auth.access_token;
    this.user = auth.user;
    this.expiresAt = Date.parse(auth.expires_at);
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify({
      access_token: auth.access_token, expires_at: auth.expires_at, user: auth.user,
    }));
  }

  clear() {
    this.token = null;
    this.user = null;
    this.expiresAt = 0;
    sessionStorage.removeItem(STORAGE_KEY);
  }
}

// Api calls the server on this page's origin. onUnauthorized runs when a
// signed-in request gets 401 (expired or revoked token).
export class Api {
  constructor(session, onUnauthorized) {
    this.session = session;
    this.onUnauthorized = onUnauthorized;
  }

  // request sends one call. options.etag sends If-None-Match; a 304 then
  // resolves to {notModified: true}. A 200's ETag is returned as etag on
  // {body, etag} when options.withETag is set.
  async request(method, path, body, options = {}) {
    const headers = { Accept: 'application/json' };
    if (this.session.token) headers.Authorization = `Bearer ${this.session.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (options.etag) headers['If-None-Match'] = options.etag;
    let res;
    try {
      res = await fetch(path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store', credentials: 'omit', signal: options.signal,
      });
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      throw new ApiError(0, 'network', 'SyncBoard cannot be reached. Check your connection and try again.');
    }
    if (res.status === 304) return { notModified: true };
    if (res.status === 204) return null;
    let data = null;
    const text = await res.text();
    if (text !== '') {
      try { data = JSON.parse(text); } catch { data = null; }
    }
    if (!res.ok) {
      const e = data?.error;
      const error = new ApiError(res.status, e?.code ?? 'internal', e?.message ?? `The server answered ${res.status}.`, e?.fields ?? {});
      if (res.status === 401 && headers.Authorization && error.code === 'unauthorized') this.onUnauthorized(error);
      throw error;
    }
    return options.withETag ? { body: data, etag: res.headers.get('ETag') } : data;
  }

  get(path, options) { return this.request('GET', path, undefined, options); }
  post(path, body = {}) { return this.request('POST', path, body); }
  patch(path, body) { return this.request('PATCH', path, body); }
  del(path) { return this.request('DELETE', path); }
}

// describe turns an error into one sentence for the person using the page.
export function describe(err) {
  if (!(err instanceof ApiError)) return 'Something went wrong in this page. Reload it and try again.';
  const fields = Object.entries(err.fields ?? {});
  if (fields.length > 0) return sentence(fields.map(([name, problem]) => `${name.replace('_', ' ')} ${problem}`).join('; '));
  return sentence(err.message);
}

function sentence(text) {
  const t = text.trim();
  if (t === '') return t;
  return t[0].toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
}
