import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CladeError } from '../../../../src/core/errors.js';
import {
  cec2022AllDataFiles,
  cec2022CacheDirectory,
  cec2022DataFiles,
  cec2022ShippedDirectory,
  createCec2022Function,
  describeCec2022Data,
  fetchCec2022Data,
  loadCec2022Data,
  modifiedCec2022Files,
  parseCec2022Data,
  readZipEntries,
  requireCec2022Data,
  resolveCec2022DataDirectory,
} from '../../../../src/numeric/cec2022/index.js';
import { temporaryDirectory } from '../../../helpers/campaign-fixture.js';
import { CEC2022_DATA } from '../../../helpers/cec2022.js';

const scratch = temporaryDirectory('clade-cec-data-');
afterAll(() => scratch.remove());

let counter = 0;
/** A copy of the official data set that a test may damage. */
function copyOfData(): string {
  const directory = path.join(scratch.path, `data-${counter++}`);
  mkdirSync(directory);
  for (const name of readdirSync(CEC2022_DATA)) copyFileSync(path.join(CEC2022_DATA, name), path.join(directory, name));
  return directory;
}

function expectError(action: () => unknown, code: string, ...patterns: RegExp[]): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CladeError);
  expect((caught as CladeError).code).toBe(code);
  for (const pattern of patterns) expect((caught as Error).message).toMatch(pattern);
}

