/** The extension's command ids. */
export namespace CommandIDs {
  /** Open the push dialog for a model file (args: `path`). */
  export const pushModel = 'luml-notebooks:push-model';
  /** Set the Registry URL and API key, and test them. */
  export const registryConnection = 'luml-notebooks:registry-connection';
  export const testRegistryConnection =
    'luml-notebooks:test-registry-connection';
  export const forgetRegistryKey = 'luml-notebooks:forget-registry-key';
}
