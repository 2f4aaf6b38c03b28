// Default notebooks: pure logic, no JupyterLab imports.
export * from './content';
export * from './naming';
export * from './state';
