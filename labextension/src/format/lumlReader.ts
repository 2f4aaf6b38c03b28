import { IByteSource } from './byteSource';
import { formatBytes } from '../common/byteSize';
import { applyJsonPatch, JsonValue } from './jsonPatch';
import { ITarEntry, readTarIndex } from './tar';
import {
  causeParam,
  defineMessages,
  englishText,
  IMessage,
  ITextBundle,
  renderMessage
} from '../common/messages';

/**
 * Reads what a `.luml` model says about itself (manifest, metadata, metrics,
 * env, member index) from its tar headers and small JSON members only, so
 * time and memory do not grow with the weights. Never decides anything from
 * the file name. Returns plain data; no string is ever treated as HTML.
 */

/** The six root members that make the Registry type an artifact as a model. */
export const MODEL_ROOT_FILES = [
  'dtypes.json',
  'env.json',
  'manifest.json',
  'meta.json',
  'ops.json',
  'variant_config.json'
];

export const MANIFEST_MAX_BYTES = 1024 * 1024;
export const PATCH_MAX_BYTES = 1024 * 1024;
export const ENV_MAX_BYTES = 1024 * 1024;
// metadata may embed charts or profiles, so it gets more room than the manifest
export const META_MAX_BYTES = 8 * 1024 * 1024;

export const REGISTRY_METRICS_TAG = 'dataforce.studio::registry_metrics:v1';
export const TABULAR_METRICS_TAGS = [
  'falcon.beastbyte.ai::tabular_classification_metrics:v1',
  'falcon.beastbyte.ai::tabular_regression_metrics:v1'
];
// manifest tags under which the platform takes metrics from the tabular entry
export const TABULAR_TYPE_TAGS = [
  'dataforce.studio::tabular_classification:v1',
  'dataforce.studio::tabular_regression:v1'
];

const PATCH_NAME = /^manifest-[^/]+\.patch\.json$/;
const META_NAME = /^meta(-[^/]+)?\.json$/;
const MODEL_CARD_NAME =
  /^meta_artifacts\/[^/]*~c~~c~model_card~c~v\d+~~et~~[^/]+\/model_card\.zip$/;
const ANY_MODEL_CARD_NAME = /^meta_artifacts\/.+\/model_card\.zip$/;

/** What reading a model can report, as messages (see `common/messages.ts`). */
export const lumlMessage = defineMessages('luml', {
  empty: trans =>
    trans.__('The file is empty (0 bytes), so it is not a LUML model.'),
  compressed: (trans, p) =>
    trans.__(
      'This is a %1 file, not a LUML model (a LUML model is an uncompressed tar archive).',
      p.kind
    ),
  gzipped: trans =>
    trans.__(
      'This is a gzip file, not a LUML model (a LUML model is an uncompressed tar archive). If it is a gzipped model, decompress it (gunzip) and open the result.'
    ),
  notTar: trans =>
    trans.__(
      'This file is not a LUML model: it is not a tar archive (no valid tar header at its start).'
    ),
  notTarJson: trans =>
    trans.__(
      'This file is not a LUML model: it is not a tar archive (no valid tar header at its start); it looks like JSON text.'
    ),
  notTarMarkup: trans =>
    trans.__(
      'This file is not a LUML model: it is not a tar archive (no valid tar header at its start); it looks like HTML or XML text.'
    ),
  unsafeMember: (trans, p) =>
    trans.__(
      'The archive has an unsafe member name %1 (%2); it was not read. Re-export the model with the LUML SDK.',
      p.path,
      p.reason
    ),
  truncated: (trans, p) =>
    trans.__(
      'The file is truncated (%1). It was probably cut off while uploading or copying: upload or export it again.',
      p.problem
    ),
  damaged: (trans, p) =>
    trans.__('The file is damaged: %1. Upload or export it again.', p.problem),
  emptyTar: trans =>
    trans.__('The tar archive is empty, so it is not a LUML model.'),
  noManifest: trans =>
    trans.__('This tar archive is not a LUML model: it has no manifest.json.'),
  nestedManifest: (trans, p) =>
    trans.__(
      'This tar archive is not a LUML model: it has no manifest.json (found %1: a model keeps it at the archive root).',
      p.path
    ),
  manifestNotObject: trans =>
    trans.__(
      'manifest.json is not a JSON object, so this is not a LUML model.'
    ),
  patchFailed: (trans, p) =>
    trans.__(
      '%1 could not be applied to manifest.json: %2.',
      p.path,
      p.problem
    ),
  patchedNotObject: trans =>
    trans.__('The patched manifest is not a JSON object.'),
  noEndMarker: trans =>
    trans.__(
      'The archive has no end-of-archive marker, so it may have been cut short: check that the file is complete.'
    ),
  skipped: (trans, p) => trans.__('%1 It was skipped.', p.problem),
  metaNotArray: (trans, p) =>
    trans.__('%1 is not a JSON array; it was skipped', p.path),
  metaEntryNotObject: (trans, p) =>
    trans.__('%1: entry %2 is not an object; it was skipped', p.path, p.index),
  tooLarge: (trans, p) => trans.__('%1 is too large (%2).', p.path, p.size),
  manifestTooLarge: (trans, p) =>
    trans.__(
      '%1 is too large (%2); this file is probably not a model.',
      p.path,
      p.size
    ),
  notUtf8: (trans, p) => trans.__('%1 is not valid UTF-8 text.', p.path),
  notJson: (trans, p) =>
    trans.__('%1 is not valid JSON (%2).', p.path, p.problem),
  unreadable: (trans, p) =>
    trans.__('The file could not be read: %1.', p.problem)
});

