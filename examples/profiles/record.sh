#!/usr/bin/env sh
# Re-records the saved profiles of the examples workspace with the heatlens CLI (run
# `npm run build` first). Open them with "Heatlens: Open Profile File" (or the explorer's
# context menu): the flame graph opens and the files they name light up, even in another clone.
set -e
cd "$(dirname "$0")/../.."
node dist/cli.js profile examples/js/primes.js --out examples/profiles/primes.cpuprofile 2000000 >/dev/null
node dist/cli.js profile examples/python/service.py --mode cprofile --out examples/profiles/service.prof >/dev/null
# The same profile written for KCachegrind by Heatlens' own export.
node dist/cli.js convert examples/profiles/service.prof --to callgrind --out examples/profiles/service.callgrind >/dev/null
# Files other tools wrote, recorded by the test fixtures' scripts: speedscope 1.25.0's own export
# of primes.cpuprofile, perf's collapsed stacks of primes.js (`node --perf-basic-prof`), and a Go
# CPU profile (pprof; no source of it here, so it shows the flame graph alone).
cp test/fixtures/speedscope/primes.cpuprofile.speedscope.json examples/profiles/primes.speedscope.json
cp test/fixtures/collapsed/primes.folded examples/profiles/primes.folded
cp test/fixtures/pprof/cpu.pb.gz examples/profiles/go-cpu.pb.gz
