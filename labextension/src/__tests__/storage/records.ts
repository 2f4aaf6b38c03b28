import type { IStoredModel } from '../../storage/schema';

/** A file's record as the drive stores it, before its content is put. */
export function fileRecord(
  path: string,
  lastModified = '2026-01-01T00:00:00.000Z'
): IStoredModel {
  return {
    name: path.slice(path.lastIndexOf('/') + 1),
    path,
    type: 'file',
    format: 'base64',
    mimetype: 'application/octet-stream',
    content: null,
    size: 0,
    writable: true,
    created: '2026-01-01T00:00:00.000Z',
    last_modified: lastModified
  };
}
