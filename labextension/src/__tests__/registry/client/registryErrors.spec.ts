import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  errorDetail,
  httpError,
  ICallContext,
  networkError,
  registryMessage
} from '../../../registry/client/registryErrors';

const context: ICallContext = {
  registryUrl: 'https://registry.example',
  what: registryMessage('createArtifact'),
  phase: 'api',
  resource: 'collection',
  siteOrigin: 'https://notebooks.example'
};

describe('error mapping', () => {
  it('reads the server detail from JSON, FastAPI lists, S3 XML and text', () => {
    assert.equal(errorDetail('{"detail": "bad name"}'), 'bad name');
    assert.equal(
      errorDetail(
        '{"detail": [{"loc": ["body", "size"], "msg": "must be > 0"}]}'
      ),
      'size: must be > 0'
    );
    assert.equal(
      errorDetail('<Error><Code>X</Code><Message>Slow down</Message></Error>'),
      'Slow down'
    );
    assert.equal(errorDetail('<html><body>oops</body></html>'), undefined);
    assert.equal(errorDetail('plain words'), 'plain words');
    assert.equal(errorDetail(''), undefined);
  });

  it('gives each status a kind and a message the user can act on', () => {
    const e401 = httpError(401, '{"detail": "Invalid API key"}', context);
    assert.equal(e401.kind, 'unauthorized');
    assert.match(e401.message, /did not accept the API key/);
    assert.match(e401.message, /Invalid API key/);

    const e403 = httpError(403, '{"detail": "read only"}', context);
    assert.equal(e403.kind, 'forbidden');
    assert.match(e403.message, /no permission to create the artifact/);

    const e404 = httpError(
      404,
      '{"detail": "Collection c1 not found"}',
      context
    );
    assert.equal(e404.kind, 'not-found');
    assert.match(e404.message, /collection was not found/);
    assert.match(e404.message, /choose another collection/);

    const e422 = httpError(422, '{"detail": "file_name: invalid"}', context);
    assert.equal(e422.kind, 'rejected');
    assert.equal(e422.detail, 'file_name: invalid');
    assert.match(e422.message, /rejected .*: file_name: invalid$/);

    const e500 = httpError(500, 'Internal Server Error', context);
    assert.equal(e500.kind, 'server');
    assert.ok(e500.transient);
    assert.match(e500.message, /server error \(HTTP 500\)/);

    const e429 = httpError(429, '', context, '7');
    assert.equal(e429.kind, 'rate-limited');
    assert.equal(e429.options.retryAfterMs, 7000);
    assert.ok(e429.transient);

    const storage = httpError(403, '', { ...context, phase: 'storage' });
    assert.match(storage.message, /signed URL/);
    assert.ok(!e422.transient && !e401.transient && !e404.transient);
  });

  it('says what to check when nothing answers, without the URL query', () => {
    const error = networkError(
      'https://registry.example/storage/x?X-Signature=secret',
      context
    );
    assert.equal(error.kind, 'network');
    assert.ok(error.transient);
    assert.equal(
      error.message,
      "Could not reach https://registry.example to create the artifact: check the URL, that the Registry is running, and that it allows this site's origin (https://notebooks.example)."
    );
    assert.doesNotMatch(error.message, /secret/);
  });
});
