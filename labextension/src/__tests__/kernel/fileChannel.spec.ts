import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  IChannelEnvironment,
  IServiceWorkerState,
  kernelFileChannel
} from '../../kernel/fileChannel';

/** A page's window: by default not isolated, with a registered worker. */
function environment(
  options: Partial<Omit<IChannelEnvironment, 'serviceWorkerManager'>> & {
    manager?: IServiceWorkerState | null;
  } = {}
): IChannelEnvironment & { asked: number } {
  const env = {
    crossOriginIsolated: options.crossOriginIsolated ?? false,
    serviceWorkers: options.serviceWorkers ?? true,
    asked: 0,
    serviceWorkerManager: async () => {
      env.asked += 1;
      return options.manager === undefined
        ? { ready: Promise.resolve() }
        : options.manager;
    }
  };
  return env;
}

/** What JupyterLite's manager does when the registration fails. */
function failedRegistration(): IServiceWorkerState {
  const ready = Promise.reject(new Error('registration failed'));
  ready.catch(() => undefined);
  return { ready };
}

/** What it does in a browser without service workers: never settles. */
const neverSettles: IServiceWorkerState = { ready: new Promise(() => {}) };

describe('the kernel file channel', () => {
  it('is shared memory in an isolated page, without asking the service worker', async () => {
    const env = environment({
      crossOriginIsolated: true,
      serviceWorkers: false,
      manager: neverSettles
    });
    assert.equal(await kernelFileChannel(env), 'shared-memory');
    assert.equal(env.asked, 0);
  });

  it('is the service worker once it is registered', async () => {
    assert.equal(await kernelFileChannel(environment()), 'service-worker');
  });

  it('is none when the browser gives the page no service workers', async () => {
    // a private window: the manager's `ready` would never settle
    const env = environment({ serviceWorkers: false, manager: neverSettles });
    assert.equal(await kernelFileChannel(env), 'none');
    assert.equal(env.asked, 0);
  });

  it('is none when the registration failed or was blocked', async () => {
    const env = environment({ manager: failedRegistration() });
    assert.equal(await kernelFileChannel(env), 'none');
  });

  it('is none when the app has no service worker manager', async () => {
    assert.equal(
      await kernelFileChannel(environment({ manager: null })),
      'none'
    );
  });

  it('passes on a failure to find the manager rather than guess', async () => {
    const env: IChannelEnvironment = {
      crossOriginIsolated: false,
      serviceWorkers: true,
      serviceWorkerManager: async () => {
        throw new Error('no JupyterLite here');
      }
    };
    await assert.rejects(kernelFileChannel(env), /no JupyterLite here/);
  });
});
