// api.js: the HTTP client of SyncBoard's public API.
//
// The access token (session.js keeps it) is sent only in the
// Authorization header, never in a URL. A request the server refuses with
// 401 unauthorized is sent once more after a refresh from the cookie.

const SIGN_IN_TIMEOUT_MS = 30_000;

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

// Api calls the server on this page's origin as session's user (a
// Session of session.js). fetch is injectable for node --test.
export class Api {
  constructor(session, fetch = (...args) => globalThis.fetch(...args)) {
    this.session = session;
    this.fetch = fetch;
  }

  // request sends one call. options.etag sends If-None-Match; a 304 then
  // resolves to {notModified: true}. A 200's ETag is returned as etag on
  // {body, etag} when options.withETag is set. options.signIn marks a call
  // whose answer may be an AuthResponse (sign-in, a password change): it
  // runs under the session's lock, since its answer sets the refresh
  // cookie, and the session takes the new token.
  //
  // A 401 unauthorized to a request that carried a token means the token
  // expired or its session ended: the request is sent again, once, with
  // the token of a refresh (or of one that happened meanwhile). When the
  // refresh is refused, the session has ended and the 401 is thrown.
  async request(method, path, body, options = {}) {
    const sent = this.session.token;
    try {
      return await this.send(method, path, body, options);
    } catch (err) {
      if (!refused(err, sent)) throw err;
      if (this.session.token === sent && !await this.session.refresh()) throw err;
      if (this.session.token === null) throw err;
    }
    try {
      return await this.send(method, path, body, options);
    } catch (err) {
      // Refused with a token just refreshed: no second refresh, no loop.
      if (refused(err, this.session.token)) this.session.end();
      throw err;
    }
  }

  send(method, path, body, options) {
    if (!options.signIn) return this.sendOnce(method, path, body, options);
    // It holds every tab's refreshes back while it runs: it must not hang.
    const signal = options.signal ?? AbortSignal.timeout(SIGN_IN_TIMEOUT_MS);
    return this.session.exclusive(() => this.sendOnce(method, path, body, { ...options, signal }));
  }

  async sendOnce(method, path, body, options) {
    const headers = { Accept: 'application/json' };
    if (this.session.token) headers.Authorization = `Bearer ${this.session.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (options.etag) headers['If-None-Match'] = options.etag;
    let res;
    try {
      res = await this.fetch(path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store',
        // Only /api/auth sets or reads cookies (the refresh cookie's path);
        // every other request goes without any.
        credentials: path.startsWith('/api/auth/') ? 'same-origin' : 'omit',
        signal: options.signal,
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
      throw new ApiError(res.status, e?.code ?? 'internal', e?.message ?? `The server answered ${res.status}.`, e?.fields ?? {});
    }
    if (options.signIn && data?.access_token) this.session.set(data, Date.parse(res.headers.get('Date') ?? ''));
    // With the ETag, the text too: a caller that keeps the body for a 304
    // keeps it as it came, rather than serializing a big board again.
    return options.withETag ? { body: data, etag: res.headers.get('ETag'), text } : data;
  }

  get(path, options) { return this.request('GET', path, undefined, options); }
  post(path, body = {}, options) { return this.request('POST', path, body, options); }
  patch(path, body, options) { return this.request('PATCH', path, body, options); }
  put(path) { return this.request('PUT', path); }
  del(path) { return this.request('DELETE', path); }
}

// refused says whether err is the server refusing the token sent.
function refused(err, token) {
  return token !== null && err instanceof ApiError && err.status === 401 && err.code === 'unauthorized';
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

// passwordProblem says what is wrong with a new password, in characters
// (the server's rule is 8 to 72 bytes of UTF-8: bcrypt reads 72), or null.
export function passwordProblem(password) {
  const bytes = new TextEncoder().encode(password).length;
  if (bytes < 8) return 'The password needs at least 8 characters.';
  if (bytes > 72) return 'The password is too long: at most 72 characters, fewer with accented letters or emoji.';
  return null;
}