export interface IMember {
  path: string;
  size: number;
}

export interface IMetaEntry {
  id: string;
  /** Absent in entries luml-sdk 0.4.0 appends (`{id, tags, payload}`). */
  producer?: string;
  producerVersion?: string;
  /** `producer_tags`, or `tags` for entries without producer fields. */
  tags: string[];
  payload: JsonValue;
  /** The member the entry came from (`meta.json`, `meta-<hex>.json`). */
  member: string;
}

export interface IIOSpec {
  name: string;
  contentType?: string;
  dtype?: string;
  shape?: (string | number)[];
  tags: string[];
}

/** Typed, string-checked view of the fields a UI shows. */
export interface IManifestSummary {
  artifactType?: string;
  variant?: string;
  name?: string;
  version?: string;
  description?: string;
  producerName?: string;
  producerVersion?: string;
  producerTags: string[];
  inputs: IIOSpec[];
  outputs: IIOSpec[];
}

export interface ILumlModelInfo {
  ok: true;
  /** File size in bytes (the manifest has no size field). */
  size: number;
  /** Effective manifest: manifest.json with manifest-*.patch.json applied. */
  manifest: { [key: string]: JsonValue };
  summary: IManifestSummary;
  /** Entries of meta.json then meta-*.json, in archive order. */
  metadata: IMetaEntry[];
  /** The metrics the platform lists next to the artifact (its extra_values). */
  metrics: { [key: string]: JsonValue };
  env?: JsonValue;
  /** Regular files, in archive order. */
  members: IMember[];
  /** For the Registry: `{member_path: [data_offset, size]}`. */
  fileIndex: { [path: string]: [number, number] };
  modelCardPath?: string;
  /** All six root files present, as the Registry requires of a model. */
  isModel: boolean;
  missingModelFiles: string[];
  /** Applied patch members, in the order applied. */
  patches: string[];
  /** Problems that did not stop reading (bad metadata member, ...). */
  warnings: string[];
  /** `warnings` as messages, in the same order. */
  warningMessages: IMessage[];
}

export interface ILumlReadFailure {
  ok: false;
  /** A sentence the user can act on (English). */
  reason: string;
  /** `reason` as a message, when the reader gave it. */
  userMessage?: IMessage;
  members?: IMember[];
}

export type LumlReadResult = ILumlModelInfo | ILumlReadFailure;

class ReadFailure extends Error {
  constructor(readonly userMessage: IMessage) {
    super(renderMessage(userMessage));
  }
}

const MAGICS: { bytes: number[]; kind: string }[] = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], kind: 'zip' },
  { bytes: [0x50, 0x4b, 0x05, 0x06], kind: 'zip' },
  { bytes: [0x1f, 0x8b], kind: 'gzip' },
  { bytes: [0x42, 0x5a, 0x68], kind: 'bzip2' },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], kind: 'xz' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], kind: 'zstd' }
];

