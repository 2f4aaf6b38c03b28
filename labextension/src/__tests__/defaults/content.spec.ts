import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  canonicalCells,
  diffContent,
  sameContent,
  toComparable
} from '../../defaults';

const encoder = new TextEncoder();

function notebook(cells: Array<[string, string | string[]]>, extra = {}) {
  return {
    cells: cells.map(([cell_type, source], i) => ({
      cell_type,
      id: `cell-${i}`,
      metadata: {},
      source,
      ...(cell_type === 'code' ? { execution_count: null, outputs: [] } : {})
    })),
    metadata: { kernelspec: { name: 'python' } },
    nbformat: 4,
    nbformat_minor: 5,
    ...extra
  };
}

const shippedBytes = (value: unknown) => ({
  format: 'bytes' as const,
  content: encoder.encode(JSON.stringify(value, null, 1))
});

describe('canonical notebook comparison', () => {
  const base = notebook([
    ['markdown', ['# Title\n', 'Intro']],
    ['code', 'print(1)']
  ]);

  it('ignores outputs, execution counts, ids and metadata', () => {
    const ran = structuredClone(base) as any;
    ran.cells[1].outputs = [{ output_type: 'stream', text: '1\n' }];
    ran.cells[1].execution_count = 4;
    ran.cells[0].id = 'other';
    ran.cells[1].metadata = { trusted: true };
    ran.metadata.language_info = { name: 'python', version: '3.14' };
    assert.ok(
      sameContent(
        toComparable('a.ipynb', shippedBytes(base)),
        toComparable('a.ipynb', { format: 'json', content: ran })
      )
    );
  });

  it('treats a source list and the same source as one string alike', () => {
    const joined = notebook([
      ['markdown', '# Title\nIntro'],
      ['code', ['print(1)']]
    ]);
    assert.ok(
      sameContent(
        toComparable('a.ipynb', shippedBytes(base)),
        toComparable('a.ipynb', { format: 'json', content: joined })
      )
    );
  });

  it('ignores Windows newlines', () => {
    const crlf = notebook([
      ['markdown', '# Title\r\nIntro'],
      ['code', 'print(1)']
    ]);
    assert.ok(
      sameContent(
        toComparable('a.ipynb', { format: 'json', content: crlf }),
        toComparable('a.ipynb', shippedBytes(base))
      )
    );
  });

  it('sees an edited source, a changed cell type and an added cell', () => {
    const shipped = toComparable('a.ipynb', shippedBytes(base));
    const variants = [
      notebook([
        ['markdown', '# Title\nIntro'],
        ['code', 'print(2)']
      ]),
      notebook([
        ['raw', '# Title\nIntro'],
        ['code', 'print(1)']
      ]),
      notebook([
        ['markdown', '# Title\nIntro'],
        ['code', 'print(1)'],
        ['code', '']
      ])
    ];
    for (const variant of variants) {
      assert.equal(
        sameContent(
          shipped,
          toComparable('a.ipynb', { format: 'json', content: variant })
        ),
        false
      );
    }
  });

  it('does not confuse a cell boundary with a newline in a source', () => {
    const one = notebook([['code', 'a\nb']]);
    const two = notebook([
      ['code', 'a'],
      ['code', 'b']
    ]);
    assert.equal(
      sameContent(
        toComparable('a.ipynb', { format: 'json', content: one }),
        toComparable('a.ipynb', { format: 'json', content: two })
      ),
      false
    );
  });

  it('reads cells defensively', () => {
    assert.equal(canonicalCells({ nbformat: 4 }), null);
    assert.equal(canonicalCells(null), null);
    assert.deepEqual(canonicalCells({ cells: [{}] }), [
      { type: 'code', source: '' }
    ]);
  });

  it('falls back to text for a notebook that is not JSON', () => {
    const broken = { format: 'text' as const, content: '{"cells": [' };
    const comparable = toComparable('a.ipynb', broken);
    assert.equal(comparable.kind, 'text');
    assert.ok(sameContent(comparable, toComparable('a.ipynb', broken)));
  });
});

