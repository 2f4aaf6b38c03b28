import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

/**
 * The Models sidebar as other features see it: which model is selected, so
 * their model commands can act on it without a `path` argument.
 */
export interface IModelsPanel {
  /** The path of the selected model, or null when none is selected. */
  readonly selectedPath: string | null;
  /** Emitted with the new path when the selection changes. */
  readonly selectionChanged: ISignal<any, string | null>;
}

export const IModelsPanel = new Token<IModelsPanel>(
  'luml-notebooks:IModelsPanel',
  'The Models sidebar: which model is selected.'
);
