import type {
  ReadonlyJSONObject,
  ReadonlyPartialJSONObject
} from '@lumino/coreutils';

import type { IModelsPanel } from './tokens';
import { isModelPath } from '../format/modelFiles';

/** The arguments of the commands that act on one model. */
export const MODEL_COMMAND_ARGS: { args: ReadonlyJSONObject } = {
  args: {
    type: 'object',
    properties: {
      path: {
        type: 'string',
        description:
          'The model file; by default the model selected in the Models panel'
      },
      from: {
        type: 'string',
        enum: ['file-browser'],
        description: 'Act on the model file selected in the file browser'
      }
    }
  }
};

/** Where a model command looks for its model when no path is given. */
export interface IModelCommandSources {
  /** The Models panel, if there is one. */
  panel: Pick<IModelsPanel, 'selectedPath'> | null;
  /** The items selected in the file browser, if there is one. */
  fileBrowserSelection: () => Iterable<{ type: string; path: string }>;
}

/**
 * The model a command acts on: its `path` argument, else the first model file
 * selected in the file browser (with `from: 'file-browser'`), else the model
 * selected in the Models panel; null when there is none.
 */
export function modelCommandPath(
  args: ReadonlyPartialJSONObject,
  sources: IModelCommandSources
): string | null {
  if (typeof args.path === 'string' && args.path) {
    return args.path;
  }
  if (args.from === 'file-browser') {
    for (const item of sources.fileBrowserSelection()) {
      if (item.type !== 'directory' && isModelPath(item.path)) {
        return item.path;
      }
    }
    return null;
  }
  return sources.panel?.selectedPath ?? null;
}
