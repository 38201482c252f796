import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSearch, searchTree } from './search';
import { myCodeOnly } from './transforms';
import { testProfile } from '../../test/support/testProfile';

test('search: plain, case-insensitive, with the share of time the matches cover', () => {
  const { profile } = testProfile();
  const { match } = compileSearch('HELP', false);
  const r = searchTree(profile.tree, profile.frames, match!);
  assert.equal(r.total, 77);
  assert.equal(r.nodeCount, 3);
  assert.equal(r.functionCount, 1);
});

test('search: nested matches are not counted twice', () => {
  const { profile } = testProfile();
  const { match } = compileSearch('^(work|helper)$', true);
  const r = searchTree(profile.tree, profile.frames, match!);
  // main>work (60, helper inside), main>parse>work (20, helper inside), main>helper (7).
  assert.equal(r.total, 87);
  assert.equal(r.nodeCount, 5);
  const rec = searchTree(profile.tree, profile.frames, compileSearch('rec', false).match!);
  assert.equal(rec.total, 6, 'recursive rec>rec>rec counts once');
});

test('search: over a derived tree, and invalid or empty queries', () => {
  const { profile } = testProfile();
  const mine = myCodeOnly(profile.tree, profile.frames).tree;
  assert.equal(searchTree(mine, profile.frames, compileSearch('work', false).match!).total, 80);
  const bad = compileSearch('(', true);
  assert.equal(bad.match, null);
  assert.match(bad.error ?? '', /Invalid regular expression/);
  assert.equal(compileSearch('', false).match, null);
  assert.equal(compileSearch('<img', false).match!('<img src=x onerror=alert(1)>'), true);
});
