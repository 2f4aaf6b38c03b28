/**
 * `RegistryError`, the one error the Registry client throws, and how an HTTP
 * status, a missing response or a cancel becomes one: a message that says
 * what went wrong and what the user can do, and whether a retry may help.
 */

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
