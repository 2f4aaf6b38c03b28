/**
 * A client for the LUML Registry API subset the product uses: key validation,
 * organizations, orbits, collections, artifacts, and uploads to the signed
 * storage URLs the API hands out (one PUT, or S3 multipart for big files).
 *
 * Plain TypeScript over `fetch` and `XMLHttpRequest` (for upload progress),
 * no JupyterLab imports. Every failure is a `RegistryError` whose message says
 * what went wrong and what the user can do; transient ones are retried.
 */

export const DEFAULT_REGISTRY_URL = 'https://api.luml.ai';

/** The platform sends files over 500 MB as multipart uploads. */
export const MULTIPART_THRESHOLD = 524_288_000;

/** Parts uploaded at once in a multipart upload (the Python client uses 5). */
export const MULTIPART_CONCURRENCY = 4;

// ---------------------------------------------------------------------------
// API shapes (the fields the product reads; the server may send more)

export interface IOrganization {
  id: string;
  name: string;
  [key: string]: unknown;
}

export interface IOrbit {
  id: string;
  name: string;
  organization_id?: string;
  [key: string]: unknown;
}

export interface ICollection {
  id: string;
  name: string;
  type?: string;
  description?: string;
  [key: string]: unknown;
}

export interface IPage<T> {
  items: T[];
  cursor: string | null;
}

export type ArtifactStatus =
  | 'pending_upload'
  | 'uploaded'
  | 'upload_failed'
  | 'pending_deletion'
  | 'deletion_failed';

export interface IArtifact {
  id: string;
  collection_id: string;
  file_name: string;
  name: string;
  description?: string | null;
  file_hash: string;
  size: number;
  status: ArtifactStatus;
  type?: string;
  tags?: string[] | null;
  manifest?: unknown;
  created_at?: string;
  [key: string]: unknown;
}

export interface IUploadDetails {
  type: 's3' | 'azure' | string;
  url: string;
  multipart: boolean;
  bucket_location: string;
  bucket_secret_id: string;
}

export interface ICreatedArtifact {
  artifact: IArtifact;
  upload_details: IUploadDetails;
}

export interface ICreateArtifactRequest {
  file_name: string;
  name: string;
  description?: string;
  tags?: string[];
  manifest: unknown;
  extra_values: { [key: string]: unknown };
  file_hash: string;
  file_index: { [path: string]: [number, number] };
  size: number;
  type?: 'model' | 'dataset' | 'experiment';
}

/** Where an artifact lives. */
export interface ICollectionRef {
  organizationId: string;
  orbitId: string;
  collectionId: string;
}

interface IMultipartPart {
  part_number: number;
  url: string;
  start_byte: number;
  end_byte: number;
  part_size: number;
}

interface IMultipartUrls {
  parts: IMultipartPart[];
  complete_url: string;
  upload_id?: string;
}

// ---------------------------------------------------------------------------
// Errors

export type RegistryErrorKind =
  | 'invalid-url'
  | 'missing-key'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'rejected'
  | 'conflict'
  | 'rate-limited'
  | 'server'
  | 'network'
  | 'protocol'
  | 'cancelled';

const TRANSIENT: ReadonlySet<RegistryErrorKind> = new Set([
  'network',
  'server',
  'rate-limited'
]);

export class RegistryError extends Error {
  constructor(
    readonly kind: RegistryErrorKind,
    message: string,
    readonly options: {
      status?: number;
      /** The server's own words (`detail`, or S3's `Message`). */
      detail?: string;
      retryAfterMs?: number;
    } = {}
  ) {
    super(message);
    this.name = 'RegistryError';
  }

  get status(): number | undefined {
    return this.options.status;
  }

  get detail(): string | undefined {
    return this.options.detail;
  }

  /** Worth trying again unchanged: network down, 5xx, 429. */
  get transient(): boolean {
    return TRANSIENT.has(this.kind);
  }
}

export function isCancelled(error: unknown): boolean {
  return error instanceof RegistryError && error.kind === 'cancelled';
}

/** What the failed call was for, so a message can name it. */
export interface ICallContext {
  /** The Registry's base URL (shown in messages). */
  registryUrl: string;
  /** Verb phrase: "list the collections", "upload the file". */
  what: string;
  /** The API itself, or the storage behind a signed URL. */
  phase: 'api' | 'storage';
  /** What a 404 means for this call. */
  resource?: 'organization' | 'orbit' | 'collection' | 'artifact';
  /** The page's origin, which the Registry must allow (CORS). */
  siteOrigin?: string;
}

