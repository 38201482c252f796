import { test } from 'node:test';
import assert from 'node:assert/strict';

import { functionStats } from '../core/functionStats';
import { hotLines } from '../core/lineHeat';
import { warmUpProfileCode } from './warmUp';

test('the warm-up reads its tiny profile as a real one, once per extension host', async () => {
  const profile = await warmUpProfileCode();
  assert.deepEqual(profile.meta.warnings, []);
  const [top] = functionStats(profile);
  assert.equal(top.frame.name, 'warm');
  assert.equal(top.frame.file, '/heatlens-warm-up/warm.js');
  assert.deepEqual(
    hotLines(profile).map((l) => [l.file, l.line1]),
    [['/heatlens-warm-up/warm.js', 2]],
  );
  assert.equal(await warmUpProfileCode(), profile, 'the same work is not done twice');
});
