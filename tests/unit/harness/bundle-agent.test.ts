import { describe, expect, it } from 'vitest';
import { bundleAgent } from '../../../src/harness/bundle-agent.js';

/** Imports a bundled module from a data URL: nothing touches the disk. */
async function importBundle(code: string): Promise<Record<string, unknown>> {
  return (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as Record<
    string,
    unknown
  >;
}

async function bundled(files: Record<string, string>, entry: string): Promise<string> {
  const result = await bundleAgent(files, entry);
  if (!result.ok) throw new Error(`expected a bundle, got: ${result.error}`);
  return result.code;
}

async function bundleError(files: Record<string, string>, entry: string): Promise<string> {
  const result = await bundleAgent(files, entry);
  if (result.ok) throw new Error('expected a bundle error');
  return result.error;
}

describe('bundleAgent', () => {
  it('bundles a multi-file TypeScript tree into one ES module', async () => {
    const code = await bundled(
      {
        'src/agent.ts': `
          import { scale } from './math/scale.js';
          import { offset } from './math';
          import defaults from '../config.json';
          import type { Unused } from './types.js';
          export interface Options { factor: number }
          export default function run(value: number, options: Options = defaults): number {
            return scale(value, options.factor) + offset;
          }
          export const name: string = 'demo';
        `,
        'src/math/scale.ts': 'export const scale = (value: number, factor: number): number => value * factor;',
        'src/math/index.ts': 'export const offset = 1;',
        'config.json': '{ "factor": 10 }',
        'unused.ts': 'this is not even valid TypeScript (',
      },
      'src/agent.ts',
    );
    expect(code).not.toMatch(/^import .* from "\.\.?\//m);
    const agent = await importBundle(code);
    expect((agent.default as (value: number) => number)(4)).toBe(41);
    expect(agent.name).toBe('demo');
  });

  it('does not treat a type error as an error (types are stripped, not checked)', async () => {
    const code = await bundled(
      { 'agent.ts': "const count: number = 'not a number';\nexport default count;" },
      'agent.ts',
    );
    expect((await importBundle(code)).default).toBe('not a number');
  });

  it('reports a syntax error with file, line, column and the line text', async () => {
    const error = await bundleError(
      {
        'agent.ts': "import { helper } from './helper.js';\nexport default helper;",
        'helper.ts': 'export function helper() {\n  return 1 +;\n}',
      },
      'agent.ts',
    );
    expect(error).toMatch(/^helper\.ts:2:13: /);
    expect(error).toContain('\n      return 1 +;\n');
    expect(error.split('\n')[2]).toBe(`    ${' '.repeat(12)}^`);
  });

  it.each([
    ['lodash', /Import "lodash" is a package; agents cannot use packages/],
    ['lodash/fp', /Import "lodash\/fp" is a package/],
    ['fs', /Import "fs" without the "node:" prefix is not allowed; write "node:fs"/],
    ['fs/promises', /write "node:fs\/promises"/],
    ['/etc/passwd', /is an absolute path/],
    ['../outside.js', /points outside the agent tree/],
    ['./missing.js', /Cannot find "\.\/missing\.js" imported by agent\.ts .*Files in the agent tree: agent\.ts/],
    ['node:no-such-builtin', /is not a node builtin module/],
  ])('refuses the import %s and says which and why', async (specifier, message) => {
    const error = await bundleError(
      { 'agent.ts': `import value from '${specifier}';\nexport default value;` },
      'agent.ts',
    );
    expect(error).toMatch(/^agent\.ts:1:19: /);
    expect(error).toMatch(message);
  });

  it('allows node builtins with the node: prefix and leaves them as imports', async () => {
    const code = await bundled(
      {
        'agent.ts':
          "import { createHash } from 'node:crypto';\nexport default (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);",
      },
      'agent.ts',
    );
    expect(code).toContain('from "node:crypto"');
    expect((await importBundle(code)).default).toBeTypeOf('function');
  });

  it('refuses a missing or unsafe entry', async () => {
    expect(await bundleError({ 'agent.ts': '' }, 'main.ts')).toMatch(/entry file "main\.ts" does not exist.*agent\.ts/);
    expect(await bundleError({ 'agent.ts': '' }, '../agent.ts')).toMatch(/not a relative path inside the agent tree/);
  });

  it('refuses files it cannot load', async () => {
    const error = await bundleError(
      { 'agent.ts': "import data from './data.bin';\nexport default data;", 'data.bin': 'x' },
      'agent.ts',
    );
    expect(error).toMatch(/Cannot import data\.bin: only .* files can be imported/);
  });

  it('embeds a source map naming the agent files, unless asked not to', async () => {
    const files = { 'agent.ts': 'export default 1;' };
    const withMap = await bundled(files, 'agent.ts');
    const mapText = /sourceMappingURL=data:application\/json;base64,(\S+)/.exec(withMap)?.[1];
    expect(mapText).toBeDefined();
    expect(JSON.parse(Buffer.from(mapText ?? '', 'base64').toString('utf8')).sources).toEqual(['agent:agent.ts']);
    const withoutMap = await bundleAgent(files, 'agent.ts', { sourceMap: false });
    expect(withoutMap.ok && withoutMap.code.includes('sourceMappingURL')).toBe(false);
  });

  it('lists at most ten errors', async () => {
    const imports = Array.from({ length: 15 }, (_, index) => `import a${index} from 'package-${index}';`).join('\n');
    // Used, or TypeScript semantics elide them as possibly type-only.
    const uses = `console.log(${Array.from({ length: 15 }, (_, index) => `a${index}`).join(', ')});`;
    const error = await bundleError({ 'agent.ts': `${imports}\n${uses}` }, 'agent.ts');
    expect(error).toContain('… and 5 more error(s).');
  });
});