describe('comparison of other files', () => {
  it('compares text whatever the storage format', () => {
    const csv = 'a,b\n1,2\n';
    const shipped = toComparable('d/x.csv', {
      format: 'bytes',
      content: encoder.encode(csv)
    });
    assert.equal(shipped.kind, 'text');
    assert.ok(
      sameContent(
        shipped,
        toComparable('d/x.csv', { format: 'text', content: csv })
      )
    );
    assert.ok(
      sameContent(
        shipped,
        toComparable('d/x.csv', { format: 'base64', content: btoa(csv) })
      )
    );
    assert.equal(
      sameContent(
        shipped,
        toComparable('d/x.csv', { format: 'text', content: 'a,b\n1,3\n' })
      ),
      false
    );
  });

  it('compares JSON files by value, not key order or spacing', () => {
    const shipped = toComparable('c.json', {
      format: 'bytes',
      content: encoder.encode('{"b": 1, "a": [1, 2]}')
    });
    assert.equal(shipped.kind, 'json');
    assert.ok(
      sameContent(
        shipped,
        toComparable('c.json', { format: 'json', content: { a: [1, 2], b: 1 } })
      )
    );
    assert.equal(
      sameContent(
        shipped,
        toComparable('c.json', {
          format: 'text',
          content: '{"a": [2, 1], "b": 1}'
        })
      ),
      false
    );
  });

  it('compares binary content byte for byte', () => {
    const bytes = new Uint8Array([0, 255, 1, 128, 64]);
    const shipped = toComparable('m.bin', { format: 'bytes', content: bytes });
    assert.equal(shipped.kind, 'binary');
    assert.equal(shipped.lines, null);
    let binary = '';
    bytes.forEach(b => (binary += String.fromCharCode(b)));
    assert.ok(
      sameContent(
        shipped,
        toComparable('m.bin', { format: 'base64', content: btoa(binary) })
      )
    );
    const changed = toComparable('m.bin', {
      format: 'bytes',
      content: new Uint8Array([0, 255, 1, 128, 65])
    });
    assert.equal(sameContent(shipped, changed), false);
    const diff = diffContent(shipped, changed);
    assert.equal(diff.kind, 'binary');
    assert.equal(diff.same, false);
    assert.deepEqual(diff.hunks, []);
  });
});

describe('diffContent', () => {
  it('shows changed cell lines with context', () => {
    const shipped = toComparable('a.ipynb', {
      format: 'json',
      content: notebook([
        ['markdown', '# Title'],
        ['code', 'x = 1\ny = 2\nprint(x + y)']
      ])
    });
    const yours = toComparable('a.ipynb', {
      format: 'json',
      content: notebook([
        ['markdown', '# Title'],
        ['code', 'x = 1\ny = 3\nprint(x + y)'],
        ['markdown', 'My note']
      ])
    });
    const diff = diffContent(shipped, yours);
    assert.equal(diff.same, false);
    assert.equal(diff.kind, 'notebook');
    assert.equal(diff.removed, 1);
    assert.equal(diff.added, 3); // y = 3, the new cell's header and its line
    const lines = diff.hunks.flatMap(h => h.lines);
    assert.deepEqual(
      lines.filter(l => l.change !== 'context').map(l => [l.change, l.text]),
      [
        ['removed', 'y = 2'],
        ['added', 'y = 3'],
        ['added', '─── markdown cell ───'],
        ['added', 'My note']
      ]
    );
    assert.ok(lines.some(l => l.change === 'context' && l.text === 'x = 1'));
  });

  it('has no hunks when only outputs differ', () => {
    const a = notebook([['code', 'print(1)']]);
    const b = structuredClone(a) as any;
    b.cells[0].outputs = [{ output_type: 'stream', text: '1' }];
    const diff = diffContent(
      toComparable('a.ipynb', { format: 'json', content: a }),
      toComparable('a.ipynb', { format: 'json', content: b })
    );
    assert.equal(diff.same, true);
    assert.deepEqual(diff.hunks, []);
  });

  it('diffs text without a final newline cleanly', () => {
    const diff = diffContent(
      toComparable('t.txt', { format: 'text', content: 'one\ntwo' }),
      toComparable('t.txt', { format: 'text', content: 'one\ntwo\nthree' })
    );
    const lines = diff.hunks.flatMap(h => h.lines);
    assert.ok(lines.every(l => !l.text.startsWith('\\')));
    assert.deepEqual(
      lines.filter(l => l.change === 'added').map(l => l.text),
      ['three']
    );
    assert.equal(diff.removed, 0);
  });
});
