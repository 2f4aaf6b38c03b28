import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';

import { IModelsChange } from '../../discovery/tokens';
import {
  delay,
  discover,
  disposeDiscoveries,
  FakeContents,
  manifest,
  modelBase64,
  Storage,
  waitFor
} from './fakes';

// How ModelDiscovery keeps the list current from change events; the scans
// are tested in scan.spec.ts, other tabs in crossTabChannel.spec.ts.

afterEach(disposeDiscoveries);

describe('ModelDiscovery live updates', () => {
  it('reads a kernel write once, after the file is complete', async () => {
    const contents = new FakeContents();
    const d = discover(contents);
    await d.start();
    const seen: string[] = [];
    d.changed.connect(() => {
      const m = d.get('k.luml');
      if (m) {
        seen.push(m.result.ok ? 'ok' : 'unreadable');
      }
    });
    await contents.kernelWrite('k.luml', modelBase64(manifest('kernel')));
    await waitFor(() => d.get('k.luml') !== undefined, 'the model');
    const m = d.get('k.luml')!;
    assert.ok(m.result.ok);
    assert.equal(m.result.ok && m.result.summary.name, 'kernel');
    // browser storage's save event carried the content: no fetch
    assert.equal(contents.contentReads('k.luml'), 0);
    await delay(150);
    assert.deepEqual(seen, ['ok'], 'never shown as an empty file');
  });

  it('fetches a written model once when events carry no content', async () => {
    const contents = new FakeContents(new Storage(), false);
    const d = discover(contents);
    await d.start();
    await contents.kernelWrite('k.luml', modelBase64(manifest('kernel')));
    await waitFor(() => d.get('k.luml') !== undefined, 'the model');
    assert.ok(d.get('k.luml')!.result.ok);
    await delay(150);
    assert.equal(contents.contentReads('k.luml'), 1);
  });

  it('reports a file that stays empty, after waiting for it', async () => {
    const contents = new FakeContents();
    const d = discover(contents);
    await d.start();
    contents.save('empty.luml', '');
    await delay(30);
    assert.equal(d.get('empty.luml'), undefined, 'still waiting');
    assert.deepEqual(d.pending, ['empty.luml']);
    await waitFor(() => d.get('empty.luml') !== undefined, 'the file');
    assert.match(
      (d.get('empty.luml')!.result as { reason: string }).reason,
      /empty/
    );
  });

  it('waits while a chunked upload holds raw bytes', async () => {
    const contents = new FakeContents();
    const d = discover(contents);
    await d.start();
    // a middle chunk stores a binary string under format base64
    contents.save('up.luml', '\u0000manifest.json\u0000\u0000');
    await delay(40);
    assert.equal(d.get('up.luml'), undefined);
    contents.save('up.luml', modelBase64(manifest('uploaded')));
    await waitFor(() => d.get('up.luml') !== undefined, 'the upload');
    assert.ok(d.get('up.luml')!.result.ok);
  });

  it('updates a model saved over', async () => {
    const contents = new FakeContents();
    contents.storage.put('m.luml', modelBase64(manifest('m', '1')));
    const d = discover(contents);
    await d.start();
    contents.save('m.luml', modelBase64(manifest('m', '2')));
    await waitFor(() => {
      const r = d.get('m.luml')!.result;
      return r.ok && r.summary.version === '2';
    }, 'version 2');
  });

  it('moves a renamed model without reading it again', async () => {
    const contents = new FakeContents();
    contents.storage.put('a.luml', modelBase64(manifest('a')));
    const d = discover(contents);
    await d.start();
    const changes: IModelsChange[] = [];
    d.changed.connect((_, c) => changes.push(c));
    contents.rename('a.luml', 'b.luml');
    await waitFor(() => changes.length > 0, 'a change');
    assert.equal(d.get('a.luml'), undefined);
    assert.equal(d.get('b.luml')!.name, 'b.luml');
    assert.equal(contents.contentReads('b.luml'), 0);
    assert.deepEqual(
      changes.flatMap(c => c.renamed),
      [{ oldPath: 'a.luml', newPath: 'b.luml' }]
    );
  });

  it('drops a model renamed to another extension, adds one renamed to .luml', async () => {
    const contents = new FakeContents();
    contents.storage.put('a.luml', modelBase64(manifest('a')));
    contents.storage.put('b.bin', modelBase64(manifest('b')));
    const d = discover(contents);
    await d.start();
    contents.rename('a.luml', 'a.tar');
    contents.rename('b.bin', 'b.luml');
    await waitFor(() => d.get('b.luml') !== undefined, 'b.luml');
    assert.deepEqual(
      d.models.map(m => m.path),
      ['b.luml']
    );
  });

  for (const childEvents of [true, false]) {
    it(`follows a folder rename and a move (${childEvents ? 'browser storage' : 'server'} events)`, async () => {
      const contents = new FakeContents();
      contents.storage.put('runs/x.luml', modelBase64(manifest('x')));
      contents.storage.put('runs/deep/y.luml', modelBase64(manifest('y')));
      contents.storage.put('runsX/z.luml', modelBase64(manifest('z')));
      const d = discover(contents);
      await d.start();
      contents.rename('runs', 'archive/2026', childEvents);
      await waitFor(
        () => d.get('archive/2026/deep/y.luml') !== undefined,
        'the moved folder'
      );
      assert.deepEqual(
        d.models.map(m => m.path),
        ['archive/2026/deep/y.luml', 'archive/2026/x.luml', 'runsX/z.luml']
      );
      // a file moved into a subfolder
      contents.rename('runsX/z.luml', 'archive/z.luml');
      await waitFor(() => d.get('archive/z.luml') !== undefined, 'the move');
      assert.equal(d.get('runsX/z.luml'), undefined);
      assert.equal(contents.contentReads('archive/2026/x.luml'), 0);
    });
  }

  it('forgets deleted models and folders', async () => {
    const contents = new FakeContents();
    contents.storage.put('a.luml', modelBase64(manifest('a')));
    contents.storage.put('f/b.luml', modelBase64(manifest('b')));
    contents.storage.put('f/g/c.luml', modelBase64(manifest('c')));
    contents.storage.put('fg/d.luml', modelBase64(manifest('d')));
    const d = discover(contents);
    await d.start();
    contents.delete('a.luml');
    contents.delete('f');
    await waitFor(() => d.models.length === 1, 'the deletes');
    assert.deepEqual(
      d.models.map(m => m.path),
      ['fg/d.luml']
    );
    await delay(50);
    assert.equal(d.models.length, 1, 'not brought back');
  });

  it('finds models in a new or copied folder', async () => {
    const contents = new FakeContents();
    const d = discover(contents);
    await d.start();
    contents.storage.put('copy/m.luml', modelBase64(manifest('m')));
    contents.newFolder('copy');
    await waitFor(() => d.get('copy/m.luml') !== undefined, 'the model');
  });

  it('does not bring back a model deleted while it was being read', async () => {
    // events without content, so the read goes to storage and can be slow
    const contents = new FakeContents(new Storage(), false);
    const d = discover(contents);
    await d.start();
    let open!: () => void;
    contents.gate = {
      path: 'slow.luml',
      promise: new Promise(resolve => (open = resolve))
    };
    contents.save('slow.luml', modelBase64(manifest('slow')));
    await waitFor(
      () => contents.contentReads('slow.luml') === 1,
      'the read to start'
    );
    contents.delete('slow.luml');
    open();
    await delay(100);
    assert.equal(d.get('slow.luml'), undefined);
    assert.deepEqual(d.pending, []);
  });

  it('stops listening when disposed', async () => {
    const contents = new FakeContents();
    const d = discover(contents);
    await d.start();
    d.dispose();
    contents.save('late.luml', modelBase64(manifest('late')));
    await delay(50);
    assert.equal(d.get('late.luml'), undefined);
  });
});
