/**
 * The extension's public contracts, one file per feature; other extensions
 * import them from here.
 */
export * from './site/tokens';
export * from './instances/tokens';
export * from './defaults/tokens';
export * from './backup/tokens';
export * from './discovery/tokens';
export * from './registry/tokens';
export * from './modelsPanel/tokens';
