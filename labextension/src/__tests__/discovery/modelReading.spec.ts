import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Contents } from '@jupyterlab/services';

import { BytesByteSource } from '../../format';
import { readModelFile } from '../../discovery/modelReading';
import { expected, fixtureBase64, fixtureBytes } from '../format/fixtures';

const LAST_MODIFIED = '2026-01-01T00:00:00.000Z';

/** A contents manager holding one file, recording what was asked of it. */
function contentsWith(base64: string | null) {
  const calls: Contents.IFetchOptions[] = [];
  return {
    calls,
    async get(
      path: string,
      options: Contents.IFetchOptions = {}
    ): Promise<Contents.IModel> {
      calls.push(options);
      return {
        name: path,
        path,
        type: 'file',
        format: 'base64',
        mimetype: '',
        writable: true,
        created: LAST_MODIFIED,
        last_modified: LAST_MODIFIED,
        content: options.content ? base64 : null
      };
    }
  };
}

describe('readModelFile', () => {
  it('reads a whole file through the contents API, with its card', async () => {
    const name = 'sklearn_card.luml';
    const contents = contentsWith(fixtureBase64(name));
    const details = await readModelFile(contents, name, null);
    assert.ok(details.result.ok);
    assert.equal(details.size, fixtureBytes(name).length);
    assert.equal(details.lastModified, LAST_MODIFIED);
    assert.deepEqual(details.card, { html: expected(name).model_card_html });
    assert.deepEqual(contents.calls, [
      { type: 'file', format: 'base64', content: true }
    ]);
  });

  it('has no card for a model without one', async () => {
    const contents = contentsWith(fixtureBase64('sklearn_basic.luml'));
    const details = await readModelFile(contents, 'm.luml', null);
    assert.ok(details.result.ok);
    assert.equal(details.card, null);
  });

  it('reads byte ranges and only lists the file when it can', async () => {
    const name = 'sklearn_card.luml';
    const contents = contentsWith(null);
    const opened: string[] = [];
    const details = await readModelFile(contents, name, async path => {
      opened.push(path);
      return new BytesByteSource(fixtureBytes(name));
    });
    assert.deepEqual(opened, [name]);
    assert.ok(details.result.ok);
    assert.equal(details.lastModified, LAST_MODIFIED);
    assert.deepEqual(details.card, { html: expected(name).model_card_html });
    assert.deepEqual(contents.calls, [{ content: false }]);
  });

  it('reads the file whole when byte ranges are not served', async () => {
    const contents = contentsWith(fixtureBase64('sklearn_basic.luml'));
    const details = await readModelFile(contents, 'm.luml', async () => {
      throw new Error('Not Found');
    });
    assert.ok(details.result.ok);
    assert.ok(contents.calls.some(c => c.content === true));
  });

  it('fails when the file does not come as binary data', async () => {
    await assert.rejects(
      readModelFile(contentsWith(null), 'm.luml', null),
      /could not be loaded as binary data/
    );
  });
});
