// Browser test of the embedded GraphiQL (GET /), run by .ci/run:
//
//   node .ci/browser/graphiql.mjs http://127.0.0.1:PORT API_KEY SCREENSHOT_DIR
//
// Opens the page in headless Chromium with every request to another host blocked, checks the
// page loads under its Content-Security-Policy, types the key into the headers editor, waits
// for the schema to load without a manual re-fetch, runs a query and reads its result, runs a
// subscription over the websocket and sees the event a Lexi chat causes, reloads
// and checks the schema loads again with the saved key, and asserts that no request left the
// server's host. Screenshots of each step go to SCREENSHOT_DIR. Exit 1 on any failure.
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const require = createRequire(process.env.PUPPETEER_PREFIX ? path.join(process.env.PUPPETEER_PREFIX, 'node_modules/') : import.meta.url);
const puppeteer = require('puppeteer-core');

const [base, key, shots] = process.argv.slice(2);
if (!base || !key || !shots) {
  console.error('usage: graphiql.mjs BASE_URL API_KEY SCREENSHOT_DIR');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const origin = new URL(base).origin;
const foreign = [];
const cspViolations = [];
const introspections = []; // statuses of schema fetches, in order
let step = 0;

function fail(msg) {
  throw new Error(msg);
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    const u = req.url();
    if (u.startsWith('data:') || u.startsWith('blob:') || u.startsWith(origin + '/')) {
      req.continue();
      return;
    }
    foreign.push(u);
    req.abort('blockedbyclient');
  });
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => console.log('page error:', e.message));
  page.on('response', async (res) => {
    const req = res.request();
    if (!res.url().startsWith(origin + '/graphql') || req.method() !== 'POST') return;
    if ((req.postData() || '').includes('IntrospectionQuery')) introspections.push(res.status());
  });
  const shot = async (name) => {
    const file = path.join(shots, `${String(++step).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file });
    console.log('screenshot', file);
  };

  const resp = await page.goto(base + '/', { waitUntil: 'networkidle0' });
  if (resp.status() !== 200) fail(`GET / answered ${resp.status()}`);
  if (resp.headers()['content-security-policy'] !== "default-src 'self'") fail('GET / has no CSP default-src \'self\'');
  await page.waitForSelector('.graphiql-container', { timeout: 15000 });
  await shot('loaded');
  if (introspections.length) fail(`the schema was requested without a key: ${JSON.stringify(introspections)}`);

  // The headers editor starts with the ASCII placeholder and is visible.
  const headersText = () => page.evaluate(() => {
    const cm = [...document.querySelectorAll('.CodeMirror')].find((el) => el.closest('.graphiql-editor-tool') && el.offsetParent !== null && /Authorization/.test(el.CodeMirror.getValue()));
    return cm ? cm.CodeMirror.getValue() : null;
  });
  const initial = await headersText();
  if (!initial || !/"Authorization": "Bearer "/.test(initial)) fail(`headers editor does not start with the Authorization placeholder: ${initial}`);
  if (/[^\x00-\x7f]/.test(initial)) fail('headers placeholder is not ASCII');

  // Enter the key as a user would: replace the editor's text.
  const before = introspections.length;
  await page.evaluate((k) => {
    const cm = [...document.querySelectorAll('.CodeMirror')].find((el) => el.closest('.graphiql-editor-tool') && /Authorization/.test(el.CodeMirror.getValue()));
    cm.CodeMirror.focus();
    cm.CodeMirror.setValue(JSON.stringify({ Authorization: 'Bearer ' + k }, null, 2));
  }, key);
  const deadline = Date.now() + 10000;
  while (!introspections.slice(before).includes(200) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (!introspections.slice(before).includes(200)) fail(`schema did not load after entering the key (introspection statuses ${JSON.stringify(introspections)})`);
  await shot('key-entered-schema-loaded');

  // Run a query and read its result.
  await page.evaluate(() => {
    const cm = document.querySelector('.graphiql-query-editor .CodeMirror');
    cm.CodeMirror.setValue('{ viewer { workspace { name plan } } contacts(first: 3) { totalCount nodes { fullName } } }');
  });
  await page.click('.graphiql-execute-button');
  await page.waitForFunction(() => {
    const cm = document.querySelector('.graphiql-response .CodeMirror');
    return cm && /"workspace"/.test(cm.CodeMirror.getValue());
  }, { timeout: 15000 });
  const result = await page.evaluate(() => document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue());
  const parsed = JSON.parse(result);
  if (parsed.errors || !parsed.data.viewer.workspace.name) fail(`query result has errors: ${result}`);
  console.log('query result:', JSON.stringify(parsed.data.viewer.workspace), 'contacts', parsed.data.contacts.totalCount);
  await shot('query-result');

  // Run a subscription: GraphiQL's fetcher opens the websocket (graphql-transport-ws) with the
  // key from the headers editor in connection_init; a Lexi task made meanwhile over HTTP is
  // its event.
  const sockets = [];
  const cdp = await page.target().createCDPSession();
  await cdp.send('Network.enable');
  cdp.on('Network.webSocketCreated', (e) => sockets.push(e.url));
  const initPayloads = [];
  cdp.on('Network.webSocketFrameSent', (e) => {
    try {
      const m = JSON.parse(e.response.payloadData);
      if (m.type === 'connection_init') initPayloads.push(m.payload);
    } catch { /* not JSON */ }
  });
  await page.evaluate(() => {
    const cm = document.querySelector('.graphiql-query-editor .CodeMirror');
    cm.CodeMirror.setValue('subscription OnTask { lexiTaskUpdated { id status title } }');
  });
  // Run at once, as a quick user would: GraphiQL's own parse of the editor lags the text.
  await page.click('.graphiql-execute-button');
  const wsDeadline = Date.now() + 10000;
  while (!initPayloads.length && Date.now() < wsDeadline) await new Promise((r) => setTimeout(r, 100));
  if (!sockets.some((u) => u.startsWith(origin.replace(/^http/, 'ws') + '/graphql'))) fail(`the subscription opened no websocket to /graphql: ${JSON.stringify(sockets)}`);
  if (!initPayloads.length || initPayloads[0].Authorization !== 'Bearer ' + key) fail(`connection_init did not carry the key from the headers editor: ${JSON.stringify(initPayloads)}`);
  await new Promise((r) => setTimeout(r, 500)); // subscribe reaches the server
  const chat = await fetch(base + '/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + key },
    body: JSON.stringify({ query: 'mutation { lexiChat(input: {message: "create a list called Browser with contacts tagged vip"}) { tasks { id } } }' }),
  }).then((r) => r.json());
  const taskId = chat.data && chat.data.lexiChat.tasks[0] && chat.data.lexiChat.tasks[0].id;
  if (!taskId) fail(`lexiChat made no task: ${JSON.stringify(chat)}`);
  await page.waitForFunction((id) => {
    const cm = document.querySelector('.graphiql-response .CodeMirror');
    return cm && cm.CodeMirror.getValue().includes(id);
  }, { timeout: 15000 }, taskId).catch(async () => {
    const got = await page.evaluate(() => document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue());
    fail(`the subscription's event for task ${taskId} did not show; the response pane holds: ${got.slice(0, 300)}`);
  });
  const event = JSON.parse(await page.evaluate(() => document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()));
  if (!event.data || event.data.lexiTaskUpdated.status !== 'PENDING') fail(`unexpected subscription event: ${JSON.stringify(event)}`);
  console.log('subscription event:', JSON.stringify(event.data.lexiTaskUpdated));
  await shot('subscription-event');
  await page.click('.graphiql-execute-button'); // stops the subscription

  // Open the docs explorer: it needs the schema.
  await page.click('button[aria-label="Show Documentation Explorer"]').catch(() => {});
  await new Promise((r) => setTimeout(r, 500));
  await shot('docs');

  // After a reload, the saved key fetches the schema without any action.
  const beforeReload = introspections.length;
  await page.reload({ waitUntil: 'networkidle0' });
  await page.waitForSelector('.graphiql-container', { timeout: 15000 });
  const reloadDeadline = Date.now() + 10000;
  while (!introspections.slice(beforeReload).includes(200) && Date.now() < reloadDeadline) await new Promise((r) => setTimeout(r, 100));
  const afterReload = introspections.slice(beforeReload);
  if (!afterReload.includes(200) || introspections.includes(401)) fail(`after reload the schema fetch answered ${JSON.stringify(afterReload)}`);
  await shot('reloaded');

  if (foreign.length) fail(`the page requested other hosts: ${foreign.join(', ')}`);
  if (cspViolations.length) fail(`Content-Security-Policy violations: ${cspViolations.map((v) => v.slice(0, 120)).join(' | ')}`);
  console.log(`ok: no request left ${origin}; introspection statuses ${JSON.stringify(introspections)}; CSP violations: ${cspViolations.length}`);
  for (const v of cspViolations) console.log('  csp:', v.slice(0, 200));
  console.log('screenshots in', shots);
} catch (e) {
  console.error('FAIL:', e.message);
  console.error('screenshots in', shots);
  process.exitCode = 1;
} finally {
  await browser.close();
}
