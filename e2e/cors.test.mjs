// A browser page on another site calls the API: the origins in
// CORS_ALLOWED_ORIGINS can (JSON bodies, the Authorization header, a
// readable ETag and its 304, a ticketed WebSocket); any other origin
// cannot, and its socket is refused.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client, Server, blankOrigin, dropDatabase, launchBrowser, newDatabaseName } from './harness.mjs';

// callAPI runs in the page: a session of a browser client on another site.
async function callAPI(api) {
  const json = { 'Content-Type': 'application/json' };
  const out = {};
  try {
    const email = `x${Math.random().toString(36).slice(2)}@example.com`;
    let res = await fetch(`${api}/api/auth/register`, { method: 'POST', headers: json, body: JSON.stringify({ email, password: 'correct horse battery' }) });
    out.register = res.status;
    const { access_token: token } = await res.json();
    const auth = { ...json, Authorization: `Bearer ${token}` };
    res = await fetch(`${api}/api/rooms`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'Cross-site' }) });
    const room = await res.json();
    res = await fetch(`${api}/api/rooms/${room.id}`, { headers: auth });
    out.etag = res.headers.get('ETag');
    res = await fetch(`${api}/api/rooms/${room.id}`, { headers: { ...auth, 'If-None-Match': out.etag } });
    out.revalidated = res.status;
    res = await fetch(`${api}/api/rooms/${room.id}/ws-ticket`, { method: 'POST', headers: auth });
    const { ticket } = await res.json();
    out.socket = await openSocket(`${api.replace('http', 'ws')}/api/rooms/${room.id}/ws?ticket=${ticket}`);
  } catch (err) {
    out.error = err.name;
  }
  return out;
}

function openSocket(url) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.onopen = () => { ws.close(); resolve('open'); };
    ws.onerror = () => resolve('refused');
  });
}

describe('a browser client on another site', () => {
  const db = newDatabaseName();
  let allowed;
  let other;
  let server;
  let browser;

  before(async () => {
    allowed = await blankOrigin();
    other = await blankOrigin();
    server = await new Server(db, { env: { CORS_ALLOWED_ORIGINS: allowed.url } }).start();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.saveLog('server-cors');
    allowed?.close();
    other?.close();
    dropDatabase(db);
  });

  // socketURL makes a room and a ticket for its socket outside the browser.
  const socketURL = async () => {
    const c = new Client(server.url);
    await c.register(`t-${randomUUID()}@example.com`, 'T');
    const room = await c.call('POST', '/api/rooms', { name: 'Sockets' });
    const { ticket } = await c.call('POST', `/api/rooms/${room.id}/ws-ticket`);
    return `${server.url.replace('http', 'ws')}/api/rooms/${room.id}/ws?ticket=${ticket}`;
  };

  it('works from an allowed origin', async () => {
    const page = await browser.newPage();
    await page.goto(allowed.url);
    await page.addScriptTag({ content: `window.openSocket = ${openSocket}` });
    assert.equal(await page.evaluate((u) => window.openSocket(u), await socketURL()), 'open');
    const got = await page.evaluate(`(${callAPI})(${JSON.stringify(server.url)})`);
    assert.equal(got.error, undefined);
    assert.equal(got.register, 201);
    assert.match(got.etag ?? '', /^"/, 'the ETag is not readable cross-origin');
    assert.equal(got.revalidated, 304);
    assert.equal(got.socket, 'open');
    await page.close();
  });

  it('is refused from any other origin', async () => {
    const page = await browser.newPage();
    await page.goto(other.url);
    const got = await page.evaluate(`(${callAPI})(${JSON.stringify(server.url)})`);
    assert.deepEqual(got, { error: 'TypeError' });
    // Its socket is refused too, even with a valid ticket.
    await page.addScriptTag({ content: `window.openSocket = ${openSocket}` });
    assert.equal(await page.evaluate((u) => window.openSocket(u), await socketURL()), 'refused');
    await page.close();
  });
});
