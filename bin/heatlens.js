#!/usr/bin/env node
// The `heatlens` command (package.json "bin"): the CLI is bundled to dist/cli.js by the build.
'use strict';
try {
  require.resolve('../dist/cli.js');
} catch {
  console.error(
    'heatlens: dist/cli.js is missing; run "npm run build" in the Heatlens folder first.',
  );
  process.exit(1);
}
// A CommonJS launcher by design: it must run before anything is compiled.
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../dist/cli.js');
