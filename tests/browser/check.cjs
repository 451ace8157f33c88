// The browser test: Debian's chromium, headless, driven by playwright-core (no bundled browser).
// Checks the dashboard of a seeded database (loads with no failed and no outside request,
// every chart has data, usable at 375 px wide, screenshots saved) and Swagger UI (loads the
// document; *Try it out* on login answers 200 with a token).
//
// Usage: node check.cjs BASE_URL USERNAME PASSWORD SCREENSHOT_DIR  (tests/browser/run does it)
'use strict';

const path = require('node:path');
const { createRequire } = require('node:module');

const modules = process.env.CIT_BROWSER_MODULES;
const { chromium } = createRequire(path.join(modules, 'package.json'))('playwright-core');
const [base, username, password, shots] = process.argv.slice(2);
const origin = new URL(base).origin;
const FIGURES = ['goal', 'shifts', 'calls', 'cit-on-scene', 'outcomes', 'repeat-calls', 'referrals'];

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures += 1;
}

/** Opens a page that records every request, failure and script error. */
async function open(browser, options) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const seen = { requests: [], failed: [], errors: [] };
  page.on('request', (r) => seen.requests.push(r.url()));
  page.on('requestfailed', (r) => seen.failed.push(`${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => { if (r.status() >= 400) seen.failed.push(`${r.url()} (${r.status()})`); });
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') seen.errors.push(m.text()); });
  return { context, page, seen };
}

function outside(seen) {
  return seen.requests.filter((url) => !url.startsWith(origin) && !url.startsWith('data:'));
}

async function dashboard(browser) {
  const { context, page, seen } = await open(browser, { viewport: { width: 1280, height: 900 } });
  const response = await page.goto(`${base}/dashboard`, { waitUntil: 'load' });
  check(response.status() === 200, `dashboard answers 200 (${response.status()})`);
  const figures = await page.$$eval('figure', (all) => all.map((f) => ({
    id: f.id,
    marks: f.querySelectorAll('svg .mark').length,
    width: f.querySelector('svg')?.getBoundingClientRect().width ?? 0,
    label: f.querySelector('svg')?.getAttribute('aria-labelledby') ?? '',
  })));
  check(figures.length === FIGURES.length, `${figures.length} charts on the page, ${FIGURES.length} expected`);
  for (const id of FIGURES) {
    const f = figures.find((x) => x.id === id);
    check(f && f.marks > 0 && f.width > 0, `chart "${id}" has data drawn (${f ? f.marks : 0} marks)`);
    check(f && f.label.includes('-desc'), `chart "${id}" has a text alternative`);
  }
  const tables = await page.$$eval('section table', (all) => all.map((t) => t.querySelectorAll('tbody tr').length));
  check(tables.length === FIGURES.length && tables.every((rows) => rows > 0), `every chart has a data table with rows (${tables.join(', ')})`);
  await page.screenshot({ path: path.join(shots, 'dashboard.png'), fullPage: true });
  check(seen.failed.length === 0, `no failed request ${seen.failed.join(' ')}`);
  check(outside(seen).length === 0, `no outside request ${outside(seen).join(' ')}`);
  check(seen.errors.length === 0, `no script error ${seen.errors.join(' ')}`);

  // The links the page offers work.
  for (const href of ['/hsds/services', '/swagger-ui/', '/api-docs/openapi.json']) {
    const link = await page.$(`a[href="${href}"]`);
    const answer = link ? await page.request.get(`${base}${href}`) : null;
    check(answer && answer.ok(), `the page links to ${href}, which answers`);
  }
  await context.close();
}

async function phone(browser) {
  const { context, page, seen } = await open(browser, {
    viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
  });
  await page.goto(`${base}/dashboard`, { waitUntil: 'load' });
  const layout = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    widest: Math.max(...[...document.querySelectorAll('svg.chart')].map((s) => s.getBoundingClientRect().right)),
    font: parseFloat(getComputedStyle(document.body).fontSize),
  }));
  check(layout.scroll <= 375, `no sideways scrolling at 375 px (page is ${layout.scroll} px wide)`);
  check(layout.widest <= 375, `every chart fits the 375 px screen (rightmost edge ${layout.widest.toFixed(0)} px)`);
  check(layout.font >= 16, `body text is ${layout.font} px`);
  // A data table opens with a tap and is readable (it scrolls inside its box if wide).
  await page.tap('section[aria-labelledby="outcomes-h"] summary');
  const table = await page.$eval('section[aria-labelledby="outcomes-h"] table', (t) => {
    const box = t.getBoundingClientRect();
    return { visible: box.height > 0, rows: t.querySelectorAll('tbody tr').length };
  });
  check(table.visible && table.rows > 0, 'a data table opens with a tap at 375 px');
  const opened = await page.evaluate(() => document.documentElement.scrollWidth);
  check(opened <= 375, `an open table does not widen the page (${opened} px)`);
  await page.screenshot({ path: path.join(shots, 'dashboard-375.png'), fullPage: true });
  check(seen.failed.length === 0 && outside(seen).length === 0, 'no failed or outside request at 375 px');
  await context.close();
}

async function swagger(browser) {
  const { context, page, seen } = await open(browser, { viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/swagger-ui/`, { waitUntil: 'load' });
  await page.waitForSelector('.opblock', { timeout: 20000 });
  const operations = await page.$$eval('.opblock', (all) => all.length);
  check(operations > 50, `Swagger UI loaded the document (${operations} operations shown)`);
  const login = page.locator('#operations-auth-login');
  await login.locator('.opblock-summary').first().click();
  // The service turns *Try it out* on for every operation; press it only if it is off.
  const tryOut = login.locator('button.try-out__btn');
  if ((await tryOut.innerText()).includes('Try it out')) await tryOut.click();
  await login.locator('textarea.body-param__text').fill(JSON.stringify({ username, password }));
  await login.locator('button.execute').click();
  const status = login.locator('.live-responses-table tr.response .response-col_status').first();
  await status.waitFor({ timeout: 20000 });
  const code = (await status.innerText()).trim();
  const body = await login.locator('.live-responses-table tr.response .response-col_description').first().innerText();
  check(code === '200', `Try it out on POST /api/v1/auth/login answers ${code}`);
  check(body.includes('access_token'), 'and shows an access token');
  await page.screenshot({ path: path.join(shots, 'swagger-login.png') });
  check(seen.failed.length === 0, `Swagger UI: no failed request ${seen.failed.join(' ')}`);
  check(outside(seen).length === 0, `Swagger UI: no outside request ${outside(seen).join(' ')}`);
  await context.close();
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    await dashboard(browser);
    await phone(browser);
    await swagger(browser);
  } catch (error) {
    check(false, `the browser test stopped: ${error.message}`);
  } finally {
    await browser.close();
  }
  console.log(failures === 0 ? `browser: all checks passed; screenshots in ${shots}` : `browser: ${failures} checks failed`);
  process.exit(failures === 0 ? 0 : 1);
})();
