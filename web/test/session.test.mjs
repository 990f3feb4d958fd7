// Unit tests of session.js and api.js together: how the page keeps its
// access token fresh from the refresh cookie. A fake server (fetch), a
// fake clock and fake Web Locks; node --test runs them (make e2e).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Api, ApiError } from '../assets/api.js';
import { ENDED, LOCK, Session, deviceName, timeAgo } from '../assets/session.js';

const T0 = Date.parse('2030-01-01T12:00:00Z');
const MIN = 60_000;
const settle = async () => { for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r)); };

function deferred() {
  let resolve;
  const promise = new Promise((r) => { resolve = r; });
  return { promise, resolve };
}

// Clock is a fake Date.now with setTimeout and clearTimeout on it.
class Clock {
  constructor(now = T0) {
    this.t = now;
    this.timers = new Map();
    this.next = 1;
  }

  now() { return this.t; }
  setTimeout(fn, ms) { const id = this.next++; this.timers.set(id, { at: this.t + ms, fn }); return id; }
  clearTimeout(id) { this.timers.delete(id); }
  // pending lists the timers' delays from now, soonest first.
  pending() { return [...this.timers.values()].map((x) => x.at - this.t).sort((a, b) => a - b); }

  // advance moves the clock and runs the timers that fall due.
  async advance(ms) {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, x]) => x.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
      await settle();
    }
    this.t = end;
  }
}

// Locks is navigator.locks for one lock at a time, shared by the "tabs"
// that are given the same instance.
class Locks {
  constructor() {
    this.tail = Promise.resolve();
    this.names = [];
  }

  request(name, fn) {
    this.names.push(name);
    const p = this.tail.then(() => fn());
    this.tail = p.catch(() => {});
    return p;
  }
}

// Server answers fetch like SyncBoard: a refresh spends the cookie it
// holds (a second use of a spent one is a 401 and ends everything), a
// request with a live token gets handler(), anything else 401.
class Server {
  constructor(clock, { ttl = 15 * MIN, skew = 0 } = {}) {
    this.clock = clock;
    this.ttl = ttl;
    this.skew = skew; // the server's clock minus the browser's
    this.cookie = 'c1';
    this.spent = new Set();
    this.live = new Set(['t0']);
    this.n = 0;
    this.calls = [];
    this.refreshes = 0;
    this.refreshAnswer = null; // a status to answer refreshes with instead
    this.gate = null; // a promise each refresh waits for
    this.handler = () => ({ ok: true });
  }

  auth() {
    const token = `t${++this.n}`;
    this.live.add(token);
    const serverNow = this.clock.now() + this.skew;
    return {
      access_token: token, token_type: 'bearer', expires_at: new Date(serverNow + this.ttl).toISOString(),
      refresh_token: 'never kept', refresh_expires_at: new Date(serverNow + 30 * 24 * 60 * MIN).toISOString(),
      session_id: 's1', user: { id: 'u1', email: 'ann@example.com', display_name: 'Ann', created_at: 't' },
    };
  }

  json(status, body) {
    return new Response(JSON.stringify(body), {
      status, headers: { 'Content-Type': 'application/json', Date: new Date(this.clock.now() + this.skew).toUTCString() },
    });
  }

  fetch = async (path, init = {}) => {
    const token = init.headers?.Authorization?.replace('Bearer ', '') ?? null;
    this.calls.push({ path, method: init.method, token, credentials: init.credentials });
    if (path === '/api/auth/refresh') {
      this.refreshes++;
      const cookie = this.cookie;
      if (this.gate) await this.gate;
      if (this.refreshAnswer === 0) throw new TypeError('Failed to fetch');
      if (this.refreshAnswer) return this.json(this.refreshAnswer, { error: { code: 'unavailable', message: 'later' } });
      if (cookie === null || this.spent.has(cookie)) {
        this.live.clear(); // reuse: the whole session ends
        this.cookie = null;
        return this.json(401, { error: { code: 'unauthorized', message: 'a refresh token is required' } });
      }
      this.spent.add(cookie);
      this.cookie = `c${this.spent.size + 1}`;
      return this.json(200, this.auth());
    }
    if (path === '/api/auth/login') {
      this.cookie = 'login';
      return this.json(200, this.auth());
    }
    if (!this.live.has(token)) return this.json(401, { error: { code: 'unauthorized', message: 'token expired' } });
    return this.json(200, this.handler(path, init));
  };

  expire(token) { this.live.delete(token); }
}

