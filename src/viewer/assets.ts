/**
 * @module The viewer page's static files. They are read once, at start, from `static/` beside this
 * module (`npm run build` copies them to `dist/src/viewer/static/`), into a fixed map: a request
 * names a key of that map or gets a 404, so no request path ever reaches the file system.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CladeError, describeError } from '../core/errors.js';

/** Every file of the page, with its content type. `scripts/build-viewer.mjs` copies the same list. */
export const VIEWER_ASSET_TYPES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'viewer.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'tree-view.js': 'text/javascript; charset=utf-8',
  'score-plot.js': 'text/javascript; charset=utf-8',
  'node-panel.js': 'text/javascript; charset=utf-8',
  'node-store.js': 'text/javascript; charset=utf-8',
  'format.js': 'text/javascript; charset=utf-8',
};

/** One static file, ready to send. */
export interface ViewerAsset {
  contentType: string;
  body: Buffer;
}

/** Directory the assets are read from by default. */
export const VIEWER_STATIC_DIRECTORY = fileURLToPath(new URL('./static/', import.meta.url));

/**
 * Reads every asset into memory, keyed by request path (`/` is `index.html`).
 * @throws CladeError when a file is missing (a build that did not copy them: run `npm run build`).
 */
export function loadViewerAssets(directory: string = VIEWER_STATIC_DIRECTORY): Map<string, ViewerAsset> {
  const assets = new Map<string, ViewerAsset>();
  for (const [name, contentType] of Object.entries(VIEWER_ASSET_TYPES)) {
    let body: Buffer;
    try {
      body = readFileSync(`${directory.replace(/\/?$/, '/')}${name}`);
    } catch (error) {
      throw new CladeError(
        'VIEWER_FAILED',
        `The viewer page file ${name} is missing from ${directory} (${describeError(error)}). Run \`npm run build\`, which copies src/viewer/static into dist.`,
        { cause: error },
      );
    }
    assets.set(`/${name}`, { contentType, body });
  }
  const index = assets.get('/index.html');
  if (index) assets.set('/', index);
  return assets;
}
