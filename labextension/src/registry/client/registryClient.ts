/**
 * A client for the LUML Registry API subset the product uses: key validation,
 * organizations, orbits, collections, artifacts, and uploads to the signed
 * storage URLs the API hands out (one PUT, or S3 multipart for big files).
 *
 * Plain TypeScript over `fetch` and `XMLHttpRequest` (for upload progress),
 * no JupyterLab imports. Every failure is a `RegistryError` whose message says
 * what went wrong and what the user can do; transient ones are retried.
 *
 * This module owns the `RegistryClient` class and its paging and concurrency
 * helpers; the API shapes, errors, retry, storage transfers and URL checks it
 * builds on live beside it, one concern per module.
 */

import {
  IArtifact,
  ICollection,
  ICollectionRef,
  ICreateArtifactRequest,
  ICreatedArtifact,
  IMultipartPart,
  IMultipartUrls,
  IOrbit,
  IOrganization,
  IPage,
  IUploadDetails
} from './apiTypes';
import {
  cancelledError,
  displayUrl,
  httpError,
  ICallContext,
  isCancelled,
  networkError,
  RegistryError
} from './registryErrors';
import { registryMessage } from './registryMessages';
import type { IMessage } from '../../common/messages';
import { DEFAULT_REGISTRY_URL, parseRegistryUrl } from './registryUrl';
import { IRetryHooks, IRetryOptions, withRetry } from './retry';
import {
  defaultTransfer,
  ITransferRequest,
  ITransferResponse,
  Transfer
} from './storageTransfer';

/** The platform sends files over 500 MB as multipart uploads. */
export const MULTIPART_THRESHOLD = 524_288_000;

/** Parts uploaded at once in a multipart upload (the Python client uses 5). */
export const MULTIPART_CONCURRENCY = 4;

export interface IRegistryClientOptions {
  /** The API's base URL, e.g. https://api.luml.ai. */
  baseUrl: string;
  /** The API key (read on every call, so a changed key applies at once). */
  apiKey: () => string | undefined;
  fetch?: typeof fetch;
  transfer?: Transfer;
  retry?: IRetryOptions;
  /** Shown in "could not reach" messages; default: the page's origin. */
  siteOrigin?: string;
}

export interface ICallOptions {
  signal?: AbortSignal;
  onRetry?: IRetryHooks['onRetry'];
}

/**
 * What an upload sends when its bytes are not one Blob yet: its size, and
 * bytes [start, end) as a Blob, asked when their request is about to go
 * (one PUT asks for all of them; a multipart upload, part by part).
 */
export interface IUploadBody {
  readonly size: number;
  read(start: number, end: number): Promise<Blob>;
  /** Start reading the bytes before the upload asks for them. */
  readAhead?(): void;
}

export interface IUploadOptions extends ICallOptions {
  /** Bytes of the file confirmed or in flight so far, out of its size. */
  onProgress?: (loaded: number, total: number) => void;
}

interface IRequestSpec {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  query?: { [name: string]: string | number | undefined };
  body?: unknown;
  what: IMessage;
  resource?: ICallContext['resource'];
  /** Whether a transient failure may be retried (false for unsafe calls). */
  retry?: boolean | ((error: RegistryError) => boolean);
}

export class RegistryClient {
  readonly baseUrl: string;
  private readonly _apiKey: () => string | undefined;
  private readonly _fetch: typeof fetch;
  private readonly _transfer: Transfer;
  private readonly _retry: IRetryOptions;
  private readonly _siteOrigin?: string;

  constructor(options: IRegistryClientOptions) {
    const parsed = parseRegistryUrl(options.baseUrl);
    if (!parsed.ok) {
      throw new RegistryError('invalid-url', parsed.userMessage);
    }
    this.baseUrl = parsed.url;
    this._apiKey = options.apiKey;
    // bound, so a window.fetch is not called with another `this`
    const fetchFn = options.fetch ?? fetch;
    this._fetch = (input, init) => fetchFn(input, init);
    this._transfer = options.transfer ?? defaultTransfer();
    this._retry = options.retry ?? {};
    this._siteOrigin =
      options.siteOrigin ?? (globalThis as any).location?.origin ?? undefined;
  }

  /** Resolves when the key is valid (the API answers 204). */
  async validateKey(options: ICallOptions = {}): Promise<void> {
    await this._call<void>(
      {
        method: 'GET',
        path: '/v1/auth/api-keys/validate',
        what: registryMessage('checkKey')
      },
      options
    );
  }

