import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseRegistryUrl } from '../../../registry/client/registryUrl';

describe('registry URLs', () => {
  it('accepts http(s) addresses and cleans them', () => {
    assert.deepEqual(parseRegistryUrl(' https://api.luml.ai/ '), {
      ok: true,
      url: 'https://api.luml.ai'
    });
    assert.deepEqual(parseRegistryUrl('http://127.0.0.1:8765/api//'), {
      ok: true,
      url: 'http://127.0.0.1:8765/api'
    });
  });

  it('refuses what cannot be a base URL, saying why', () => {
    for (const [text, reason] of [
      ['', /empty/],
      ['api.luml.ai', /not a URL/],
      ['ftp://x.example', /https:\/\//],
      ['https://me:dfs_key@x.example', /user name, password or key/],
      ['https://x.example/?key=dfs_1', /query/]
    ] as const) {
      const parsed = parseRegistryUrl(text);
      assert.equal(parsed.ok, false, text);
      assert.match((parsed as { reason: string }).reason, reason);
    }
  });
});