// tab makes a page's session and API client on server; tabs given the
// same locks share them, as tabs of one browser do.
function tab(server, clock, locks = new Locks()) {
  const session = new Session({
    fetch: server.fetch, locks, now: () => clock.now(),
    setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (id) => clock.clearTimeout(id),
  });
  const ended = [];
  session.onEnded = (message) => ended.push(message);
  return { session, api: new Api(session, server.fetch), ended, locks };
}

describe('refreshing from the cookie', () => {
  it('starts a page with one refresh and keeps no refresh token', async () => {
    const clock = new Clock();
    const server = new Server(clock);
    const { session, locks } = tab(server, clock);
    assert.equal(await session.restore(), true);
    assert.equal(session.token, 't1');
    assert.equal(session.user.display_name, 'Ann');
    assert.equal(JSON.stringify(session).includes('never kept'), false, 'the refresh token was kept');
    assert.deepEqual(locks.names, [LOCK]);
    assert.equal(server.calls[0].credentials, 'same-origin');
  });

  it('shows the sign-in view, silently, when the cookie does not do', async () => {
    const clock = new Clock();
    const server = new Server(clock);
    server.cookie = null;
    const { session, ended } = tab(server, clock);
    assert.equal(await session.restore(), false);
    assert.equal(session.signedIn, false);
    assert.deepEqual(ended, []);
    assert.deepEqual(clock.pending(), []);
  });

  it('shares one refresh among the callers of a moment', async () => {
    const clock = new Clock();
    const server = new Server(clock);
    const { session } = tab(server, clock);
    const results = await Promise.all([session.refresh(), session.refresh(), session.refresh()]);
    assert.deepEqual(results, [true, true, true]);
    assert.equal(server.refreshes, 1);
    // And a later one is a new refresh, with the new cookie.
    assert.equal(await session.refresh(), true);
    assert.equal(server.refreshes, 2);
    assert.equal(session.token, 't2');
  });

  it('waits for another tab holding the lock, then sends the cookie it left', async () => {
    const clock = new Clock();
    const server = new Server(clock);
    const locks = new Locks();
    const other = deferred();
    locks.request(LOCK, () => other.promise); // another tab, refreshing
    const { session } = tab(server, clock, locks);
    const p = session.refresh();
    await settle();
    assert.equal(server.refreshes, 0, 'refreshed while another tab held the lock');
    server.cookie = 'c-left-by-the-other-tab';
    other.resolve();
    assert.equal(await p, true);
    assert.deepEqual([...server.spent], ['c-left-by-the-other-tab']);
  });

  it('never spends one cookie twice across tabs', async () => {
    const clock = new Clock();
    const server = new Server(clock);
    const locks = new Locks();
    const tabs = [tab(server, clock, locks), tab(server, clock, locks), tab(server, clock, locks)];
    server.gate = new Promise((r) => setTimeout(r, 5)); // answers take a while
    const results = await Promise.all(tabs.map((t) => t.session.refresh()));
    assert.deepEqual(results, [true, true, true]);
    assert.equal(server.refreshes, 3);
    assert.deepEqual(tabs.map((t) => t.ended.length), [0, 0, 0]);
    assert.equal(new Set(tabs.map((t) => t.session.token)).size, 3);
  });

  it('without a lock, two tabs would: the server ends the session', async () => {
    // The fake server's reuse detection is what the lock prevents.
    const clock = new Clock();
    const server = new Server(clock);
    const a = tab(server, clock, null);
    const b = tab(server, clock, null);
    const gate = deferred();
    server.gate = gate.promise;
    const both = Promise.all([a.session.refresh(), b.session.refresh()]);
    await settle();
    gate.resolve();
    assert.deepEqual((await both).sort(), [false, true]);
  });
});