  listOrganizations(options: ICallOptions = {}): Promise<IOrganization[]> {
    return this._call(
      {
        method: 'GET',
        path: '/v1/users/me/organizations',
        what: registryMessage('listOrganizations')
      },
      options
    );
  }

  listOrbits(
    organizationId: string,
    options: ICallOptions = {}
  ): Promise<IOrbit[]> {
    return this._call(
      {
        method: 'GET',
        path: `/v1/organizations/${seg(organizationId)}/orbits`,
        what: registryMessage('listOrbits'),
        resource: 'organization'
      },
      options
    );
  }

  /** One page of an orbit's collections. */
  listCollections(
    organizationId: string,
    orbitId: string,
    page: { cursor?: string | null; limit?: number } = {},
    options: ICallOptions = {}
  ): Promise<IPage<ICollection>> {
    return this._call<IPage<ICollection>>(
      {
        method: 'GET',
        path: `/v1/organizations/${seg(organizationId)}/orbits/${seg(orbitId)}/collections`,
        query: { cursor: page.cursor ?? undefined, limit: page.limit ?? 100 },
        what: registryMessage('listCollections'),
        resource: 'orbit'
      },
      options
    ).then(result => checkPage(result, this.baseUrl));
  }

  /** Every collection of an orbit, following the cursor page by page. */
  async listAllCollections(
    organizationId: string,
    orbitId: string,
    options: ICallOptions & { maxPages?: number } = {}
  ): Promise<ICollection[]> {
    return collectPages(
      cursor =>
        this.listCollections(organizationId, orbitId, { cursor }, options),
      options.maxPages
    );
  }

  createArtifact(
    where: ICollectionRef,
    body: ICreateArtifactRequest,
    options: ICallOptions = {}
  ): Promise<ICreatedArtifact> {
    return this._call(
      {
        method: 'POST',
        path: collectionPath(where) + '/artifacts',
        body,
        what: registryMessage('createArtifact'),
        resource: 'collection',
        // a lost response may have created it: retry only what surely did not
        retry: e =>
          e.kind === 'network' ||
          e.kind === 'rate-limited' ||
          [502, 503, 504].includes(e.status ?? 0)
      },
      options
    );
  }

  getArtifact(
    where: ICollectionRef,
    artifactId: string,
    options: ICallOptions = {}
  ): Promise<IArtifact> {
    return this._call(
      {
        method: 'GET',
        path: collectionPath(where) + `/artifacts/${seg(artifactId)}`,
        what: registryMessage('readArtifact'),
        resource: 'artifact'
      },
      options
    );
  }

  setArtifactStatus(
    where: ICollectionRef,
    artifactId: string,
    status: 'uploaded' | 'upload_failed',
    options: ICallOptions = {}
  ): Promise<IArtifact> {
    return this._call(
      {
        method: 'PATCH',
        path: collectionPath(where) + `/artifacts/${seg(artifactId)}`,
        body: { status },
        what:
          status === 'uploaded'
            ? registryMessage('confirmUpload')
            : registryMessage('markUploadFailed'),
        resource: 'artifact'
      },
      options
    );
  }

  async downloadUrl(
    where: ICollectionRef,
    artifactId: string,
    options: ICallOptions = {}
  ): Promise<string> {
    const result = await this._call<{ url: string }>(
      {
        method: 'GET',
        path:
          collectionPath(where) + `/artifacts/${seg(artifactId)}/download-url`,
        what: registryMessage('getDownloadUrl'),
        resource: 'artifact'
      },
      options
    );
    return result.url;
  }

  /**
   * Send the file to the storage URL of a created artifact: one PUT, or the
   * S3 multipart protocol when the API asks for it. Each request is retried
   * on transient failures; progress counts bytes of the file.
   */
  async uploadFile(
    details: IUploadDetails,
    file: Blob | IUploadBody,
    options: IUploadOptions = {}
  ): Promise<void> {
    if (!details.multipart) {
      await this._putWhole(details, file, options);
      return;
    }
    if (details.type !== 's3') {
      throw new RegistryError(
        'protocol',
        registryMessage('multipartUnsupported', { type: details.type })
      );
    }
    await this._putMultipart(details, file, options);
  }

  // -- internals ------------------------------------------------------------

  private _context(
    what: IMessage,
    phase: ICallContext['phase'],
    resource?: ICallContext['resource']
  ): ICallContext {
    return {
      registryUrl: this.baseUrl,
      what,
      phase,
      resource,
      siteOrigin: this._siteOrigin
    };
  }

