import { ISignal, Signal } from '@lumino/signaling';

import { IDigest, IFileHash } from './base64Digest';
import type { IHashLookup } from './backgroundHashing';
import type { ModelHashes } from './modelHashes';
import {
  Base64ByteSource,
  BytesByteSource,
  IByteSource,
  ILumlModelInfo,
  readLumlModel,
  sha256HexOfBytes
} from '../format';
import { isModelPath } from '../format/modelFiles';
import { IPushRecord, PushRecords } from './pushRecords';
import {
  IArtifact,
  ICollectionRef,
  ICreateArtifactRequest
} from './client/apiTypes';
import { IUploadBody, RegistryClient } from './client/registryClient';
import { IBlobRanges, StoredBody, storedBody } from './storedBody';
import { isCancelled, RegistryError } from './client/registryErrors';
import {
  causeMessage,
  causeParam,
  defineMessages,
  IMessage,
  IMessageCarrier,
  renderMessage
} from '../common/messages';
import type { IModelPusher } from './tokens';

/**
 * Pushes a model file of this instance to the Registry: read it (never
 * change it), hash it, create the artifact, upload the bytes, mark it
 * uploaded; on any failure mark it upload_failed. Remembers each push.
 * No JupyterLab imports: the plugin passes in the contents manager.
 */

/** What a push tells the user, as messages (see `common/messages.ts`). */
export const pushMessage = defineMessages('push', {
  badFileName: (trans, p) =>
    trans.__(
      'The Registry does not accept the file name "%1": rename the file to "<name>.<extension>" without spaces in the extension and without any of : " * ` ~ # %% ; \' ^',
      p.name
    ),
  notModelFile: (trans, p) =>
    trans.__(
      '%1 is not a model file: only .luml, .dfs, .fnnx and .pyfnx files can be pushed.',
      p.name
    ),
  readFailed: (trans, p) =>
    trans.__('Could not read %1: %2', p.path, p.problem),
  cannotPush: (trans, p) =>
    trans.__('%1 cannot be pushed: %2', p.name, p.reason),
  notAModel: (trans, p) =>
    trans.__(
      '%1 cannot be pushed as a model: it lacks %2 (a model file holds all six root files). Save it again with the LUML SDK.',
      p.name,
      p.missing
    ),
  checksumFailed: (trans, p) =>
    trans.__('Could not compute the checksum of %1: %2', p.name, p.problem),
  cancelled: trans => trans.__('The push was cancelled.'),
  cancelledBeforeUpload: trans =>
    trans.__('The push was cancelled before anything was uploaded.'),
  markedFailed: (trans, p) =>
    trans.__(
      '%1 Artifact %2 was marked upload_failed. Your local file is unchanged.',
      p.problem,
      p.artifact
    ),
  notMarkedFailed: (trans, p) =>
    trans.__(
      '%1 Artifact %2 could not be marked upload_failed now; that happens at the next push to this Registry. Your local file is unchanged.',
      p.problem,
      p.artifact
    )
});

