// Backup and restore of an instance's files: pure TypeScript over a
// contents manager, no JupyterLab imports.
export * from './backupReader';
export * from './backupWriter';
export * from './compression';
export * from './contents';
export * from './errors';
export * from './manifest';
export * from './messages';
export * from './paths';
export * from './randomAccess';
export * from './restore';
export * from './zipDirectory';
export * from './zipWriter';