/** The server's explanation from an error body: JSON `detail`, S3 XML, text. */
export function errorDetail(body: string): string | undefined {
  const text = body.trim();
  if (!text) {
    return undefined;
  }
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      const parsed = JSON.parse(text) as unknown;
      const detail =
        parsed !== null && typeof parsed === 'object' && 'detail' in parsed
          ? (parsed as { detail: unknown }).detail
          : parsed;
      return detailText(detail);
    } catch {
      // not JSON after all: fall through to plain text
    }
  }
  const xml = /<Message>([\s\S]*?)<\/Message>/.exec(text);
  if (xml) {
    return xml[1].trim();
  }
  if (text.startsWith('<')) {
    return undefined; // an HTML error page says nothing useful here
  }
  return text.length > 300 ? text.slice(0, 300) + '…' : text;
}

function detailText(detail: unknown): string | undefined {
  if (typeof detail === 'string') {
    return detail;
  }
  if (Array.isArray(detail)) {
    // FastAPI's default validation errors: [{loc, msg}, ...]
    const parts = detail.map(item => {
      if (item && typeof item === 'object' && 'msg' in item) {
        const loc = Array.isArray((item as any).loc)
          ? (item as any).loc.filter((p: unknown) => p !== 'body').join('.')
          : '';
        return loc ? `${loc}: ${(item as any).msg}` : String((item as any).msg);
      }
      return JSON.stringify(item);
    });
    return parts.join('; ') || undefined;
  }
  if (detail && typeof detail === 'object') {
    return JSON.stringify(detail);
  }
  return undefined;
}

/** Origin plus path of a URL, never its query (signed URLs carry secrets). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return u.origin + (u.pathname === '/' ? '' : u.pathname.replace(/\/$/, ''));
  } catch {
    return url.split(/[?#]/)[0];
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

function withDetail(message: string, detail: string | undefined): string {
  return detail ? `${message} The Registry said: ${detail}` : message;
}

/** The error for an HTTP response that was not a success. */
export function httpError(
  status: number,
  body: string,
  context: ICallContext,
  retryAfter?: string | null
): RegistryError {
  const detail = errorDetail(body);
  const url = displayUrl(context.registryUrl);
  const options = { status, detail };
  const storage = context.phase === 'storage';
  if (status === 401) {
    return new RegistryError(
      'unauthorized',
      withDetail(
        `The Registry at ${url} did not accept the API key. Set a valid key (Settings › Registry Connection…).`,
        detail
      ),
      options
    );
  }
  if (status === 403) {
    return new RegistryError(
      'forbidden',
      storage
        ? withDetail(
            `The storage refused the signed URL to ${context.what} (it may have expired). Push again to get a new one.`,
            detail
          )
        : withDetail(
            `The API key has no permission to ${context.what}. Ask an admin of the organization for access, or use a key of that organization.`,
            detail
          ),
      options
    );
  }
  if (status === 404) {
    const what = context.resource ?? (storage ? 'storage object' : 'resource');
    const advice =
      what === 'collection'
        ? 'It may have been deleted: choose another collection.'
        : what === 'orbit' || what === 'organization'
          ? `It may have been deleted, or the key belongs to another organization: pick again.`
          : 'Reload the lists and try again.';
    return new RegistryError(
      'not-found',
      withDetail(
        `The ${what} was not found when trying to ${context.what}. ${advice}`,
        detail
      ),
      options
    );
  }
  if (status === 409) {
    return new RegistryError(
      'conflict',
      withDetail(`The Registry refused to ${context.what}.`, detail),
      options
    );
  }
  if (status === 429) {
    return new RegistryError(
      'rate-limited',
      `The Registry is receiving too many requests and refused to ${context.what}. Wait a minute, then try again.`,
      { ...options, retryAfterMs: retryAfterMs(retryAfter) }
    );
  }
  if (status >= 500) {
    const who = storage ? "The Registry's storage" : `The Registry at ${url}`;
    return new RegistryError(
      'server',
      `${who} had a server error (HTTP ${status}) when trying to ${context.what}. Try again later; if it keeps failing, tell the Registry's operator.` +
        (detail ? ` (${detail})` : ''),
      options
    );
  }
  // 400, 422 and anything else: the server's own words matter most
  return new RegistryError(
    'rejected',
    detail
      ? `The Registry rejected the request to ${context.what}: ${detail}`
      : `The Registry rejected the request to ${context.what} (HTTP ${status}).`,
    options
  );
}

/** The error for a request that got no response at all. */
export function networkError(
  targetUrl: string,
  context: ICallContext
): RegistryError {
  const origin = context.siteOrigin ? ` (${context.siteOrigin})` : '';
  return new RegistryError(
    'network',
    `Could not reach ${originOf(targetUrl)} to ${context.what}: check the URL, that the Registry is running, and that it allows this site's origin${origin}.`
  );
}

export function cancelledError(): RegistryError {
  return new RegistryError('cancelled', 'The push was cancelled.');
}