/** The platform's rule for artifact file names (ArtifactNamesField). */
const FILE_NAME_PATTERN = /^[^:"*`~#%;'^]+\.[^\s:"*`~#%;'^]+$/;

/** Why the Registry would refuse this file name, or undefined. */
export function fileNameProblem(fileName: string): string | undefined {
  const problem = fileNameMessage(fileName);
  return problem && renderMessage(problem);
}

/** `fileNameProblem` as a message. */
export function fileNameMessage(fileName: string): IMessage | undefined {
  if (FILE_NAME_PATTERN.test(fileName)) {
    return undefined;
  }
  return pushMessage('badFileName', { name: fileName });
}

/** The part of the contents manager this needs (read only). */
export interface IContentsReader {
  get(
    path: string,
    options: { content: true; format: 'base64'; type: 'file' }
  ): Promise<{ content: unknown; format?: string | null; name: string }>;
}

/** The part of the Registry connection this needs. */
export interface IClientSource {
  readonly ready: Promise<void>;
  createClient(): RegistryClient;
}

export type Digester = (
  base64: string,
  job: {
    signal?: AbortSignal;
    onProgress?: (done: number, total: number) => void;
  }
) => Promise<IDigest & { ranIn?: string }>;

/** A model file read, checked and hashed, ready to push. */
export interface IPreparedModel {
  path: string;
  fileName: string;
  size: number;
  sha256: string;
  /**
   * The bytes to upload: a Blob, or a file of browser storage read ahead of
   * the upload (see `storedBody`).
   */
  body: Blob | IUploadBody;
  info: ILumlModelInfo;
  /**
   * Where the hash was computed ('worker', 'main-thread', or 'before the
   * push' when it was computed ahead for this content).
   */
  hashedIn?: string;
}

export interface IPushTarget extends ICollectionRef {
  organizationName?: string;
  orbitName?: string;
  collectionName?: string;
}

export type PushPhase =
  'reading' | 'hashing' | 'creating' | 'uploading' | 'confirming' | 'reporting';

export interface IPushProgress {
  phase: PushPhase;
  /** Bytes done in this phase (hashing, uploading), else 0. */
  loaded: number;
  total: number;
  /** Set while waiting to retry a transient failure. */
  retry?: {
    attempt: number;
    delayMs: number;
    /** English text of `userMessage`. */
    reason: string;
    userMessage?: IMessage;
  };
}

export interface IPushFields {
  name?: string;
  description?: string;
  tags?: string[];
}

export interface IPushOptions extends IPushFields {
  target: IPushTarget;
  signal?: AbortSignal;
  onProgress?: (progress: IPushProgress) => void;
}

export interface IPushResult {
  artifact: IArtifact;
  record: IPushRecord;
}

/** A push that failed, with what the Registry was told about it. */
export class PushError extends Error implements IMessageCarrier {
  /** `message` is the English text of `userMessage`. */
  constructor(
    readonly userMessage: IMessage,
    readonly cause: unknown,
    readonly phase: PushPhase,
    /** The artifact created before the failure, if any. */
    readonly artifactId?: string,
    /** Whether the artifact was marked upload_failed. */
    readonly failureReported?: boolean
  ) {
    super(renderMessage(userMessage));
    this.name = 'PushError';
  }

  get kind(): string {
    return this.cause instanceof RegistryError ? this.cause.kind : 'error';
  }

  get cancelled(): boolean {
    return isCancelled(this.cause) || this.cause instanceof ModelCancelled;
  }
}

class ModelCancelled extends Error {}

/** Pre-filled fields for the push form, from the model's own manifest. */
export function defaultFields(model: IPreparedModel): Required<IPushFields> {
  const summary = model.info.summary;
  const stem = model.fileName.replace(/\.[^.]+$/, '');
  const manifestTags = (model.info.manifest as { tags?: unknown }).tags;
  const tags = Array.isArray(manifestTags)
    ? manifestTags.filter((t): t is string => typeof t === 'string')
    : summary.producerTags;
  return {
    name: summary.name?.trim() || stem,
    description: summary.description ?? '',
    tags: [...new Set(tags.map(t => t.trim()).filter(Boolean))]
  };
}

/** Comma- or newline-separated tags as typed in a form. */
export function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[,\n]/)
        .map(t => t.trim())
        .filter(Boolean)
    )
  ];
}

/**
 * A model file's raw bytes, where they can be had without base64 (a Jupyter
 * server's `/files/` endpoint).
 */
export type RawReader = (path: string) => Promise<Uint8Array>;

/**
 * A model file of browser storage opened for reading (see `storage/`): by
 * byte range, and chunk by chunk in order.
 */
export interface IStoredModelFile extends IByteSource, Partial<IBlobRanges> {
  chunks(): AsyncIterable<Uint8Array>;
  /** The id of this version of the content (chunked files only). */
  readonly contentId?: string;
}

/**
 * Browser storage's models: how to open one, how to hash its chunks, and
 * the hashes computed before the push (by content id), if kept.
 */
export interface IStoredModels {
  open(path: string): Promise<IStoredModelFile>;
  hash: ChunkHasher;
  hashes?: IHashLookup | null;
}

export type ChunkHasher = (
  file: IStoredModelFile,
  job: Parameters<Digester>[1]
) => Promise<IFileHash & { ranIn?: string }>;

/** A file read, hashed, and its bytes ready to upload. */
interface IHashedModel extends IFileHash {
  body: Blob | IUploadBody;
  ranIn?: string;
}

/** A file read for pushing: its bytes to check, and how to hash them. */
interface IReadModel {
  source: IByteSource;
  digest: (job: Parameters<Digester>[1]) => Promise<IHashedModel>;
}

export class ModelPusher implements IModelPusher {
  private _pushed = new Signal<this, IPushResult>(this);

  constructor(
    private readonly _contents: IContentsReader,
    private readonly _connection: IClientSource,
    readonly records: PushRecords,
    private readonly _digest: Digester,
    private readonly _readRaw: RawReader | null = null,
    private readonly _stored: IStoredModels | null = null
  ) {}

  /** Emitted after each successful push. */
  get pushed(): ISignal<this, IPushResult> {
    return this._pushed;
  }

  /** The hashes of stored model files computed ahead of a push, if kept. */
  get knownHashes(): ModelHashes | null {
    return this._stored?.hashes?.hashes ?? null;
  }

  /**
   * Read the file, check that the Registry will take it, and hash it. The
   * file is only read.
   */
  async prepare(
    path: string,
    options: {
      signal?: AbortSignal;
      onProgress?: (progress: IPushProgress) => void;
    } = {}
  ): Promise<IPreparedModel> {
    const fileName = path.split('/').pop() ?? path;
    if (!isModelPath(path)) {
      throw new PushError(
        pushMessage('notModelFile', { name: fileName }),
        undefined,
        'reading'
      );
    }
    const nameProblem = fileNameMessage(fileName);
    if (nameProblem) {
      throw new PushError(nameProblem, undefined, 'reading');
    }
    options.onProgress?.({ phase: 'reading', loaded: 0, total: 0 });
    let file: IReadModel;
    try {
      file = await this._read(path);
    } catch (error) {
      throw new PushError(
        pushMessage('readFailed', { path, problem: causeParam(error) }),
        error,
        'reading'
      );
    }
    throwIfAborted(options.signal, 'reading');
    const info = await readLumlModel(file.source);
    if (!info.ok) {
      throw new PushError(
        pushMessage('cannotPush', {
          name: fileName,
          reason: info.userMessage ?? info.reason
        }),
        undefined,
        'reading'
      );
    }
    const artifactType = info.summary.artifactType;
    if (
      !info.isModel &&
      artifactType !== 'dataset' &&
      artifactType !== 'experiment'
    ) {
      throw new PushError(
        pushMessage('notAModel', {
          name: fileName,
          missing: info.missingModelFiles
        }),
        undefined,
        'reading'
      );
    }
    let digest: IHashedModel;
    try {
      digest = await file.digest({
        signal: options.signal,
        onProgress: (loaded, total) =>
          options.onProgress?.({ phase: 'hashing', loaded, total })
      });
    } catch (error) {
      throwIfAborted(options.signal, 'hashing');
      throw new PushError(
        pushMessage('checksumFailed', {
          name: fileName,
          problem: causeParam(error)
        }),
        error,
        'hashing'
      );
    }
    throwIfAborted(options.signal, 'hashing');
    return {
      path,
      fileName,
      size: digest.size,
      sha256: digest.sha256,
      body: digest.body,
      info,
      hashedIn: digest.ranIn
    };
  }

  /**
   * Chunk by chunk from browser storage, raw bytes where a reader gives
   * them, else base64 from the contents API.
   */
  private async _read(path: string): Promise<IReadModel> {
    const stored = this._stored;
    if (stored) {
      const file = await stored.open(path);
      return {
        source: file,
        digest: job => hashStored(stored, file, path, job)
      };
    }
    if (this._readRaw) {
      const bytes = await this._readRaw(path);
      return {
        source: new BytesByteSource(bytes),
        digest: async job => {
          job.onProgress?.(0, bytes.length);
          const sha256 = await sha256HexOfBytes(bytes);
          job.onProgress?.(bytes.length, bytes.length);
          return {
            sha256,
            size: bytes.length,
            body: new Blob([bytes as BlobPart], {
              type: 'application/octet-stream'
            }),
            ranIn: 'main-thread'
          };
        }
      };
    }
    const model = await this._contents.get(path, {
      content: true,
      format: 'base64',
      type: 'file'
    });
    const base64 = asBase64(model.content, model.format);
    return {
      source: new Base64ByteSource(base64),
      digest: async job => {
        const { blob, ...digest } = await this._digest(base64, job);
        return { ...digest, body: blob };
      }
    };
  }

  /** The record of an earlier push of these bytes to that collection. */
  findDuplicate(
    model: IPreparedModel,
    registryUrl: string,
    collectionId: string
  ): IPushRecord | undefined {
    return this.records.findDuplicate(model.sha256, registryUrl, collectionId);
  }

  /** Create, upload, confirm. Throws a `PushError` saying what to do. */
  async push(
    model: IPreparedModel,
    options: IPushOptions
  ): Promise<IPushResult> {
    await this._connection.ready;
    await this.records.ready;
    const client = this._connection.createClient();
    const { target, signal } = options;
    const progress = (p: IPushProgress) => options.onProgress?.(p);
    const onRetry = (phase: PushPhase, total: number) => {
      return (attempt: number, delayMs: number, error: RegistryError) =>
        progress({
          phase,
          loaded: 0,
          total,
          retry: {
            attempt,
            delayMs,
            reason: error.message,
            userMessage: error.userMessage
          }
        });
    };

    await this._reportEarlierFailures(client);

    const fields = { ...defaultFields(model), ...definedFields(options) };
    const body: ICreateArtifactRequest = {
      file_name: model.fileName,
      name: fields.name.trim() || model.fileName,
      description: fields.description,
      tags: fields.tags,
      manifest: model.info.manifest,
      extra_values: model.info.metrics,
      file_hash: model.sha256,
      file_index: model.info.fileIndex,
      size: model.size
    };
    if (!model.info.isModel) {
      body.type = model.info.summary.artifactType as 'dataset' | 'experiment';
    }

    progress({ phase: 'creating', loaded: 0, total: 0 });
    let artifactId: string;
    let uploadDetails;
    try {
      const created = await client.createArtifact(target, body, {
        signal,
        onRetry: onRetry('creating', 0)
      });
      artifactId = created.artifact.id;
      uploadDetails = created.upload_details;
    } catch (error) {
      throw new PushError(pushFailed(error), error, 'creating');
    }

    let phase: PushPhase = 'uploading';
    try {
      progress({ phase, loaded: 0, total: model.size });
      await client.uploadFile(uploadDetails, model.body, {
        signal,
        onProgress: (loaded, total) =>
          progress({ phase: 'uploading', loaded, total }),
        onRetry: onRetry('uploading', model.size)
      });
      phase = 'confirming';
      progress({ phase, loaded: 0, total: 0 });
      const artifact = await client.setArtifactStatus(
        target,
        artifactId,
        'uploaded',
        { signal, onRetry: onRetry('confirming', 0) }
      );
      const record: IPushRecord = {
        path: model.path,
        sha256: model.sha256,
        size: model.size,
        registryUrl: client.baseUrl,
        organizationId: target.organizationId,
        orbitId: target.orbitId,
        collectionId: target.collectionId,
        collectionName: target.collectionName,
        orbitName: target.orbitName,
        artifactId: artifact.id,
        artifactName: artifact.name,
        pushedAt: new Date().toISOString()
      };
      await this.records.add(record);
      const result = { artifact, record };
      this._pushed.emit(result);
      return result;
    } catch (error) {
      progress({ phase: 'reporting', loaded: 0, total: 0 });
      const reported = await this._markFailed(client, target, artifactId);
      throw new PushError(
        failureMessage(error, artifactId, reported),
        error,
        phase,
        artifactId,
        reported
      );
    }
  }

  /** PATCH upload_failed; remember the artifact when that does not get through. */
  private async _markFailed(
    client: RegistryClient,
    target: ICollectionRef,
    artifactId: string
  ): Promise<boolean> {
    try {
      // not the user's signal: a cancelled push must still be reported
      await client.setArtifactStatus(target, artifactId, 'upload_failed', {
        signal: timeoutSignal(30_000)
      });
      return true;
    } catch {
      await this.records.addUnreported({
        registryUrl: client.baseUrl,
        organizationId: target.organizationId,
        orbitId: target.orbitId,
        collectionId: target.collectionId,
        artifactId,
        failedAt: new Date().toISOString()
      });
      return false;
    }
  }

  /** Tell the Registry about failures it could not be told about before. */
  private async _reportEarlierFailures(client: RegistryClient): Promise<void> {
    for (const failure of this.records.unreported(client.baseUrl)) {
      try {
        await client.setArtifactStatus(
          failure,
          failure.artifactId,
          'upload_failed',
          {
            signal: timeoutSignal(10_000)
          }
        );
        await this.records.removeUnreported(failure.artifactId);
      } catch (error) {
        if (
          error instanceof RegistryError &&
          (error.kind === 'not-found' || error.kind === 'rejected')
        ) {
          // gone, or already past pending_upload: nothing left to report
          await this.records.removeUnreported(failure.artifactId);
        }
        // otherwise keep it for next time; the push itself goes on
      }
    }
  }
}

/**
 * A stored file's sha256: the one computed ahead for this very content when
 * there is one, else computed now (without gathering the bytes) and
 * remembered. The bytes to upload are read from `file` ahead of the upload
 * (those the hashing passes are kept, see `keptFor`), and `file` stays the
 * content it was opened as: a file written since has new
 * content under a new id, and the old content's parts, gone, fail the read
 * instead of pushing other bytes than the hash says.
 */
async function hashStored(
  stored: IStoredModels,
  file: IStoredModelFile,
  path: string,
  job: Parameters<Digester>[1]
): Promise<IHashedModel> {
  const { contentId } = file;
  const hashes = contentId ? stored.hashes : null;
  const known = await hashes?.find(contentId!, file.size);
  const body = storedBody(file, job.signal);
  if (known) {
    return {
      sha256: known,
      size: file.size,
      body,
      ranIn: 'before the push'
    };
  }
  const hash = await stored.hash(keptFor(body, file), job);
  if (hash.size !== file.size) {
    throw new Error(`read ${hash.size} of its ${file.size} bytes`);
  }
  if (hashes) {
    await hashes.remember({
      contentId: contentId!,
      size: hash.size,
      sha256: hash.sha256,
      path,
      hashedAt: new Date().toISOString()
    });
  }
  return { ...hash, body };
}

/**
 * `file`, whose chunks the upload body keeps as the hashing reads them:
 * read once, not once to hash and again to upload.
 */
function keptFor(body: StoredBody, file: IStoredModelFile): IStoredModelFile {
  return {
    size: file.size,
    contentId: file.contentId,
    read: (offset, length) => file.read(offset, length),
    chunks: async function* () {
      let offset = 0;
      for await (const chunk of file.chunks()) {
        // before the hashing hands the chunk's memory to its worker
        body.keep(offset, chunk);
        offset += chunk.length;
        yield chunk;
      }
    }
  };
}

function definedFields(fields: IPushFields): IPushFields {
  const out: IPushFields = {};
  if (fields.name !== undefined) {
    out.name = fields.name;
  }
  if (fields.description !== undefined) {
    out.description = fields.description;
  }
  if (fields.tags !== undefined) {
    out.tags = fields.tags;
  }
  return out;
}

function pushFailed(error: unknown): IMessage {
  if (isCancelled(error)) {
    return pushMessage('cancelledBeforeUpload');
  }
  return causeMessage(error);
}

function failureMessage(
  error: unknown,
  artifactId: string,
  reported: boolean
): IMessage {
  const params = {
    problem: isCancelled(error) ? pushMessage('cancelled') : causeParam(error),
    artifact: artifactId
  };
  return reported
    ? pushMessage('markedFailed', params)
    : pushMessage('notMarkedFailed', params);
}

function throwIfAborted(signal: AbortSignal | undefined, phase: PushPhase) {
  if (signal?.aborted) {
    const cancelled = new ModelCancelled('cancelled');
    throw new PushError(pushMessage('cancelled'), cancelled, phase);
  }
}

function timeoutSignal(ms: number): AbortSignal {
  return AbortSignal.timeout(ms);
}

/** Base64 of a file model's content, whatever format the drive used. */
function asBase64(content: unknown, format: string | null | undefined): string {
  if (typeof content !== 'string') {
    throw new Error('the file has no content (is it a folder?)');
  }
  if (format === 'base64' || format === undefined || format === null) {
    return content;
  }
  // a drive that returned text: encode its UTF-8 bytes
  const bytes = new TextEncoder().encode(content);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
