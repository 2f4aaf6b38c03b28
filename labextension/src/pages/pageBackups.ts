/**
 * Backup and restore on the instances page, for instances that are not
 * open: the same zip writer, manifest and restorer as inside JupyterLab,
 * over the instance's browser storage (`StorageContents`).
 */
import {
  BackupError,
  BackupReader,
  BlobRandomAccess,
  IRestoreResult,
  Restorer
} from '../backup';
import {
  IFileTypeInfo,
  SiteShippedFiles,
  StorageContents
} from '../backup/storageContents';
import { BackupService } from '../backup/backupService';
import { listBrowserStorage } from '../backup/storageListing';
import { databaseName } from '../instances/ids';
import { checkInstanceName, freeName } from '../instances/names';
import { formatBytes } from '../common/byteSize';
import { IInstanceInfo, InstanceStore } from '../instances/instanceStore';
import { askRestore, ProgressDialog } from './restoreDialogs';
import { litePluginSettings } from '../common/pageConfig';
import { SITE_SETTINGS_ID } from '../site/siteInfo';

/** What the page needs from the site's `jupyter-lite.json`. */
export interface ISiteFacts {
  siteVersion: string;
  allJsonFile: string;
  fileTypes: Record<string, IFileTypeInfo>;
}

/** Reads the site's configuration next to the page; defaults when absent. */
export async function readSiteFacts(siteRoot: string): Promise<ISiteFacts> {
  const facts: ISiteFacts = {
    siteVersion: 'unknown',
    allJsonFile: 'all.json',
    fileTypes: {}
  };
  try {
    const response = await fetch(new URL('jupyter-lite.json', siteRoot));
    const data = (await response.json())?.['jupyter-config-data'] ?? {};
    const site = litePluginSettings(data.litePluginSettings, SITE_SETTINGS_ID);
    if (typeof site?.siteVersion === 'string') {
      facts.siteVersion = site.siteVersion;
    }
    if (typeof data.contentsAllJsonFile === 'string') {
      facts.allJsonFile = data.contentsAllJsonFile;
    }
    if (data.fileTypes && typeof data.fileTypes === 'object') {
      facts.fileTypes = data.fileTypes;
    }
  } catch {
    // a site without its config still has files to back up
  }
  return facts;
}

/** The outcome of a page action, in words for the status line. */
export interface IActionReport {
  text: string;
  error?: boolean;
  /** The instance to focus afterwards. */
  id?: string;
  /** False when no instance changed (the list need not be read again). */
  changed?: boolean;
}

export class PageBackups {
  constructor(
    private readonly _store: InstanceStore,
    private readonly _siteRoot: string,
    private readonly _onCreated: (id: string) => void,
    private readonly _onDeleted: (id: string) => void
  ) {
    this._facts = readSiteFacts(_siteRoot);
  }

  /** Backs up one instance to `<name>-<YYYYMMDD-HHMM>.zip`. */
  async backup(info: IInstanceInfo, name: string): Promise<IActionReport> {
    const facts = await this._facts;
    let contents: StorageContents | null = null;
    const controller = new AbortController();
    const progress = new ProgressDialog(`Backing up “${name}”`, controller);
    try {
      contents = await this._open(info.id);
      const storageName = databaseName(info.id);
      const service = new BackupService({
        contents,
        siteVersion: facts.siteVersion,
        instance: { id: info.id, name },
        list: () =>
          listBrowserStorage({
            storageName,
            baseUrl: this._siteRoot,
            allJsonFile: facts.allJsonFile
          })
      });
      const outcome = await service.backup({
        signal: controller.signal,
        onProgress: p =>
          progress.update(
            p.phase === 'listing'
              ? 'Listing files…'
              : `${p.filesDone} of ${p.filesTotal} files, ${formatBytes(p.bytesDone)}`,
            p.bytesTotal ? p.bytesDone / p.bytesTotal : 0
          )
      });
      const count = outcome.manifest.files.length;
      return {
        text:
          `Backed up “${name}”: ${count} ${count === 1 ? 'file' : 'files'} ` +
          `(${formatBytes(outcome.zipBytes)}) to ${outcome.fileName}.`,
        id: info.id,
        changed: false
      };
    } catch (error) {
      return { ...failure('Backup', error, info.id), changed: false };
    } finally {
      progress.close();
      contents?.close();
    }
  }

