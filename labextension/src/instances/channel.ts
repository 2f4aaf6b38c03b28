/**
 * News about instances between the tabs of this browser: the instances page
 * and every JupyterLab tab listen, so a rename shows everywhere and a tab
 * whose instance is deleted can say so.
 */

export const CHANNEL_NAME = 'luml-notebooks:instances';

export type InstanceNews =
  | { readonly type: 'created'; readonly id: string }
  | { readonly type: 'renamed'; readonly id: string; readonly fullname: string }
  | { readonly type: 'deleting'; readonly id: string }
  | { readonly type: 'deleted'; readonly id: string };

const TYPES = new Set(['created', 'renamed', 'deleting', 'deleted']);

/** Whether a message from the channel is instance news (ignore the rest). */
export function isInstanceNews(data: unknown): data is InstanceNews {
  if (!data || typeof data !== 'object') {
    return false;
  }
  const news = data as Record<string, unknown>;
  return (
    typeof news.type === 'string' &&
    TYPES.has(news.type) &&
    typeof news.id === 'string' &&
    (news.type !== 'renamed' || typeof news.fullname === 'string')
  );
}

/** A BroadcastChannel that speaks only instance news. */
export class InstanceChannel {
  constructor() {
    this._channel =
      typeof BroadcastChannel === 'function'
        ? new BroadcastChannel(CHANNEL_NAME)
        : null;
    if (this._channel) {
      this._channel.onmessage = event => {
        if (isInstanceNews(event.data)) {
          for (const listener of [...this._listeners]) {
            listener(event.data);
          }
        }
      };
    }
  }

  /** Tell the other tabs (a channel does not hear its own messages). */
  post(news: InstanceNews): void {
    this._channel?.postMessage(news);
  }

  /** Listen to the other tabs; returns a function that stops listening. */
  listen(listener: (news: InstanceNews) => void): () => void {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  close(): void {
    this._listeners.clear();
    this._channel?.close();
  }

  private _channel: BroadcastChannel | null;
  private _listeners = new Set<(news: InstanceNews) => void>();
}
