import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { importCpuprofile, importCpuprofileWithJsonParse } from './cpuprofile';
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

test('the quick readers of V8 layout and the general walk read every variant alike', () => {
  // A profile in V8's own layout, then variants each of which leaves some node or call frame to
  // the general walk (or to JSON.parse): both routes must give the same profile, or both fail.
  const frame = (name: string, line: number, extra = '') =>
    `{"functionName":"${name}","scriptId":"7","url":"file:///w/a.js","lineNumber":${line},"columnNumber":4${extra}}`;
  const base = () => ({
    nodes: [
      `{"id":1,"callFrame":{"functionName":"(root)","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1},"hitCount":0,"children":[2,3]}`,
      `{"id":2,"callFrame":${frame('main', 0)},"hitCount":1,"children":[4],"positionTicks":[{"line":2,"ticks":3}]}`,
      `{"id":3,"callFrame":${frame('other', 9)},"hitCount":2}`,
      `{"id":4,"callFrame":${frame('main', 0)},"hitCount":4,"positionTicks":[{"line":3,"ticks":1},{"ticks":2,"line":4}]}`,
    ],
    rest: '"startTime":100,"endTime":400,"samples":[2,3,4,4,2],"timeDeltas":[10,20,30,-5,40]',
  });
  const text = (nodes: string[], rest: string) => `{"nodes":[${nodes.join(',')}],${rest}}`;
  const variants: string[] = [];
  const b = base();
  variants.push(text(b.nodes, b.rest));
  variants.push(JSON.stringify(JSON.parse(text(b.nodes, b.rest)), null, 2));
  const swap = (i: number, from: string, to: string) => {
    const v = base();
    v.nodes[i] = v.nodes[i].replace(from, to);
    variants.push(text(v.nodes, v.rest));
  };
  swap(1, '"id":2', '"i\\u0064":2');
  swap(1, '"id":2', '"id":2.0');
  swap(1, '"id":2', '"id":7,"id":2');
  swap(1, '"hitCount":1', '"hitCount":1,"codeType":"JS"');
  swap(1, '"hitCount":1', '"hitCount":1,"deopt":{"a":[1,{"b":null}]},"x":true,"y":-2.5e3');
  swap(1, '"hitCount":1', '"hitCount":1234567890');
  swap(1, '"line":2', '"line":-2');
  swap(1, '"line":2', '"line":2,"extra":"x"');
  swap(2, '"other"', '"o\\"th}er"');
  swap(2, '"other"', '"\\u00e9t\\u00e9"');
  swap(2, '"other"', '"tab\\there"');
  swap(2, '"other"', '"raw\tcontrol"');
  swap(2, '"scriptId":"7"', '"scriptId":7');
  swap(2, '"lineNumber":9', '"lineNumber":9.5');
  swap(2, '"lineNumber":9', '"lineNumber":12345678901');
  swap(2, '"columnNumber":4', '"columnNumber":-0');
  swap(
    3,
    `"callFrame":${frame('main', 0)}`,
    `"callFrame":${frame('main', 0, ',"url":"file:///w/b.js"')}`,
  );
  swap(
    3,
    `"callFrame":${frame('main', 0)}`,
    `"callFrame":${frame('main', 0).replace('"7"', '"8"')}`,
  );
  swap(3, '"hitCount":4', '"hitCount":4,"children":[]');
  swap(0, '"children":[2,3]', '"children":[ 2 , 3 ]');
  for (const variant of variants) {
    let fast: unknown;
    let slow: unknown;
    try {
      fast = importCpuprofile(variant, { sourceFile: 'v.cpuprofile' });
    } catch (e) {
      fast = String(e);
    }
    try {
      slow = importCpuprofileWithJsonParse(variant, { sourceFile: 'v.cpuprofile' });
    } catch (e) {
      slow = String(e);
    }
    assert.deepEqual(fast, slow, variant);
  }
});
