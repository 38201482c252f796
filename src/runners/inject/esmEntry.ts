/**
 * Intentionally empty. The runner passes `--import esmEntry.js` (beside `-r tsRegister.js`) when
 * the entry file is a TypeScript ES module: any `--import` makes Node start the entry in its ES
 * module loader, where the TypeScript hooks apply; a `-r` preload alone would start an `.mts`
 * entry in the CommonJS loader. A separate, tiny file, because Node scans a CommonJS file loaded
 * by `--import` for its exports, and scanning the 700 KB loader cost about 30 ms.
 */
export {};
