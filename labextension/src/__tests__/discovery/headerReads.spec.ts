import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Contents } from '@jupyterlab/services';

import {
  IReadTask,
  readListedModel,
  readServerModel,
  readStoredModel
} from '../../discovery/headerReads';
import {
  FakeContents,
  FakeServer,
  manifest,
  modelBase64,
  sizeOf
} from './fakes';
import { buildTar, modelMembers } from '../format/tarBuilder';

const fresh = () => false;

function task(path: string, mayBeInProgress = false): IReadTask {
  return {
    path,
    version: 1,
    announce: false,
    mayBeInProgress,
    lastModified: 'listed'
  };
}

function listed(content: unknown, type = 'file'): Contents.IModel {
  return {
    path: 'm.luml',
    type,
    format: 'base64',
    size: 0,
    last_modified: 'saved',
    content
  } as Contents.IModel;
}

describe('readListedModel', () => {
  it('reads the headers from the content at hand', async () => {
    const content = modelBase64(manifest('m'));
    const outcome = await readListedModel(
      listed(content),
      task('m.luml'),
      fresh
    );
    assert.ok(outcome.kind === 'read');
    assert.ok(outcome.result.ok);
    assert.equal(outcome.from, 'storage');
    assert.equal(outcome.size, sizeOf(content));
    assert.equal(outcome.lastModified, 'saved');
  });

  it('waits for a file still being written', async () => {
    for (const content of ['', '\u0000manifest.json\u0000']) {
      const outcome = await readListedModel(
        listed(content),
        task('m.luml', true),
        fresh
      );
      assert.deepEqual(outcome, { kind: 'incomplete' });
    }
  });

  it('reports a folder named like a model file', async () => {
    const outcome = await readListedModel(
      listed(null, 'directory'),
      task('m.luml'),
      fresh
    );
    assert.deepEqual(outcome, { kind: 'folder' });
  });

  it('says why content that is not base64 text is not read', async () => {
    const outcome = await readListedModel(listed(null), task('m.luml'), fresh);
    assert.ok(outcome.kind === 'read' && !outcome.result.ok);
    assert.match(outcome.result.reason, /not read as a model/);
  });

  it('reads nothing for a stale task', async () => {
    const outcome = await readListedModel(
      listed(modelBase64(manifest('m'))),
      task('m.luml'),
      () => true
    );
    assert.deepEqual(outcome, { kind: 'stale' });
  });
});

describe('readStoredModel', () => {
  it('fetches the file, then reads it', async () => {
    const contents = new FakeContents();
    contents.storage.put('m.luml', modelBase64(manifest('m')));
    const outcome = await readStoredModel(contents, task('m.luml'), fresh);
    assert.ok(outcome.kind === 'read' && outcome.result.ok);
    assert.equal(contents.contentReads('m.luml'), 1);
  });

  it('tells a missing file from one that could not be fetched', async () => {
    const contents = new FakeContents();
    assert.deepEqual(
      await readStoredModel(contents, task('gone.luml'), fresh),
      { kind: 'gone' }
    );
    const failing = {
      get: async () => {
        throw new Error('quota exceeded');
      }
    };
    const outcome = await readStoredModel(failing, task('m.luml'), fresh);
    assert.ok(outcome.kind === 'unfetched');
    assert.equal(outcome.from, 'storage');
    assert.match(
      outcome.reason,
      /could not be loaded from storage: quota exceeded/
    );
  });
});

describe('readServerModel', () => {
  it('reads byte ranges, dated by the listing', async () => {
    const server = new FakeServer();
    server.write('m.luml', buildTar(modelMembers(manifest('m'))));
    const outcome = await readServerModel(server, task('m.luml'), fresh);
    assert.ok(outcome.kind === 'read');
    assert.ok(outcome.result.ok);
    assert.equal(outcome.from, 'server');
    assert.equal(outcome.lastModified, 'listed');
  });

  it('waits for an empty file still being written', async () => {
    const server = new FakeServer();
    server.write('m.luml', new Uint8Array(0));
    assert.deepEqual(
      await readServerModel(server, task('m.luml', true), fresh),
      { kind: 'incomplete' }
    );
  });

  it('tells a missing file from one that could not be read', async () => {
    const server = new FakeServer();
    assert.deepEqual(await readServerModel(server, task('gone.luml'), fresh), {
      kind: 'gone'
    });
    const failing = {
      list: async () => [],
      open: async () => {
        throw new Error('server unreachable');
      }
    };
    const outcome = await readServerModel(failing, task('m.luml'), fresh);
    assert.ok(outcome.kind === 'unfetched' && outcome.from === 'server');
  });
});
