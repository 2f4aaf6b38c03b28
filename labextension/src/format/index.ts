// The `.luml` model format: pure TypeScript, no JupyterLab imports.
export * from './byteSource';
export * from './jsonPatch';
export * from './lumlReader';
export * from './modelCard';
export * from './modelFiles';
export * from './rangeByteSource';
export * from './sha256';
export * from './tar';