  private _headers(): { [name: string]: string } {
    const key = this._apiKey()?.trim();
    if (!key) {
      throw new RegistryError(
        'missing-key',
        registryMessage('missingKey', { url: displayUrl(this.baseUrl) })
      );
    }
    return { Authorization: `Bearer ${key}`, Accept: 'application/json' };
  }

  private async _call<T>(
    spec: IRequestSpec,
    options: ICallOptions
  ): Promise<T> {
    const shouldRetry =
      typeof spec.retry === 'function'
        ? spec.retry
        : spec.retry === false
          ? () => false
          : (e: RegistryError) => e.transient;
    return withRetry(() => this._once<T>(spec, options.signal), this._retry, {
      signal: options.signal,
      onRetry: options.onRetry,
      shouldRetry
    });
  }

  private async _once<T>(spec: IRequestSpec, signal?: AbortSignal): Promise<T> {
    const context = this._context(spec.what, 'api', spec.resource);
    const headers = this._headers();
    let url = this.baseUrl + spec.path;
    const query = Object.entries(spec.query ?? {}).filter(
      ([, v]) => v !== undefined && v !== ''
    );
    if (query.length > 0) {
      url +=
        '?' +
        new URLSearchParams(query.map(([k, v]) => [k, String(v)])).toString();
    }
    if (spec.body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    let response: Response;
    try {
      response = await this._fetch(url, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal,
        credentials: 'omit',
        cache: 'no-store'
      });
    } catch (error) {
      if (signal?.aborted || isCancelled(error)) {
        throw cancelledError();
      }
      throw networkError(url, context);
    }
    let text: string;
    try {
      text = await response.text();
    } catch {
      if (signal?.aborted) {
        throw cancelledError();
      }
      throw networkError(url, context);
    }
    if (!response.ok) {
      throw httpError(
        response.status,
        text,
        context,
        response.headers.get('Retry-After')
      );
    }
    if (response.status === 204 || !text.trim()) {
      return undefined as T;
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new RegistryError(
        'protocol',
        registryMessage('notJson', {
          url: displayUrl(this.baseUrl),
          example: DEFAULT_REGISTRY_URL
        })
      );
    }
  }

  /** One storage request, with retries; throws mapped errors. */
  private async _transferWithRetry(
    request: ITransferRequest,
    what: IMessage,
    options: ICallOptions,
    accept: (response: ITransferResponse) => boolean = r =>
      r.status >= 200 && r.status < 300
  ): Promise<ITransferResponse> {
    const context = this._context(what, 'storage');
    return withRetry(
      async () => {
        let response: ITransferResponse;
        try {
          response = await this._transfer({
            ...request,
            signal: options.signal
          });
        } catch (error) {
          if (options.signal?.aborted || isCancelled(error)) {
            throw cancelledError();
          }
          throw networkError(request.url, context);
        }
        if (!accept(response)) {
          throw httpError(
            response.status,
            response.text,
            context,
            response.header('Retry-After')
          );
        }
        return response;
      },
      this._retry,
      { signal: options.signal, onRetry: options.onRetry }
    );
  }

  private async _putWhole(
    details: IUploadDetails,
    body: Blob | IUploadBody,
    options: IUploadOptions
  ): Promise<void> {
    const file = body instanceof Blob ? body : await body.read(0, body.size);
    const headers: { [name: string]: string } = {
      'Content-Type': 'application/octet-stream'
    };
    if (details.type === 'azure') {
      headers['x-ms-blob-type'] = 'BlockBlob';
    }
    options.onProgress?.(0, file.size);
    await this._transferWithRetry(
      {
        method: 'PUT',
        url: details.url,
        body: file,
        headers,
        onProgress: loaded => options.onProgress?.(loaded, file.size)
      },
      registryMessage('uploadFile'),
      {
        signal: options.signal,
        onRetry: (attempt, delay, error) => {
          // a retried PUT starts from byte 0
          options.onProgress?.(0, file.size);
          options.onRetry?.(attempt, delay, error);
        }
      }
    );
    options.onProgress?.(file.size, file.size);
  }

