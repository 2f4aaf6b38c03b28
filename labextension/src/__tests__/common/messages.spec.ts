import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { errorText } from '../../common/errors';
import {
  englishText,
  IMessage,
  ITextBundle,
  messageCodes,
  messageText,
  renderMessage,
  textMessage
} from '../../common/messages';
// every module that defines messages, so each code is registered
import { BytesByteSource, readLumlModel, tarMessage } from '../../format';
import {
  backupMessage,
  BackupError,
  parseManifest,
  safeEntryPath
} from '../../backup';
import {
  httpError,
  ICallContext,
  networkError,
  registryMessage
} from '../../registry/client/registryErrors';
import { parseRegistryUrl } from '../../registry/client/registryUrl';
import { fileNameProblem, pushMessage } from '../../registry/pushService';
import { writeError } from '../../storage/errors';
import {
  InstanceDeletedError,
  StorageFullError
} from '../../storage/quotaGuard';
import { describeUsage, describePersistence } from '../../pages/storageHealth';

const FEATURES = [
  'tar',
  'luml',
  'backup',
  'registry',
  'push',
  'storage',
  'storageHealth',
  'common'
];

/** A bundle that records each sentence and the values it was given. */
function recorder(): ITextBundle & { calls: [string, unknown[]][] } {
  const calls: [string, unknown[]][] = [];
  return {
    calls,
    __: (msgid: string, ...args: unknown[]) => {
      calls.push([msgid, args]);
      return englishText.__(msgid, ...args);
    }
  };
}

/** A "translation" that marks each sentence, to see where it was used. */
const shouting: ITextBundle = {
  __: (msgid: string, ...args: unknown[]) =>
    englishText.__(msgid.toUpperCase(), ...args)
};

function codeParts(code: string): [string, string] {
  const dot = code.indexOf('.');
  return [code.slice(0, dot), code.slice(dot + 1)];
}

describe('messages', () => {
  it('gives every code a sentence that uses each of its placeholders', () => {
    const codes = messageCodes();
    assert.ok(codes.length > 100, `only ${codes.length} codes registered`);
    for (const code of codes) {
      const [feature, key] = codeParts(code);
      assert.ok(FEATURES.includes(feature), `${code}: unknown feature`);
      assert.ok(key.length > 0, code);
      if (code === 'common.text') {
        continue; // carries uncoded text as it is
      }
      // every parameter a sentence asks for gets a value
      const params = new Proxy(
        {},
        { get: (_, name) => `<${String(name)}>` }
      ) as { [name: string]: string };
      const trans = recorder();
      const text = messageText(code)!(trans, params);
      assert.equal(trans.calls.length, 1, `${code}: one sentence`);
      const [msgid, args] = trans.calls[0];
      assert.ok(msgid.trim().length > 0, code);
      const used = [...msgid.matchAll(/%(\d+)/g)].map(m => Number(m[1]));
      const highest = used.length ? Math.max(...used) : 0;
      assert.equal(highest, args.length, `${code}: ${msgid}`);
      for (let n = 1; n <= args.length; n++) {
        assert.ok(used.includes(n), `${code}: %${n} unused in ${msgid}`);
      }
      assert.doesNotMatch(text, /%\d|undefined/, code);
    }
  });

  it("fills placeholders by JupyterLab's rule (Gettext.strfmt)", () => {
    assert.equal(englishText.__('%1%% of %2', 5, 10), '5% of 10');
    assert.equal(englishText.__('%%1 stays', 'x'), '%1 stays');
    assert.equal(englishText.__('%2 before %1', 'a', 'b'), 'b before a');
    // a value is never read as a placeholder
    assert.equal(englishText.__('%1 and %2', '%2', 'b'), '%2 and b');
    assert.equal(englishText.__('(less than 1%).'), '(less than 1%).');
  });

  it('translates messages inside messages, and lists', () => {
    const message = backupMessage('restoreNotUndone', {
      cause: backupMessage('storageFull'),
      left: [backupMessage('keptAs', { path: 'a.txt', aside: '.x/a' }), 'b']
    });
    assert.equal(
      renderMessage(message),
      "The restore stopped (the browser's storage for this site is full) and could not undo everything: a.txt (kept as .x/a), b. Your original files were kept."
    );
    assert.equal(
      renderMessage(message, shouting),
      "THE RESTORE STOPPED (THE BROWSER'S STORAGE FOR THIS SITE IS FULL) AND COULD NOT UNDO EVERYTHING: a.txt (KEPT AS .x/a), b. YOUR ORIGINAL FILES WERE KEPT."
    );
    assert.equal(renderMessage(textMessage('as is'), shouting), 'as is');
  });

  it("keeps an error's English message and translates it for the UI", () => {
    const error = new BackupError('not-a-zip', backupMessage('notAZip'));
    assert.equal(
      error.message,
      'This file is not a zip archive. Choose a backup (.zip) made by LUML Notebooks or a zip of notebook files.'
    );
    assert.equal(errorText(error), error.message);
    assert.equal(errorText(error, shouting), error.message.toUpperCase());
    assert.equal(errorText(new Error('plain'), shouting), 'plain');
    assert.equal(errorText('thrown text', shouting), 'thrown text');
  });
});

