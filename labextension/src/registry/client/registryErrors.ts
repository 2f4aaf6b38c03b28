/**
 * `RegistryError`, the one error the Registry client throws, and how an HTTP
 * status, a missing response or a cancel becomes one: a message that says
 * what went wrong and what the user can do, and whether a retry may help.
 */

import {
  IMessage,
  IMessageCarrier,
  renderMessage
} from '../../common/messages';
import { registryMessage } from './registryMessages';

export { registryMessage } from './registryMessages';

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

export class RegistryError extends Error implements IMessageCarrier {
  /** `message` is the English text of `userMessage`. */
  constructor(
    readonly kind: RegistryErrorKind,
    readonly userMessage: IMessage,
    readonly options: {
      status?: number;
      /** The server's own words (`detail`, or S3's `Message`). */
      detail?: string;
      retryAfterMs?: number;
    } = {}
  ) {
    super(renderMessage(userMessage));
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
  what: IMessage;
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

function withDetail(message: IMessage, detail: string | undefined): IMessage {
  return detail ? registryMessage('withDetail', { message, detail }) : message;
}

const NOT_FOUND_ADVICE = {
  collection: 'collectionGone',
  orbit: 'pickAgain',
  organization: 'pickAgain'
} as const;

/** The error for an HTTP response that was not a success. */
export function httpError(
  status: number,
  body: string,
  context: ICallContext,
  retryAfter?: string | null
): RegistryError {
  const detail = errorDetail(body);
  const url = displayUrl(context.registryUrl);
  const what = context.what;
  const options = { status, detail };
  const storage = context.phase === 'storage';
  if (status === 401) {
    return new RegistryError(
      'unauthorized',
      withDetail(registryMessage('unauthorized', { url }), detail),
      options
    );
  }
  if (status === 403) {
    return new RegistryError(
      'forbidden',
      withDetail(
        registryMessage(storage ? 'signedUrlRefused' : 'forbidden', { what }),
        detail
      ),
      options
    );
  }
  if (status === 404) {
    const resource =
      context.resource ?? (storage ? 'storageObject' : 'resource');
    const advice =
      context.resource && context.resource in NOT_FOUND_ADVICE
        ? NOT_FOUND_ADVICE[context.resource as keyof typeof NOT_FOUND_ADVICE]
        : 'reloadLists';
    return new RegistryError(
      'not-found',
      withDetail(
        registryMessage('notFound', {
          resource: registryMessage(resource),
          what,
          advice: registryMessage(advice)
        }),
        detail
      ),
      options
    );
  }
  if (status === 409) {
    return new RegistryError(
      'conflict',
      withDetail(registryMessage('conflict', { what }), detail),
      options
    );
  }
  if (status === 429) {
    return new RegistryError(
      'rate-limited',
      registryMessage('rateLimited', { what }),
      { ...options, retryAfterMs: retryAfterMs(retryAfter) }
    );
  }
  if (status >= 500) {
    const message = storage
      ? registryMessage('storageServerError', { status, what })
      : registryMessage('serverError', { url, status, what });
    return new RegistryError(
      'server',
      detail ? registryMessage('serverSaid', { message, detail }) : message,
      options
    );
  }
  // 400, 422 and anything else: the server's own words matter most
  return new RegistryError(
    'rejected',
    detail
      ? registryMessage('rejectedWithDetail', { what, detail })
      : registryMessage('rejected', { what, status }),
    options
  );
}

/** The error for a request that got no response at all. */
export function networkError(
  targetUrl: string,
  context: ICallContext
): RegistryError {
  const target = originOf(targetUrl);
  const what = context.what;
  return new RegistryError(
    'network',
    context.siteOrigin
      ? registryMessage('unreachableFromOrigin', {
          target,
          what,
          origin: context.siteOrigin
        })
      : registryMessage('unreachable', { target, what })
  );
}

export function cancelledError(): RegistryError {
  return new RegistryError('cancelled', registryMessage('cancelled'));
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
