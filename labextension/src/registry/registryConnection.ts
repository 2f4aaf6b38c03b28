import { ISignal, Signal } from '@lumino/signaling';

import { litePluginSettings } from '../common/pageConfig';
import { IMessage, renderMessage, textMessage } from '../common/messages';
import { ApiKeyStore } from './apiKeyStore';
import { IOrganization } from './client/apiTypes';
import {
  IRegistryClientOptions,
  RegistryClient
} from './client/registryClient';
import { RegistryError, registryMessage } from './client/registryErrors';
import { DEFAULT_REGISTRY_URL, parseRegistryUrl } from './client/registryUrl';

/**
 * Which Registry the site talks to and with which key: the user's setting,
 * else the URL the site was built with, else the hosted platform. Pure (no
 * JupyterLab imports) so it is tested in Node; the plugin feeds it settings.
 */

/** The plugin id: its settings schema, and its build-time settings. */
export const REGISTRY_PLUGIN_ID = 'luml-notebooks:registry';

/**
 * Where `luml-notebooks run` serves the key of its local Registry, from
 * memory, next to the site (relative to the site's base URL).
 */
export const LOCAL_KEY_FILE = 'luml-local-registry-key.json';

/** What the site builder writes into `litePluginSettings[REGISTRY_PLUGIN_ID]`. */
export interface IRegistryBuildSettings {
  url?: string;
  /** The server that serves the site also serves a key for `url`. */
  localKey?: boolean;
}

export function readRegistryBuildSettings(
  allSettings: string
): IRegistryBuildSettings {
  const mine = litePluginSettings(allSettings, REGISTRY_PLUGIN_ID);
  if (!mine) {
    return {};
  }
  return {
    url: typeof mine.url === 'string' ? mine.url : undefined,
    localKey: mine.localKey === true
  };
}

export type KeySource = 'browser' | 'local-registry' | 'none';

const TEST_RETRY = { retries: 1, baseDelayMs: 500 };

export interface IConnectionReport {
  ok: boolean;
  url: string;
  /** One sentence for the user: the English text of `userMessage`. */
  message: string;
  userMessage: IMessage;
  organizations?: IOrganization[];
  error?: RegistryError;
}

export interface IRegistryConnectionOptions {
  build: IRegistryBuildSettings;
  keys: ApiKeyStore;
  /** Loads the key `luml-notebooks run` serves (only when build.localKey). */
  loadLocalKey?: () => Promise<{ url: string; apiKey: string } | undefined>;
  /** Extra client options (tests: retries, fetch). */
  client?: Partial<IRegistryClientOptions>;
}

export class RegistryConnection {
  private _userUrl = '';
  private _localKey?: { url: string; apiKey: string };
  private _changed = new Signal<this, void>(this);
  readonly ready: Promise<void>;

