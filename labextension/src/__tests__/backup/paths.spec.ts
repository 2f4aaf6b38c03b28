import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  backupFileName,
  keepBothName,
  safeEntryPath,
  sanitizeFileName
} from '../../backup';

describe('backup paths', () => {
  it('names the download after the instance and the local time', () => {
    const when = new Date(2026, 2, 4, 9, 7, 59);
    assert.equal(backupFileName('My work', when), 'My-work-20260304-0907.zip');
    assert.equal(
      backupFileName('a/b:c*"d"', when),
      'a-b-c-d-20260304-0907.zip'
    );
    assert.equal(
      backupFileName('Модель ü', when),
      'Модель-ü-20260304-0907.zip'
    );
    assert.equal(backupFileName('..', when), 'instance-20260304-0907.zip');
    assert.equal(sanitizeFileName('x'.repeat(200)).length, 80);
  });

  it('normalizes safe paths and rejects unsafe ones', () => {
    assert.deepEqual(safeEntryPath('a/./b.txt'), {
      path: 'a/b.txt',
      isFolder: false
    });
    assert.deepEqual(safeEntryPath('dir/'), { path: 'dir', isFolder: true });
    assert.deepEqual(safeEntryPath('win\\style.txt'), {
      path: 'win/style.txt',
      isFolder: false
    });
    for (const bad of [
      '../x',
      'a/../../x',
      '/abs',
      'C:\\x',
      'a\u0000b',
      '',
      './'
    ]) {
      assert.throws(() => safeEntryPath(bad), { code: 'unsafe-path' }, bad);
    }
  });

  it('finds a free name to keep both files', () => {
    const taken = new Set(['data/t.csv', 'data/t (restored).csv']);
    assert.equal(
      keepBothName('data/t.csv', p => taken.has(p)),
      'data/t (restored 2).csv'
    );
    assert.equal(
      keepBothName('README', () => false),
      'README (restored)'
    );
  });
});
