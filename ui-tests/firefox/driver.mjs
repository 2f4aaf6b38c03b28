// Drives Debian's Firefox ESR for the browser tests, through puppeteer-core
// over WebDriver BiDi (Playwright cannot drive a stock Firefox).
//
// A JSON-lines server on stdin/stdout: each request is
// {"id": n, "method": "...", "params": {...}}, each answer
// {"id": n, "result": ...} or {"id": n, "error": "..."}. `firefox_page.py`
// is the other end. The browser closes when stdin closes.
import { createInterface } from 'node:readline';
import puppeteer from 'puppeteer-core';

let browser = null;
const pages = new Map();
let nextPage = 1;

// Run `source` in the page: a function is called with `arg` (and awaited), any
// other expression is returned, as Playwright's evaluate does.
function inPage(source, arg) {
  const value = (0, eval)(`(${source})`);
  return typeof value === 'function' ? value(arg) : value;
}

function entry(pageId) {
  const found = pages.get(pageId);
  if (!found) {
    throw new Error(`no page ${pageId}`);
  }
  return found;
}

const methods = {
  async launch({ executablePath, downloadDir, prefs }) {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath,
      headless: true,
      extraPrefsFirefox: {
        // downloads land in one folder without asking
        'browser.download.dir': downloadDir,
        'browser.download.folderList': 2,
        'browser.download.useDownloadDir': true,
        'browser.download.always_ask_before_handling_new_types': false,
        'browser.download.manager.showWhenStarting': false,
        ...prefs
      }
    });
    return browser.version();
  },

  async newPage({ initScripts = [] }) {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    const id = nextPage++;
    const record = { context, page, requests: [], errors: [], console: [] };
    page.on('request', request => record.requests.push(request.url()));
    page.on('pageerror', error => record.errors.push(String(error)));
    page.on('console', message =>
      record.console.push(`${message.type()}: ${message.text()}`)
    );
    for (const script of initScripts) {
      await page.evaluateOnNewDocument(script);
    }
    pages.set(id, record);
    return id;
  },

  watched({ page }) {
    const { requests, errors, console } = entry(page);
    return { requests, errors, console };
  },

  async closePage({ page }) {
    const { context } = entry(page);
    pages.delete(page);
    await context.close();
    return null;
  },

  async goto({ page, url }) {
    await entry(page).page.goto(url, { waitUntil: 'load', timeout: 60_000 });
    return null;
  },

  async reload({ page }) {
    await entry(page).page.reload({ waitUntil: 'load', timeout: 60_000 });
    return null;
  },

  url({ page }) {
    return entry(page).page.url();
  },

  evaluate({ page, source, arg }) {
    return entry(page).page.evaluate(inPage, source, arg);
  },

  async waitForFunction({ page, source, arg, timeout }) {
    const handle = await entry(page).page.waitForFunction(
      inPage,
      { timeout, polling: 100 },
      source,
      arg
    );
    const value = await handle.jsonValue();
    await handle.dispose();
    return value;
  },

  async waitForSelector({ page, selector, state = 'visible', timeout }) {
    const handle = await entry(page).page.waitForSelector(selector, {
      visible: state === 'visible',
      hidden: state === 'hidden',
      timeout
    });
    await handle?.dispose();
    return null;
  },

  async click({ page, selector, button = 'left', timeout = 30_000 }) {
    await entry(page)
      .page.locator(selector)
      .setTimeout(timeout)
      .click({ button });
    return null;
  },

  async fill({ page, selector, text, timeout = 30_000 }) {
    await entry(page).page.locator(selector).setTimeout(timeout).fill(text);
    return null;
  },

  async press({ page, key }) {
    await entry(page).page.keyboard.press(key);
    return null;
  },

  async setInputFiles({ page, selector, paths }) {
    const input = await entry(page).page.waitForSelector(selector, {
      timeout: 30_000
    });
    await input.uploadFile(...paths);
    await input.dispose();
    return null;
  },

  async close() {
    await browser?.close();
    browser = null;
    return null;
  }
};

const output = line => process.stdout.write(JSON.stringify(line) + '\n');

const input = createInterface({ input: process.stdin });
input.on('line', async line => {
  const { id, method, params } = JSON.parse(line);
  try {
    if (!(method in methods)) {
      throw new Error(`unknown method ${method}`);
    }
    const result = await methods[method](params ?? {});
    output({ id, result: result === undefined ? null : result });
  } catch (error) {
    output({ id, error: String(error?.stack ?? error) });
  }
});
input.on('close', async () => {
  await browser?.close();
  process.exit(0);
});