  constructor(private readonly _options: IRegistryConnectionOptions) {
    this.ready = this._loadLocalKey();
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The URL the site was built with (or the hosted platform). */
  get defaultUrl(): string {
    const built = parseRegistryUrl(this._options.build.url ?? '');
    return built.ok ? built.url : DEFAULT_REGISTRY_URL;
  }

  /** The URL in use: the user's setting when valid, else the default. */
  get url(): string {
    const user = parseRegistryUrl(this._userUrl);
    return user.ok ? user.url : this.defaultUrl;
  }

  /** Why the user's URL setting is ignored, if it is. */
  get urlProblem(): string | undefined {
    if (!this._userUrl.trim()) {
      return undefined;
    }
    const user = parseRegistryUrl(this._userUrl);
    return user.ok ? undefined : user.reason;
  }

  /** Apply the `url` setting ('' means the default). */
  setUserUrl(url: string): void {
    if (url === this._userUrl) {
      return;
    }
    this._userUrl = url;
    this._changed.emit();
  }

  get keySource(): KeySource {
    if (this._options.keys.get(this.url)) {
      return 'browser';
    }
    return this._localKeyFor(this.url) ? 'local-registry' : 'none';
  }

  /** The key for the current URL: the user's, else the local Registry's. */
  apiKey(): string | undefined {
    return this._options.keys.get(this.url) ?? this._localKeyFor(this.url);
  }

  /** Remember a key for the current URL (null forgets it). */
  setApiKey(key: string | null): void {
    if (key === null) {
      this._options.keys.forget(this.url);
    } else {
      this._options.keys.set(this.url, key);
    }
    this._changed.emit();
  }

  /** A client bound to the current URL and key. */
  createClient(options: Partial<IRegistryClientOptions> = {}): RegistryClient {
    const url = this.url;
    return new RegistryClient({
      ...this._options.client,
      ...options,
      baseUrl: url,
      // the key of the URL this client was made for, even if the URL changes
      apiKey: () =>
        this._options.keys.get(url) ?? this._localKeyFor(url) ?? undefined
    });
  }

  /** The `url` setting for what the user typed: '' for the default. */
  settingFor(typed: string): string {
    const parsed = parseRegistryUrl(typed);
    if (!typed.trim() || (parsed.ok && parsed.url === this.defaultUrl)) {
      // stored as '' so a rebuilt site's default applies
      return '';
    }
    return parsed.ok ? parsed.url : typed.trim();
  }

  /**
   * Test a URL and key before saving them ('' means the default URL, and the
   * saved key when the URL is the current one).
   */
  async testWith(
    typedUrl: string,
    apiKey: string,
    signal?: AbortSignal
  ): Promise<IConnectionReport> {
    await this.ready;
    const url = typedUrl.trim() || this.defaultUrl;
    const probe = new RegistryConnection({
      ...this._options,
      build: { url },
      keys: new ApiKeyStore(null),
      loadLocalKey: undefined
    });
    const parsed = parseRegistryUrl(url);
    const key =
      apiKey.trim() ||
      (parsed.ok && parsed.url === this.url ? this.apiKey() : undefined);
    if (key) {
      try {
        probe.setApiKey(key);
      } catch (error) {
        return failure(
          url,
          new RegistryError('missing-key', textMessage(String(error)))
        );
      }
    }
    return probe.testConnection(signal);
  }

  /** Validate the key and list the organizations it sees. */
  async testConnection(signal?: AbortSignal): Promise<IConnectionReport> {
    await this.ready;
    const url = this.url;
    let client: RegistryClient;
    try {
      // a test answers fast: one quick retry, not the push's patience
      client = this.createClient({
        retry: { ...TEST_RETRY, ...this._options.client?.retry }
      });
    } catch (error) {
      return failure(url, error);
    }
    try {
      await client.validateKey({ signal });
      const organizations = await client.listOrganizations({ signal });
      const userMessage =
        organizations.length === 0
          ? registryMessage('connectedNoOrganization', { url })
          : registryMessage('connected', {
              url,
              names: organizations.map(o => o.name).join(', ')
            });
      return {
        ok: true,
        url,
        organizations,
        message: renderMessage(userMessage),
        userMessage
      };
    } catch (error) {
      return failure(url, error);
    }
  }

  private _localKeyFor(url: string): string | undefined {
    return this._localKey && this._localKey.url === url
      ? this._localKey.apiKey
      : undefined;
  }

  private async _loadLocalKey(): Promise<void> {
    if (!this._options.build.localKey || !this._options.loadLocalKey) {
      return;
    }
    try {
      const found = await this._options.loadLocalKey();
      const parsed = parseRegistryUrl(found?.url ?? '');
      if (found && parsed.ok && typeof found.apiKey === 'string') {
        this._localKey = { url: parsed.url, apiKey: found.apiKey };
        this._changed.emit();
      }
    } catch {
      // no local key (a static host): the user sets one
    }
  }
}

function failure(url: string, error: unknown): IConnectionReport {
  const registryError =
    error instanceof RegistryError
      ? error
      : new RegistryError('protocol', textMessage(String(error)));
  return {
    ok: false,
    url,
    message: registryError.message,
    userMessage: registryError.userMessage,
    error: registryError
  };
}
