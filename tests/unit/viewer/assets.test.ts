import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadViewerAssets, VIEWER_ASSET_TYPES, VIEWER_STATIC_DIRECTORY } from '../../../src/viewer/assets.js';

describe('the viewer page files', () => {
  it('lists exactly the files of src/viewer/static (what the build copies is what the server serves)', () => {
    const files = readdirSync(VIEWER_STATIC_DIRECTORY).filter((name) => /\.(html|css|js)$/.test(name));
    expect(Object.keys(VIEWER_ASSET_TYPES).sort()).toEqual(files.sort());
  });

  it('loads them into a map keyed by request path, with / as the page', () => {
    const assets = loadViewerAssets();
    expect(assets.get('/')).toBe(assets.get('/index.html'));
    expect(assets.get('/app.js')?.contentType).toBe('text/javascript; charset=utf-8');
    expect([...assets.keys()].every((key) => /^\/[a-z-]*(\.[a-z]+)?$/.test(key))).toBe(true);
  });

  it('says to build when a file is missing', () => {
    expect(() => loadViewerAssets('/nonexistent-clade-viewer')).toThrow(/npm run build/);
  });

  it('keeps data out of the markup: the page scripts never assign HTML', () => {
    for (const name of Object.keys(VIEWER_ASSET_TYPES).filter((file) => file.endsWith('.js'))) {
      const text = loadViewerAssets().get(`/${name}`)?.body.toString('utf8') ?? '';
      expect(text, name).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    }
  });
});
