import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Contents } from '@jupyterlab/services';

import {
  InstanceDeletedError,
  StorageFullError,
  guardDriveWrites,
  isQuotaError
} from '../../storage/quotaGuard';

class FakeDrive {
  saved: string[] = [];
  failWith: unknown = null;
  async save(path: string): Promise<string> {
    if (this.failWith) {
      throw this.failWith;
    }
    this.saved.push(path);
    return path;
  }
  async get(path: string): Promise<string> {
    if (this.failWith) {
      throw this.failWith;
    }
    return path;
  }
}

const quota = new DOMException(
  'The quota has been exceeded.',
  'QuotaExceededError'
);

describe('guardDriveWrites', () => {
  it('recognizes quota errors from every browser', () => {
    assert.equal(isQuotaError(quota), true);
    assert.equal(isQuotaError({ name: 'NS_ERROR_DOM_QUOTA_REACHED' }), true);
    assert.equal(isQuotaError({ code: 22 }), true);
    assert.equal(isQuotaError(new Error('boom')), false);
    assert.equal(isQuotaError(null), false);
    // already explained by the guard: a restore must still see a full disk
    assert.equal(isQuotaError(new StorageFullError('a.csv', quota)), true);
  });

  it('turns a full-storage failure into a clear message', async () => {
    const drive = new FakeDrive();
    const full: StorageFullError[] = [];
    guardDriveWrites(drive as unknown as Contents.IDrive, {
      onFull: error => full.push(error),
      isDeleted: () => false
    });
    assert.equal(await drive.save('a.ipynb'), 'a.ipynb');
    drive.failWith = quota;
    await assert.rejects(drive.save('data/big.csv'), (error: Error) => {
      assert.ok(error instanceof StorageFullError);
      assert.match(
        error.message,
        /not enough browser storage to save “data\/big.csv”/
      );
      assert.match(error.message, /Nothing was overwritten/);
      assert.equal(error.cause, quota);
      return true;
    });
    assert.equal(full.length, 1);
    // reads are not wrapped, other errors pass unchanged
    await assert.rejects(drive.get('x'), { name: 'QuotaExceededError' });
    drive.failWith = new TypeError('other');
    await assert.rejects(drive.save('b'), TypeError);
  });

  it('says the instance is gone once it was deleted', async () => {
    const drive = new FakeDrive();
    guardDriveWrites(drive as unknown as Contents.IDrive, {
      onFull: () => assert.fail('not a quota problem'),
      isDeleted: () => true
    });
    drive.failWith = new DOMException('aborted', 'AbortError');
    await assert.rejects(drive.save('n.ipynb'), (error: Error) => {
      assert.ok(error instanceof InstanceDeletedError);
      assert.match(
        error.message,
        /instance was deleted .* “n.ipynb” cannot be saved/
      );
      return true;
    });
  });
});
