/**
 * The Registry's address: the hosted default, and the check that turns what
 * a user typed into a base URL the client can use (or says why it cannot).
 */

import { IMessage, renderMessage } from '../../common/messages';
import { registryMessage } from './registryMessages';

export const DEFAULT_REGISTRY_URL = 'https://api.luml.ai';

/**
 * A Registry base URL cleaned for use (`https://host[:port][/path]`, no
 * trailing slash), or a sentence saying why the text is not one.
 */
export function parseRegistryUrl(
  text: string
):
  | { ok: true; url: string }
  | { ok: false; reason: string; userMessage: IMessage } {
  const invalid = (userMessage: IMessage) => ({
    ok: false as const,
    reason: renderMessage(userMessage),
    userMessage
  });
  const trimmed = text.trim();
  if (!trimmed) {
    return invalid(registryMessage('urlEmpty'));
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return invalid(
      registryMessage('notAUrl', {
        text: trimmed,
        example: DEFAULT_REGISTRY_URL
      })
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return invalid(registryMessage('urlScheme', { protocol: url.protocol }));
  }
  if (url.username || url.password) {
    return invalid(registryMessage('urlCredentials'));
  }
  if (url.search || url.hash) {
    return invalid(registryMessage('urlQuery'));
  }
  return {
    ok: true,
    url: url.origin + url.pathname.replace(/\/+$/, '')
  };
}
