import type { TranslationBundle } from '@jupyterlab/translation';

/**
 * The ids of the commands LUML Notebooks adds. Commands that act on one model
 * take an optional `path` argument; without it they act on the model selected
 * in the Models panel (or in the file browser, from its context menu).
 */
export namespace CommandIDs {
  /** Open the Default Notebooks view. */
  export const openDefaults = 'luml-notebooks:open-defaults';
  /** Show how a default differs from its shipped version. */
  export const compareDefault = 'luml-notebooks:compare-default';
  /** Bring back the shipped version of a default. */
  export const resetDefault = 'luml-notebooks:reset-default';
  /** Back up the instance's files into one zip. */
  export const backup = 'luml-notebooks:backup';
  /** Restore files from a backup zip into the instance. */
  export const restore = 'luml-notebooks:restore';
  /** Rename the current instance. */
  export const renameInstance = 'luml-notebooks:rename-instance';
  /** Open another instance. */
  export const switchInstance = 'luml-notebooks:switch-instance';
  /** Go back to the instances page. */
  export const openInstancesPage = 'luml-notebooks:open-instances-page';
  export const showModels = 'luml-notebooks:show-models';
  export const refreshModels = 'luml-notebooks:refresh-models';
  export const inspectModel = 'luml-notebooks:inspect-model';
  export const showModelInFileBrowser =
    'luml-notebooks:show-model-in-file-browser';
  export const downloadModel = 'luml-notebooks:download-model';
  /** Open the push dialog for a model (args: `path`, or `from`). */
  export const pushModel = 'luml-notebooks:push-model';
  export const deleteModel = 'luml-notebooks:delete-model';
  /** Set the Registry URL and API key, and test them. */
  export const registryConnection = 'luml-notebooks:registry-connection';
  export const testRegistryConnection =
    'luml-notebooks:test-registry-connection';
  export const forgetRegistryKey = 'luml-notebooks:forget-registry-key';
  /**
   * JupyterLab's download commands, which a browser site gets from LUML
   * Notebooks in place of JupyterLite's (see plugins/download.ts).
   */
  export const docmanagerDownload = 'docmanager:download';
  export const filebrowserDownload = 'filebrowser:download';
}

/**
 * The command palette category of every LUML Notebooks command: one family,
 * so the product's commands sit together under one heading.
 */
export function paletteCategory(trans: TranslationBundle): string {
  return trans.__('LUML Notebooks');
}
