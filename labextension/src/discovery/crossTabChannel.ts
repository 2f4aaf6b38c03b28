/** The note other tabs of the same instance receive about a change. */
export interface IModelsNote {
  type: 'luml-models-changed';
  paths: string[];
}

const NOTE_TYPE = 'luml-models-changed';
// a note is a hint to look again, not a list to trust: bound the work it asks
const MAX_NOTE_PATHS = 1000;

/**
 * Tells the other tabs of the same instance which paths changed here, and
 * hears what they changed. Tabs share storage, but the contents manager
 * reports only this tab's changes.
 */
export class CrossTabChannel {
  /**
   * The channel of this name, or null where BroadcastChannel is missing
   * (then tabs only miss each other's live updates).
   */
  static open(
    name: string,
    onPaths: (paths: string[]) => void
  ): CrossTabChannel | null {
    if (typeof BroadcastChannel === 'undefined') {
      return null;
    }
    return new CrossTabChannel(new BroadcastChannel(name), onPaths);
  }

  private constructor(
    private readonly _channel: BroadcastChannel,
    onPaths: (paths: string[]) => void
  ) {
    this._channel.onmessage = event => {
      if (isNote(event.data)) {
        onPaths(event.data.paths.slice(0, MAX_NOTE_PATHS));
      }
    };
  }

  announce(paths: string[]): void {
    const note: IModelsNote = { type: NOTE_TYPE, paths };
    try {
      this._channel.postMessage(note);
    } catch {
      // a closed channel only costs other tabs a live update
    }
  }

  close(): void {
    this._channel.close();
  }
}

function isNote(data: unknown): data is IModelsNote {
  if (typeof data !== 'object' || data === null) {
    return false;
  }
  const note = data as Partial<IModelsNote>;
  return (
    note.type === NOTE_TYPE &&
    Array.isArray(note.paths) &&
    note.paths.every(p => typeof p === 'string')
  );
}