export async function readLumlModel(
  source: IByteSource
): Promise<LumlReadResult> {
  let members: IMember[] | undefined;
  try {
    if (source.size === 0) {
      return fail(lumlMessage('empty'));
    }
    const head = await source.read(0, Math.min(source.size, 512));
    for (const magic of MAGICS) {
      if (magic.bytes.every((b, i) => head[i] === b)) {
        return fail(
          magic.kind === 'gzip'
            ? lumlMessage('gzipped')
            : lumlMessage('compressed', { kind: magic.kind })
        );
      }
    }

    const index = await readTarIndex(source);
    const files = index.entries.filter(e => e.type === 'file');
    members = files.map(e => ({ path: e.path, size: e.size }));
    if (index.problem?.kind === 'not-tar') {
      return fail(notTar(head));
    }
    if (index.unsafe.length > 0) {
      const bad = index.unsafe[0];
      return fail(
        lumlMessage('unsafeMember', {
          path: JSON.stringify(bad.path),
          reason: bad.userMessage
        }),
        members
      );
    }
    if (index.problem?.kind === 'truncated') {
      return fail(
        lumlMessage('truncated', { problem: index.problem.userMessage }),
        members
      );
    }
    if (index.problem) {
      return fail(
        lumlMessage('damaged', { problem: index.problem.userMessage }),
        members
      );
    }

    if (index.entries.length === 0) {
      return fail(lumlMessage('emptyTar'), members);
    }
    const byPath = new Map(files.map(e => [e.path, e]));
    const manifestEntry = byPath.get('manifest.json');
    if (!manifestEntry) {
      const nested = files.find(e => e.path.endsWith('/manifest.json'));
      return fail(
        nested
          ? lumlMessage('nestedManifest', { path: JSON.stringify(nested.path) })
          : lumlMessage('noManifest'),
        members
      );
    }
    const manifestJson = await readJson(
      source,
      manifestEntry,
      MANIFEST_MAX_BYTES,
      'manifestTooLarge'
    );
    if (!isObject(manifestJson)) {
      return fail(lumlMessage('manifestNotObject'), members);
    }

    const patches = files
      .filter(e => PATCH_NAME.test(e.path))
      .sort((a, b) => compareBytes(a.path, b.path));
    let manifest: JsonValue = manifestJson;
    for (const patch of patches) {
      const ops = await readJson(source, patch, PATCH_MAX_BYTES);
      try {
        manifest = applyJsonPatch(manifest, ops);
      } catch (e) {
        throw new ReadFailure(
          lumlMessage('patchFailed', {
            path: patch.path,
            problem: causeParam(e)
          })
        );
      }
    }
    if (!isObject(manifest)) {
      return fail(lumlMessage('patchedNotObject'), members);
    }

    const warnings: IMessage[] = [];
    if (!index.endMarker) {
      warnings.push(lumlMessage('noEndMarker'));
    }
    const metadata: IMetaEntry[] = [];
    for (const entry of files.filter(e => META_NAME.test(e.path))) {
      try {
        const parsed = await readJson(source, entry, META_MAX_BYTES);
        metadata.push(...metaEntries(parsed, entry.path, warnings));
      } catch (e) {
        warnings.push(lumlMessage('skipped', { problem: causeParam(e) }));
      }
    }

    let env: JsonValue | undefined;
    const envEntry = byPath.get('env.json');
    if (envEntry) {
      try {
        env = await readJson(source, envEntry, ENV_MAX_BYTES);
      } catch (e) {
        warnings.push(lumlMessage('skipped', { problem: causeParam(e) }));
      }
    }

    const fileIndex: { [path: string]: [number, number] } = {};
    for (const e of files) {
      setOwn(fileIndex, e.path, [e.dataOffset, e.size]);
    }
    const missingModelFiles = MODEL_ROOT_FILES.filter(f => !byPath.has(f));
    const summary = summarize(manifest);

    return {
      ok: true,
      size: source.size,
      manifest,
      summary,
      metadata,
      metrics: registryMetrics(summary.producerTags, metadata),
      env,
      members,
      fileIndex,
      modelCardPath: findModelCard(files),
      isModel: missingModelFiles.length === 0,
      missingModelFiles,
      patches: patches.map(p => p.path),
      warnings: warnings.map(w => renderMessage(w)),
      warningMessages: warnings
    };
  } catch (e) {
    if (e instanceof ReadFailure) {
      return fail(e.userMessage, members);
    }
    return fail(lumlMessage('unreadable', { problem: causeParam(e) }), members);
  }
}

/** Why a model could not be read, in `trans`'s language. */
export function readFailureText(
  failure: ILumlReadFailure,
  trans: ITextBundle = englishText
): string {
  return failure.userMessage
    ? renderMessage(failure.userMessage, trans)
    : failure.reason;
}

function notTar(head: Uint8Array): IMessage {
  const first = String.fromCharCode(head[0]);
  if (first === '{' || first === '[') {
    return lumlMessage('notTarJson');
  }
  if (first === '<') {
    return lumlMessage('notTarMarkup');
  }
  return lumlMessage('notTar');
}

function fail(userMessage: IMessage, members?: IMember[]): ILumlReadFailure {
  const reason = renderMessage(userMessage);
  return members
    ? { ok: false, reason, userMessage, members }
    : { ok: false, reason, userMessage };
}

async function readJson(
  source: IByteSource,
  entry: ITarEntry,
  maxBytes: number,
  tooLarge: 'tooLarge' | 'manifestTooLarge' = 'tooLarge'
): Promise<JsonValue> {
  if (entry.size > maxBytes) {
    throw new ReadFailure(
      lumlMessage(tooLarge, { path: entry.path, size: formatBytes(entry.size) })
    );
  }
  const bytes = await source.read(entry.dataOffset, entry.size);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ReadFailure(lumlMessage('notUtf8', { path: entry.path }));
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch (e) {
    throw new ReadFailure(
      lumlMessage('notJson', { path: entry.path, problem: causeParam(e) })
    );
  }
}

