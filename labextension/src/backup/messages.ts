import { defineMessages } from '../common/messages';

/**
 * What a backup or a restore tells the user, as messages (see
 * `common/messages.ts`). Paths arrive quoted (`JSON.stringify`).
 */
export const backupMessage = defineMessages('backup', {
  cancelled: trans => trans.__('Cancelled.'),
  noFileChosen: trans => trans.__('No file was chosen: nothing was saved.'),

  // writing a backup
  fileTooLargeForZip: (trans, p) =>
    trans.__(
      '%1 is 4 GiB or larger, more than one file of a backup can hold.',
      p.path
    ),
  listFailed: (trans, p) =>
    trans.__('Could not list the folder %1: %2', p.path, p.problem),
  backupStopped: (trans, p) =>
    trans.__('The backup stopped at %1: %2', p.path, p.problem),
  readFailed: (trans, p) =>
    trans.__('Could not read %1 from the instance: %2', p.path, p.problem),

  // the zip directory
  notAZip: trans =>
    trans.__(
      'This file is not a zip archive. Choose a backup (.zip) made by LUML Notebooks or a zip of notebook files.'
    ),
  zipIncomplete: (trans, p) =>
    trans.__(
      'This zip archive is incomplete (%1): the download or copy was probably interrupted. Use a complete copy of the backup.',
      p.detail
    ),
  directoryDamaged: (trans, p) =>
    trans.__(
      "The zip archive's directory is damaged (%1). Nothing was restored.",
      p.detail
    ),
  directoryPastEnd: trans =>
    trans.__('its directory points past the end of the file'),
  atEntry: (trans, p) => trans.__('at entry %1 of %2', p.index, p.count),
  zip64FieldMissing: (trans, p) =>
    trans.__('at entry %1 of %2, its zip64 field is missing', p.index, p.count),
  endsBeforeDirectory: trans => trans.__('it ends before its directory'),
  directoryMissing: trans => trans.__('its directory at the end is missing'),
  zip64EndPastEnd: trans =>
    trans.__('its zip64 end record points past the end of the file'),
  zip64EndMisplaced: trans =>
    trans.__('its zip64 end record is not where its locator says'),
  zip64EndImpossible: trans =>
    trans.__('its zip64 end record holds impossible sizes'),
  entryDataCut: (trans, p) => trans.__('the data of %1 is cut off', p.path),
  countWrapped: (trans, p) =>
    trans.__(
      "This zip archive's end record counts %1 entries, but its directory holds more: the tool that wrote it could not count past 65,535 files, so the count wrapped and a restore would silently leave files out. Nothing was restored. Make the backup again with a current version of LUML Notebooks.",
      p.count
    ),
  splitArchive: trans =>
    trans.__(
      'This is one part of a split (multi-volume) zip archive. Join the parts into one zip first.'
    ),
  entryMisplaced: (trans, p) =>
    trans.__(
      'The zip archive is damaged: the entry %1 is not where its directory says.',
      p.path
    ),

  // the entries and the manifest
  encrypted: trans =>
    trans.__(
      'This zip archive is encrypted. Restore reads unencrypted archives only.'
    ),
  unsupportedMethod: (trans, p) =>
    trans.__(
      '%1 is compressed with method %2; restore reads stored and DEFLATE entries (what every zip tool writes by default).',
      p.path,
      p.method
    ),
  unsafePath: (trans, p) =>
    trans.__(
      'The archive contains an unsafe path %1 (%2). Nothing was restored: the archive may be malicious.',
      p.path,
      p.reason
    ),
  absolutePath: trans => trans.__('an absolute path'),
  driveLetter: trans => trans.__('a drive letter'),
  controlCharacter: trans => trans.__('a control character'),
  climbsOut: trans => trans.__('it climbs out of the instance with ..'),
  emptyName: trans => trans.__('an empty name'),
  manifestDamaged: (trans, p) =>
    trans.__(
      "The backup's manifest (luml-backup.json) is damaged: %1.",
      p.reason
    ),
  manifestNotJson: trans => trans.__('it is not valid JSON'),
  manifestWrongFormat: (trans, p) =>
    trans.__('its format is not "%1"', p.format),
  manifestNoVersion: trans => trans.__('it has no format version'),
  manifestNoFiles: trans => trans.__('it has no file list'),
  manifestBadEntry: (trans, p) =>
    trans.__('file entry %1 lacks a path, size or sha256', p.number),
  newerFormat: (trans, p) =>
    trans.__(
      'This backup was made by a newer LUML Notebooks (backup format %1; this site reads up to %2). Open it in an up-to-date site.',
      p.version,
      p.supported
    ),
  manifestTooLarge: (trans, p) =>
    trans.__(
      "The backup's manifest declares %1 bytes, more than any real manifest.",
      p.size
    ),
  notInManifest: (trans, p) =>
    trans.__(
      'The backup is damaged or was altered: %1 is in the archive but not in its manifest.',
      p.path
    ),
  sizeDiffersFromManifest: (trans, p) =>
    trans.__(
      'The backup is damaged or was altered: %1 holds %2 bytes, its manifest says %3.',
      p.path,
      p.size,
      p.declared
    ),
  missingFromArchive: (trans, p) =>
    trans.__(
      'The backup is incomplete: %1 is in its manifest but missing from the archive.',
      p.path
    ),
  sha256Mismatch: (trans, p) =>
    trans.__(
      "%1 does not match the sha256 recorded in the backup's manifest: the backup was altered or damaged. Nothing was restored.",
      p.path
    ),
  expandsBeyond: (trans, p) =>
    trans.__(
      '%1 expands beyond the %2 bytes its zip directory declares: the archive is damaged or a zip bomb. Nothing was restored.',
      p.path,
      p.size
    ),
  archiveUnreadable: (trans, p) =>
    trans.__('Could not read the archive: %1', p.problem),
  endsInsideEntry: (trans, p) =>
    trans.__('The archive ends inside %1: it is incomplete.', p.path),
  doesNotDecompress: (trans, p) =>
    trans.__(
      '%1 is damaged in the archive (its compressed data does not decompress: %2). Nothing was restored.',
      p.path,
      p.problem
    ),
  wrongSize: (trans, p) =>
    trans.__(
      '%1 is damaged in the archive: it holds %2 bytes where its directory declares %3. Nothing was restored.',
      p.path,
      p.size,
      p.declared
    ),
  crcMismatch: (trans, p) =>
    trans.__(
      "%1 fails the zip's CRC-32 check: the archive is damaged. Nothing was restored.",
      p.path
    ),
  duplicatePath: (trans, p) =>
    trans.__(
      'The archive holds %1 more than once (or as both a file and a folder), so it is not clear which to restore. Nothing was restored.',
      p.path
    ),
  expandsTooMuch: (trans, p) =>
    trans.__(
      'This archive would expand to %1, more than the %2 a restore accepts: it looks like a zip bomb. Nothing was restored.',
      p.size,
      p.limit
    ),
  compressesTooWell: (trans, p) =>
    trans.__(
      'This archive would expand %1 times (to %2 from %3), far more than real files compress: it looks like a zip bomb. Nothing was restored.',
      p.ratio,
      p.size,
      p.compressed
    ),
  overlappingEntries: (trans, p) =>
    trans.__(
      'The entries %1 and %2 share their data: the archive is crafted (an overlapping zip bomb) or damaged. Nothing was restored.',
      p.first,
      p.second
    ),

  // restoring
  noRoom: (trans, p) =>
    trans.__(
      'This restore needs about %1 of browser storage and the site has %2 left. Free some space (delete files or other instances) and try again. Nothing was restored.',
      p.needed,
      p.available
    ),
  restoreCancelled: trans => trans.__('the restore was cancelled'),
  storageFull: trans => trans.__("the browser's storage for this site is full"),
  keptAs: (trans, p) => trans.__('%1 (kept as %2)', p.path, p.aside),
  restoreUndone: (trans, p) =>
    trans.__(
      'The restore stopped (%1). Everything it wrote was removed: the instance is as it was before.',
      p.cause
    ),
  restoreNotUndone: (trans, p) =>
    trans.__(
      'The restore stopped (%1) and could not undo everything: %2. Your original files were kept.',
      p.cause,
      p.left
    )
});
