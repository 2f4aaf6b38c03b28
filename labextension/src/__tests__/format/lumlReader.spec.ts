import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { deflateSync, gzipSync } from 'node:zlib';

import {
  Base64ByteSource,
  BytesByteSource,
  ILumlModelInfo,
  LumlReadResult,
  readLumlModel
} from '../../format';
import {
  CountingSource,
  expected,
  fixtureBase64,
  fixtureBytes,
  FIXTURES
} from './fixtures';
import {
  buildTar,
  ITarMember,
  modelMembers,
  SAMPLE_MANIFEST
} from './tarBuilder';

const read = (bytes: Uint8Array) => readLumlModel(new BytesByteSource(bytes));
const readTar = (members: ITarMember[]) => read(buildTar(members));

function ok(result: LumlReadResult): ILumlModelInfo {
  if (!result.ok) {
    assert.fail(`expected ok, got: ${result.reason}`);
  }
  return result;
}

function reason(result: LumlReadResult): string {
  assert.equal(result.ok, false, 'expected a failure');
  return (result as { reason: string }).reason;
}

describe('readLumlModel on real save_sklearn files', () => {
  it('reads sklearn_basic.luml', async () => {
    const info = ok(
      await readLumlModel(
        new Base64ByteSource(fixtureBase64('sklearn_basic.luml'))
      )
    );
    const exp = expected('sklearn_basic.luml');
    assert.equal(info.size, exp.size);
    assert.deepEqual(info.manifest, exp.manifest);
    const s = info.summary;
    assert.equal(s.name, 'tiny-linear');
    assert.equal(s.version, '1.0.0');
    assert.equal(s.description, 'A tiny linear regression on three features.');
    assert.equal(s.variant, 'pyfunc');
    assert.equal(s.producerName, 'luml.ai');
    assert.equal(s.producerVersion, '0.4.0');
    assert.deepEqual(s.producerTags, [
      'luml.ai::sklearn:v1',
      'luml.ai::kind_tabular:v1'
    ]);
    assert.deepEqual(
      s.inputs.map(i => [i.name, i.contentType, i.dtype, i.shape]),
      [
        ['x0', 'NDJSON', 'Array[float]', ['batch']],
        ['x1', 'NDJSON', 'Array[float]', ['batch']],
        ['x2', 'NDJSON', 'Array[float]', ['batch']]
      ]
    );
    assert.deepEqual(
      s.outputs.map(o => [o.name, o.dtype, o.shape]),
      [['y', 'Array[float]', ['batch']]]
    );
    assert.equal(info.isModel, true);
    assert.deepEqual(info.missingModelFiles, []);
    assert.deepEqual(info.metadata, []);
    assert.deepEqual(info.metrics, {});
    assert.equal(info.modelCardPath, undefined);
    assert.deepEqual(info.env, exp.env);
    assert.deepEqual(info.warnings, []);
    assert.deepEqual(info.patches, []);
  });

  for (const name of ['sklearn_card.luml', 'sklearn_card_gnu.luml']) {
    it(`reads ${name}: metadata merged, metrics, model card path`, async () => {
      const info = ok(
        await readLumlModel(new Base64ByteSource(fixtureBase64(name)))
      );
      const exp = expected(name);
      assert.deepEqual(info.manifest, exp.manifest);
      assert.equal(info.summary.name, 'tiny-classifier');
      assert.equal(info.summary.version, '0.2.0');
      assert.equal(
        info.summary.description,
        'A <b>tiny</b> logistic regression.'
      );
      assert.deepEqual(
        info.summary.outputs.map(o => [o.name, o.dtype, o.shape]),
        [
          ['y', 'Array[int]', ['batch']],
          ['y_score', 'Array[float64]', ['batch']],
          ['y_proba', 'Array[float64]', ['batch', 2]]
        ]
      );
      assert.equal(info.summary.inputs.length, 4);
      // meta.json is [] and two meta-<hex>.json members were appended by luml-sdk
      assert.deepEqual(
        info.metadata.map(m => ({
          id: m.id,
          tags: m.tags,
          payload: m.payload
        })),
        exp.metadata.map(m => ({ id: m.id, tags: m.tags, payload: m.payload }))
      );
      assert.ok(
        info.metadata.every(m => /^meta-[0-9a-f]{32}\.json$/.test(m.member))
      );
      assert.ok(info.metadata.every(m => m.producer === undefined));
      assert.deepEqual(info.metrics, { accuracy: 0.93, f1: 0.9 });
      assert.equal(info.modelCardPath, exp.model_card_path);
      assert.equal(info.isModel, true);
    });
  }

  for (const name of FIXTURES) {
    it(`${name}: fileIndex equals Python's, bytes at each offset are the member`, async () => {
      const bytes = fixtureBytes(name);
      const exp = expected(name);
      const info = ok(await read(bytes));
      assert.deepEqual(info.fileIndex, exp.file_index);
      assert.deepEqual(
        info.members.map(m => m.path),
        exp.members
      );
      for (const [path, [offset, size]] of Object.entries(info.fileIndex)) {
        const digest = createHash('sha256')
          .update(bytes.subarray(offset, offset + size))
          .digest('hex');
        assert.equal(digest, exp.member_sha256[path], path);
      }
      const [mOff, mSize] = info.fileIndex['manifest.json'];
      assert.deepEqual(
        JSON.parse(Buffer.from(bytes.subarray(mOff, mOff + mSize)).toString()),
        exp.manifest
      );
    });
  }

  it('reads the same from bytes and from base64', async () => {
    for (const name of FIXTURES) {
      const a = ok(await read(fixtureBytes(name)));
      const b = ok(
        await readLumlModel(new Base64ByteSource(fixtureBase64(name)))
      );
      assert.deepEqual(a, b);
    }
  });
});