function metaEntries(
  parsed: JsonValue,
  member: string,
  warnings: IMessage[]
): IMetaEntry[] {
  if (!Array.isArray(parsed)) {
    warnings.push(lumlMessage('metaNotArray', { path: member }));
    return [];
  }
  const out: IMetaEntry[] = [];
  parsed.forEach((raw, i) => {
    if (!isObject(raw)) {
      warnings.push(
        lumlMessage('metaEntryNotObject', { path: member, index: i })
      );
      return;
    }
    const tags = strings(raw.producer_tags ?? raw.tags);
    out.push({
      id: typeof raw.id === 'string' ? raw.id : '',
      producer: optString(raw.producer),
      producerVersion: optString(raw.producer_version),
      tags,
      payload: raw.payload ?? null,
      member
    });
  });
  return out;
}

/**
 * The platform's rule (web UI FnnxService.getRegistryMetrics and the Python
 * client's extra_values): a tabular-typed manifest takes the falcon tabular
 * metrics (eval_holdout, else eval_cv, without N_SAMPLES); otherwise the first
 * registry_metrics entry's payload.metrics. Tags are matched in
 * `producer_tags` or, for luml-sdk entries, `tags`.
 */
export function registryMetrics(
  manifestTags: string[],
  metadata: IMetaEntry[]
): { [key: string]: JsonValue } {
  const firstPayload = (tags: string[]): JsonValue | undefined =>
    metadata.find(m => m.tags.some(t => tags.includes(t)))?.payload;

  if (manifestTags.some(t => TABULAR_TYPE_TAGS.includes(t))) {
    const payload = firstPayload(TABULAR_METRICS_TAGS);
    const performance =
      isObject(payload) && isObject(payload.metrics)
        ? payload.metrics.performance
        : undefined;
    if (isObject(performance)) {
      const evalMetrics = isObject(performance.eval_holdout)
        ? performance.eval_holdout
        : isObject(performance.eval_cv)
          ? performance.eval_cv
          : {};
      const out: { [key: string]: JsonValue } = {};
      for (const [k, v] of Object.entries(evalMetrics)) {
        if (k !== 'N_SAMPLES') {
          setOwn(out, k, v);
        }
      }
      return out;
    }
  }
  const custom = firstPayload([REGISTRY_METRICS_TAG]);
  if (isObject(custom) && isObject(custom.metrics)) {
    return custom.metrics;
  }
  return {};
}

function summarize(m: { [key: string]: JsonValue }): IManifestSummary {
  return {
    artifactType: optString(m.artifact_type),
    variant: optString(m.variant),
    name: optString(m.name),
    version: optString(m.version),
    description: optString(m.description),
    producerName: optString(m.producer_name),
    producerVersion: optString(m.producer_version),
    producerTags: strings(m.producer_tags),
    inputs: ioSpecs(m.inputs),
    outputs: ioSpecs(m.outputs)
  };
}

function ioSpecs(value: JsonValue | undefined): IIOSpec[] {
  if (!Array.isArray(value)) {
    return [];
  }
  return value.filter(isObject).map(io => ({
    name: typeof io.name === 'string' ? io.name : '',
    contentType: optString(io.content_type),
    dtype: optString(io.dtype),
    shape: Array.isArray(io.shape)
      ? io.shape.filter(
          (d): d is string | number =>
            typeof d === 'string' || typeof d === 'number'
        )
      : undefined,
    tags: strings(io.tags)
  }));
}

/** The newest model card: the last matching member in archive order. */
function findModelCard(files: ITarEntry[]): string | undefined {
  const tagged = files.filter(e => MODEL_CARD_NAME.test(e.path));
  const candidates =
    tagged.length > 0
      ? tagged
      : files.filter(e => ANY_MODEL_CARD_NAME.test(e.path));
  return candidates.length > 0
    ? candidates[candidates.length - 1].path
    : undefined;
}

/** Byte order of the UTF-8 names (UTF-16 order differs past the BMP). */
function compareBytes(a: string, b: string): number {
  const enc = new TextEncoder();
  const x = enc.encode(a);
  const y = enc.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    if (x[i] !== y[i]) {
      return x[i] - y[i];
    }
  }
  return x.length - y.length;
}

function strings(value: JsonValue | undefined): string[] {
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : [];
}

function optString(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

// defineProperty, so a member or key named "__proto__" stays plain data
function setOwn<T>(obj: { [key: string]: T }, key: string, value: T): void {
  Object.defineProperty(obj, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true
  });
}

function isObject(v: unknown): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
