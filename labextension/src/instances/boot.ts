/**
 * Which instance a JupyterLab page opens, decided before JupyterLab starts
 * (its storage names are fixed when its services start).
 */
import { INSTANCE_PARAM, isInstanceId } from './ids';
import { IInstanceInfo, InstanceStore } from './instanceStore';

/** The name of the instance made when a browser has none. */
export const DEFAULT_INSTANCE_NAME = 'Default';

export type BootTarget =
  /** Open this instance; `named` when the URL already said which. */
  | {
      readonly kind: 'open';
      readonly instance: IInstanceInfo;
      readonly named: boolean;
    }
  /** The URL names an instance this browser does not have. */
  | { readonly kind: 'unknown'; readonly id: string }
  /** The URL's `instance` parameter cannot be an instance id. */
  | { readonly kind: 'invalid'; readonly raw: string };

/**
 * `?instance=<id>` opens that instance and nothing else; without it the
 * instance this tab had open (`tabInstance`: JupyterLab's own redirects,
 * such as its workspace URLs, drop the query), else the last used instance,
 * else the oldest, else a new default one.
 */
export async function resolveBootTarget(
  store: InstanceStore,
  search: string,
  tabInstance: string | null = null
): Promise<BootTarget> {
  const raw = new URLSearchParams(search).get(INSTANCE_PARAM);
  if (raw !== null) {
    if (!isInstanceId(raw)) {
      return { kind: 'invalid', raw };
    }
    const instance = await store.get(raw);
    return instance
      ? { kind: 'open', instance, named: true }
      : { kind: 'unknown', id: raw };
  }
  for (const remembered of [tabInstance, store.lastUsed]) {
    if (remembered && isInstanceId(remembered)) {
      const instance = await store.get(remembered);
      if (instance) {
        return { kind: 'open', instance, named: false };
      }
    }
  }
  const all = await store.list();
  if (all.length) {
    return { kind: 'open', instance: all[0], named: false };
  }
  try {
    const instance = await store.create(DEFAULT_INSTANCE_NAME);
    return { kind: 'open', instance, named: false };
  } catch (error) {
    // another tab made one at the same moment (without Web Locks)
    const again = await store.list();
    if (again.length) {
      return { kind: 'open', instance: again[0], named: false };
    }
    throw error;
  }
}
