import { unzipSync } from 'fflate';

import { IByteSource } from './byteSource';

/** A model card zip holds one small HTML page; anything bigger is refused. */
export const MODEL_CARD_MAX_ZIP_BYTES = 16 * 1024 * 1024;
export const MODEL_CARD_MAX_HTML_BYTES = 16 * 1024 * 1024;

export interface IModelCardEntry {
  dataOffset: number;
  size: number;
}

export type ModelCardResult =
  { ok: true; html: string; fileName: string } | { ok: false; reason: string };

/**
 * The HTML inside a `model_card.zip` member (written by luml-sdk's
 * `add_model_card` as `index.html`). The HTML is returned as a string: showing
 * it safely (a sandboxed iframe) is the caller's job.
 */
export async function readModelCardHtml(
  source: IByteSource,
  entry: IModelCardEntry | [number, number]
): Promise<ModelCardResult> {
  const [offset, size] = Array.isArray(entry)
    ? entry
    : [entry.dataOffset, entry.size];
  if (size > MODEL_CARD_MAX_ZIP_BYTES) {
    return {
      ok: false,
      reason: `model_card.zip is too large (${size} bytes); it is not shown`
    };
  }
  try {
    const bytes = await source.read(offset, size);
    if (bytes.length !== size) {
      return { ok: false, reason: 'model_card.zip is cut short in the file' };
    }
    let tooLarge = false;
    const files = unzipSync(bytes, {
      filter: file => {
        if (!/\.html?$/i.test(file.name)) {
          return false;
        }
        // declared size, so a zip bomb is refused before inflating
        if (file.originalSize > MODEL_CARD_MAX_HTML_BYTES) {
          tooLarge = true;
          return false;
        }
        return true;
      }
    });
    const names = Object.keys(files);
    const name = names.includes('index.html') ? 'index.html' : names.sort()[0];
    if (name === undefined) {
      return {
        ok: false,
        reason: tooLarge
          ? 'the model card HTML is too large to show'
          : 'model_card.zip holds no HTML file'
      };
    }
    const html = new TextDecoder('utf-8').decode(files[name]);
    return { ok: true, html, fileName: name };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      ok: false,
      reason: `model_card.zip could not be opened: ${message}`
    };
  }
}
