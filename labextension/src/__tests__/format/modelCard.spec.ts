import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { zipSync } from 'fflate';

import {
  Base64ByteSource,
  BytesByteSource,
  ILumlModelInfo,
  MODEL_CARD_MAX_ZIP_BYTES,
  readLumlModel,
  readModelCardHtml
} from '../../format';
import { expected, fixtureBase64 } from './fixtures';

const enc = new TextEncoder();

async function cardOf(zip: Uint8Array) {
  return readModelCardHtml(new BytesByteSource(zip), {
    dataOffset: 0,
    size: zip.length
  });
}

describe('readModelCardHtml', () => {
  for (const name of ['sklearn_card.luml', 'sklearn_card_gnu.luml']) {
    it(`returns the HTML of add_model_card from ${name}`, async () => {
      const src = new Base64ByteSource(fixtureBase64(name));
      const info = (await readLumlModel(src)) as ILumlModelInfo;
      assert.ok(info.ok && info.modelCardPath);
      const card = await readModelCardHtml(
        src,
        info.fileIndex[info.modelCardPath]
      );
      assert.deepEqual(card, {
        ok: true,
        html: expected(name).model_card_html,
        fileName: 'index.html'
      });
      assert.ok(
        card.ok &&
          card.html.includes('<script>window.cardScriptRan = true</script>')
      );
    });
  }

  it('prefers index.html, else the first HTML file by name', async () => {
    const both = zipSync({
      'b.html': enc.encode('B'),
      'index.html': enc.encode('I'),
      'a.txt': enc.encode('t')
    });
    assert.deepEqual(await cardOf(both), {
      ok: true,
      html: 'I',
      fileName: 'index.html'
    });
    const other = zipSync({
      'z.htm': enc.encode('Z'),
      'card.html': enc.encode('C')
    });
    assert.deepEqual(await cardOf(other), {
      ok: true,
      html: 'C',
      fileName: 'card.html'
    });
  });

  it('reads stored and deflated entries and UTF-8 text', async () => {
    const html = '<p>naïve — 模型</p>'.repeat(100);
    for (const level of [0, 9] as const) {
      const zip = zipSync({ 'index.html': enc.encode(html) }, { level });
      assert.deepEqual(await cardOf(zip), {
        ok: true,
        html,
        fileName: 'index.html'
      });
    }
  });

  it('says why when there is no card to show', async () => {
    const noHtml = await cardOf(zipSync({ 'readme.txt': enc.encode('x') }));
    assert.deepEqual(noHtml, {
      ok: false,
      reason: 'model_card.zip holds no HTML file'
    });
    const notZip = await cardOf(enc.encode('definitely not a zip file'));
    assert.equal(notZip.ok, false);
    assert.match((notZip as any).reason, /model_card\.zip could not be opened/);
    const big = await readModelCardHtml(
      new BytesByteSource(new Uint8Array(1)),
      [0, MODEL_CARD_MAX_ZIP_BYTES + 1]
    );
    assert.equal(big.ok, false);
    assert.match((big as any).reason, /too large/);
    const cut = await readModelCardHtml(
      new BytesByteSource(new Uint8Array(10)),
      [5, 100]
    );
    assert.deepEqual(cut, {
      ok: false,
      reason: 'model_card.zip is cut short in the file'
    });
  });

  it('refuses an HTML file that declares a huge size', async () => {
    const zip = zipSync({ 'index.html': enc.encode('small') }, { level: 0 });
    // patch the declared uncompressed size in the central directory entry
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    for (let i = zip.length - 22; i >= 0; i--) {
      if (view.getUint32(i, true) === 0x02014b50) {
        view.setUint32(i + 24, 0x7fffffff, true);
        break;
      }
    }
    const r = await cardOf(zip);
    assert.deepEqual(r, {
      ok: false,
      reason: 'the model card HTML is too large to show'
    });
  });
});