describe('a refused token', () => {
  it('is refreshed, and the request sent again once with the new token', async () => {
    const clock = new Clock();
    const server = new Server(clock);
    const { session, api } = tab(server, clock);
    await session.restore();
    server.expire('t1');
    assert.deepEqual(await api.get('/api/rooms'), { ok: true });
    assert.deepEqual(server.calls.map((c) => `${c.path} ${c.token}`),
      ['/api/auth/refresh null', '/api/rooms t1', '/api/auth/refresh null', '/api/rooms t2']);
    assert.equal(server.calls[1].credentials, 'omit');
  });

  it('costs one refresh however many requests were refused at once', async () => {
    const clock = new Clock();
    const server = new Server(clock);
    const { session, api } = tab(server, clock);
    await session.restore();
    server.expire('t1');
    await Promise.all([api.get('/api/rooms'), api.get('/api/rooms/x'), api.post('/api/rooms', { name: 'n' })]);
    assert.equal(server.refreshes, 2); // the start and one more
    assert.deepEqual(server.calls.filter((c) => c.path !== '/api/auth/refresh').map((c) => c.token).sort(),
      ['t1', 't1', 't1', 't2', 't2', 't2']);
  });

  it('is sent again with a token refreshed meanwhile, without refreshing again', async () => {
    const clock = new Clock();
    const server = new Server(clock);
    const { session } = tab(server, clock);
    await session.restore();
    const gate = deferred();
    const api = new Api(session, async (path, init) => {
      if (path === '/api/slow' && init.headers.Authorization === 'Bearer t1') {
        await gate.promise; // out with t1 while the timer refreshes
        return server.json(401, { error: { code: 'unauthorized', message: 'token expired' } });
      }
      return server.fetch(path, init);
    });
    const slow = api.get('/api/slow');
    await settle();
    assert.equal(await session.refresh(), true);
    gate.resolve();
    assert.deepEqual(await slow, { ok: true });
    assert.equal(server.refreshes, 2);
    assert.equal(server.calls.at(-1).token, 't2');
  });

  it('signs the page out once, with no loop, when the cookie is refused too', async () => {
    const clock = new Clock();
    const server = new Server(clock);
    const { session, api, ended } = tab(server, clock);
    await session.restore();
    server.live.clear(); // the session ended elsewhere
    server.cookie = null;
    const results = await Promise.allSettled([api.get('/api/rooms'), api.get('/api/rooms/x')]);
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assert.ok(r.reason instanceof ApiError);
      assert.equal(r.reason.status, 401);
    }
    assert.equal(server.refreshes, 2); // the start and one more, not one per request
    assert.deepEqual(ended, [ENDED]);
    assert.equal(session.signedIn, false);
    assert.deepEqual(clock.pending(), [], 'a refresh is still scheduled');
    // Later requests go without a token and do not refresh.
    await assert.rejects(api.get('/api/rooms'), { status: 401 });
    assert.equal(server.refreshes, 2);
  });

  it('is not refreshed twice when the retry is refused as well', async () => {
    const clock = new Clock();
    const server = new Server(clock);
    const { session, ended } = tab(server, clock);
    await session.restore();
    let requests = 0;
    const api = new Api(session, async (path, init) => {
      if (path === '/api/auth/refresh') return server.fetch(path, init);
      requests++;
      return server.json(401, { error: { code: 'unauthorized', message: 'no' } });
    });
    await assert.rejects(api.get('/api/rooms'), { status: 401 });
    assert.equal(requests, 2);
    assert.equal(server.refreshes, 2);
    assert.deepEqual(ended, [ENDED]);
  });

  it('leaves other refusals alone', async () => {
    const clock = new Clock();
    const server = new Server(clock);
    const { session } = tab(server, clock);
    await session.restore();
    const api = new Api(session, async () => server.json(401, { error: { code: 'invalid_credentials', message: 'wrong password' } }));
    await assert.rejects(api.patch('/api/auth/me', { password: 'x', current_password: 'y' }), { code: 'invalid_credentials' });
    assert.equal(server.refreshes, 1);
    assert.equal(session.signedIn, true);
  });
});

