import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  MAX_NAME_LENGTH,
  checkInstanceName,
  freeName,
  nameKey
} from '../../instances/names';

function message(raw: string, others: string[] = []): string {
  const check = checkInstanceName(raw, others);
  assert.equal(check.ok, false, `${JSON.stringify(raw)} should be refused`);
  return check.ok ? '' : check.message;
}

describe('checkInstanceName', () => {
  it('refuses empty and whitespace-only names', () => {
    for (const raw of ['', '   ', '\t\n', '\u3000']) {
      assert.match(message(raw), /Give the instance a name/);
    }
  });

  it('trims and folds whitespace, keeps the rest as typed', () => {
    assert.deepEqual(checkInstanceName('  My\tmodels \n 2024 ', []), {
      ok: true,
      name: 'My models 2024'
    });
  });

  it('keeps HTML and script as plain text', () => {
    const raw = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    assert.deepEqual(checkInstanceName(raw, []), { ok: true, name: raw });
  });

  it('allows any script, emoji and joiners', () => {
    for (const raw of [
      'Модели',
      'ノートブック',
      'نوت‌بوک',
      '👩‍🔬 lab',
      'Ελληνικά'
    ]) {
      assert.deepEqual(checkInstanceName(raw, []), { ok: true, name: raw });
    }
  });

  it('refuses control characters and bidirectional overrides', () => {
    assert.match(message('a\u0000b'), /control characters/);
    assert.match(message('gpj.\u202Eexe'), /control characters/);
  });

  it('counts characters, not UTF-16 units', () => {
    const emoji = '😀'.repeat(MAX_NAME_LENGTH);
    assert.equal(checkInstanceName(emoji, []).ok, true);
    assert.match(
      message('x'.repeat(MAX_NAME_LENGTH + 1)),
      /81 characters long; use at most 80/
    );
  });

  it('refuses a name another instance has, ignoring case and width', () => {
    assert.match(message('default', ['Default']), /“Default” already exists/);
    assert.match(message('ＤＥＦＡＵＬＴ', ['Default']), /already exists/);
    assert.match(message('My  lab', ['my lab']), /already exists/);
    assert.equal(checkInstanceName('Default 2', ['Default']).ok, true);
  });
});

describe('freeName', () => {
  it('numbers the name until it is free', () => {
    assert.equal(freeName('Untitled', []), 'Untitled');
    assert.equal(
      freeName('Untitled', ['untitled', 'Untitled 2']),
      'Untitled 3'
    );
  });

  it('compares like the name check', () => {
    assert.equal(nameKey(' A\u00A0b '), 'a b');
  });
});
