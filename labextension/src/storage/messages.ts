import { defineMessages } from '../common/messages';

/**
 * What a failed write tells the user, as messages (see
 * `common/messages.ts`). Each says that nothing was lost.
 */
export const storageMessage = defineMessages('storage', {
  writeNoSpace: (trans, p) =>
    trans.__(
      'Not enough browser storage to save “%1” (%2). The file keeps its previous content. Free space by deleting files or instances you no longer need, then save again.',
      p.path,
      p.size
    ),
  writeRefused: (trans, p) =>
    trans.__(
      'The browser refused to store “%1” (%2): %3. The file keeps its previous content.',
      p.path,
      p.size,
      p.problem
    ),
  writeFailed: (trans, p) =>
    trans.__(
      'The browser could not save “%1” (%2): %3. The file keeps its previous content.',
      p.path,
      p.size,
      p.problem
    ),
  full: (trans, p) =>
    trans.__(
      'There is not enough browser storage to save “%1”. Nothing was overwritten: files keep their last saved version. Free space by deleting files, checkpoints or instances you no longer need (download anything you want to keep first), then save again.',
      p.path
    ),
  fullUnnamed: trans =>
    trans.__(
      'There is not enough browser storage to save the file. Nothing was overwritten: files keep their last saved version. Free space by deleting files, checkpoints or instances you no longer need (download anything you want to keep first), then save again.'
    ),
  instanceDeleted: (trans, p) =>
    trans.__(
      'This instance was deleted from this browser, so “%1” cannot be saved here. Copy what you need, then open another instance.',
      p.path
    ),
  instanceDeletedUnnamed: trans =>
    trans.__(
      'This instance was deleted from this browser, so the file cannot be saved here. Copy what you need, then open another instance.'
    )
});
