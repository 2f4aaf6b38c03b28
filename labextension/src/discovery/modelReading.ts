import type { Contents } from '@jupyterlab/services';

import {
  Base64ByteSource,
  IByteSource,
  LumlReadResult,
  readLumlModel,
  readModelCardHtml
} from '../format';

/** The part of `Contents.IManager` reading a model file uses. */
export type ModelReadingContents = Pick<Contents.IManager, 'get'>;

/**
 * Random access to a model file's bytes (a server's byte ranges), so only
 * headers, JSON members and the card are fetched.
 */
export type OpenModelBytes = (path: string) => Promise<IByteSource>;

/** The model card's HTML, why it cannot be shown, or null without a card. */
export type ModelCardContent = { html: string } | { reason: string } | null;

/** Everything a model file says about itself, read from one fetch. */
export interface IModelFileDetails {
  result: LumlReadResult;
  size: number;
  lastModified: string;
  card: ModelCardContent;
}

/**
 * Fetch a model file once and read its metadata and model card from the
 * same bytes (only headers, JSON members and the card are decoded). With
 * `openBytes` the file is read in byte ranges, else whole through the
 * contents API.
 */
export async function readModelFile(
  contents: ModelReadingContents,
  path: string,
  openBytes: OpenModelBytes | null
): Promise<IModelFileDetails> {
  const { source, lastModified } = await readSource(contents, path, openBytes);
  const result = await readLumlModel(source);
  let card: ModelCardContent = null;
  if (result.ok && result.modelCardPath) {
    const entry = result.fileIndex[result.modelCardPath];
    const read = await readModelCardHtml(source, entry);
    card = read.ok ? { html: read.html } : { reason: read.reason };
  }
  return { result, size: source.size, lastModified, card };
}

async function readSource(
  contents: ModelReadingContents,
  path: string,
  openBytes: OpenModelBytes | null
): Promise<{ source: IByteSource; lastModified: string }> {
  if (openBytes) {
    try {
      return await openRanges(contents, path, openBytes);
    } catch (error) {
      // no byte ranges here (the server extension is off): read it whole
      console.info(`Reading ${path} whole: ${String(error)}`);
    }
  }
  return readWhole(contents, path);
}

async function readWhole(
  contents: ModelReadingContents,
  path: string
): Promise<{ source: IByteSource; lastModified: string }> {
  const model = await contents.get(path, {
    type: 'file',
    format: 'base64',
    content: true
  });
  if (typeof model.content !== 'string') {
    throw new Error('the file could not be loaded as binary data');
  }
  return {
    source: new Base64ByteSource(model.content),
    lastModified: model.last_modified ?? ''
  };
}

async function openRanges(
  contents: ModelReadingContents,
  path: string,
  openBytes: OpenModelBytes
): Promise<{ source: IByteSource; lastModified: string }> {
  // the listing entry only: its time tells when to read again
  const [source, model] = await Promise.all([
    openBytes(path),
    contents.get(path, { content: false })
  ]);
  return { source, lastModified: model.last_modified ?? '' };
}
