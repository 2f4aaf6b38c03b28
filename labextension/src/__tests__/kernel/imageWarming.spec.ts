import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { imageWarmerUrl } from '../../kernel/imageWarming';

const PAGE = 'http://127.0.0.1:8000/lab/index.html?path=work%2Fa.ipynb';

function config(pyodideUrl: string, asText = false): Record<string, unknown> {
  const settings = {
    '@jupyterlite/pyodide-kernel-extension:kernel': { pyodideUrl }
  };
  return { litePluginSettings: asText ? JSON.stringify(settings) : settings };
}

describe('imageWarmerUrl', () => {
  it('names the warmer beside the site loader for a notebook link', () => {
    const expected =
      'http://127.0.0.1:8000/static/pyodide/luml-image-warmer.mjs';
    assert.equal(
      imageWarmerUrl(config('../static/pyodide/luml-pyodide.mjs'), PAGE),
      expected
    );
    assert.equal(
      imageWarmerUrl(
        config('http://127.0.0.1:8000/static/pyodide/luml-pyodide.mjs', true),
        PAGE
      ),
      expected
    );
  });

  it('starts nothing for other pages', () => {
    const loader = config('../static/pyodide/luml-pyodide.mjs');
    for (const page of [
      'http://127.0.0.1:8000/lab/index.html',
      'http://127.0.0.1:8000/lab/index.html?path=data.csv'
    ]) {
      assert.equal(imageWarmerUrl(loader, page), null);
    }
  });

  it('starts nothing when the kernel uses another loader', () => {
    assert.equal(
      imageWarmerUrl(
        config('https://cdn.jsdelivr.net/pyodide/v314.0.6/full/pyodide.mjs'),
        PAGE
      ),
      null
    );
    assert.equal(imageWarmerUrl({}, PAGE), null);
    assert.equal(imageWarmerUrl({ litePluginSettings: '{' }, PAGE), null);
  });
});