describe('readLumlModel refuses what is not a model, with a clear reason', () => {
  it('empty file', async () => {
    assert.match(reason(await read(new Uint8Array(0))), /empty \(0 bytes\)/);
  });

  it('zip named .luml', async () => {
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 8, 0]);
    assert.match(
      reason(await read(zip)),
      /This is a zip file, not a LUML model \(a LUML model is an uncompressed tar archive\)/
    );
  });

  it('gzip named .luml (a gzipped real model)', async () => {
    const gz = new Uint8Array(gzipSync(fixtureBytes('sklearn_basic.luml')));
    const r = reason(await read(gz));
    assert.match(r, /This is a gzip file, not a LUML model/);
    assert.match(r, /gunzip/);
  });

  it('not a tar: text, JSON, HTML, random bytes, short files', async () => {
    const enc = new TextEncoder();
    const cases: [Uint8Array, RegExp][] = [
      [enc.encode('just some text\n'.repeat(100)), /not a tar archive/],
      [enc.encode(JSON.stringify(SAMPLE_MANIFEST)), /looks like JSON text/],
      [
        enc.encode('<html><script>alert(1)</script></html>'.repeat(20)),
        /looks like HTML/
      ],
      [new Uint8Array(deflateSync(new Uint8Array(5000))), /not a tar archive/],
      [enc.encode('abc'), /not a tar archive/]
    ];
    for (const [bytes, message] of cases) {
      assert.match(reason(await read(bytes)), message);
    }
  });

  it('an empty tar', async () => {
    assert.match(
      reason(await read(new Uint8Array(10240))),
      /tar archive is empty/
    );
  });

  it('a tar without manifest.json', async () => {
    const r = await readTar([{ name: 'readme.txt', data: 'hi' }]);
    assert.match(reason(r), /not a LUML model: it has no manifest\.json\./);
    assert.deepEqual((r as any).members, [{ path: 'readme.txt', size: 2 }]);
  });

  it('a model packed one directory down', async () => {
    const r = await readTar([{ name: 'model/manifest.json', data: '{}' }]);
    assert.match(
      reason(r),
      /found "model\/manifest\.json": a model keeps it at the archive root/
    );
  });

  it('invalid JSON, non-object and non-UTF-8 manifests', async () => {
    assert.match(
      reason(await readTar([{ name: 'manifest.json', data: '{"name": ' }])),
      /manifest\.json is not valid JSON \(/
    );
    assert.match(
      reason(await readTar([{ name: 'manifest.json', data: '[1, 2]' }])),
      /manifest\.json is not a JSON object/
    );
    assert.match(
      reason(
        await readTar([
          { name: 'manifest.json', data: new Uint8Array([0x7b, 0xff, 0x7d]) }
        ])
      ),
      /manifest\.json is not valid UTF-8/
    );
  });

  it('an oversized manifest, without reading it', async () => {
    const bytes = buildTar([{ name: 'manifest.json', size: 3 * 1024 * 1024 }]);
    const src = new CountingSource(new BytesByteSource(bytes));
    const r = reason(await readLumlModel(src));
    assert.equal(
      r,
      'manifest.json is too large (3.1 MB); this file is probably not a model.'
    );
    assert.ok(src.bytesRead < 4096, `read ${src.bytesRead} bytes`);
  });

  it('a truncated real model, cut at many points', async () => {
    const bytes = fixtureBytes('sklearn_card.luml');
    const exp = expected('sklearn_card.luml');
    const lastDataEnd = Math.max(
      ...Object.values(exp.file_index).map(([o, s]) => o + s)
    );
    const cuts = [];
    for (let cut = 1; cut < lastDataEnd; cut += 397) {
      cuts.push(cut);
    }
    cuts.push(512, 2560, lastDataEnd, Math.ceil(lastDataEnd / 512) * 512);
    for (const cut of cuts) {
      const r = await read(bytes.subarray(0, cut));
      if (cut < 512) {
        assert.match(reason(r), /not a tar archive/, `cut at ${cut}`);
      } else if (cut % 512 !== 0) {
        assert.match(
          reason(r),
          /The file is truncated \(.*\)\. It was probably cut off/,
          `cut at ${cut}`
        );
      } else if (cut === 512) {
        assert.match(reason(r), /The file is truncated/);
      } else {
        // cut on a block boundary between members: readable, with a warning
        const info = ok(r);
        assert.match(
          info.warnings[0],
          /no end-of-archive marker, so it may have been cut short/
        );
        assert.equal(info.isModel, cut > exp.file_index['meta.json'][0]);
      }
    }
  });

  it('a damaged header after the first', async () => {
    const r = await readTar([
      ...modelMembers(SAMPLE_MANIFEST),
      { name: 'x', data: 'x', badChecksum: true }
    ]);
    assert.match(
      reason(r),
      /The file is damaged: bad header checksum at byte \d+\. Upload or export it again\./
    );
  });

  it('"../" and absolute member names', async () => {
    for (const bad of [
      '../../.bashrc',
      '/etc/cron.d/x',
      'variant_artifacts/../../x'
    ]) {
      const r = await readTar([
        ...modelMembers(SAMPLE_MANIFEST),
        { name: bad, data: 'x' }
      ]);
      const message = reason(r);
      assert.ok(message.includes(JSON.stringify(bad)), message);
      assert.match(message, /unsafe member name/);
      assert.ok((r as any).members.length === 6);
    }
  });

  it('a source whose reads fail', async () => {
    const r = await readLumlModel({
      size: 2048,
      read: () => Promise.reject(new Error('network down'))
    });
    assert.equal(reason(r), 'The file could not be read: network down.');
    const b64 = await readLumlModel(
      new Base64ByteSource('%%%%' + 'A'.repeat(1000))
    );
    assert.match(reason(b64), /invalid base64 character/);
  });
});

