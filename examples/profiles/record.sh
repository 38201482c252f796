#!/usr/bin/env sh
# Re-records the saved profiles of the examples workspace (run `npm run build` first). Open them
# with "Heatlens: Open Profile File" or a click in the explorer: the flame graph opens and the
# example files they name light up.
#
# The programs run from a copy of the examples in a temporary folder, as on another machine: the
# profiles name files there (…/examples/js/primes.js), and Heatlens maps such paths onto the
# workspace by their workspace-relative tail (js/primes.js), in this clone or any other.
#
# Needs node, python3 and Go (`apt-get install -y golang-go`; written with Go 1.19).
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tmp="$(mktemp -d /tmp/heatlens-examples.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
cp -R "$root/examples" "$tmp/examples"
cli="$root/dist/cli.js"

# V8 through Heatlens' runner, and cProfile through its Python helper.
node "$cli" profile "$tmp/examples/js/primes.js" --out "$here/primes.cpuprofile" 2000000 >/dev/null
node "$cli" profile "$tmp/examples/python/service.py" --mode cprofile --out "$here/service.prof" >/dev/null
# The same Python profile written for KCachegrind by Heatlens' own export.
node "$cli" convert "$here/service.prof" --to callgrind --out "$here/service.callgrind" >/dev/null

# V8's sampling heap profiler on js/alloc.mjs: the objects still alive at the end, in bytes per
# function (an ES module: Node 20 leaves CommonJS functions without their file in heap profiles).
node --heap-prof --heap-prof-interval 32768 --heap-prof-dir "$tmp/heap" "$tmp/examples/js/alloc.mjs" >/dev/null
mv "$tmp"/heap/*.heapprofile "$here/alloc.heapprofile"

# Go's own CPU profiler (runtime/pprof) on go/main.go: two sample types (samples, cpu). Without
# asynchronous preemption: on a busy machine almost half the samples otherwise land in the
# runtime's preemption handler (runtime.asyncPreempt) instead of the code that was running.
(cd "$tmp/examples/go" && go build -o "$tmp/fibs" main.go)
(cd "$tmp" && GODEBUG=asyncpreemptoff=1 ./fibs "$here/go-cpu.pb.gz" >/dev/null)

# Files other tools wrote, kept with the test fixtures and their own record scripts: speedscope
# 1.25.0's export of a recording of primes.js (test/fixtures/speedscope/record.mjs), and perf's
# collapsed stacks of primes.js under `node --perf-basic-prof` (test/fixtures/collapsed/record.sh).
# Both name …/examples/js/primes.js.
cp "$root/test/fixtures/speedscope/primes.cpuprofile.speedscope.json" "$here/primes.speedscope.json"
cp "$root/test/fixtures/collapsed/primes.folded" "$here/primes.folded"
chmod 644 "$here"/*.heapprofile "$here"/*.cpuprofile "$here"/*.prof "$here"/*.callgrind "$here"/*.pb.gz "$here"/*.json "$here"/*.folded
ls -l "$here"
