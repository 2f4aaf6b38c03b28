import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatBytes } from '../../common/byteSize';
import { StatsAccumulator, recordBytes } from '../../instances/stats';

describe('instance stats', () => {
  it('sizes records by size, else by content', () => {
    assert.equal(
      recordBytes({ size: 10, content: 'xxxxxxxxxxxxxxxxxxxx' }),
      10
    );
    assert.equal(recordBytes({ content: 'abcd' }), 4);
    assert.equal(recordBytes({ content: { a: 1 } }), 7);
    assert.equal(recordBytes([{ size: 3 }, { size: 4 }]), 7);
    assert.equal(recordBytes(null), 0);
  });

  it('sizes a file kept in chunks by its size, not its empty content', () => {
    const chunked = {
      name: 'w.bin',
      type: 'file',
      format: 'base64',
      content: null,
      size: 300 * 2 ** 20,
      chunks: { id: 'x-1', chunkSize: 4 * 2 ** 20, count: 75 }
    };
    assert.equal(recordBytes(chunked), 300 * 2 ** 20);
    assert.equal(
      recordBytes([chunked, { ...chunked, size: 5 }]),
      300 * 2 ** 20 + 5
    );
  });

  it('sums files, models, checkpoints and the last change', () => {
    const sums = new StatsAccumulator();
    sums.addFile({
      name: 'a.luml',
      type: 'file',
      size: 100,
      last_modified: '2026-01-02T00:00:00Z'
    });
    sums.addFile({
      name: 'b.ipynb',
      type: 'notebook',
      size: 50,
      last_modified: '2026-03-01T00:00:00Z'
    });
    sums.addFile({
      name: 'x.luml',
      type: 'directory',
      size: 0,
      last_modified: 'not a date'
    });
    // a file named just `.luml` is hidden, not a model (discovery agrees)
    sums.addFile({
      name: '.luml',
      type: 'file',
      size: 0,
      last_modified: '2026-01-01T00:00:00Z'
    });
    sums.addCheckpoints([{ size: 25 }]);
    const stats = sums.stats;
    assert.equal(stats.bytes, 175);
    assert.equal(stats.files, 4);
    assert.equal(stats.models, 1);
    assert.equal(stats.lastModified?.toISOString(), '2026-03-01T00:00:00.000Z');
    assert.equal(new StatsAccumulator().stats.lastModified, null);
  });

  it('formats byte counts', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(999), '999 B');
    assert.equal(formatBytes(1500), '1.5 KB');
    assert.equal(formatBytes(25_000_000), '25 MB');
    assert.equal(formatBytes(3.2e9), '3.2 GB');
    // decimal units: 50 MiB reads as the platform shows it
    assert.equal(formatBytes(52_428_800), '52 MB');
    assert.equal(formatBytes(NaN), '0 B');
  });
});
