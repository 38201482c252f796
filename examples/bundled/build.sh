#!/usr/bin/env sh
# Rebuilds dist/app.js and its source map from src/ with esbuild (from the repo's node_modules).
set -e
cd "$(dirname "$0")"
../../node_modules/.bin/esbuild src/app.ts --bundle --platform=node --format=cjs \
  --sourcemap --sources-content=false --outfile=dist/app.js