  /** Restores a picked zip as a new instance; removed again on any failure. */
  async restoreNew(file: File, otherNames: string[]): Promise<IActionReport> {
    const reader = await this._read(file);
    if (!(reader instanceof BackupReader)) {
      return reader;
    }
    const base =
      reader.manifest?.instance.name ||
      file.name.replace(/\.zip$/i, '').replace(/-\d{8}-\d{4}$/, '') ||
      'Restored instance';
    const choice = await askRestore({
      fileName: file.name,
      reader,
      newName: {
        initial: freeName(base, otherNames),
        check: value => checkInstanceName(value, otherNames)
      }
    });
    if (!choice) {
      return { text: 'Restore cancelled: nothing was changed.' };
    }
    const facts = await this._facts;
    const controller = new AbortController();
    const progress = new ProgressDialog(
      `Restoring “${choice.name}”`,
      controller
    );
    progress.update('Creating the instance…', 0);
    let created: IInstanceInfo | null = null;
    let contents: StorageContents | null = null;
    try {
      created = await this._store.create(choice.name);
      contents = await this._open(created.id);
      const service = new BackupService({
        contents,
        siteVersion: facts.siteVersion,
        instance: { id: created.id, name: created.fullname }
      });
      // nothing of the user's is in a new instance: its shipped files give way
      const result = await service.restore(reader, {
        policy: 'overwrite',
        signal: controller.signal,
        onProgress: p => progress.update(describeProgress(p), fraction(p))
      });
      contents.close();
      contents = null;
      this._onCreated(created.id);
      return {
        text: restoredText(
          `Restored “${created.fullname}” as a new instance`,
          result
        ),
        id: created.id
      };
    } catch (error) {
      contents?.close();
      let removed = '';
      if (created) {
        try {
          await this._store.delete(created.id);
          this._onDeleted(created.id);
          removed = ` The new instance “${created.fullname}” was removed: nothing was kept.`;
        } catch {
          removed = ` The new instance “${created.fullname}” could not be removed; delete it from this page.`;
        }
      }
      const report = failure('Restore', error);
      return { ...report, text: report.text + removed };
    } finally {
      progress.close();
    }
  }

  /** Restores a picked zip into an existing instance, asking about conflicts. */
  async restoreInto(
    info: IInstanceInfo,
    name: string,
    file: File
  ): Promise<IActionReport> {
    const reader = await this._read(file);
    if (!(reader instanceof BackupReader)) {
      return reader;
    }
    let contents: StorageContents | null = null;
    const controller = new AbortController();
    const progress = new ProgressDialog(`Restoring into “${name}”`, controller);
    try {
      contents = await this._open(info.id);
      const preview = await new Restorer(contents).preview(reader);
      const choice = await askRestore({
        fileName: file.name,
        reader,
        into: { name, preview }
      });
      if (!choice) {
        return { text: 'Restore cancelled: nothing was changed.', id: info.id };
      }
      const facts = await this._facts;
      const service = new BackupService({
        contents,
        siteVersion: facts.siteVersion,
        instance: { id: info.id, name }
      });
      progress.update('Checking the backup…', 0);
      const result = await service.restore(reader, {
        policy: choice.policy,
        signal: controller.signal,
        onProgress: p => progress.update(describeProgress(p), fraction(p))
      });
      return {
        text: restoredText(`Restored into “${name}”`, result),
        id: info.id
      };
    } catch (error) {
      return failure('Restore', error, info.id);
    } finally {
      progress.close();
      contents?.close();
    }
  }

  private async _read(file: File): Promise<BackupReader | IActionReport> {
    try {
      return await BackupReader.open(new BlobRandomAccess(file));
    } catch (error) {
      const report = failure(`Could not restore ${file.name}`, error);
      return { ...report, text: report.text + ' Nothing was changed.' };
    }
  }

  private async _open(id: string): Promise<StorageContents> {
    const facts = await this._facts;
    return StorageContents.open(indexedDB, databaseName(id), {
      shipped: new SiteShippedFiles(this._siteRoot, facts.allJsonFile),
      fileTypes: facts.fileTypes
    });
  }

  private readonly _facts: Promise<ISiteFacts>;
}

function describeProgress(p: {
  phase: string;
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
}): string {
  const what =
    p.phase === 'verifying'
      ? 'Checking'
      : p.phase === 'rolling-back'
        ? 'Undoing'
        : 'Writing';
  return `${what}: ${p.filesDone} of ${p.filesTotal} files, ${formatBytes(p.bytesDone)}`;
}

function fraction(p: { bytesDone: number; bytesTotal: number }): number {
  return p.bytesTotal ? p.bytesDone / p.bytesTotal : 0;
}

function restoredText(lead: string, result: IRestoreResult): string {
  const parts = [
    `${lead}: ${result.written.length} ${result.written.length === 1 ? 'file' : 'files'} written.`
  ];
  if (result.identical.length) {
    parts.push(`${result.identical.length} were already identical.`);
  }
  if (result.skipped.length) {
    parts.push(`${result.skipped.length} existing files were kept.`);
  }
  if (result.renamed.size) {
    parts.push(`${result.renamed.size} were restored as “(restored)” copies.`);
  }
  parts.push(
    result.verified
      ? 'Every file matched the sha256 in the backup.'
      : 'Not verified: the zip had no LUML Notebooks manifest to check the files against.'
  );
  return parts.join(' ');
}

function failure(what: string, error: unknown, id?: string): IActionReport {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof BackupError) {
    if (error.code === 'cancelled') {
      return { text: `${what} cancelled. ${message}`, id };
    }
    return { text: `${what} failed: ${message}`, error: true, id };
  }
  return { text: `${what} failed: ${message}`, error: true, id };
}
