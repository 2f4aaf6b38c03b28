import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { textMessage } from '../../common/messages';

import { Signal } from '@lumino/signaling';

import type { ILumlModelInfo } from '../../format';
import type { IPushRecord } from '../../registry/pushRecords';
import {
  collectionHolds,
  IPushDialogModelOptions,
  IRegistryLister,
  PushDialogModel
} from '../../registry/pushDialogModel';
import {
  IPreparedModel,
  IPushOptions,
  IPushProgress,
  IPushResult,
  PushError
} from '../../registry/pushService';
import {
  ICollection,
  IOrbit,
  IOrganization
} from '../../registry/client/apiTypes';
import { RegistryError } from '../../registry/client/registryErrors';

const URL = 'https://registry.example';

/** Fills %1, %2… like a translation bundle without a translation. */
const trans = {
  __: (text: string, ...args: unknown[]) =>
    text.replace(/%(\d+)/g, (_, n) => String(args[Number(n) - 1]))
};

/** A promise to settle from the test, to hold a Registry answer back. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Let every pending continuation run. */
const settle = () => new Promise(resolve => setTimeout(resolve, 0));

type Answer<T> = T | Error | Promise<T>;

/** A Registry with organizations, orbits and collections, and chosen failures. */
class FakeRegistry implements IRegistryLister {
  organizations: Answer<IOrganization[]> = [
    { id: 'org-a', name: 'Org A' },
    { id: 'org-b', name: 'Org B' }
  ];
  orbits: { [organizationId: string]: Answer<IOrbit[]> } = {
    'org-a': [
      { id: 'orbit-1', name: 'Orbit 1' },
      { id: 'orbit-2', name: 'Orbit 2' }
    ],
    'org-b': [{ id: 'orbit-b', name: 'Orbit B' }]
  };
  collections: { [orbitId: string]: Answer<ICollection[]> } = {
    'orbit-1': [
      { id: 'c-model', name: 'Models', type: 'model' },
      { id: 'c-data', name: 'Data', type: 'dataset' },
      { id: 'c-mixed', name: 'Everything', type: 'mixed' }
    ],
    'orbit-2': [{ id: 'c-2', name: 'Second', type: 'model' }],
    'orbit-b': [{ id: 'c-b', name: 'B models', type: 'model' }]
  };
  calls: string[] = [];

  listOrganizations() {
    this.calls.push('organizations');
    return answer(this.organizations);
  }

  listOrbits(organizationId: string) {
    this.calls.push(`orbits ${organizationId}`);
    return answer(this.orbits[organizationId] ?? []);
  }

  listAllCollections(organizationId: string, orbitId: string) {
    this.calls.push(`collections ${organizationId}/${orbitId}`);
    return answer(this.collections[orbitId] ?? []);
  }
}

async function answer<T>(value: Answer<T>): Promise<T> {
  if (value instanceof Error) {
    throw value;
  }
  return value;
}

class FakeConnection {
  url = URL;
  ready = Promise.resolve();
  changed = new Signal<this, void>(this);
  keys: (string | null)[] = [];
  constructor(public registry: FakeRegistry) {}
  createClient(): IRegistryLister {
    return this.registry;
  }
  setApiKey(key: string | null): void {
    this.keys.push(key);
    this.changed.emit();
  }
}

function preparedModel(
  overrides: { isModel?: boolean; artifactType?: string } = {}
): IPreparedModel {
  const info = {
    ok: true,
    isModel: overrides.isModel ?? true,
    manifest: { tags: ['vision', 'small'] },
    summary: {
      name: 'Tiny Classifier',
      version: '1.2.0',
      description: 'Classifies tiny things',
      producerTags: ['ignored-when-manifest-has-tags'],
      artifactType: overrides.artifactType
    }
  } as unknown as ILumlModelInfo;
  return {
    path: 'models/tiny.luml',
    fileName: 'tiny.luml',
    size: 2048,
    sha256: 'ab'.repeat(32),
    body: new Blob([]),
    info
  };
}

function record(overrides: Partial<IPushRecord> = {}): IPushRecord {
  return {
    path: 'models/tiny.luml',
    sha256: 'ab'.repeat(32),
    size: 2048,
    registryUrl: URL,
    organizationId: 'org-a',
    orbitId: 'orbit-1',
    collectionId: 'c-model',
    collectionName: 'Models',
    artifactId: 'artifact-1',
    artifactName: 'Tiny Classifier',
    pushedAt: '2026-01-02T03:04:05Z',
    ...overrides
  };
}

