// userstream.js: the signed-in user's own WebSocket (GET /api/ws), which
// says when a board is added to their list, renamed or given another role
// for them, or taken off it. Like a room's socket (live.js) it opens with
// a single-use ticket and backs off while the server is away; it has no
// versions, so each (re)open is the page's cue to reload what it shows.

const CLOSE_NORMAL = 1000;
const CLOSE_REVOKED = 4001;
const MAX_BACKOFF_MS = 10_000;

// UserStream keeps the socket open. Callbacks:
//   onOpen()          the socket is open (again): reload, then follow
//   onMessage(msg)    {type: room.added | room.updated | room.removed, ...}
//   onStatus(status)  "connecting" | "live" | "offline"
// session is the page's Session: a 4001 (the session ended) refreshes its
// token from the cookie first, and stops when that is refused (the page
// is then signed out).
export class UserStream {
  constructor(api, session, callbacks) {
    this.api = api;
    this.session = session;
    this.cb = callbacks;
    this.ws = null;
    this.timer = null;
    this.attempt = 0;
    this.revoked = 0; // 4001s in a row, with no message between them
    this.stopped = true;
    this.status = null;
    this.onOnline = () => this.reconnect(0);
  }

  get live() { return this.status === 'live'; }

  report(status) {
    this.status = status;
    this.cb.onStatus?.(status);
  }

  start() {
    this.stopped = false;
    window.addEventListener('online', this.onOnline);
    this.connect();
  }

  stop() {
    this.stopped = true;
    this.status = null;
    window.removeEventListener('online', this.onOnline);
    clearTimeout(this.timer);
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close(CLOSE_NORMAL);
  }

  reconnect(delay) {
    if (this.stopped) return;
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close(CLOSE_NORMAL);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  retryLater() {
    if (this.stopped) return;
    this.report('offline');
    const base = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempt);
    this.attempt++;
    this.reconnect(base / 2 + Math.random() * base / 2);
  }

  async connect() {
    if (this.stopped) return;
    this.report('connecting');
    let ticket;
    try {
      ticket = await this.api.post('/api/ws-ticket');
    } catch (err) {
      if (this.stopped) return;
      // 401: the API client tried a refresh already, and it was refused.
      if (err.status === 401) return this.stop();
      return this.retryLater(); // network, 503, 429
    }
    if (this.stopped) return;
    const url = new URL('/api/ws', window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('ticket', ticket.ticket);
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.addEventListener('open', () => {
      if (this.ws !== ws) return;
      this.attempt = 0;
      this.report('live');
      this.cb.onOpen?.();
    });
    ws.addEventListener('message', (m) => {
      if (this.ws !== ws) return;
      let msg;
      try {
        msg = JSON.parse(m.data);
      } catch {
        return;
      }
      this.revoked = 0;
      this.cb.onMessage(msg);
    });
    ws.addEventListener('close', (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.closed(e.code);
    });
  }

  async closed(code) {
    if (code !== CLOSE_REVOKED) return this.retryLater();
    // The session ended (or this tab's was replaced): a refresh says which.
    this.report('connecting');
    let ok;
    try {
      ok = await this.session.refresh();
    } catch {
      return this.retryLater(); // the refresh did not get through
    }
    if (!ok) return this.stop(); // signed out; the page says so
    // At once the first time; a server that keeps refusing is not hammered.
    this.reconnect(Math.min(MAX_BACKOFF_MS, this.revoked === 0 ? 0 : 250 * 2 ** this.revoked));
    this.revoked++;
  }
}
