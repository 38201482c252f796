#!/usr/bin/env sh
# Re-records the saved profiles of the examples workspace with the heatlens CLI (run
# `npm run build` first). Open them with "Heatlens: Open Profile File" (or the explorer's
# context menu): the flame graph opens and the files they name light up, even in another clone.
set -e
cd "$(dirname "$0")/../.."
node dist/cli.js profile examples/js/primes.js --out examples/profiles/primes.cpuprofile 2000000 >/dev/null
node dist/cli.js profile examples/python/service.py --mode cprofile --out examples/profiles/service.prof >/dev/null
