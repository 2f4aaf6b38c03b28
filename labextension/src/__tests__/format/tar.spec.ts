import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';

import { BytesByteSource, readTarIndex, unsafeReason } from '../../format';
import { expected, fixtureBytes, FIXTURES } from './fixtures';
import { buildTar, concat, header, memberBlocks } from './tarBuilder';

const index = (bytes: Uint8Array) => readTarIndex(new BytesByteSource(bytes));
const text = (bytes: Uint8Array, offset: number, size: number) =>
  Buffer.from(bytes.subarray(offset, offset + size)).toString('utf-8');

describe('readTarIndex on real luml-sdk files', () => {
  for (const name of FIXTURES) {
    it(`${name}: same file_index as Python's tarfile, data at each offset`, async () => {
      const bytes = fixtureBytes(name);
      const exp = expected(name);
      const idx = await index(bytes);
      assert.equal(idx.problem, undefined);
      assert.equal(idx.endMarker, true);
      assert.deepEqual(idx.unsafe, []);
      const files = idx.entries.filter(e => e.type === 'file');
      assert.deepEqual(files.map(e => e.path).sort(), [...exp.members].sort());
      for (const e of files) {
        assert.deepEqual(
          [e.dataOffset, e.size],
          exp.file_index[e.path],
          e.path
        );
        const digest = createHash('sha256')
          .update(bytes.subarray(e.dataOffset, e.dataOffset + e.size))
          .digest('hex');
        assert.equal(digest, exp.member_sha256[e.path], e.path);
      }
    });
  }

  it('finds the PAX and GNU long model card names', async () => {
    for (const name of ['sklearn_card.luml', 'sklearn_card_gnu.luml']) {
      const idx = await index(fixtureBytes(name));
      const card = idx.entries.find(e => e.path.endsWith('/model_card.zip'));
      assert.ok(card, name);
      assert.ok(card.path.length > 100, 'name longer than the ustar field');
      assert.equal(card.path, expected(name).model_card_path);
    }
  });
});

describe('readTarIndex formats', () => {
  it('reads ustar names and data offsets', async () => {
    const bytes = buildTar([
      { name: 'a.txt', data: 'alpha' },
      { name: 'dir/b.txt', data: 'x'.repeat(513) }
    ]);
    const idx = await index(bytes);
    assert.deepEqual(
      idx.entries.map(e => [e.path, e.dataOffset, e.size, e.type]),
      [
        ['a.txt', 512, 5, 'file'],
        ['dir/b.txt', 1536, 513, 'file']
      ]
    );
    assert.equal(text(bytes, 512, 5), 'alpha');
    assert.equal(idx.endMarker, true);
  });

  it('joins the ustar prefix field', async () => {
    const idx = await index(
      buildTar([{ name: 'file.json', prefix: 'some/deep/dir', data: '{}' }])
    );
    assert.equal(idx.entries[0].path, 'some/deep/dir/file.json');
  });

  it('applies PAX path and size records', async () => {
    const long = 'meta_artifacts/' + 'x'.repeat(150) + '/model_card.zip';
    const bytes = buildTar([{ name: long, data: 'card', format: 'pax' }]);
    const idx = await index(bytes);
    assert.equal(idx.entries.length, 1);
    assert.equal(idx.entries[0].path, long);
    assert.equal(
      text(bytes, idx.entries[0].dataOffset, idx.entries[0].size),
      'card'
    );

    // a PAX size overrides the header's size field
    const pax = new TextEncoder().encode('12 size=300\n');
    const parts = [
      header({ name: 'PaxHeader', size: pax.length, typeflag: 'x' }),
      pax,
      new Uint8Array(512 - pax.length),
      header({ name: 'big.bin', size: 0, typeflag: '0' }),
      new Uint8Array(512),
      ...memberBlocks({ name: 'after.txt', data: 'after' }),
      new Uint8Array(1024)
    ];
    const idx2 = await index(concat(parts));
    assert.deepEqual(
      idx2.entries.map(e => [e.path, e.size]),
      [
        ['big.bin', 300],
        ['after.txt', 5]
      ]
    );
  });

  it('reads GNU L long names', async () => {
    const long = 'variant_artifacts/' + 'é'.repeat(80) + '/estimator.pkl';
    const bytes = buildTar([
      { name: long, data: 'pickle', format: 'gnu' },
      { name: 'short.txt', data: 's', format: 'gnu' }
    ]);
    const idx = await index(bytes);
    assert.deepEqual(
      idx.entries.map(e => e.path),
      [long, 'short.txt']
    );
    assert.equal(text(bytes, idx.entries[0].dataOffset, 6), 'pickle');
  });

  it('reads base-256 sizes', async () => {
    const bytes = buildTar([
      { name: 'w.bin', data: new Uint8Array(700).fill(7), base256Size: true },
      { name: 'next.txt', data: 'n' }
    ]);
    const idx = await index(bytes);
    assert.deepEqual(
      idx.entries.map(e => [e.path, e.size]),
      [
        ['w.bin', 700],
        ['next.txt', 1]
      ]
    );
  });

  it('keeps the last of duplicate names, in its own position', async () => {
    const bytes = buildTar([
      { name: 'a.json', data: 'first' },
      { name: 'b.json', data: 'b' },
      { name: 'a.json', data: 'second!' }
    ]);
    const idx = await index(bytes);
    assert.deepEqual(
      idx.entries.map(e => e.path),
      ['b.json', 'a.json']
    );
    const a = idx.entries[1];
    assert.equal(text(bytes, a.dataOffset, a.size), 'second!');
  });

  it('types directories, links and files; links carry no data', async () => {
    const bytes = buildTar([
      { name: 'd/', typeflag: '5' },
      { name: 'old/', typeflag: '\0' },
      { name: 'l', typeflag: '2' },
      { name: 'h', typeflag: '1' },
      { name: 'c', typeflag: '7', data: 'c' },
      { name: 'f', typeflag: '\0', data: 'f' }
    ]);
    const idx = await index(bytes);
    assert.deepEqual(
      idx.entries.map(e => [e.path, e.type]),
      [
        ['d', 'directory'],
        ['old', 'directory'],
        ['l', 'symlink'],
        ['h', 'hardlink'],
        ['c', 'file'],
        ['f', 'file']
      ]
    );
  });

  it('stops at the end-of-archive blocks and ignores what follows', async () => {
    const tar = buildTar([{ name: 'a', data: 'a' }]);
    const junk = new Uint8Array(4096).fill(0x41);
    const idx = await index(concat([tar, junk]));
    assert.deepEqual(
      idx.entries.map(e => e.path),
      ['a']
    );
    assert.equal(idx.problem, undefined);
    assert.equal(idx.endMarker, true);
  });

  it('accepts an archive without end blocks that ends on a member boundary', async () => {
    const idx = await index(
      buildTar([{ name: 'a', data: 'a' }], { end: false })
    );
    assert.equal(idx.problem, undefined);
    assert.equal(idx.endMarker, false);
    assert.equal(idx.entries.length, 1);
  });

  it('reports an empty archive (only zero blocks) as no entries, no problem', async () => {
    const idx = await index(new Uint8Array(1024));
    assert.deepEqual(idx.entries, []);
    assert.equal(idx.problem, undefined);
  });
});