function retryAfterMs(header: string | null | undefined): number | undefined {
  if (!header) {
    return undefined;
  }
  const seconds = Number(header);
  if (Number.isFinite(seconds)) {
    return Math.max(0, seconds * 1000);
  }
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

// ---------------------------------------------------------------------------
// Retry with exponential backoff

export interface IRetryOptions {
  /** Tries after the first one (default 3). */
  retries?: number;
  /** Wait before the first retry, in ms (default 1000). */
  baseDelayMs?: number;
  /** Longest wait between tries, in ms (default 15000). */
  maxDelayMs?: number;
}

const DEFAULT_RETRY: Required<IRetryOptions> = {
  retries: 3,
  baseDelayMs: 1000,
  maxDelayMs: 15000
};

/**
 * The wait before retry number `attempt` (1-based): the base doubled each
 * time, capped, with "equal jitter" (between half and all of it) so many
 * clients do not retry in step.
 */
export function backoffDelay(
  attempt: number,
  options: IRetryOptions = {},
  random: () => number = Math.random
): number {
  const { baseDelayMs, maxDelayMs } = { ...DEFAULT_RETRY, ...options };
  const full = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.round(full / 2 + (random() * full) / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelledError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface IRetryHooks {
  signal?: AbortSignal;
  /** Called before each wait: which retry comes, after how long, and why. */
  onRetry?: (attempt: number, delayMs: number, error: RegistryError) => void;
  /** Which errors to retry (default: transient ones). */
  shouldRetry?: (error: RegistryError) => boolean;
  random?: () => number;
}

/** Run `task`, retrying transient `RegistryError`s with backoff. */
export async function withRetry<T>(
  task: (attempt: number) => Promise<T>,
  options: IRetryOptions = {},
  hooks: IRetryHooks = {}
): Promise<T> {
  const retries = options.retries ?? DEFAULT_RETRY.retries;
  const shouldRetry = hooks.shouldRetry ?? ((e: RegistryError) => e.transient);
  for (let attempt = 0; ; attempt++) {
    if (hooks.signal?.aborted) {
      throw cancelledError();
    }
    try {
      return await task(attempt);
    } catch (error) {
      if (
        !(error instanceof RegistryError) ||
        attempt >= retries ||
        !shouldRetry(error) ||
        hooks.signal?.aborted
      ) {
        throw error;
      }
      const delay = Math.max(
        backoffDelay(attempt + 1, options, hooks.random),
        Math.min(error.options.retryAfterMs ?? 0, 60_000)
      );
      hooks.onRetry?.(attempt + 1, delay, error);
      await sleep(delay, hooks.signal);
    }
  }
}

// ---------------------------------------------------------------------------
// Transfers to storage URLs

export interface ITransferRequest {
  method: 'PUT' | 'POST';
  url: string;
  body?: Blob | string;
  headers?: { [name: string]: string };
  signal?: AbortSignal;
  /** Bytes of the body sent so far. */
  onProgress?: (loaded: number) => void;
}

export interface ITransferResponse {
  status: number;
  header(name: string): string | null;
  text: string;
}

/**
 * Sends one request and returns any HTTP response; throws a bare `TypeError`
 * when no response came (network down, CORS) and a `cancelled`
 * `RegistryError` when aborted.
 */
export type Transfer = (
  request: ITransferRequest
) => Promise<ITransferResponse>;

/** XMLHttpRequest: the browser API that reports upload progress. */
export const xhrTransfer: Transfer = request =>
  new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(request.method, request.url);
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      xhr.setRequestHeader(name, value);
    }
    const onAbort = () => xhr.abort();
    const done = () => request.signal?.removeEventListener('abort', onAbort);
    xhr.upload.onprogress = event => request.onProgress?.(event.loaded);
    xhr.onload = () => {
      done();
      resolve({
        status: xhr.status,
        header: name => xhr.getResponseHeader(name),
        text: xhr.responseText
      });
    };
    xhr.onerror = () => {
      done();
      reject(new TypeError('network error'));
    };
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = () => {
      done();
      reject(cancelledError());
    };
    if (request.signal?.aborted) {
      reject(cancelledError());
      return;
    }
    request.signal?.addEventListener('abort', onAbort, { once: true });
    xhr.send(request.body ?? null);
  });

/** fetch: used where XMLHttpRequest does not exist (Node); progress at the end only. */
export function fetchTransfer(fetchFn: typeof fetch = fetch): Transfer {
  return async request => {
    let response: Response;
    try {
      response = await fetchFn(request.url, {
        method: request.method,
        body: request.body,
        headers: request.headers,
        signal: request.signal,
        credentials: 'omit',
        cache: 'no-store'
      });
    } catch (error) {
      if (request.signal?.aborted) {
        throw cancelledError();
      }
      throw error;
    }
    const text = await response.text();
    if (request.body !== undefined) {
      request.onProgress?.(
        typeof request.body === 'string'
          ? request.body.length
          : request.body.size
      );
    }
    return {
      status: response.status,
      header: name => response.headers.get(name),
      text
    };
  };
}

