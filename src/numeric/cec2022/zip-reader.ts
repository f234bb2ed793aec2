/**
 * @module A minimal reader of ZIP archives (stored and deflated entries, no ZIP64, no
 * encryption): enough for the official CEC2022 archive, without a dependency.
 */
import { inflateRawSync } from 'node:zlib';

/** One file of an archive. */
export interface ZipEntry {
  /** Path inside the archive, with `/` separators. */
  name: string;
  /** Uncompressed contents. */
  read(): Buffer;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;

/**
 * Lists the files of a ZIP archive (directories omitted); each entry inflates on `read()`.
 *
 * @throws Error when the buffer is not a ZIP archive or uses a feature this reader lacks.
 */
export function readZipEntries(archive: Buffer): ZipEntry[] {
  // The end record is in the last 22 + 65535 bytes (its comment is at most 65535 bytes).
  let end = -1;
  for (let offset = archive.length - 22; offset >= Math.max(0, archive.length - 22 - 65_535); offset--) {
    if (archive.readUInt32LE(offset) === END_OF_CENTRAL_DIRECTORY) {
      end = offset;
      break;
    }
  }
  if (end < 0) throw new Error('not a ZIP archive (no end-of-central-directory record)');
  const count = archive.readUInt16LE(end + 10);
  let offset = archive.readUInt32LE(end + 16);
  if (count === 0xffff || offset === 0xffffffff) throw new Error('ZIP64 archives are not supported');
  const entries: ZipEntry[] = [];
  for (let index = 0; index < count; index++) {
    if (archive.readUInt32LE(offset) !== CENTRAL_DIRECTORY_HEADER) {
      throw new Error(`damaged ZIP archive: bad central directory entry ${index}`);
    }
    const flags = archive.readUInt16LE(offset + 8);
    const method = archive.readUInt16LE(offset + 10);
    const compressedSize = archive.readUInt32LE(offset + 20);
    const size = archive.readUInt32LE(offset + 24);
    const nameLength = archive.readUInt16LE(offset + 28);
    const extraLength = archive.readUInt16LE(offset + 30);
    const commentLength = archive.readUInt16LE(offset + 32);
    const localOffset = archive.readUInt32LE(offset + 42);
    const name = archive.toString(flags & 0x800 ? 'utf8' : 'latin1', offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    entries.push({
      name: name.replace(/\\/g, '/'),
      read() {
        if (flags & 0x1) throw new Error(`${name} is encrypted`);
        if (archive.readUInt32LE(localOffset) !== LOCAL_FILE_HEADER) {
          throw new Error(`damaged ZIP archive: bad local header of ${name}`);
        }
        const start =
          localOffset + 30 + archive.readUInt16LE(localOffset + 26) + archive.readUInt16LE(localOffset + 28);
        const data = archive.subarray(start, start + compressedSize);
        if (method === 0) return Buffer.from(data);
        if (method === 8) {
          const inflated = inflateRawSync(data);
          if (inflated.length !== size)
            throw new Error(`${name}: inflated to ${inflated.length} bytes, expected ${size}`);
          return inflated;
        }
        throw new Error(`${name} uses compression method ${method}; only stored and deflated entries are supported`);
      },
    });
  }
  return entries;
}
