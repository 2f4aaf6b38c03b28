/** Ids of the commands LUML Notebooks adds. */
export namespace CommandIDs {
  export const renameInstance = 'luml-notebooks:rename-instance';
  export const switchInstance = 'luml-notebooks:switch-instance';
  export const openInstancesPage = 'luml-notebooks:open-instances-page';
}
