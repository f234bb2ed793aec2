/**
 * @module A Python runtime for the offline sandbox image (`clade sandbox build --offline`): this
 * host's `python3` (its executable, standard library and the packages asked for, numpy and scipy
 * by default) copied into the image's root file system at the same absolute paths (an interpreter
 * built with an absolute RUNPATH, as pyenv's are, then finds its `libpython`), the shared
 * libraries every copied binary links (from `ldd`), and `python3`/`python` in `/usr/local/bin`.
 * Test suites, tkinter, IDLE and the rest of site-packages are left out.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, cp, lstat, mkdir, symlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describeError, SandboxError } from '../core/errors.js';

/** Packages copied with the interpreter unless others are asked for. */
export const DEFAULT_IMAGE_PYTHON_PACKAGES = ['numpy', 'scipy'] as const;

/** What `placePython` put into the image. */
export interface ImagePython {
  /** `3.11.7`. */
  version: string;
  /** The interpreter's absolute path on the host and in the image. */
  executable: string;
  /** Packages copied, with their versions (`numpy 2.4.6`). */
  packages: string[];
  /** Bytes copied (interpreter, library, packages, shared libraries). */
  bytes: number;
}

/** What the host's python3 says about itself (see `DESCRIBE_SCRIPT`). */
interface PythonDescription {
  executable: string;
  version: string;
  stdlib: string;
  platstdlib: string;
  packages: Record<string, { paths: string[]; version: string } | { missing: string }>;
}

/** Asks the interpreter where it keeps things; argv[1] is a JSON array of package names. */
const DESCRIBE_SCRIPT = `
import importlib.metadata, importlib.util, json, os, platform, sys, sysconfig
names = json.loads(sys.argv[1])
packages = {}
for name in names:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        packages[name] = {'missing': 'not importable'}
        continue
    directory = list(spec.submodule_search_locations)[0]
    parent = os.path.dirname(directory)
    paths = [directory]
    for entry in sorted(os.listdir(parent)):
        lowered = entry.lower()
        if lowered == name + '.libs' or (lowered.startswith(name + '-') and lowered.endswith('.dist-info')):
            paths.append(os.path.join(parent, entry))
    try:
        version = importlib.metadata.version(name)
    except Exception:
        version = 'unknown'
    packages[name] = {'paths': paths, 'version': version}
print(json.dumps({
    'executable': os.path.realpath(sys.executable),
    'version': platform.python_version(),
    'stdlib': sysconfig.get_path('stdlib'),
    'platstdlib': sysconfig.get_path('platstdlib'),
    'packages': packages,
}))
`;

/** Top-level entries of the standard library left out of the image. */
const STDLIB_LEFT_OUT = new Set([
  'site-packages',
  'dist-packages',
  'test',
  'idlelib',
  'tkinter',
  'turtledemo',
  'ensurepip',
  'lib2to3',
  'pydoc_data',
]);

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')}: ${describeError(error)} ${stderr}`.trim()));
      else resolve(stdout);
    });
  });
}

/**
 * Copies `python` (an absolute path; shims already followed), its standard library, `packages`
 * and every shared library they link into `root`, and links `/usr/local/bin/python3` and
 * `/usr/local/bin/python` to it.
 *
 * @throws SandboxError (`SANDBOX_UNAVAILABLE`) when the interpreter cannot describe itself or a
 *   package is not importable by it (naming the package and how to install it).
 */
