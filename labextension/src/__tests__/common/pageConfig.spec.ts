import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  contentsStorageName,
  litePluginSettings
} from '../../common/pageConfig';

describe('contentsStorageName', () => {
  it("is the instance's database when the page names one", () => {
    const options: Record<string, string> = {
      contentsStorageName: 'jl_abc',
      baseUrl: '/site/'
    };
    assert.equal(
      contentsStorageName(n => options[n] ?? ''),
      'jl_abc'
    );
  });

  it("is JupyterLite's own default name otherwise", () => {
    const options: Record<string, string> = { baseUrl: '/site/' };
    assert.equal(
      contentsStorageName(n => options[n] ?? ''),
      'JupyterLite Storage - /site/'
    );
  });
});

describe('litePluginSettings', () => {
  const json = JSON.stringify({
    'luml-notebooks:site': { siteVersion: '1.2.3' },
    'luml-notebooks:registry': 'not an object'
  });

  it("reads one plugin's settings from the JSON string or the object", () => {
    assert.deepEqual(litePluginSettings(json, 'luml-notebooks:site'), {
      siteVersion: '1.2.3'
    });
    assert.deepEqual(
      litePluginSettings(JSON.parse(json), 'luml-notebooks:site'),
      { siteVersion: '1.2.3' }
    );
  });

  it('is null when absent, not an object, or the JSON is malformed', () => {
    assert.equal(litePluginSettings(json, 'luml-notebooks:defaults'), null);
    assert.equal(litePluginSettings(json, 'luml-notebooks:registry'), null);
    assert.equal(litePluginSettings('{not json', 'luml-notebooks:site'), null);
    assert.equal(litePluginSettings('', 'luml-notebooks:site'), null);
    assert.equal(litePluginSettings(undefined, 'luml-notebooks:site'), null);
  });
});
