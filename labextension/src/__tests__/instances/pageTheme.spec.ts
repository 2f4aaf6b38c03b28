import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MemoryStorage } from '../common/memoryStorage';
import {
  IKnownThemes,
  IThemeSettings,
  loadPageTheme,
  PAGE_THEME_KEY,
  pageColorScheme,
  pageThemeOf,
  savePageTheme
} from '../../instances/pageTheme';

const LIGHT = 'JupyterLab Light';
const DARK = 'JupyterLab Dark';

/** JupyterLab's two themes, plus one an extension registered. */
const KNOWN: IKnownThemes = {
  themes: [LIGHT, DARK, 'Solarized Night'],
  isLight: name => name === LIGHT
};

/** The themes plugin's settings: `user` set over JupyterLab's defaults. */
function settings(
  user: Record<string, unknown>,
  site: Record<string, unknown> | null = null
): IThemeSettings {
  const defaults = {
    theme: LIGHT,
    'adaptive-theme': false,
    'preferred-light-theme': LIGHT,
    'preferred-dark-theme': DARK
  };
  return { user, composite: { ...defaults, ...site, ...user }, site };
}

describe('pageThemeOf', () => {
  it('records the theme the user chose, light or dark', () => {
    assert.deepEqual(pageThemeOf(settings({ theme: DARK }), KNOWN), {
      theme: DARK,
      light: false
    });
    assert.deepEqual(
      pageThemeOf(settings({ theme: 'Solarized Night' }), KNOWN),
      {
        theme: 'Solarized Night',
        light: false
      }
    );
  });

  it('records light chosen back explicitly, though it is the default', () => {
    assert.deepEqual(pageThemeOf(settings({ theme: LIGHT }), KNOWN), {
      theme: LIGHT,
      light: true
    });
  });

  it('records nothing when nobody chose: the page follows the system', () => {
    assert.equal(pageThemeOf(settings({}), KNOWN), null);
    // other theme settings are no choice of light or dark
    assert.equal(
      pageThemeOf(settings({ 'theme-scrollbars': true }), KNOWN),
      null
    );
  });

  it("follows the site's overrides when the user chose nothing", () => {
    assert.deepEqual(pageThemeOf(settings({}, { theme: DARK }), KNOWN), {
      theme: DARK,
      light: false
    });
    assert.deepEqual(
      pageThemeOf(settings({ theme: LIGHT }, { theme: DARK }), KNOWN),
      { theme: LIGHT, light: true }
    );
  });

  it('records nothing when JupyterLab follows the system (adaptive)', () => {
    assert.equal(
      pageThemeOf(settings({ theme: DARK, 'adaptive-theme': true }), KNOWN),
      null
    );
    assert.equal(
      pageThemeOf(settings({}, { 'adaptive-theme': true }), KNOWN),
      null
    );
    // turned off again by the user: a choice, of the theme in effect
    assert.deepEqual(
      pageThemeOf(
        settings({ 'adaptive-theme': false }, { 'adaptive-theme': true }),
        KNOWN
      ),
      { theme: LIGHT, light: true }
    );
  });

  it('leaves the record alone while the chosen theme is not registered', () => {
    assert.equal(
      pageThemeOf(settings({ theme: 'Late Theme' }), KNOWN),
      undefined
    );
    const later = {
      themes: [...KNOWN.themes, 'Late Theme'],
      isLight: () => true
    };
    assert.deepEqual(pageThemeOf(settings({ theme: 'Late Theme' }), later), {
      theme: 'Late Theme',
      light: true
    });
  });
});

describe('the record in storage', () => {
  it('is saved, read back and forgotten', () => {
    const storage = new MemoryStorage();
    savePageTheme(storage, { theme: DARK, light: false });
    assert.deepEqual(loadPageTheme(storage), { theme: DARK, light: false });
    assert.equal(pageColorScheme(storage), 'dark');

    savePageTheme(storage, { theme: LIGHT, light: true });
    assert.equal(pageColorScheme(storage), 'light');

    savePageTheme(storage, null);
    assert.equal(storage.items.has(PAGE_THEME_KEY), false);
    assert.equal(pageColorScheme(storage), null);
  });

  it('follows the system when there is no usable record', () => {
    assert.equal(pageColorScheme(null), null);
    for (const text of [
      '',
      'dark',
      '{',
      'null',
      '[]',
      '{"theme":"x"}',
      '{"light":"no"}'
    ]) {
      const storage = new MemoryStorage();
      storage.setItem(PAGE_THEME_KEY, text);
      assert.equal(pageColorScheme(storage), null, text);
    }
  });

  it('never throws where the browser blocks storage', () => {
    const blocked = {
      getItem(): string | null {
        throw new Error('SecurityError');
      },
      setItem(): void {
        throw new Error('QuotaExceededError');
      },
      removeItem(): void {
        throw new Error('SecurityError');
      }
    };
    assert.doesNotThrow(() =>
      savePageTheme(blocked, { theme: DARK, light: false })
    );
    assert.doesNotThrow(() => savePageTheme(blocked, null));
    assert.equal(pageColorScheme(blocked), null);
  });
});