class FakePusher {
  prepared: Promise<IPreparedModel> = Promise.resolve(preparedModel());
  records: IPushRecord[] = [];
  duplicates: IPushRecord[] = [];
  pushes: IPushOptions[] = [];
  /** What the next push does, given its options. */
  onPush: (options: IPushOptions) => Promise<IPushResult> = async () => ({
    artifact: { id: 'artifact-new' } as IPushResult['artifact'],
    record: record({ artifactId: 'artifact-new' })
  });

  prepare(
    path: string,
    options?: { onProgress?: (progress: IPushProgress) => void }
  ): Promise<IPreparedModel> {
    options?.onProgress?.({ phase: 'hashing', loaded: 512, total: 2048 });
    return this.prepared;
  }

  push(model: IPreparedModel, options: IPushOptions): Promise<IPushResult> {
    this.pushes.push(options);
    return this.onPush(options);
  }

  findDuplicate(
    model: IPreparedModel,
    registryUrl: string,
    collectionId: string
  ): IPushRecord | undefined {
    return this.duplicates.find(
      r =>
        r.sha256 === model.sha256 &&
        r.registryUrl === registryUrl &&
        r.collectionId === collectionId
    );
  }

  get recordStore() {
    return { all: () => this.records };
  }
}

function setup(
  configure?: (parts: { registry: FakeRegistry; pusher: FakePusher }) => void
) {
  const registry = new FakeRegistry();
  const pusher = new FakePusher();
  configure?.({ registry, pusher });
  const connection = new FakeConnection(registry);
  const options: IPushDialogModelOptions = {
    path: 'models/tiny.luml',
    pusher: {
      prepare: (path, o) => pusher.prepare(path, o),
      push: (model, o) => pusher.push(model, o),
      findDuplicate: (model, url, id) => pusher.findDuplicate(model, url, id),
      records: pusher.recordStore
    },
    connection,
    trans
  };
  const model = new PushDialogModel(options);
  return { model, registry, pusher, connection };
}

describe('collectionHolds', () => {
  it('follows the platform rule, and lets unknown types through', () => {
    assert.equal(collectionHolds('model', 'model'), true);
    assert.equal(collectionHolds('model_dataset', 'model'), true);
    assert.equal(collectionHolds('dataset', 'model'), false);
    assert.equal(collectionHolds('dataset_experiment', 'model'), false);
    assert.equal(collectionHolds('dataset', 'dataset'), true);
    assert.equal(collectionHolds('model', 'experiment'), false);
    assert.equal(collectionHolds('mixed', 'experiment'), true);
    assert.equal(collectionHolds(undefined, 'dataset'), true);
    assert.equal(collectionHolds('a_future_type', 'model'), true);
  });
});

