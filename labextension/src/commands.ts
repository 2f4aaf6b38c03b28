/**
 * The ids of the commands LUML Notebooks adds.
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
  /** Open the push dialog for a model file (args: `path`). */
  export const pushModel = 'luml-notebooks:push-model';
  /** Set the Registry URL and API key, and test them. */
  export const registryConnection = 'luml-notebooks:registry-connection';
  export const testRegistryConnection =
    'luml-notebooks:test-registry-connection';
  export const forgetRegistryKey = 'luml-notebooks:forget-registry-key';
}
