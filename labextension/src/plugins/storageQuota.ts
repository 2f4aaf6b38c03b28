import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { Contents, IDefaultDrive } from '@jupyterlab/services';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import {
  guardDriveWrites,
  InstanceDeletedError,
  StorageFullError
} from '../storage/quotaGuard';
import { IInstances } from '../instances/tokens';
import { errorText } from '../common/errors';

/** One notice per burst of failed writes (a kernel may write many files). */
const NOTICE_INTERVAL_MS = 10_000;

/**
 * Clear messages when a save fails because browser storage is full, or
 * because the instance was deleted in another tab.
 */
export const storageQuotaPlugin: JupyterFrontEndPlugin<void> = {
  id: 'luml-notebooks:storage-quota',
  description: 'Explains saves that fail because browser storage is full.',
  autoStart: true,
  requires: [IInstances, IDefaultDrive],
  optional: [ITranslator],
  activate: (
    app: JupyterFrontEnd,
    instances: IInstances,
    drive: Contents.IDrive,
    translator: ITranslator | null
  ): void => {
    const current = instances.current;
    if (!current) {
      return;
    }
    const trans = (translator ?? nullTranslator).load('luml_notebooks');
    let lastNotice = 0;
    guardDriveWrites(drive, {
      isDeleted: () => current.deleted,
      onFull: error => {
        const now = Date.now();
        if (now - lastNotice < NOTICE_INTERVAL_MS) {
          return;
        }
        lastNotice = now;
        Notification.error(errorText(error, trans), {
          autoClose: false,
          actions: [
            {
              label: trans.__('See storage use'),
              callback: () => window.open(instances.pageUrl, '_blank')
            }
          ]
        });
      }
    });
    // A save started from a key binding leaves its rejected promise
    // unhandled (the command registry does not await it). The user has
    // been told already: keep it from being reported as an uncaught error.
    window.addEventListener('unhandledrejection', event => {
      if (
        event.reason instanceof StorageFullError ||
        event.reason instanceof InstanceDeletedError
      ) {
        event.preventDefault();
      }
    });
  }
};
