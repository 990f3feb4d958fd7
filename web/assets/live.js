// live.js: a room's WebSocket. It opens with a single-use ticket (an
// access token never goes in a URL), resumes with since= the board's
// version after every drop, and backs off while the server is away.

// Close codes the server uses (see the OpenAPI document).
const CLOSE_NORMAL = 1000;
const CLOSE_REVOKED = 4001;
const CLOSE_TOO_SLOW = 4008;
const CLOSE_RESYNC = 4010;

const MAX_BACKOFF_MS = 10_000;

// LiveRoom keeps one room's socket open. Callbacks:
//   version()         the board's version now (where to resume)
//   onEvent(event)    an event arrived
//   onPresence(users) who has the room open now, [{id, display_name}]: a
//                     message of its own, not an event (no version)
//   onStatus(status)  "connecting" | "live" | "offline"
//   onResync()        events were pruned: refetch the board (returns a promise)
//   onLost(reason)    "removed" (access revoked) or "gone" (room deleted or
//                     no longer visible); the socket stays closed
// status is the last status reported (null before start and after stop),
// and live says whether it is "live": the page's one answer to "will this
// change's event arrive by itself?".
export class LiveRoom {
  constructor(api, roomID, callbacks) {
    this.api = api;
    this.roomID = roomID;
    this.cb = callbacks;
    this.ws = null;
    this.timer = null;
    this.attempt = 0;
    this.stopped = true;
    this.status = null;
    this.onOnline = () => this.reconnect(0);
  }

  get live() { return this.status === 'live'; }

  report(status) {
    this.status = status;
    this.cb.onStatus(status);
  }

  start() {
    this.stopped = false;
    window.addEventListener('online', this.onOnline);
    this.connect();
  }

  stop() {
    this.stopped = true;
    this.status = null; // not reported: the page that stopped it decides what it shows
    window.removeEventListener('online', this.onOnline);
    clearTimeout(this.timer);
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close(CLOSE_NORMAL);
  }

  // reconnect drops the socket and opens a new one after delay ms, resuming
  // at the board's version: after a gap, or when the network returns.
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
    // Exponential backoff with jitter, so a restarted server is not met by
    // every client at the same instant.
    const base = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempt);
    this.attempt++;
    this.reconnect(base / 2 + Math.random() * base / 2);
  }

  async connect() {
    if (this.stopped) return;
    this.report('connecting');
    let ticket;
    try {
      ticket = await this.api.post(`/api/rooms/${this.roomID}/ws-ticket`);
    } catch (err) {
      if (this.stopped) return;
      if (err.status === 404) return this.lose('gone');
      if (err.status === 401) return this.lose('removed');
      return this.retryLater(); // network, 503, 429
    }
    if (this.stopped) return;
    const url = new URL(`/api/rooms/${this.roomID}/ws`, window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('ticket', ticket.ticket);
    url.searchParams.set('since', String(this.cb.version()));
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.addEventListener('open', () => {
      if (this.ws !== ws) return;
      this.attempt = 0;
      this.report('live');
    });
    ws.addEventListener('message', (m) => {
      if (this.ws !== ws) return;
      let event;
      try {
        event = JSON.parse(m.data);
      } catch {
        return;
      }
      // Presence is not one of the room's events: it has no version and
      // must not reach the version checks, where it would look like a gap.
      if (event?.type === 'presence') {
        this.cb.onPresence?.(Array.isArray(event.users) ? event.users : []);
        return;
      }
      this.cb.onEvent(event);
    });
    ws.addEventListener('close', (e) => {
      if (this.ws !== ws) return; // replaced or stopped on purpose
      this.ws = null;
      this.closed(e.code);
    });
  }

  async closed(code) {
    switch (code) {
      case CLOSE_REVOKED:
        return this.lose('removed');
      case CLOSE_RESYNC:
        this.report('connecting');
        try {
          await this.cb.onResync();
        } catch {
          return this.retryLater();
        }
        return this.reconnect(0);
      case CLOSE_TOO_SLOW:
        return this.reconnect(0);
      default:
        // 1001 (a server shutting down), 1006 (the connection dropped),
        // 1000 without a room.deleted event: resume where we were.
        return this.retryLater();
    }
  }

  lose(reason) {
    this.stop();
    this.cb.onLost(reason);
  }
}
