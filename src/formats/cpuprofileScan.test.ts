import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { scanCpuprofile } from './cpuprofileScan';

let root = __dirname;
while (!existsSync(join(root, 'package.json'))) root = dirname(root);
const read = (name: string) => readFileSync(join(root, 'test/fixtures', name), 'utf8');
const scan = (text: string) => scanCpuprofile(text);

test('the scanner reads real modern recordings itself', () => {
  const text = read('node/hot.cpuprofile');
  const cols = scan(text);
  assert.ok(cols, 'no fallback for what node writes');
  const json = JSON.parse(text);
  assert.equal(cols.count, json.nodes.length);
  assert.deepEqual(
    [...cols.id],
    json.nodes.map((n: { id: number }) => n.id),
  );
  assert.deepEqual([...(cols.samples ?? [])], json.samples);
  assert.deepEqual([...(cols.times ?? [])], json.timeDeltas);
  assert.equal(cols.startTime, json.startTime);
  const names = new Set(
    json.nodes.map((n: { callFrame: { functionName: string } }) => n.callFrame.functionName),
  );
  assert.equal(new Set(cols.frames.map((f) => f.name)).size, names.size);
  assert.ok(cols.frames.length < cols.count, 'repeated call frames are stored once');
  assert.ok(scan(JSON.stringify(json, null, 1)), 'whitespace is fine');
});

test('the scanner gives up on anything else, leaving it to JSON.parse', () => {
  for (const text of [
    read('node/hot.old.cpuprofile'),
    read('bad/truncated.cpuprofile'),
    read('bad/garbage.cpuprofile'),
    `{"profile": ${read('node/hot.cpuprofile')}}`,
    read('node/hot.cpuprofile') + ' x',
    '{"nodes": [{"id": "1", "callFrame": {}}]}',
    '{"nodes": [{"id": 1, "callFrame": {}, "children": ["2"]}]}',
    '{"nodes": [{"id": 1}]}',
    '{"nodes": [{"id": 1, "callFrame": {}, "children": [2], "children": [3]}]}',
    '{"nodes": [], "nodes": []}',
    '{"samples": [1, null]}',
    '{"nodes": []',
    '[]',
  ]) {
    assert.equal(scan(text), undefined, text.slice(0, 60));
  }
});