export function defaultTransfer(): Transfer {
  return typeof XMLHttpRequest === 'undefined' ? fetchTransfer() : xhrTransfer;
}

// ---------------------------------------------------------------------------
// URLs

/**
 * A Registry base URL cleaned for use (`https://host[:port][/path]`, no
 * trailing slash), or a sentence saying why the text is not one.
 */
export function parseRegistryUrl(
  text: string
): { ok: true; url: string } | { ok: false; reason: string } {
  const trimmed = text.trim();
  if (!trimmed) {
    return { ok: false, reason: 'The Registry URL is empty.' };
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return {
      ok: false,
      reason: `"${trimmed}" is not a URL: write it like ${DEFAULT_REGISTRY_URL}.`
    };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return {
      ok: false,
      reason: `The Registry URL must start with https:// (or http:// for a local Registry), not ${url.protocol}//.`
    };
  }
  if (url.username || url.password) {
    return {
      ok: false,
      reason:
        'Do not put a user name, password or key into the Registry URL: set the API key separately.'
    };
  }
  if (url.search || url.hash) {
    return {
      ok: false,
      reason:
        'The Registry URL must not have a query (?…) or fragment (#…): use just the address, like https://api.luml.ai.'
    };
  }
  return {
    ok: true,
    url: url.origin + url.pathname.replace(/\/+$/, '')
  };
}

// ---------------------------------------------------------------------------
// The client

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

export interface IUploadOptions extends ICallOptions {
  /** Bytes of the file confirmed or in flight so far, out of its size. */
  onProgress?: (loaded: number, total: number) => void;
}

interface IRequestSpec {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  query?: { [name: string]: string | number | undefined };
  body?: unknown;
  what: string;
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
      throw new RegistryError('invalid-url', parsed.reason);
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
        what: 'check the API key'
      },
      options
    );
  }

  listOrganizations(options: ICallOptions = {}): Promise<IOrganization[]> {
    return this._call(
      {
        method: 'GET',
        path: '/v1/users/me/organizations',
        what: 'list your organizations'
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
        what: 'list the orbits',
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
        what: 'list the collections',
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
        what: 'create the artifact',
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
        what: 'read the artifact',
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
            ? 'confirm the upload'
            : 'mark the upload as failed',
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
        what: 'get the download URL',
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
    file: Blob,
    options: IUploadOptions = {}
  ): Promise<void> {
    if (!details.multipart) {
      await this._putWhole(details, file, options);
      return;
    }
    if (details.type !== 's3') {
      throw new RegistryError(
        'protocol',
        `This Registry stores files over 500 MB in ${details.type} storage, whose multipart upload the browser does not support yet: push this model with the Python client (luml-api) instead.`
      );
    }
    await this._putMultipart(details, file, options);
  }

  // -- internals ------------------------------------------------------------

  private _context(
    what: string,
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
        `No API key is set for the Registry at ${displayUrl(this.baseUrl)}: set one (Settings › Registry Connection…). Keys look like dfs_….`
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
        `${displayUrl(this.baseUrl)} answered, but not with JSON: is it the address of the Registry's API (like ${DEFAULT_REGISTRY_URL})?`
      );
    }
  }

  /** One storage request, with retries; throws mapped errors. */
  private async _transferWithRetry(
    request: ITransferRequest,
    what: string,
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
    file: Blob,
    options: IUploadOptions
  ): Promise<void> {
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
      'upload the file',
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
    file: Blob,
    options: IUploadOptions
  ): Promise<void> {
    const started = await this._transferWithRetry(
      { method: 'POST', url: details.url },
      'start the multipart upload',
      options
    );
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(started.text)?.[1];
    if (!uploadId) {
      throw new RegistryError(
        'protocol',
        'The storage did not return an UploadId when starting the multipart upload: the Registry or its bucket is misconfigured; tell its operator.'
      );
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
        what: 'get the part upload URLs'
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
      const body = file.slice(part.start_byte, part.end_byte + 1);
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
        `upload part ${part.part_number} of ${parts.length}`,
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
        throw new RegistryError(
          'protocol',
          "The storage did not let the browser read the part's ETag: its CORS rules must expose the ETag header. Tell the Registry's operator."
        );
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
      'complete the multipart upload',
      options
    );
    // S3 may answer 200 with an <Error> body
    if (/<Error>/.test(completed.text)) {
      throw httpError(500, completed.text, {
        ...this._context('complete the multipart upload', 'storage')
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
      `${displayUrl(baseUrl)} sent a collection list without "items": is it a LUML Registry?`
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
      throw new RegistryError(
        'protocol',
        'The Registry returned the same page cursor twice; the list was cut short.'
      );
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
