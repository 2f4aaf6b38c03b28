// hash-wasm's sha256-only build: the package index bundles every algorithm
// (about 200 KB), this one only sha256.
declare module 'hash-wasm/dist/sha256.umd.min.js' {
  export { createSHA256 } from 'hash-wasm';
}
