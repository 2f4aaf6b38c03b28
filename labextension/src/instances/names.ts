/**
 * Rules for instance names. Names are free text shown as text (never HTML):
 * any script, any language. They must say something, stay readable in a list,
 * and tell instances apart.
 */

/** Longest name, in characters (code points). */
export const MAX_NAME_LENGTH = 80;

export type NameCheck =
  | { readonly ok: true; readonly name: string }
  | { readonly ok: false; readonly message: string };

/** The form in which two names count as the same. */
export function nameKey(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/gu, ' ').toLowerCase();
}

/**
 * Check a typed name against the names of the other instances. The name is
 * kept as typed except that surrounding spaces are dropped and runs of
 * whitespace (tabs, new lines) become one space.
 */
export function checkInstanceName(
  raw: string,
  otherNames: readonly string[]
): NameCheck {
  const name = raw.normalize('NFC').replace(/\s+/gu, ' ').trim();
  if (!name) {
    return { ok: false, message: 'Give the instance a name.' };
  }
  // Control characters and bidirectional overrides can hide or reorder what
  // a name shows; joiners (used by many scripts and emoji) stay allowed.
  if (/[\p{Cc}\u202A-\u202E\u2066-\u2069]/u.test(name)) {
    return {
      ok: false,
      message: 'The name contains invisible control characters; type it again.'
    };
  }
  const length = [...name].length;
  if (length > MAX_NAME_LENGTH) {
    return {
      ok: false,
      message: `The name is ${length} characters long; use at most ${MAX_NAME_LENGTH}.`
    };
  }
  const key = nameKey(name);
  const clash = otherNames.find(other => nameKey(other) === key);
  if (clash !== undefined) {
    return {
      ok: false,
      message: `An instance named “${clash}” already exists in this browser; choose another name.`
    };
  }
  return { ok: true, name };
}

/**
 * A name for a new instance that no other instance has: `base`, then
 * `base 2`, `base 3`...
 */
export function freeName(base: string, otherNames: readonly string[]): string {
  const taken = new Set(otherNames.map(nameKey));
  if (!taken.has(nameKey(base))) {
    return base;
  }
  for (let n = 2; ; n++) {
    const candidate = `${base} ${n}`;
    if (!taken.has(nameKey(candidate))) {
      return candidate;
    }
  }
}
