/**
 * A notebook opened by its link (`lab/index.html?path=…`) gets its kernel
 * started while JupyterLab loads, not once the notebook has opened: the
 * session is the one the notebook would start (same path, same name, the
 * default kernel), so the notebook finds it running and attaches to it.
 * Nothing starts for a link to anything else, or to a file that is not
 * there.
 */
import { PathExt } from '@jupyterlab/coreutils';
import type { Contents, KernelSpec, Session } from '@jupyterlab/services';

/** The notebook a page's query opens, if it opens one. */
export function notebookOfLink(search: string): string | null {
  const path = new URLSearchParams(search).get('path');
  return path && path.toLowerCase().endsWith('.ipynb') ? path : null;
}

export interface IEarlyStartServices {
  contents: Contents.IManager;
  kernelspecs: KernelSpec.IManager;
  sessions: Session.IManager;
}

/**
 * Start the session of `path` once `kernelReady` resolves (the notebook is
 * looked up meanwhile); what it did, for the log.
 */
export async function startNotebookKernel(
  services: IEarlyStartServices,
  path: string,
  kernelReady: Promise<unknown>
): Promise<'started' | 'running' | 'no notebook' | 'no kernel'> {
  const { contents, kernelspecs, sessions } = services;
  const found = contents.get(path, { content: false }).then(
    () => true,
    () => false
  );
  await kernelReady;
  if (!(await found)) {
    return 'no notebook';
  }
  await kernelspecs.ready;
  if (!kernelspecs.specs?.default) {
    // a kernel registered by a plugin that activated after the first listing
    await kernelspecs.refreshSpecs();
  }
  const name = kernelspecs.specs?.default;
  if (!name) {
    return 'no kernel';
  }
  await sessions.ready;
  if ([...sessions.running()].some(model => model.path === path)) {
    return 'running';
  }
  const session = await sessions.startNew({
    path,
    type: 'notebook',
    name: PathExt.basename(path),
    kernel: { name }
  });
  // the notebook opens its own connection to the same session
  session.dispose();
  return 'started';
}
