/**
 * Requests to the signed storage URLs the API hands out. They go around
 * `fetch` in the browser because only XMLHttpRequest reports upload progress;
 * a `Transfer` is injectable so tests and Node can use `fetch` instead.
 */

import { cancelledError } from './registryErrors';

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
