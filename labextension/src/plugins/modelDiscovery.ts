import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';

import { ModelDiscovery } from '../modelDiscovery';
import { IModelDiscovery } from '../tokens';

/**
 * Provides the model discovery service over the app's contents manager; the
 * first scan starts once the layout is restored, so it does not slow the
 * app's start.
 */
export const modelDiscoveryPlugin: JupyterFrontEndPlugin<IModelDiscovery> = {
  id: 'luml-notebooks:model-discovery',
  description:
    'Finds the model files of the instance and reads their metadata.',
  autoStart: true,
  provides: IModelDiscovery,
  activate: (app: JupyterFrontEnd): IModelDiscovery => {
    const discovery = new ModelDiscovery({
      contents: app.serviceManager.contents,
      channelName: channelName(app.serviceManager.serverSettings.baseUrl)
    });
    void app.restored.then(() => discovery.start());
    return discovery;
  }
};

/**
 * One channel per instance: several instances can share an origin (each
 * with its own storage name), and must not hear each other's changes.
 */
function channelName(baseUrl: string): string {
  const storage = PageConfig.getOption('contentsStorageName');
  return `luml-notebooks:models:${baseUrl}:${storage}`;
}
