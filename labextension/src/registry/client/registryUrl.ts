/**
 * The Registry's address: the hosted default, and the check that turns what
 * a user typed into a base URL the client can use (or says why it cannot).
 */

export const DEFAULT_REGISTRY_URL = 'https://api.luml.ai';

/**
 * A Registry base URL cleaned for use (`https://host[:port][/path]`, no
 * trailing slash), or a sentence saying why the text is not one.
 */
export function parseRegistryUrl(
  text: string
): { ok: true; url: string } | { ok: false; reason: string } {
  const trimmed = text.trim();
  if (!trimmed) {
    return { ok: false, reason: 'The Registry URL is empty.' };
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return {
      ok: false,
      reason: `"${trimmed}" is not a URL: write it like ${DEFAULT_REGISTRY_URL}.`
    };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return {
      ok: false,
      reason: `The Registry URL must start with https:// (or http:// for a local Registry), not ${url.protocol}//.`
    };
  }
  if (url.username || url.password) {
    return {
      ok: false,
      reason:
        'Do not put a user name, password or key into the Registry URL: set the API key separately.'
    };
  }
  if (url.search || url.hash) {
    return {
      ok: false,
      reason:
        'The Registry URL must not have a query (?…) or fragment (#…): use just the address, like https://api.luml.ai.'
    };
  }
  return {
    ok: true,
    url: url.origin + url.pathname.replace(/\/+$/, '')
  };
}
