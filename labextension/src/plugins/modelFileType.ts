import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { modelIcon } from '../common/icons';
import { MODEL_EXTENSIONS } from '../format/modelFiles';

/**
 * The file type name; the file browser puts it in `data-file-type`, where
 * the context menu of schema/models-panel.json finds model files.
 */
export const MODEL_FILE_TYPE = 'luml-model';

/**
 * Registers model files as a file type, so the file browser shows them with
 * the model icon and their context menu can offer model commands.
 */
export const modelFileTypePlugin: JupyterFrontEndPlugin<void> = {
  id: 'luml-notebooks:model-file-type',
  description: 'Registers the LUML model file type (.luml and legacy names).',
  autoStart: true,
  activate: (app: JupyterFrontEnd): void => {
    app.docRegistry.addFileType({
      name: MODEL_FILE_TYPE,
      displayName: 'LUML Model',
      extensions: MODEL_EXTENSIONS,
      mimeTypes: ['application/x-tar'],
      contentType: 'file',
      fileFormat: 'base64',
      icon: modelIcon
    });
  }
};
