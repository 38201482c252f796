/** HTML reports for the tests: a real profile whose source exists here, and a report's data block. */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPORT_DATA_ID, type ReportData } from '../../src/shared/reportData';
import { repoRoot } from './repoRoot';

/** The folder examples/profiles/primes.cpuprofile was recorded in (see its record.sh). */
const RECORDED = 'file:///tmp/heatlens-examples.i9mkwx/examples/';

/**
 * examples/profiles/primes.cpuprofile (V8, recorded by examples/profiles/record.sh) in `dir`,
 * naming `dir`/js/primes.js, a copy of examples/js/primes.js: a real profile whose hot file
 * exists on this machine. Returns the profile's path and the source's.
 */
export function primesProfileIn(dir: string): { profile: string; source: string } {
  const root = repoRoot();
  const text = readFileSync(join(root, 'examples/profiles/primes.cpuprofile'), 'utf8');
  if (!text.includes(RECORDED)) throw new Error(`primes.cpuprofile no longer names ${RECORDED}`);
  mkdirSync(join(dir, 'js'), { recursive: true });
  const source = join(dir, 'js', 'primes.js');
  copyFileSync(join(root, 'examples/js/primes.js'), source);
  const profile = join(dir, 'primes.cpuprofile');
  writeFileSync(profile, text.split(RECORDED).join(`file://${dir}/`));
  return { profile, source };
}

/** The data block of a report's HTML, parsed as the page parses it. */
export function reportDataOf(html: string): ReportData {
  const open = `<script type="application/json" id="${REPORT_DATA_ID}">`;
  const start = html.indexOf(open);
  if (start < 0) throw new Error('no data block in the report');
  const end = html.indexOf('</script>', start);
  return JSON.parse(html.slice(start + open.length, end)) as ReportData;
}
