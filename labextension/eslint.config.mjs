import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import prettierRecommended from 'eslint-plugin-prettier/recommended';
import globals from 'globals';
import jupyterPlugin from '@jupyter/eslint-plugin';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

// The layers, lowest first: a folder may import from its own layer's
// folders only through their tokens, and from lower layers freely.
const PURE = ['format', 'common', 'storage', 'kernel'];
const FEATURES = [
  'site',
  'instances',
  'defaults',
  'backup',
  'discovery',
  'registry',
  'modelsPanel'
];
const TOP = ['plugins', 'pages'];

const layerZones = [
  // pure code never reaches up into features, plugins or pages
  ...PURE.map(from => ({
    target: `./src/${from}`,
    from: [...FEATURES, ...TOP].map(up => `./src/${up}`),
    message: 'Pure code imports nothing from features, plugins or pages.'
  })),
  // features never reach into plugins or pages
  ...FEATURES.map(feature => ({
    target: `./src/${feature}`,
    from: TOP.map(up => `./src/${up}`),
    message: 'Features do not import plugins or pages.'
  }))
];

export default defineConfig([
  {
    ignores: [
      'node_modules',
      'lib',
      'lib-test',
      '**/*.js',
      '**/*.d.ts',
      '**/__tests__'
    ]
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    plugins: {
      jupyter: jupyterPlugin
    }
  },
  jupyterPlugin.configs.recommended,
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver()]
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones: layerZones }]
    }
  },
  {
    // a contract never depends on its implementation: tokens name the
    // feature's types with `import type` (erased when compiled), no values
    files: ['src/*/tokens.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['./*', '../*'],
              allowTypeImports: true,
              message: 'Tokens import types only (`import type`).'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      globals: {
        ...globals.browser,
        ...globals.es2015
      },
      parserOptions: {
        project: 'tsconfig.json',
        sourceType: 'module'
      }
    },
    rules: {
      '@typescript-eslint/naming-convention': [
        'error',
        {
          selector: 'interface',
          format: ['PascalCase'],
          custom: {
            regex: '^I[A-Z]',
            match: true
          }
        }
      ],
      '@typescript-eslint/no-unused-vars': ['warn', { args: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-namespace': 'off',
      '@typescript-eslint/no-use-before-define': 'off',
      curly: ['error', 'all'],
      eqeqeq: 'error',
      'prefer-arrow-callback': 'error'
    }
  },
  {
    // Pages that run outside JupyterLab, and their storage code: no
    // translator exists there, and nothing loads before an application.
    files: ['src/pages/**/*.ts', 'src/instances/*.ts'],
    rules: {
      'jupyter/no-untranslated-string': 'off',
      'jupyter/prefer-lazy-imports': 'off'
    }
  },
  {
    files: ['*.mjs'],
    languageOptions: { globals: { ...globals.node } }
  },
  prettierRecommended
]);
