import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

import type { ModelHashes } from './modelHashes';
import type { IPushRecord, PushRecords } from './pushRecords';
import type {
  IPreparedModel,
  IPushOptions,
  IPushProgress,
  IPushResult
} from './pushService';
import type { RegistryClient } from './client/registryClient';
import type { IConnectionReport, KeySource } from './registryConnection';

/**
 * Which LUML Registry the site talks to, with which API key. The URL comes
 * from the settings (or the site's build); the key is kept in this browser
 * only, per Registry URL, never in settings, notebooks or URLs.
 */
export interface IRegistryConnection {
  /** The Registry URL in use. */
  readonly url: string;
  /** The URL the site was built with (or the hosted platform). */
  readonly defaultUrl: string;
  /** Why the user's URL setting is ignored, if it is. */
  readonly urlProblem: string | undefined;
  /** Where the key in use comes from. */
  readonly keySource: KeySource;
  /** Emitted when the URL or the key changes. */
  readonly changed: ISignal<any, void>;
  /** Resolves once a key served by the local Registry (if any) is known. */
  readonly ready: Promise<void>;
  /** Remember a key for the current URL (null forgets it). */
  setApiKey(key: string | null): void;
  /** A client bound to the current URL and key. */
  createClient(): RegistryClient;
  /** Validate the key and list the organizations it sees. */
  testConnection(signal?: AbortSignal): Promise<IConnectionReport>;
}

export const IRegistryConnection = new Token<IRegistryConnection>(
  'luml-notebooks:IRegistryConnection',
  'The LUML Registry the site pushes to, and its API key.'
);

/**
 * Pushes model files of this instance to the Registry and remembers what was
 * pushed where ("in the Registry"). A service without UI: the push dialog is
 * opened by the `luml-notebooks:push-model` command.
 */
export interface IModelPusher {
  /** Emitted after each successful push. */
  readonly pushed: ISignal<any, IPushResult>;
  /** What this instance pushed; `changed` fires on every new record. */
  readonly records: PushRecords;
  /**
   * The sha256 of model files in browser storage computed ahead of a push,
   * by content; `added` fires on each. Null where files have no content id.
   */
  readonly knownHashes: ModelHashes | null;
  /** Read, check and hash a model file (never changes it). */
  prepare(
    path: string,
    options?: {
      signal?: AbortSignal;
      onProgress?: (progress: IPushProgress) => void;
    }
  ): Promise<IPreparedModel>;
  /** Create the artifact, upload, confirm; throws a `PushError`. */
  push(model: IPreparedModel, options: IPushOptions): Promise<IPushResult>;
  /** An earlier push of these bytes to that collection, if any. */
  findDuplicate(
    model: IPreparedModel,
    registryUrl: string,
    collectionId: string
  ): IPushRecord | undefined;
}

export const IModelPusher = new Token<IModelPusher>(
  'luml-notebooks:IModelPusher',
  'Pushes model files to the LUML Registry and remembers what was pushed.'
);