export async function placePython(
  root: string,
  python: string,
  packages: readonly string[],
  log: (line: string) => void,
): Promise<ImagePython> {
  let description: PythonDescription;
  try {
    description = JSON.parse(await run(python, ['-c', DESCRIBE_SCRIPT, JSON.stringify(packages)])) as PythonDescription;
  } catch (error) {
    throw new SandboxError(
      'SANDBOX_UNAVAILABLE',
      `Cannot put ${python} into the offline image: it did not describe itself (${describeError(error)}). Name a working python3 with --python PATH, or build without Python (--no-python).`,
      { cause: error },
    );
  }
  const missing = Object.entries(description.packages).filter(
    (entry): entry is [string, { missing: string }] => 'missing' in entry[1],
  );
  if (missing.length > 0) {
    throw new SandboxError(
      'SANDBOX_UNAVAILABLE',
      `${python} (Python ${description.version}) cannot import ${missing.map(([name]) => name).join(', ')}, which the offline image's Python runtime should hold. Install them for it (\`${python} -m pip install ${missing.map(([name]) => name).join(' ')}\`), or build without Python (--no-python).`,
    );
  }
  let bytes = 0;
  const binaries: string[] = [];
  const copyTree = async (source: string, leaveOut: (relative: string, isDirectory: boolean) => boolean) => {
    await cp(source, join(root, source), {
      recursive: true,
      verbatimSymlinks: true,
      filter: async (from) => {
        const relative = from === source ? '' : from.slice(source.length + 1);
        const info = await lstat(from);
        if (relative !== '' && leaveOut(relative, info.isDirectory())) return false;
        if (info.isFile()) {
          bytes += info.size;
          if (/\.so(\.|$)/.test(basename(from))) binaries.push(from);
        }
        return true;
      },
    });
  };

  await mkdir(join(root, dirname(description.executable)), { recursive: true });
  await copyFile(description.executable, join(root, description.executable));
  bytes += (await lstat(description.executable)).size;
  binaries.push(description.executable);
  const stdlibs = [...new Set([description.stdlib, description.platstdlib])];
  for (const library of stdlibs) {
    await copyTree(library, (relative) => {
      const top = relative.split('/')[0] as string;
      return STDLIB_LEFT_OUT.has(top) || top.startsWith('config-') || /(^|\/)tests?$/.test(relative);
    });
  }
  const placed: string[] = [];
  for (const [name, found] of Object.entries(description.packages)) {
    if ('missing' in found) continue;
    for (const path of found.paths) {
      if (existsSync(join(root, path))) continue;
      await copyTree(path, (relative, isDirectory) => isDirectory && /(^|\/)tests$/.test(relative));
    }
    placed.push(`${name} ${found.version}`);
  }
  for (const link of ['/usr/local/bin/python3', '/usr/local/bin/python']) {
    if (link === description.executable || existsSync(join(root, link))) continue;
    await mkdir(join(root, dirname(link)), { recursive: true });
    await symlink(description.executable, join(root, link));
  }
  const libraries = await linkedLibrariesOf(binaries);
  let libraryCount = 0;
  for (const library of libraries) {
    if (existsSync(join(root, library))) continue;
    await mkdir(join(root, dirname(library)), { recursive: true });
    await copyFile(library, join(root, library));
    bytes += (await lstat(library)).size;
    libraryCount += 1;
  }
  log(
    `python ${description.version} from ${description.executable} with ${placed.join(', ') || 'no packages'}: ` +
      `${(bytes / 1024 / 1024).toFixed(0)} MiB, ${libraryCount} more shared libraries`,
  );
  return { version: description.version, executable: description.executable, packages: placed, bytes };
}

/**
 * Shared libraries the given binaries link (absolute paths, the dynamic loader included), from
 * `ldd` in batches. Libraries `ldd` cannot find are skipped: an extension module may link one that
 * only an optional feature needs, and importing it in the image then fails with a clear error.
 */
async function linkedLibrariesOf(binaries: readonly string[]): Promise<Set<string>> {
  const libraries = new Set<string>();
  for (let start = 0; start < binaries.length; start += 64) {
    const batch = binaries.slice(start, start + 64);
    // ldd exits non-zero when one file of the batch is not dynamic; its stdout still lists the rest.
    const output = await new Promise<string>((resolve) => {
      execFile('ldd', [...batch], { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }, (_error, stdout) =>
        resolve(String(stdout ?? '')),
      );
    });
    for (const line of output.split('\n')) {
      const arrow = /=>\s+(\/\S+)\s+\(/.exec(line);
      const plain = /^\s*(\/\S+)\s+\(0x/.exec(line);
      const path = arrow?.[1] ?? plain?.[1];
      if (path && existsSync(path)) libraries.add(path);
    }
  }
  return libraries;
}
