// Lint: typescript-eslint's type-checked recommendations, plus the import direction the
// architecture asks for (evtx imports nothing else of ours; only the CLI imports everything).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      // node:test's test() returns a promise the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', name: ['test', 'it', 'describe', 'suite'], package: 'node:test' }] }],
    },
  },
  {
    files: ['src/evtx/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../../*', '../cli/*', '../io/*', '../sigma/*', '../events/*', '../sources/*'], message: 'src/evtx imports nothing else of ours.' }] }],
    },
  },
  {
    // The event model is shared by every stage: it imports nothing but itself.
    files: ['src/events/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../sources/*', '../cli/*', '../io/*', '../sigma/*', '../evtx/*', '../../sources/*', '../../cli/*', '../../evtx/*', '../../sigma/*'], message: 'src/events imports nothing else of ours.' }] }],
    },
  },
  {
    files: ['src/sigma/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../*', '!./*'], message: 'src/sigma imports nothing else of ours.' }] }],
    },
  },
  {
    // Lineage reads events only.
    files: ['src/lineage/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../*', '!../events', '!../events/*'], message: 'src/lineage imports only src/events.' }] }],
    },
  },
  {
    // Incidents read events, lineage, the finding shape and the Sigma level type; never readers, the scanner or the CLI.
    files: ['src/incidents/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../*', '!../events', '!../events/*', '!../lineage', '!../lineage/*', '!../detect', '../detect/*', '!../detect/finding.js', '!../sigma', '../sigma/*', '!../sigma/rule.js'], message: 'src/incidents imports only events, lineage, detect/finding and sigma/rule types.' }] }],
    },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