describe('CEC2022 data files', () => {
  it('lists the files each function reads, 42 in all', () => {
    expect(cec2022DataFiles(1, 10)).toEqual(['M_1_D10.txt', 'shift_data_1.txt']);
    expect(cec2022DataFiles(7, 20)).toEqual(['M_7_D20.txt', 'shift_data_7.txt', 'shuffle_data_7_D20.txt']);
    expect(cec2022AllDataFiles()).toEqual(readdirSync(CEC2022_DATA).sort());
    expect(() => cec2022DataFiles(13, 10)).toThrow(/functions 1..12 in dimensions 10 and 20/);
    expect(() => cec2022DataFiles(1, 30)).toThrow(/dimensions 10 and 20/);
  });

  it('reads what the C code reads: one block for F1–F8, one per component for F9–F12, first D values of a row', () => {
    const f1 = loadCec2022Data(1, 10, CEC2022_DATA);
    expect(f1.rotation.length).toBe(100);
    expect(f1.shift.length).toBe(10);
    expect(f1.shuffle).toBeNull();
    const f12 = loadCec2022Data(12, 20, CEC2022_DATA);
    expect(f12.rotation.length).toBe(6 * 400);
    expect(f12.shift.length).toBe(6 * 20);
    // Row 2 of the shift file, first value, is component 2's first coordinate.
    const secondRow = readFileSync(path.join(CEC2022_DATA, 'shift_data_12.txt'), 'latin1').split('\n')[1] as string;
    expect(f12.shift[20]).toBe(Number(secondRow.trim().split(/\s+/)[0]));
    const f6 = loadCec2022Data(6, 10, CEC2022_DATA);
    expect([...(f6.shuffle ?? [])].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('reads CRLF (the official files) and LF alike, to the same values', () => {
    const directory = copyOfData();
    for (const name of cec2022DataFiles(9, 10)) {
      const file = path.join(directory, name);
      const text = readFileSync(file, 'latin1');
      expect(text).toContain('\r\n');
      writeFileSync(file, text.replace(/\r\n/g, '\n'));
    }
    const crlf = createCec2022Function(9, 10, CEC2022_DATA);
    const lf = createCec2022Function(9, 10, directory);
    const point = Array.from({ length: 10 }, (_, index) => index * 7 - 30);
    expect(lf.evaluate(point)).toBe(crlf.evaluate(point));
  });

  it('names a missing file and says how to get it', () => {
    const directory = copyOfData();
    writeFileSync(path.join(directory, 'M_3_D20.txt.bak'), '');
    const file = path.join(directory, 'M_3_D20.txt');
    copyFileSync(file, `${file}.saved`);
    writeFileSync(file, '');
    expectError(
      () => loadCec2022Data(3, 20, directory),
      'DATA_INVALID',
      /M_3_D20\.txt/,
      /expected 400 numbers/,
      /found 0/,
    );
    expectError(
      () => loadCec2022Data(5, 10, path.join(directory, 'nowhere')),
      'DATA_NOT_FOUND',
      /nowhere.*M_5_D10\.txt is missing/,
      /clade data fetch cec2022/,
      /--data-dir/,
    );
  });

  it('rejects wrong counts and dimensions, naming the file', () => {
    const directory = copyOfData();
    // A D=10 matrix where the D=20 one belongs.
    copyFileSync(path.join(directory, 'M_2_D10.txt'), path.join(directory, 'M_2_D20.txt'));
    expectError(
      () => loadCec2022Data(2, 20, directory),
      'DATA_INVALID',
      /M_2_D20\.txt/,
      /expected 400 numbers/,
      /found 100/,
    );
    // Right count, wrong shape: 400 numbers in rows of 10.
    const rows = readFileSync(path.join(directory, 'M_2_D10.txt'), 'latin1').trimEnd();
    writeFileSync(path.join(directory, 'M_2_D20.txt'), `${rows}\r\n${rows}\r\n${rows}\r\n${rows}\r\n`);
    expectError(
      () => loadCec2022Data(2, 20, directory),
      'DATA_INVALID',
      /M_2_D20\.txt: row 1 has 10 numbers, expected 20/,
    );
    // A composition shift file with too few rows for its components.
    const shift = readFileSync(path.join(directory, 'shift_data_12.txt'), 'latin1')
      .split('\r\n')
      .slice(0, 3)
      .join('\r\n');
    writeFileSync(path.join(directory, 'shift_data_12.txt'), shift);
    expectError(
      () => loadCec2022Data(12, 10, directory),
      'DATA_INVALID',
      /shift_data_12\.txt/,
      /at least 6 rows/,
      /found 3/,
    );
  });

  it('rejects junk with its line and a shuffle that is not a permutation', () => {
    const directory = copyOfData();
    const file = path.join(directory, 'M_4_D10.txt');
    const lines = readFileSync(file, 'latin1').split('\r\n');
    lines[6] = lines[6]?.replace(/^(\s*\S+)/, '  1.0e+00x') ?? '';
    writeFileSync(file, lines.join('\r\n'));
    expectError(
      () => loadCec2022Data(4, 10, directory),
      'DATA_INVALID',
      /M_4_D10\.txt, line 7: "1\.0e\+00x" is not a number/,
    );
    writeFileSync(path.join(directory, 'shuffle_data_8_D10.txt'), '1\t2\t3\t4\t5\t6\t7\t8\t9\t9\n');
    expectError(
      () => loadCec2022Data(8, 10, directory),
      'DATA_INVALID',
      /shuffle_data_8_D10\.txt/,
      /permutation of 1\.\.10/,
    );
    writeFileSync(path.join(directory, 'shuffle_data_6_D10.txt'), '1 2 3\n');
    expectError(() => loadCec2022Data(6, 10, directory), 'DATA_INVALID', /expected 10 integers, found 3/);
  });

  it('parses from any reader (the sandbox reads files it received into memory)', () => {
    const files = new Map(
      cec2022DataFiles(7, 10).map((name) => [name, readFileSync(path.join(CEC2022_DATA, name), 'latin1')]),
    );
    const data = parseCec2022Data(7, 10, (name) => files.get(name), 'memory');
    expect(data.shuffle?.length).toBe(10);
    expectError(
      () => parseCec2022Data(8, 10, (name) => files.get(name), 'memory'),
      'DATA_NOT_FOUND',
      /memory.M_8_D10\.txt is missing/,
    );
  });

  it('knows the official checksums', () => {
    expect(modifiedCec2022Files(CEC2022_DATA)).toEqual([]);
    const directory = copyOfData();
    writeFileSync(path.join(directory, 'shift_data_1.txt'), readFileSync(path.join(directory, 'shift_data_2.txt')));
    expect(modifiedCec2022Files(directory)).toEqual(['shift_data_1.txt']);
  });
});

describe('CEC2022 data directory', () => {
  it('tells clade doctor what is there, what is missing and what was changed', () => {
    const complete = describeCec2022Data({ flag: CEC2022_DATA });
    expect(complete).toMatchObject({ present: 42, missing: [], modified: [], source: 'flag' });
    expect(complete.note).toMatch(/^all 42 official files in /);
    const directory = copyOfData();
    writeFileSync(path.join(directory, 'M_1_D10.txt'), 'damaged');
    rmSync(path.join(directory, 'M_2_D10.txt'));
    const partial = describeCec2022Data({ environment: { CLADE_CEC2022_DATA: directory } });
    expect(partial).toMatchObject({
      present: 41,
      missing: ['M_2_D10.txt'],
      modified: ['M_1_D10.txt'],
      source: 'environment',
    });
    expect(partial.note).toMatch(
      /41 of 42 files .*1 missing, 1 differ from the official files \(M_1_D10\.txt\).*clade data fetch cec2022/,
    );
    const none = describeCec2022Data({ environment: {}, home: path.join(scratch.path, 'nobody'), shipped: null });
    expect(none.present).toBe(0);
    expect(none.note).toMatch(/not found in .*nobody\/\.cache\/clade\/cec2022/);
  });

  const home = '/home/someone';
  it('takes --data-dir, then task.dataDir, then CLADE_CEC2022_DATA, then the shipped copy, then the cache', () => {
    const environment = { CLADE_CEC2022_DATA: '/env/data', XDG_CACHE_HOME: '/xdg' };
    // The copy in data/cec2022/ is the default: a clone or an installed package needs nothing else.
    expect(cec2022ShippedDirectory()).toBe(CEC2022_DATA);
    expect(resolveCec2022DataDirectory({ environment: { XDG_CACHE_HOME: '/xdg' }, home })).toEqual({
      directory: CEC2022_DATA,
      source: 'shipped',
    });
    expect(describeCec2022Data({ environment: {}, home })).toMatchObject({
      present: 42,
      missing: [],
      modified: [],
      source: 'shipped',
    });
    // An incomplete shipped copy gives way to the cache.
    const partial = copyOfData();
    rmSync(path.join(partial, 'M_12_D20.txt'));
    expect(resolveCec2022DataDirectory({ environment: {}, home, shipped: partial }).source).toBe('cache');
    expect(resolveCec2022DataDirectory({ flag: '/flag', campaign: '/campaign', environment, home })).toEqual({
      directory: '/flag',
      source: 'flag',
    });
    expect(resolveCec2022DataDirectory({ campaign: '/campaign', environment, home }).source).toBe('campaign');
    expect(resolveCec2022DataDirectory({ environment, home })).toEqual({
      directory: '/env/data',
      source: 'environment',
    });
    expect(resolveCec2022DataDirectory({ environment: { XDG_CACHE_HOME: '/xdg' }, home, shipped: null })).toEqual({
      directory: '/xdg/clade/cec2022',
      source: 'cache',
    });
    expect(cec2022CacheDirectory({}, home)).toBe('/home/someone/.cache/clade/cec2022');
    // A relative XDG_CACHE_HOME is ignored, as the XDG spec says.
    expect(cec2022CacheDirectory({ XDG_CACHE_HOME: 'relative' }, home)).toBe('/home/someone/.cache/clade/cec2022');
    expect(resolveCec2022DataDirectory({ flag: 'rel/dir', environment: {}, home }).directory).toBe(
      path.resolve('rel/dir'),
    );
  });

  it('says where it looked and how to fix a missing data set', () => {
    const resolved = resolveCec2022DataDirectory({
      environment: {},
      home: path.join(scratch.path, 'empty-home'),
      shipped: null,
    });
    expectError(
      () => requireCec2022Data(resolved, [{ fn: 3, dim: 10 }]),
      'DATA_NOT_FOUND',
      /empty-home\/\.cache\/clade\/cec2022 \(from the default cache directory\)/,
      /missing M_3_D10\.txt, shift_data_3\.txt/,
      /clade data fetch cec2022/,
      /--data-dir/,
    );
    expect(requireCec2022Data({ directory: CEC2022_DATA, source: 'flag' })).toBe(CEC2022_DATA);
  });
});

/** A ZIP archive (deflated entries) of the given files, written the way common zip tools do. */
function makeZip(files: Record<string, Buffer>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, contents] of Object.entries(files)) {
    const compressed = deflateRawSync(contents);
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(contents.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(contents.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, compressed);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

describe('clade data fetch cec2022', () => {
  const official = Object.fromEntries(
    cec2022AllDataFiles().map((name) => [
      `CEC2022/C-Code/input_data/${name}`,
      readFileSync(path.join(CEC2022_DATA, name)),
    ]),
  );
  const routes = new Map<string, Buffer>();
  let server: Server;
  let base = '';
  const ready = new Promise<void>((resolve) => {
    server = createServer((request, response) => {
      const body = routes.get(request.url ?? '');
      if (body === undefined) {
        response.writeHead(404, 'Not Found').end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/zip' }).end(body);
    });
    server.listen(0, '127.0.0.1', () => {
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve();
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads deflated ZIP entries', () => {
    const entries = readZipEntries(makeZip({ 'a/b.txt': Buffer.from('hello hello hello') }));
    expect(entries.map((entry) => entry.name)).toEqual(['a/b.txt']);
    expect(entries[0]?.read().toString()).toBe('hello hello hello');
    expect(() => readZipEntries(Buffer.from('not a zip at all, not even close'))).toThrow(/not a ZIP archive/);
  });

  it('downloads the archive, checks every file against its checksum and installs the 42 files', async () => {
    await ready;
    // A Matlab copy with a damaged file comes first in the archive; the C code's copy is preferred.
    routes.set('/CEC2022.zip', makeZip({ 'CEC2022/Matlab/input_data/M_1_D10.txt': Buffer.from('1 2 3'), ...official }));
    const directory = path.join(scratch.path, 'fetched');
    const lines: string[] = [];
    const result = await fetchCec2022Data({
      directory,
      urls: [`${base}/missing.zip`, `${base}/CEC2022.zip`],
      log: (line) => lines.push(line),
    });
    expect(result.url).toBe(`${base}/CEC2022.zip`);
    expect(result.files).toHaveLength(42);
    expect(readdirSync(directory).sort()).toEqual(cec2022AllDataFiles());
    expect(modifiedCec2022Files(directory)).toEqual([]);
    expect(lines.join('\n')).toMatch(/Wrote 42 files/);
    const fn = createCec2022Function(11, 20, directory);
    expect(fn.evaluate(Array.from(fn.shift))).toBe(2600);
  });

  it('fails with a message that says what happened and how to install the files by hand', async () => {
    await ready;
    const damaged = { ...official };
    damaged['CEC2022/C-Code/input_data/shift_data_5.txt'] = Buffer.from('0 0 0');
    routes.set('/damaged.zip', makeZip(damaged));
    const directory = path.join(scratch.path, 'never');
    await expect(fetchCec2022Data({ directory, urls: [`${base}/damaged.zip`] })).rejects.toThrow(
      /lacks 1 official data file\(s\) \(shift_data_5\.txt\).*differ from the official checksums.*C-Code\/input_data/s,
    );
    await expect(fetchCec2022Data({ directory, urls: [`${base}/nothing.zip`] })).rejects.toThrow(/HTTP 404/);
    const refused = fetchCec2022Data({ directory, urls: ['http://127.0.0.1:1/CEC2022.zip'] });
    await expect(refused).rejects.toMatchObject({ code: 'DATA_FETCH_FAILED' });
    await expect(refused).rejects.toThrow(
      /Could not download the CEC2022 data:\n {2}http:\/\/127\.0\.0\.1:1\/CEC2022\.zip: fetch failed.*--data-dir/s,
    );
    expect(() => readdirSync(directory)).toThrow();
  });
});