describe('readTarIndex on broken archives', () => {
  it('reports truncated member data with the entries read so far', async () => {
    const tar = buildTar([
      { name: 'a', data: 'a' },
      { name: 'weights.bin', data: new Uint8Array(5000) }
    ]);
    const idx = await index(tar.subarray(0, 3000));
    assert.equal(idx.problem?.kind, 'truncated');
    assert.match(idx.problem!.message, /past the end of the file/);
    assert.deepEqual(
      idx.entries.map(e => e.path),
      ['a']
    );
  });

  it('reports a header cut in the middle', async () => {
    const tar = buildTar([
      { name: 'a', data: 'a' },
      { name: 'b', data: 'b' }
    ]);
    const idx = await index(tar.subarray(0, 1024 + 100));
    assert.equal(idx.problem?.kind, 'truncated');
    assert.match(idx.problem!.message, /middle of a header/);
  });

  it('reports an extended header with nothing after it', async () => {
    const long = 'n'.repeat(200);
    const blocks = memberBlocks({ name: long, data: 'x' });
    const idx = await index(concat(blocks.slice(0, 3)));
    assert.equal(idx.problem?.kind, 'truncated');
  });

  it('says not-tar for a bad first header, corrupt for a later one', async () => {
    const first = await index(
      buildTar([{ name: 'a', data: 'a', badChecksum: true }])
    );
    assert.equal(first.problem?.kind, 'not-tar');
    const later = await index(
      buildTar([
        { name: 'a', data: 'a' },
        { name: 'b', data: 'b', badChecksum: true }
      ])
    );
    assert.equal(later.problem?.kind, 'corrupt');
    assert.match(later.problem!.message, /checksum at byte 1024/);
    assert.deepEqual(
      later.entries.map(e => e.path),
      ['a']
    );
  });

  it('says not-tar for text and for files shorter than a block', async () => {
    const txt = new TextEncoder().encode('hello '.repeat(200));
    assert.equal((await index(txt)).problem?.kind, 'not-tar');
    assert.equal((await index(txt.subarray(0, 100))).problem?.kind, 'not-tar');
  });

  it('flags unsafe names and leaves them out of the entries', async () => {
    const bytes = buildTar([
      { name: 'ok.txt', data: 'ok' },
      { name: '../evil.sh', data: 'x' },
      { name: 'a/../../b', data: 'x' },
      { name: '/etc/passwd', data: 'x' },
      { name: 'C:\\windows\\x', data: 'x' },
      { name: 'meta_artifacts/' + 'p'.repeat(120) + '/../../../x', data: 'x' }
    ]);
    const idx = await index(bytes);
    assert.deepEqual(
      idx.entries.map(e => e.path),
      ['ok.txt']
    );
    assert.deepEqual(
      idx.unsafe.map(u => u.reason),
      [
        "'..' path segment",
        "'..' path segment",
        'absolute path',
        'absolute path',
        "'..' path segment"
      ]
    );
  });

  it('unsafeReason accepts ordinary names with dots', () => {
    assert.equal(unsafeReason('a..b/c...json'), undefined);
    assert.equal(unsafeReason('./manifest.json'), undefined);
    assert.equal(unsafeReason('..'), "'..' path segment");
    assert.equal(unsafeReason(''), 'empty member name');
  });

  it('never throws on random bytes', async () => {
    let x = 12345;
    for (let n = 0; n < 200; n++) {
      const bytes = new Uint8Array(512 * (1 + (n % 4)));
      for (let i = 0; i < bytes.length; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        bytes[i] = x >>> 24;
      }
      const idx = await index(bytes);
      assert.ok(idx.problem || idx.entries.length >= 0);
    }
  });
});