  private async _putMultipart(
    details: IUploadDetails,
    file: Blob | IUploadBody,
    options: IUploadOptions
  ): Promise<void> {
    const started = await this._transferWithRetry(
      { method: 'POST', url: details.url },
      registryMessage('startMultipart'),
      options
    );
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(started.text)?.[1];
    if (!uploadId) {
      throw new RegistryError('protocol', registryMessage('noUploadId'));
    }
    const plan = await this._call<IMultipartUrls>(
      {
        method: 'POST',
        path: '/v1/bucket-secrets/upload/multipart',
        body: {
          bucket_id: details.bucket_secret_id,
          bucket_location: details.bucket_location,
          size: file.size,
          upload_id: uploadId
        },
        what: registryMessage('getPartUrls')
      },
      options
    );
    const parts = [...plan.parts].sort((a, b) => a.part_number - b.part_number);
    const loaded = new Map<number, number>();
    const report = () => {
      let sum = 0;
      loaded.forEach(v => (sum += v));
      options.onProgress?.(sum, file.size);
    };
    const etags = new Map<number, string>();
    // one failed part stops the others at once
    const inner = new AbortController();
    const stop = () => inner.abort();
    options.signal?.addEventListener('abort', stop, { once: true });
    const putPart = async (part: IMultipartPart) => {
      const [start, end] = [part.start_byte, part.end_byte + 1];
      const body =
        file instanceof Blob
          ? file.slice(start, end)
          : await file.read(start, end);
      const response = await this._transferWithRetry(
        {
          method: 'PUT',
          url: part.url,
          body,
          onProgress: bytes => {
            loaded.set(part.part_number, bytes);
            report();
          }
        },
        registryMessage('uploadPart', {
          number: part.part_number,
          count: parts.length
        }),
        {
          signal: inner.signal,
          onRetry: (attempt, delay, error) => {
            loaded.set(part.part_number, 0);
            report();
            options.onRetry?.(attempt, delay, error);
          }
        }
      );
      const etag = response.header('ETag');
      if (!etag) {
        throw new RegistryError('protocol', registryMessage('noEtag'));
      }
      loaded.set(part.part_number, body.size);
      report();
      etags.set(part.part_number, etag);
    };
    try {
      await runLimited(parts, MULTIPART_CONCURRENCY, putPart);
    } catch (error) {
      inner.abort();
      throw options.signal?.aborted ? cancelledError() : error;
    } finally {
      options.signal?.removeEventListener('abort', stop);
    }
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload>' +
      parts
        .map(
          p =>
            `<Part><PartNumber>${p.part_number}</PartNumber><ETag>${escapeXml(etags.get(p.part_number) ?? '')}</ETag></Part>`
        )
        .join('') +
      '</CompleteMultipartUpload>';
    const completed = await this._transferWithRetry(
      {
        method: 'POST',
        url: plan.complete_url,
        body: xml,
        headers: { 'Content-Type': 'application/xml' }
      },
      registryMessage('completeMultipart'),
      options
    );
    // S3 may answer 200 with an <Error> body
    if (/<Error>/.test(completed.text)) {
      throw httpError(500, completed.text, {
        ...this._context(registryMessage('completeMultipart'), 'storage')
      });
    }
  }
}

function seg(id: string): string {
  return encodeURIComponent(id);
}

function collectionPath(where: ICollectionRef): string {
  return `/v1/organizations/${seg(where.organizationId)}/orbits/${seg(where.orbitId)}/collections/${seg(where.collectionId)}`;
}

function checkPage<T>(page: IPage<T>, baseUrl: string): IPage<T> {
  if (!page || !Array.isArray(page.items)) {
    throw new RegistryError(
      'protocol',
      registryMessage('noItems', { url: displayUrl(baseUrl) })
    );
  }
  return { items: page.items, cursor: page.cursor ?? null };
}

/**
 * Follow a cursor until the server says there is no more. Stops with an error
 * on a cursor seen before (a server bug would otherwise loop forever).
 */
export async function collectPages<T>(
  fetchPage: (cursor: string | null) => Promise<IPage<T>>,
  maxPages = 100
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const result: IPage<T> = await fetchPage(cursor);
    items.push(...result.items);
    if (!result.cursor || result.items.length === 0) {
      return items;
    }
    if (seen.has(result.cursor)) {
      throw new RegistryError('protocol', registryMessage('repeatedCursor'));
    }
    seen.add(result.cursor);
    cursor = result.cursor;
  }
  return items;
}

/** Run `task` over `items`, at most `limit` at a time; first failure wins. */
export async function runLimited<T>(
  items: T[],
  limit: number,
  task: (item: T) => Promise<void>
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await task(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker)
  );
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
