/**
 * The report viewer's built files (dist/report.js and dist/report.css, see scripts/build.mjs),
 * which every HTML report inlines (src/shared/reportHtml.ts).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ReportAssetError, type ReportAssets } from '../shared/reportHtml';
import { FileRefused, readRegularFileSync } from './regularFile';

/** The viewer is a few hundred KB; anything near this is not it. */
const MAX_ASSET_BYTES = 16 << 20;

/**
 * The folder of the built viewer for the running code: the bundle's own folder (dist/cli.js,
 * dist/extension.js), or, from a built test in out/, the `dist` of the nearest folder holding
 * package.json. When neither has it, the bundle's folder (and reading fails naming it).
 */
export function defaultReportAssetsDir(): string {
  if (existsSync(join(__dirname, 'report.js'))) return __dirname;
  for (let dir = __dirname; ;) {
    const built = join(dir, 'dist');
    if (existsSync(join(dir, 'package.json')) && existsSync(join(built, 'report.js'))) return built;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return __dirname;
}

/** The viewer's script and style from `dir`; throws {@link ReportAssetError} when missing. */
export function readReportAssets(dir: string = defaultReportAssetsDir()): ReportAssets {
  const read = (name: string): string => {
    const file = join(dir, name);
    try {
      return new TextDecoder().decode(readRegularFileSync(file, { maxBytes: MAX_ASSET_BYTES }));
    } catch (err) {
      if (!(err instanceof FileRefused)) throw err;
      throw new ReportAssetError(
        `the report viewer ${file} ${err.why}; build Heatlens (npm run build) and try again`,
      );
    }
  };
  return { script: read('report.js'), style: read('report.css') };
}
