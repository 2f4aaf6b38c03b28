import { TranslationBundle } from '@jupyterlab/translation';

import { DefaultState } from '../tokens';

/** What the user reads for a state, short. */
export function stateLabel(
  state: DefaultState,
  trans: TranslationBundle
): string {
  switch (state) {
    case 'shipped':
      return trans.__('As shipped');
    case 'edited':
      return trans.__('Edited by you');
    case 'updated':
      return trans.__('Newer version shipped');
  }
}

/** A longer explanation of a state, for titles and screen readers. */
export function stateDescription(
  state: DefaultState,
  trans: TranslationBundle
): string {
  switch (state) {
    case 'shipped':
      return trans.__(
        'You have not changed this default, or your copy has its cells.'
      );
    case 'edited':
      return trans.__(
        'Your copy differs from the shipped version. It is kept in this browser.'
      );
    case 'updated':
      return trans.__(
        'A newer version has been shipped since you edited this file. Your copy hides it until you reset.'
      );
  }
}