describe('readLumlModel details', () => {
  it('decides nothing from the file name: only bytes count', async () => {
    // there is no name parameter at all; the same bytes give the same answer
    const bytes = fixtureBytes('sklearn_basic.luml');
    assert.equal(readLumlModel.length, 1);
    assert.equal(ok(await read(bytes)).isModel, true);
  });

  it('a tar with a manifest but not the six root files is read, not a model', async () => {
    const info = ok(
      await readTar([
        { name: 'manifest.json', data: JSON.stringify(SAMPLE_MANIFEST) }
      ])
    );
    assert.equal(info.isModel, false);
    assert.deepEqual(info.missingModelFiles, [
      'dtypes.json',
      'env.json',
      'meta.json',
      'ops.json',
      'variant_config.json'
    ]);
    assert.equal(info.env, undefined);
  });

  it('dataset manifests report their artifact type', async () => {
    const info = ok(
      await readTar([
        {
          name: 'manifest.json',
          data: JSON.stringify({
            artifact_type: 'dataset',
            variant: 'tabular',
            name: 'd',
            producer_tags: []
          })
        }
      ])
    );
    assert.equal(info.summary.artifactType, 'dataset');
    assert.equal(info.isModel, false);
  });

  it('duplicate manifest.json: the last one wins', async () => {
    const info = ok(
      await readTar([
        ...modelMembers({ ...SAMPLE_MANIFEST, name: 'old' }),
        {
          name: 'manifest.json',
          data: JSON.stringify({ ...SAMPLE_MANIFEST, name: 'new' })
        }
      ])
    );
    assert.equal(info.summary.name, 'new');
    assert.equal(
      info.members.filter(m => m.path === 'manifest.json').length,
      1
    );
    // six members of one header and one data block each, then the winner
    assert.equal(info.fileIndex['manifest.json'][0], 6 * 1024 + 512);
  });

  it('applies manifest-*.patch.json in byte order of names, not archive order', async () => {
    const info = ok(
      await readTar([
        ...modelMembers(SAMPLE_MANIFEST),
        {
          name: 'manifest-b.patch.json',
          data: JSON.stringify([
            { op: 'replace', path: '/version', value: 'from-b' }
          ])
        },
        {
          name: 'manifest-a.patch.json',
          data: JSON.stringify([
            { op: 'replace', path: '/version', value: 'from-a' },
            { op: 'add', path: '/producer_tags/-', value: 'extra::tag:v1' },
            { op: 'remove', path: '/description' }
          ])
        },
        {
          name: 'manifest-B.patch.json',
          data: JSON.stringify([{ op: 'add', path: '/name', value: 'from-B' }])
        },
        { name: 'nested/manifest-z.patch.json', data: 'not applied' }
      ])
    );
    assert.deepEqual(info.patches, [
      'manifest-B.patch.json',
      'manifest-a.patch.json',
      'manifest-b.patch.json'
    ]);
    assert.equal(info.summary.version, 'from-b');
    assert.equal(info.summary.name, 'from-B');
    assert.equal(info.summary.description, undefined);
    assert.deepEqual(info.summary.producerTags, [
      'luml.ai::sklearn:v1',
      'extra::tag:v1'
    ]);
  });

  it('a patch that does not apply fails the read', async () => {
    const r = await readTar([
      ...modelMembers(SAMPLE_MANIFEST),
      {
        name: 'manifest-1.patch.json',
        data: JSON.stringify([{ op: 'replace', path: '/nope', value: 1 }])
      }
    ]);
    assert.match(
      reason(r),
      /manifest-1\.patch\.json could not be applied to manifest\.json: operation 0/
    );
    const r2 = await readTar([
      ...modelMembers(SAMPLE_MANIFEST),
      { name: 'manifest-2.patch.json', data: '{' }
    ]);
    assert.match(reason(r2), /manifest-2\.patch\.json is not valid JSON/);
  });

  it('merges meta.json and meta-*.json; accepts entries with or without producer fields', async () => {
    const info = ok(
      await readTar([
        ...modelMembers(SAMPLE_MANIFEST, [
          {
            id: 'one',
            producer: 'app.dataforce.studio',
            producer_version: '1',
            producer_tags: ['some::tag:v1'],
            payload: { a: 1 }
          }
        ]),
        {
          name: 'meta-0001.json',
          data: JSON.stringify([{ id: 'two', tags: ['t::x:v1'], payload: {} }])
        },
        { name: 'meta-0002.json', data: '{not json' },
        { name: 'meta-0003.json', data: JSON.stringify({ not: 'an array' }) },
        {
          name: 'meta-0004.json',
          data: JSON.stringify([42, { payload: 'p' }])
        },
        { name: 'meta_artifacts/meta-x.json', data: '[]' }
      ])
    );
    assert.deepEqual(info.metadata, [
      {
        id: 'one',
        producer: 'app.dataforce.studio',
        producerVersion: '1',
        tags: ['some::tag:v1'],
        payload: { a: 1 },
        member: 'meta.json'
      },
      {
        id: 'two',
        producer: undefined,
        producerVersion: undefined,
        tags: ['t::x:v1'],
        payload: {},
        member: 'meta-0001.json'
      },
      {
        id: '',
        producer: undefined,
        producerVersion: undefined,
        tags: [],
        payload: 'p',
        member: 'meta-0004.json'
      }
    ]);
    assert.equal(info.warnings.length, 3);
    assert.match(
      info.warnings[0],
      /meta-0002\.json is not valid JSON .* It was skipped\./
    );
    assert.match(info.warnings[1], /meta-0003\.json is not a JSON array/);
    assert.match(info.warnings[2], /meta-0004\.json: entry 0 is not an object/);
  });

  it('metrics: tabular-typed manifests take falcon eval metrics without N_SAMPLES', async () => {
    const tabular = {
      ...SAMPLE_MANIFEST,
      producer_tags: ['dataforce.studio::tabular_classification:v1']
    };
    const meta = [
      {
        id: 'r',
        producer_tags: ['dataforce.studio::registry_metrics:v1'],
        payload: { metrics: { custom: 1 } }
      },
      {
        id: 'f',
        producer_tags: [
          'falcon.beastbyte.ai::tabular_classification_metrics:v1'
        ],
        payload: {
          metrics: {
            performance: {
              eval_cv: { ACC: 0.5, N_SAMPLES: 10 },
              eval_holdout: { ACC: 0.9, F1: 0.8, N_SAMPLES: 20 }
            }
          }
        }
      }
    ];
    assert.deepEqual(ok(await readTar(modelMembers(tabular, meta))).metrics, {
      ACC: 0.9,
      F1: 0.8
    });

    const cvOnly = JSON.parse(JSON.stringify(meta));
    delete cvOnly[1].payload.metrics.performance.eval_holdout;
    assert.deepEqual(ok(await readTar(modelMembers(tabular, cvOnly))).metrics, {
      ACC: 0.5
    });

    // without the tabular type tag the registry metrics entry is used
    assert.deepEqual(
      ok(await readTar(modelMembers(SAMPLE_MANIFEST, meta))).metrics,
      { custom: 1 }
    );
    // tabular type tag but no tabular metrics: falls back to registry metrics
    assert.deepEqual(
      ok(await readTar(modelMembers(tabular, [meta[0]]))).metrics,
      { custom: 1 }
    );
    assert.deepEqual(
      ok(await readTar(modelMembers(SAMPLE_MANIFEST, []))).metrics,
      {}
    );
  });

  it('returns HTML and script in fields verbatim, as plain strings', async () => {
    const evil = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
    const manifest = {
      ...SAMPLE_MANIFEST,
      name: evil,
      description: `</textarea>${evil}`,
      inputs: [
        {
          name: evil,
          content_type: 'NDJSON',
          dtype: evil,
          shape: [evil, 3, { x: 1 }]
        }
      ]
    };
    const meta = [
      { id: evil, tags: [REGISTRY_TAG], payload: { metrics: { [evil]: evil } } }
    ];
    const info = ok(
      await readTar([
        ...modelMembers(manifest, meta),
        { name: `meta_artifacts/${evil}.txt`, data: evil }
      ])
    );
    assert.equal(info.summary.name, evil);
    assert.equal(info.summary.description, `</textarea>${evil}`);
    assert.equal(info.summary.inputs[0].name, evil);
    assert.deepEqual(info.summary.inputs[0].shape, [evil, 3]);
    assert.deepEqual(info.metrics, { [evil]: evil });
    assert.ok(info.members.some(m => m.path === `meta_artifacts/${evil}.txt`));
  });

  it('keeps a member named "__proto__" as plain data', async () => {
    const info = ok(
      await readTar([
        ...modelMembers(SAMPLE_MANIFEST),
        { name: '__proto__', data: 'x' }
      ])
    );
    assert.equal(Object.getPrototypeOf(info.fileIndex), Object.prototype);
    assert.deepEqual(info.fileIndex['__proto__'], [6 * 1024 + 512, 1]);
  });

  it('ignores non-string manifest fields in the summary', async () => {
    const info = ok(
      await readTar(
        modelMembers({
          name: 5,
          version: null,
          producer_tags: ['a', 1, null],
          inputs: 'x',
          outputs: [1, { name: 2 }]
        })
      )
    );
    assert.equal(info.summary.name, undefined);
    assert.equal(info.summary.version, undefined);
    assert.deepEqual(info.summary.producerTags, ['a']);
    assert.deepEqual(info.summary.inputs, []);
    assert.deepEqual(info.summary.outputs, [
      {
        name: '',
        contentType: undefined,
        dtype: undefined,
        shape: undefined,
        tags: []
      }
    ]);
  });

  it('finds the newest model card, and GNU/PAX long names', async () => {
    const dir = (hex: string) =>
      `meta_artifacts/dataforce.studio~c~~c~model_card~c~v1~~et~~${hex}/model_card.zip`;
    for (const format of ['pax', 'gnu'] as const) {
      const info = ok(
        await readTar([
          ...modelMembers(SAMPLE_MANIFEST),
          { name: dir('a'.repeat(32)), data: 'zip1', format },
          { name: 'meta_artifacts/other/model_card.zip', data: 'zip0', format },
          { name: dir('b'.repeat(32)), data: 'zip2', format }
        ])
      );
      assert.equal(info.modelCardPath, dir('b'.repeat(32)));
    }
    const fallback = ok(
      await readTar([
        ...modelMembers(SAMPLE_MANIFEST),
        { name: 'meta_artifacts/other/model_card.zip', data: 'z' }
      ])
    );
    assert.equal(fallback.modelCardPath, 'meta_artifacts/other/model_card.zip');
  });

  it('reads a large model by its headers: a 50 MB weights member costs nothing', async () => {
    const weights = new Uint8Array(50 * 1024 * 1024);
    const bytes = buildTar([
      ...modelMembers(SAMPLE_MANIFEST),
      { name: 'variant_artifacts/extra_files/weights.bin', data: weights },
      {
        name: 'meta-1.json',
        data: JSON.stringify([
          { id: 'm', tags: [REGISTRY_TAG], payload: { metrics: { a: 1 } } }
        ])
      }
    ]);
    const b64 = Buffer.from(bytes).toString('base64');
    const src = new CountingSource(new Base64ByteSource(b64));
    const info = ok(await readLumlModel(src));
    assert.equal(info.isModel, true);
    assert.deepEqual(info.metrics, { a: 1 });
    assert.equal(
      info.fileIndex['variant_artifacts/extra_files/weights.bin'][1],
      weights.length
    );
    assert.ok(src.bytesRead < 16 * 1024, `read ${src.bytesRead} bytes`);
    assert.ok(src.maxRead <= 2048, `largest read ${src.maxRead} bytes`);
  });
});

const REGISTRY_TAG = 'dataforce.studio::registry_metrics:v1';
