// /docs in a browser with no network but the server: Redoc, embedded in the
// binary, renders the API under the page's strict Content-Security-Policy.
// make e2e runs it; a screenshot goes to test-results/docs.png.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RESULTS, Server, dropDatabase, launchBrowser, newDatabaseName } from './harness.mjs';

const TIMEOUT = 30_000; // Redoc parses the whole document on a busy machine

// expected are the refusals the policy makes on purpose; any other is a
// failure.
const expected = [
  // Redoc's search probes whether it may build a function from a string
  // (to run in a blob: worker); refused, it searches on the page instead.
  (v) => v.directive === 'script-src' && v.blocked === 'eval',
  // The "API docs by Redocly" logo is an image on Redocly's CDN; an
  // offline page loads nothing from another site, and Redoc hides it.
  (v) => v.directive === 'img-src' && v.blocked.startsWith('https://cdn.redoc.ly/'),
];

describe('the API reference at /docs', () => {
  const db = newDatabaseName();
  let server;
  let browser;

  before(async () => {
    server = await new Server(db).start();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.saveLog('server-docs');
    dropDatabase(db);
  });

  it('renders the API offline, refusing nothing it needs', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(TIMEOUT);
    const offsite = []; // requests for anything but the server: aborted
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin === server.url) return route.continue();
      offsite.push(url);
      return route.abort('internetdisconnected');
    });
    const problems = [];
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/cdn\.redoc\.ly/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    // An init script runs before the page's own and is not subject to its
    // policy, so it sees every refusal, reported or not.
    await page.addInitScript(() => {
      window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        window.cspViolations.push({ directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile });
      });
    });

    const res = await page.goto(`${server.url}/docs`);
    assert.match(res.headers()['content-security-policy'], /^default-src 'none'; script-src 'self'; style-src 'nonce-/);
    await page.getByRole('heading', { name: /^SyncBoard API/ }).first().waitFor();
    assert.equal(await page.title(), 'SyncBoard API');

    // The search works without eval or a worker, and leads to an operation.
    await page.getByTestId('search-trigger').click();
    const dialog = page.getByTestId('search-dialog');
    await dialog.locator('input').first().fill('logout');
    await dialog.getByText('End every session of the caller').first().click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('heading', { name: 'End every session of the caller' }).waitFor();

    // The menu opens a tag and lists its operations.
    await page.getByText('Rooms', { exact: true }).first().click();
    await page.getByText('Create a room').first().waitFor();

    // The colour scheme switch restyles the page with new nonce'd styles.
    await page.getByTestId('color-mode-switcher').click();
    await page.getByTestId('color-mode-switcher').and(page.getByLabel('dark', { exact: true })).waitFor();
    await page.screenshot({ path: `${RESULTS}/docs.png` });

    const violations = await page.evaluate(() => window.cspViolations);
    const unexpected = violations.filter((v) => !expected.some((ok) => ok(v)));
    assert.deepEqual(unexpected, [], `refused by the policy: ${JSON.stringify(unexpected)}`);
    assert.deepEqual(problems, []);
    assert.deepEqual(offsite, [], 'the page asked another site for something');
    await context.close();
  });
});