describe('the English texts stay as they were', () => {
  it('tar and .luml reading', async () => {
    const tarProblem: IMessage = tarMessage('dataCut', {
      missing: 10,
      size: 1024,
      dataOffset: 512
    });
    assert.equal(
      renderMessage(tarProblem),
      'a member needs 10 bytes past the end of the file (file is 1024 bytes, member data starts at byte 512)'
    );
    const json = await readLumlModel(
      new BytesByteSource(new TextEncoder().encode('{"a": 1}'))
    );
    assert.equal(
      json.ok ? '' : json.reason,
      'This file is not a LUML model: it is not a tar archive (no valid tar header at its start); it looks like JSON text.'
    );
    const gzip = await readLumlModel(
      new BytesByteSource(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]))
    );
    assert.equal(
      gzip.ok ? '' : gzip.reason,
      'This is a gzip file, not a LUML model (a LUML model is an uncompressed tar archive). If it is a gzipped model, decompress it (gunzip) and open the result.'
    );
    const zip = await readLumlModel(
      new BytesByteSource(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0]))
    );
    assert.equal(
      zip.ok ? '' : zip.reason,
      'This is a zip file, not a LUML model (a LUML model is an uncompressed tar archive).'
    );
    assert.equal(
      renderMessage(
        { code: 'luml.truncated', params: { problem: tarProblem } },
        shouting
      ),
      'THE FILE IS TRUNCATED (A MEMBER NEEDS 10 BYTES PAST THE END OF THE FILE (FILE IS 1024 BYTES, MEMBER DATA STARTS AT BYTE 512)). IT WAS PROBABLY CUT OFF WHILE UPLOADING OR COPYING: UPLOAD OR EXPORT IT AGAIN.'
    );
  });

  it('backup and restore', () => {
    assert.throws(
      () => safeEntryPath('../x'),
      new BackupError(
        'unsafe-path',
        backupMessage('unsafePath', {
          path: '"../x"',
          reason: backupMessage('climbsOut')
        })
      )
    );
    assert.throws(() => safeEntryPath('../x'), {
      message:
        'The archive contains an unsafe path "../x" (it climbs out of the instance with ..). Nothing was restored: the archive may be malicious.'
    });
    assert.throws(() => parseManifest(new TextEncoder().encode('{}')), {
      message:
        'The backup\'s manifest (luml-backup.json) is damaged: its format is not "luml-notebooks-backup".'
    });
    assert.throws(
      () =>
        parseManifest(
          new TextEncoder().encode(
            '{"format": "luml-notebooks-backup", "formatVersion": 99, "files": []}'
          )
        ),
      {
        message:
          'This backup was made by a newer LUML Notebooks (backup format 99; this site reads up to 1). Open it in an up-to-date site.'
      }
    );
  });

  it('the Registry client', () => {
    const context: ICallContext = {
      registryUrl: 'https://registry.example/',
      what: registryMessage('listOrbits'),
      phase: 'api',
      resource: 'organization',
      siteOrigin: 'https://notebooks.example'
    };
    assert.equal(
      httpError(404, '{"detail": "no such org"}', context).message,
      'The organization was not found when trying to list the orbits. It may have been deleted, or the key belongs to another organization: pick again. The Registry said: no such org'
    );
    assert.equal(
      httpError(503, 'busy', { ...context, phase: 'storage' }).message,
      "The Registry's storage had a server error (HTTP 503) when trying to list the orbits. Try again later; if it keeps failing, tell the Registry's operator. (busy)"
    );
    assert.equal(
      httpError(500, '', context).message,
      "The Registry at https://registry.example had a server error (HTTP 500) when trying to list the orbits. Try again later; if it keeps failing, tell the Registry's operator."
    );
    assert.equal(
      httpError(422, '', context).message,
      'The Registry rejected the request to list the orbits (HTTP 422).'
    );
    assert.equal(
      networkError('https://registry.example/v1/x?sig=1', {
        ...context,
        what: registryMessage('uploadPart', { number: 2, count: 5 })
      }).message,
      "Could not reach https://registry.example to upload part 2 of 5: check the URL, that the Registry is running, and that it allows this site's origin (https://notebooks.example)."
    );
    const url = parseRegistryUrl('ftp://registry.example');
    assert.equal(
      url.ok ? '' : url.reason,
      'The Registry URL must start with https:// (or http:// for a local Registry), not ftp://.'
    );
    assert.equal(
      fileNameProblem('model.lu ml'),
      'The Registry does not accept the file name "model.lu ml": rename the file to "<name>.<extension>" without spaces in the extension and without any of : " * ` ~ # % ; \' ^'
    );
    assert.equal(
      renderMessage(
        pushMessage('notMarkedFailed', {
          problem: registryMessage('cancelled'),
          artifact: 'a1'
        })
      ),
      'The push was cancelled. Artifact a1 could not be marked upload_failed now; that happens at the next push to this Registry. Your local file is unchanged.'
    );
  });

  it('storage writes and storage health', () => {
    const quota = Object.assign(new Error('quota exceeded'), {
      name: 'QuotaExceededError'
    });
    assert.equal(
      writeError('data/a.csv', 3 * 2 ** 20, quota).message,
      'Not enough browser storage to save “data/a.csv” (3.0 MiB). The file keeps its previous content. Free space by deleting files or instances you no longer need, then save again.'
    );
    assert.equal(
      writeError('a.csv', 2 ** 19, new Error('disk on fire')).message,
      'The browser could not save “a.csv” (0.5 MiB): disk on fire. The file keeps its previous content.'
    );
    assert.equal(
      new StorageFullError('', quota).message,
      'There is not enough browser storage to save the file. Nothing was overwritten: files keep their last saved version. Free space by deleting files, checkpoints or instances you no longer need (download anything you want to keep first), then save again.'
    );
    assert.equal(
      new InstanceDeletedError('n.ipynb', undefined).message,
      'This instance was deleted from this browser, so “n.ipynb” cannot be saved here. Copy what you need, then open another instance.'
    );
    const health = { persisted: false, usage: 5e8, quota: 1e9 };
    assert.equal(
      describeUsage(health),
      'Storage use for this site: 500 MB of 1.0 GB available (50%).'
    );
    assert.equal(
      describeUsage({ ...health, usage: 5e5 }),
      'Storage use for this site: 500 KB of 1.0 GB available (less than 1%).'
    );
    assert.equal(
      describeUsage({ ...health, usage: null }),
      'Storage use: unknown in this browser.'
    );
    assert.equal(
      describePersistence(health),
      'Persistent storage not granted: the browser may clear instances when space runs low. Back up your work.'
    );
    assert.equal(
      describePersistence(health, shouting),
      'PERSISTENT STORAGE NOT GRANTED: THE BROWSER MAY CLEAR INSTANCES WHEN SPACE RUNS LOW. BACK UP YOUR WORK.'
    );
  });
});
