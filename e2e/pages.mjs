// pages.mjs: what the browser tests of roles, invitation links, the
// archive and search share: people with a browser context each, signing
// in through the page, waiting for the live socket, finding columns and
// cards as a person names them, and axe on a state.
import assert from 'node:assert/strict';
import { RESULTS, axe, describeViolations, serious, waitFor } from './harness.mjs';

export const PASSWORD = 'correct horse battery';
export const TIMEOUT = 15_000;
export const DESKTOP = { viewport: { width: 1280, height: 800 } };
export const DARK = { ...DESKTOP, colorScheme: 'dark' };
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

// fitsPhone fails when the page is wider than the phone (it would zoom out).
export async function fitsPhone(page) {
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390, 'the page is wider than the phone');
}

// watched makes a browser context whose pages' errors and CSP or Trusted
// Types refusals land in problems.
export async function watched(browser, problems, options = DESKTOP) {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(TIMEOUT);
  context.on('page', (p) => {
    p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    p.on('console', (m) => {
      if (/Content Security Policy|Trusted ?Type/i.test(m.text())) problems.push(`console: ${m.text()}`);
    });
  });
  return context;
}

// checkState runs axe on the page as it is, prints what it finds, fails
// on a serious or critical violation, and keeps a screenshot.
export async function checkState(page, state) {
  const violations = await axe(page);
  if (violations.length > 0) console.log(`axe, ${state}:\n${describeViolations(violations)}`);
  await page.screenshot({ path: `${RESULTS}/${state.replaceAll(' ', '-')}.png` });
  assert.deepEqual(serious(violations).map((v) => v.id), [], `axe finds serious problems on ${state}:\n${describeViolations(serious(violations))}`);
}

export async function signIn(page, baseURL, email) {
  await page.goto(baseURL);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Your boards' }).waitFor();
}

// openBoard loads a board afresh and waits for its socket.
export async function openBoard(page, baseURL, roomID) {
  await page.goto('about:blank');
  await page.goto(`${baseURL}/#/rooms/${roomID}`);
  await page.locator('.board-scroller').waitFor();
  await liveOn(page);
}

export async function liveOn(page) {
  await waitFor(async () => (await page.locator('#conn').getAttribute('data-status')) === 'live', 30_000, 'the socket to be live');
}

// column finds a column by its name, as its list of cards is named (a
// viewer's column has no rename button).
export function column(page, name) {
  return page.locator('.column').filter({ has: page.getByRole('list', { name: `Cards in ${name}`, exact: true }) });
}

export function card(page, columnName, title) {
  return column(page, columnName).locator('.card').filter({ has: page.getByText(title, { exact: true }) });
}

export function cardsIn(page, columnName) {
  return column(page, columnName).locator('.card-title').allTextContents();
}

export async function expectCards(page, columnName, titles) {
  let got;
  await waitFor(async () => {
    got = await cardsIn(page, columnName);
    return JSON.stringify(got) === JSON.stringify(titles);
  }, TIMEOUT, `${columnName} to hold ${JSON.stringify(titles)}`).catch((err) => {
    throw new Error(`${err.message}; it holds ${JSON.stringify(got)}`);
  });
}

export async function expectColumns(page, names) {
  let got;
  await waitFor(async () => {
    got = await page.locator('.column .cards').evaluateAll((els) => els.map((el) => el.getAttribute('aria-label').replace(/^Cards in /, '')));
    return JSON.stringify(got) === JSON.stringify(names);
  }, TIMEOUT, `the columns to be ${JSON.stringify(names)}`).catch((err) => {
    throw new Error(`${err.message}; they are ${JSON.stringify(got)}`);
  });
}

// drag moves a card with the mouse, as a person would.
export async function drag(page, from, to) {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 8, a.y + a.height / 2 + 8, { steps: 2 });
  await page.mouse.move(b.x + b.width / 2, b.y + 6, { steps: 12 });
  await page.mouse.up();
}

// closed waits until the page's dialog is gone from the DOM.
export const closed = (page) => page.locator('dialog').waitFor({ state: 'detached' });