describe('the refresh timer', () => {
  const cases = [
    { name: '15 minutes: two minutes before', ttl: 15 * MIN, skew: 0, want: 13 * MIN },
    { name: '20 seconds: a quarter before', ttl: 20_000, skew: 0, want: 15_000 },
    { name: 'a clock an hour behind the server', ttl: 15 * MIN, skew: 60 * MIN, want: 13 * MIN },
    { name: 'a clock an hour ahead of the server', ttl: 15 * MIN, skew: -60 * MIN, want: 13 * MIN },
  ];
  for (const c of cases) {
    it(`is set from the token's lifetime: ${c.name}`, async () => {
      const clock = new Clock();
      const server = new Server(clock, { ttl: c.ttl, skew: c.skew });
      const { session } = tab(server, clock);
      await session.restore();
      // The Date header has whole seconds: within one.
      const [delay] = clock.pending();
      assert.ok(Math.abs(delay - c.want) <= 1000, `the refresh is due in ${delay} ms, want ${c.want}`);
    });
  }

  it('refreshes before the token expires, again and again', async () => {
    const clock = new Clock();
    const server = new Server(clock, { ttl: 20_000 });
    const { session, api } = tab(server, clock);
    await session.restore();
    await clock.advance(16_000);
    assert.equal(server.refreshes, 2);
    assert.equal(session.token, 't2');
    await clock.advance(60_000);
    assert.equal(server.refreshes, 6);
    assert.deepEqual(await api.get('/api/rooms'), { ok: true });
    assert.equal(server.calls.at(-1).token, session.token);
    assert.equal(server.calls.filter((c) => c.path === '/api/rooms').length, 1, 'a request was refused on the way');
  });

  it('tries again later when a refresh does not get through, keeping the token', async () => {
    const clock = new Clock();
    const server = new Server(clock, { ttl: 20_000 });
    const { session, ended } = tab(server, clock);
    await session.restore();
    server.refreshAnswer = 0; // the network is down
    await clock.advance(15_000);
    assert.equal(server.refreshes, 2);
    assert.equal(session.token, 't1');
    assert.deepEqual(clock.pending(), [2000]);
    await clock.advance(2000 + 4000);
    assert.equal(server.refreshes, 4); // after 2 s, then 4 s
    server.refreshAnswer = 503;
    await clock.advance(8000);
    assert.equal(server.refreshes, 5);
    server.refreshAnswer = null;
    await clock.advance(16_000);
    assert.equal(server.refreshes, 6);
    assert.equal(session.token, 't2');
    assert.deepEqual(ended, []);
    assert.equal(clock.pending().length, 1);
  });

  it('stops when the cookie is refused', async () => {
    const clock = new Clock();
    const server = new Server(clock, { ttl: 20_000 });
    const { session, ended } = tab(server, clock);
    await session.restore();
    server.cookie = null;
    await clock.advance(15_000);
    assert.deepEqual(ended, [ENDED]);
    assert.deepEqual(clock.pending(), []);
    await clock.advance(10 * MIN);
    assert.equal(server.refreshes, 2);
  });

  it('refreshes at once when a sleeping tab wakes up late', async () => {
    const clock = new Clock();
    const server = new Server(clock);
    const { session } = tab(server, clock);
    await session.restore();
    clock.t += 20 * MIN; // asleep: no timer ran
    session.wake();
    await settle();
    assert.equal(server.refreshes, 2);
    assert.equal(session.token, 't2');
    session.wake(); // not due: nothing
    await settle();
    assert.equal(server.refreshes, 2);
  });

  it('stops on sign-out, and drops a refresh answer that arrives after it', async () => {
    const clock = new Clock();
    const server = new Server(clock);
    const { session } = tab(server, clock);
    await session.restore();
    const gate = deferred();
    server.gate = gate.promise;
    const p = session.refresh();
    await settle();
    session.clear();
    gate.resolve();
    assert.equal(await p, false);
    assert.equal(session.signedIn, false);
    assert.deepEqual(clock.pending(), []);
  });
});

describe('signing in', () => {
  it('runs under the lock and takes the new token', async () => {
    const clock = new Clock();
    const server = new Server(clock);
    const { session, api, locks } = tab(server, clock);
    const changes = [];
    session.onChange = () => changes.push(session.token);
    const auth = await api.post('/api/auth/login', { email: 'ann@example.com', password: 'pw' }, { signIn: true });
    assert.equal(auth.access_token, 't1');
    assert.equal(session.token, 't1');
    assert.deepEqual(locks.names, [LOCK]);
    assert.deepEqual(changes, ['t1']);
    assert.equal(clock.pending().length, 1);
  });
});

describe('deviceName', () => {
  const cases = [
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36', 'Chrome on Linux'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36', 'Headless Chrome on Linux'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0', 'Edge on Windows'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15', 'Safari on macOS'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', 'Safari on iPhone'],
    ['Mozilla/5.0 (Android 14; Mobile; rv:127.0) Gecko/127.0 Firefox/127.0', 'Firefox on Android'],
    ['curl/8.5.0', 'curl'],
    ['node', 'node'],
    ['', 'Unknown device'],
    [null, 'Unknown device'],
    [undefined, 'Unknown device'],
    ['x'.repeat(100), `${'x'.repeat(39)}…`],
  ];
  for (const [ua, want] of cases) {
    it(`${JSON.stringify(ua)?.slice(0, 50)} is ${want}`, () => assert.equal(deviceName(ua), want));
  }
});

describe('timeAgo', () => {
  const now = T0;
  const cases = [
    [new Date(now - 5_000).toISOString(), 'just now'],
    [new Date(now - 5 * MIN).toISOString(), '5 minutes ago'],
    [new Date(now - 3 * 60 * MIN).toISOString(), '3 hours ago'],
    [new Date(now - 26 * 60 * MIN).toISOString(), 'yesterday'],
    ['2029-06-01T00:00:00Z', 'on Jun 1, 2029'],
    ['', 'at an unknown time'],
    [null, 'at an unknown time'],
  ];
  for (const [iso, want] of cases) {
    it(`${iso} is ${want}`, () => assert.equal(timeAgo(iso, now), want));
  }
});