describe('PushDialogModel', () => {
  it('has the bytes read ahead once it is ready to push, not before', async () => {
    const asked: string[] = [];
    let canPushWhenAsked: boolean | undefined;
    const { model } = setup(({ pusher }) => {
      pusher.prepared = Promise.resolve({
        ...preparedModel(),
        body: {
          size: 2048,
          read: () => Promise.resolve(new Blob([])),
          readAhead: () => {
            asked.push('readAhead');
            canPushWhenAsked ??= model.canPush;
          }
        }
      });
    });
    await model.start();
    assert.ok(asked.length > 0);
    assert.equal(canPushWhenAsked, true);
  });

  it('reads the file and loads organization, orbit and collections in turn', async () => {
    const { model, registry } = setup();
    assert.equal(model.file.text, 'Reading models/tiny.luml…');
    assert.equal(model.canPush, false);
    await model.start();

    assert.deepEqual(registry.calls, [
      'organizations',
      'orbits org-a',
      'collections org-a/orbit-1'
    ]);
    assert.equal(model.phase, 'ready');
    assert.equal(model.registryText, `Registry: ${URL}`);
    assert.equal(
      model.file.text,
      'Tiny Classifier · v1.2.0 · 2.0 KB · sha256 abababababab…'
    );
    assert.deepEqual(
      model.organizations.choices.map(c => c.label),
      ['Org A', 'Org B']
    );
    assert.equal(model.organizations.value, 'org-a');
    assert.equal(model.orbits.value, 'orbit-1');
    // a model fits a model or mixed collection, not a dataset one
    assert.deepEqual(model.collections.choices, [
      { value: 'c-model', label: 'Models' },
      { value: 'c-mixed', label: 'Everything (mixed)' }
    ]);
    assert.equal(model.collections.value, 'c-model');
    assert.equal(model.message, null);
    assert.equal(model.canPush, true);
    assert.equal(model.pushLabel, 'Push');
  });

  it('fills the form from the manifest, unless the user typed first', async () => {
    const filled = setup();
    await filled.model.start();
    assert.deepEqual(filled.model.fields, {
      name: 'Tiny Classifier',
      description: 'Classifies tiny things',
      tags: 'vision, small'
    });

    const typed = setup();
    typed.model.editFields({ name: 'mine', description: '', tags: 'a' });
    await typed.model.start();
    assert.deepEqual(typed.model.fields, {
      name: 'mine',
      description: '',
      tags: 'a'
    });
  });

  it('preselects the target of the last push to this Registry', async () => {
    const { model } = setup(({ pusher }) => {
      pusher.records = [
        record({ registryUrl: 'https://other.example', organizationId: 'x' }),
        record({
          organizationId: 'org-a',
          orbitId: 'orbit-2',
          collectionId: 'c-2'
        })
      ];
    });
    await model.start();
    assert.equal(model.organizations.value, 'org-a');
    assert.equal(model.orbits.value, 'orbit-2');
    assert.equal(model.collections.value, 'c-2');
  });

  it('offers the collections that can hold a dataset once the file says so', async () => {
    const { model } = setup(({ pusher }) => {
      pusher.prepared = Promise.resolve(
        preparedModel({ isModel: false, artifactType: 'dataset' })
      );
    });
    await model.start();
    assert.deepEqual(
      model.collections.choices.map(c => c.value),
      ['c-data', 'c-mixed']
    );
  });

  it('says when an orbit has no collection for the artifact', async () => {
    const { model } = setup(({ registry }) => {
      registry.collections['orbit-1'] = [
        { id: 'c-data', name: 'Data', type: 'dataset' }
      ];
    });
    await model.start();
    assert.deepEqual(model.collections.choices, []);
    assert.equal(model.collections.placeholder, 'No collection');
    assert.deepEqual(model.message, {
      kind: 'error',
      text: 'This orbit has no collection that can hold a model: create one on the platform, or choose another orbit.'
    });
    assert.equal(model.canPush, false);
  });

  it('says when the key sees no organization, or the organization no orbit', async () => {
    const noOrganization = setup(({ registry }) => {
      registry.organizations = [];
    });
    await noOrganization.model.start();
    assert.equal(
      noOrganization.model.organizations.placeholder,
      'No organization'
    );
    assert.match(
      noOrganization.model.message?.text ?? '',
      /belongs to no organization: use a key created in an organization/
    );
    assert.equal(noOrganization.model.canPush, false);

    const noOrbit = setup(({ registry }) => {
      registry.orbits['org-a'] = [];
    });
    await noOrbit.model.start();
    assert.equal(noOrbit.model.orbits.placeholder, 'No orbit');
    assert.equal(
      noOrbit.model.message?.text,
      'This organization has no orbit yet: create one on the platform first.'
    );
    assert.deepEqual(noOrbit.registry.calls, ['organizations', 'orbits org-a']);
  });

  it('loads the orbits and collections of another organization', async () => {
    const { model, registry } = setup();
    await model.start();
    await model.selectOrganization('org-b');
    assert.equal(model.orbits.value, 'orbit-b');
    assert.deepEqual(model.collections.choices, [
      { value: 'c-b', label: 'B models' }
    ]);
    await model.selectOrbit('orbit-b');
    model.selectCollection('c-b');
    assert.equal(model.collections.value, 'c-b');
    assert.deepEqual(registry.calls.slice(3), [
      'orbits org-b',
      'collections org-b/orbit-b',
      'collections org-b/orbit-b'
    ]);
  });

  it('drops the answer of a list the user already moved away from', async () => {
    const slowOrbits = deferred<IOrbit[]>();
    const { model, registry } = setup();
    await model.start();
    registry.orbits['org-b'] = slowOrbits.promise;
    const first = model.selectOrganization('org-b');
    assert.equal(model.orbits.placeholder, 'Loading…');
    assert.equal(model.canPush, false);
    await model.selectOrganization('org-a');
    slowOrbits.resolve([{ id: 'orbit-b', name: 'Orbit B' }]);
    await first;
    assert.equal(model.organizations.value, 'org-a');
    assert.equal(model.orbits.value, 'orbit-1');
    assert.equal(model.collections.value, 'c-model');
  });

  it('shows a list that failed to load as not loaded, with the reason', async () => {
    const { model } = setup(({ registry }) => {
      registry.orbits['org-a'] = new RegistryError(
        'network',
        textMessage(
          'The Registry at https://registry.example did not answer: check your connection.'
        )
      );
    });
    await model.start();
    assert.equal(model.orbits.placeholder, 'Not loaded');
    assert.deepEqual(model.message, {
      kind: 'error',
      text: 'The Registry at https://registry.example did not answer: check your connection.'
    });
    assert.equal(model.keyPrompt, null);
    assert.equal(model.canPush, false);
  });

  it('asks for a key when it is missing, and loads again once saved', async () => {
    const { model, registry, connection } = setup(({ registry }) => {
      registry.organizations = new RegistryError(
        'unauthorized',
        textMessage('The Registry refused the API key: paste a valid key.')
      );
    });
    let asked = 0;
    model.keyRequested.connect(() => asked++);
    await model.start();
    assert.equal(asked, 1);
    assert.equal(
      model.keyPrompt,
      'The Registry refused the API key: paste a valid key.'
    );
    assert.equal(model.organizations.placeholder, 'Not loaded');
    assert.equal(model.canPush, false);

    assert.equal(model.saveKey('   '), false);
    assert.equal(model.keyPrompt, 'The API key is empty.');
    assert.equal(model.saveKey('Bearer dfs_abc'), false);
    assert.equal(
      model.keyPrompt,
      'Paste only the key itself, without "Bearer".'
    );
    assert.deepEqual(connection.keys, []);

    registry.organizations = [{ id: 'org-a', name: 'Org A' }];
    assert.equal(model.saveKey('  dfs_valid_key  '), true);
    assert.deepEqual(connection.keys, ['dfs_valid_key']);
    await settle();
    assert.equal(model.keyPrompt, null);
    assert.equal(model.collections.value, 'c-model');
    assert.equal(model.canPush, true);
  });

  it('warns before pushing the same bytes to the same collection again', async () => {
    const { model } = setup(({ pusher }) => {
      pusher.duplicates = [record({ collectionId: 'c-mixed' })];
    });
    await model.start();
    assert.equal(model.duplicateWarning, undefined);
    assert.equal(model.pushLabel, 'Push');

    model.selectCollection('c-mixed');
    const duplicate: IPushRecord | undefined = model.duplicate;
    assert.equal(duplicate?.artifactId, 'artifact-1');
    assert.match(
      model.duplicateWarning ?? '',
      /^These exact bytes were already pushed to Models on .+ as artifact artifact-1\. Pushing again creates another artifact\.$/
    );
    assert.equal(model.pushLabel, 'Push Again');
    assert.equal(model.canPush, true);
  });

  it('pushes to the chosen target with the form, and reports progress', async () => {
    const { model, pusher } = setup();
    const progressTexts: string[] = [];
    const upload = deferred<void>();
    pusher.onPush = async options => {
      options.onProgress?.({ phase: 'creating', loaded: 0, total: 0 });
      options.onProgress?.({ phase: 'uploading', loaded: 1024, total: 2048 });
      await upload.promise;
      options.onProgress?.({ phase: 'confirming', loaded: 0, total: 0 });
      return {
        artifact: { id: 'artifact-new' } as IPushResult['artifact'],
        record: record({ artifactId: 'artifact-new' })
      };
    };
    await model.start();
    model.editFields({
      name: '  Renamed  ',
      description: 'Better',
      tags: 'a, b,, a'
    });
    model.changed.connect(() => {
      if (model.progress?.text) {
        progressTexts.push(model.progress.text);
      }
    });

    const pushing = model.push();
    assert.equal(model.phase, 'pushing');
    assert.equal(model.canPush, false);
    assert.equal(model.cancelLabel, 'Cancel Push');
    await settle();
    assert.equal(model.progress?.fraction, 0.5);
    assert.match(model.progress?.text ?? '', /^Uploading: 1\.0 KB of 2\.0 KB/);
    upload.resolve();
    const result = await pushing;

    assert.equal(result?.artifact.id, 'artifact-new');
    assert.equal(model.phase, 'pushed');
    assert.equal(pusher.pushes.length, 1);
    const sent = pusher.pushes[0];
    assert.deepEqual(sent.target, {
      organizationId: 'org-a',
      orbitId: 'orbit-1',
      collectionId: 'c-model',
      organizationName: 'Org A',
      orbitName: 'Orbit 1',
      collectionName: 'Models'
    });
    assert.equal(sent.name, 'Renamed');
    assert.equal(sent.description, 'Better');
    assert.deepEqual(sent.tags, ['a', 'b']);
    assert.equal(progressTexts[0], 'Creating the artifact…');
    assert.equal(progressTexts.at(-1), 'Confirming the upload…');
  });

  it('keeps the dialog open on a failed push, with the reason and Retry', async () => {
    const { model, pusher } = setup();
    pusher.onPush = async () => {
      throw new PushError(
        textMessage(
          'The Registry rejected the artifact. Artifact x was marked upload_failed. Your local file is unchanged.'
        ),
        new RegistryError('rejected', textMessage('rejected')),
        'uploading',
        'x',
        true
      );
    };
    await model.start();
    assert.equal(await model.push(), undefined);
    assert.equal(model.phase, 'failed');
    assert.equal(model.progress, null);
    assert.deepEqual(model.message, {
      kind: 'error',
      text: 'The Registry rejected the artifact. Artifact x was marked upload_failed. Your local file is unchanged.'
    });
    assert.equal(model.pushLabel, 'Retry');
    assert.equal(model.canPush, true);
  });

  it('asks for a key when the Registry refuses it during a push', async () => {
    const { model, pusher } = setup();
    const refused = new RegistryError(
      'unauthorized',
      textMessage('The Registry refused the API key: paste a valid key.')
    );
    pusher.onPush = async () => {
      throw new PushError(refused.userMessage, refused, 'creating');
    };
    await model.start();
    await model.push();
    assert.equal(model.keyPrompt, refused.message);
    assert.equal(model.canPush, false);
  });

  it('cancels a push under way, and closes only when none is', async () => {
    const { model, pusher } = setup();
    let signal: AbortSignal | undefined;
    pusher.onPush = options =>
      new Promise((_, reject) => {
        signal = options.signal;
        options.signal?.addEventListener('abort', () =>
          reject(
            new PushError(
              textMessage(
                'The push was cancelled before anything was uploaded.'
              ),
              new RegistryError('cancelled', textMessage('cancelled')),
              'creating'
            )
          )
        );
      });
    await model.start();
    const pushing = model.push();
    await settle();

    assert.equal(model.cancel(), false);
    assert.equal(signal?.aborted, true);
    assert.equal(model.cancelling, true);
    assert.equal(model.progress?.text, 'Cancelling…');
    assert.equal(await pushing, undefined);

    assert.equal(model.phase, 'ready');
    assert.equal(model.cancelling, false);
    assert.deepEqual(model.message, {
      kind: 'info',
      text: 'The push was cancelled before anything was uploaded.'
    });
    assert.equal(model.pushLabel, 'Push');
    assert.equal(model.cancel(), true);
  });

  it('shows why a file cannot be pushed, and never pushes it', async () => {
    const { model, pusher } = setup(({ pusher }) => {
      pusher.prepared = Promise.reject(
        new PushError(
          textMessage(
            'notes.txt is not a model file: only .luml, .dfs, .fnnx and .pyfnx files can be pushed.'
          ),
          undefined,
          'reading'
        )
      );
    });
    await model.start();
    assert.deepEqual(model.file, {
      text: 'notes.txt is not a model file: only .luml, .dfs, .fnnx and .pyfnx files can be pushed.',
      title: '',
      isError: true
    });
    assert.equal(model.phase, 'failed');
    assert.equal(model.collections.value, 'c-model');
    assert.equal(model.canPush, false);
    assert.equal(await model.push(), undefined);
    assert.equal(pusher.pushes.length, 0);
  });

  it('shows the checksum progress on the file line while hashing', () => {
    const { model } = setup(({ pusher }) => {
      pusher.prepared = new Promise(() => undefined);
    });
    void model.start();
    assert.equal(model.file.text, 'Computing the checksum of 2.0 KB… 25%');
    model.dispose();
  });

  it('reloads the lists when the connection changes, not during a push', async () => {
    const { model, registry, connection, pusher } = setup();
    await model.start();
    registry.calls = [];
    connection.changed.emit();
    await settle();
    assert.deepEqual(registry.calls, [
      'organizations',
      'orbits org-a',
      'collections org-a/orbit-1'
    ]);

    const upload = deferred<IPushResult>();
    pusher.onPush = () => upload.promise;
    registry.calls = [];
    const pushing = model.push();
    connection.changed.emit();
    await settle();
    assert.deepEqual(registry.calls, []);
    upload.reject(new Error('stop'));
    await pushing;
  });
});
