/**
 * Command ids of LUML Notebooks. Commands that act on one model take an
 * optional `path` argument; without it they act on the model selected in the
 * Models panel (or in the file browser, from its context menu).
 */
export namespace CommandIDs {
  export const showModels = 'luml-notebooks:show-models';
  export const refreshModels = 'luml-notebooks:refresh-models';
  export const inspectModel = 'luml-notebooks:inspect-model';
  export const showModelInFileBrowser =
    'luml-notebooks:show-model-in-file-browser';
  export const downloadModel = 'luml-notebooks:download-model';
  export const pushModel = 'luml-notebooks:push-model';
  export const deleteModel = 'luml-notebooks:delete-model';
}
