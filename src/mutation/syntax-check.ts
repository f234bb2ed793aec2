/**
 * @module Checks that files a model wrote parse, before a child costs an evaluation:
 * TypeScript/JavaScript/JSON with esbuild's transform (syntax only, types are not checked), and
 * Python with the host's `python3`, when there is one, through `ast.parse`, which reads the text
 * and builds a syntax tree but never runs it (the sources go in on stdin, nothing is written, and
 * the interpreter starts isolated: `-I -S`, no site, no user paths). Other languages have no check
 * here; a program task's optional `build` command, run in the sandbox, covers them.
 */
import { spawn } from 'node:child_process';
import type { Loader, Message } from 'esbuild';
import type { AgentFiles } from '../core/types.js';

const LOADERS: Record<string, Loader> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
  '.json': 'json',
};

const PYTHON_FILE = /\.pyi?$/;
/** Longest a Python check may take (all files in one process). */
const PYTHON_TIMEOUT_MS = 15_000;
const MESSAGES_PER_FILE = 5;

/** Options of `checkSyntax`. */
export interface SyntaxCheckOptions {
  /**
   * The Python interpreter that parses `.py` files (a name looked up on PATH, or a path), or false
   * to skip Python files. Default `python3`; when it cannot be started, Python files are not checked.
   */
  python?: string | false;
}

/**
 * Null when every listed file parses, else `file:line:column: message` lines with the offending line.
 * Files of languages without a check here pass.
 */
export async function checkSyntax(
  files: AgentFiles,
  paths: readonly string[],
  options: SyntaxCheckOptions = {},
): Promise<string | null> {
  const problems: string[] = [];
  const scripts = paths.filter((file) => LOADERS[extensionOf(file)] !== undefined && files[file] !== undefined);
  if (scripts.length > 0) {
    const esbuild = await import('esbuild');
    for (const file of scripts) {
      try {
        await esbuild.transform(files[file] as string, {
          loader: LOADERS[extensionOf(file)],
          sourcefile: file,
          logLevel: 'silent',
        });
      } catch (error) {
        const messages = ((error as { errors?: Message[] }).errors ?? []).slice(0, MESSAGES_PER_FILE);
        if (messages.length === 0) problems.push(`${file}: ${String(error)}`);
        for (const message of messages) {
          const where = message.location;
          problems.push(
            where
              ? `${file}:${where.line}:${where.column + 1}: ${message.text}\n    ${where.lineText}`
              : `${file}: ${message.text}`,
          );
        }
      }
    }
  }
  const python = options.python ?? 'python3';
  const pythonFiles = paths.filter((file) => PYTHON_FILE.test(file) && files[file] !== undefined);
  if (python !== false && pythonFiles.length > 0) {
    const sources = Object.fromEntries(pythonFiles.map((file) => [file, files[file] as string]));
    const result = await parsePython(python, sources);
    if (result !== null) problems.push(...result.problems);
  }
  return problems.length > 0 ? problems.join('\n') : null;
}

function extensionOf(file: string): string {
  return /\.[^./]+$/.exec(file)?.[0] ?? '';
}

// Reads {path: source} as JSON on stdin and prints one JSON line: the interpreter's version and
// the syntax errors. ast.parse only parses; compile() with PyCF_ONLY_AST would be the same.
const PYTHON_PARSER = String.raw`
import ast, json, sys
sources = json.loads(sys.stdin.buffer.read().decode("utf-8"))
problems = []
for path, source in sources.items():
    try:
        ast.parse(source, filename=path)
    except SyntaxError as error:
        text = (error.text or "").rstrip("\n")
        where = f"{path}:{error.lineno or 0}:{error.offset or 0}"
        problems.append(f"{where}: {error.msg} (Python {sys.version_info[0]}.{sys.version_info[1]})" + (f"\n    {text}" if text else ""))
    except (ValueError, RecursionError, MemoryError) as error:
        problems.append(f"{path}: {type(error).__name__}: {error}")
print(json.dumps({"version": "%d.%d.%d" % sys.version_info[:3], "problems": problems}))
`;

/** What the Python parser said: the interpreter's version and the syntax errors. */
export interface PythonParseResult {
  version: string;
  problems: string[];
}

/**
 * Parses Python sources with `python` (`ast.parse`, nothing is executed). Null when the
 * interpreter cannot be started or does not answer (then nothing is known about the files).
 */
export function parsePython(
  python: string,
  sources: Readonly<Record<string, string>>,
): Promise<PythonParseResult | null> {
  return new Promise((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(python, ['-I', '-S', '-c', PYTHON_PARSER], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH ?? '', LANG: 'C.UTF-8' },
      });
    } catch {
      resolve(null);
      return;
    }
    let stdout = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), PYTHON_TIMEOUT_MS);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr?.resume();
    child.on('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
    child.on('close', () => {
      clearTimeout(timer);
      try {
        const value = JSON.parse(stdout.trim().split('\n').pop() ?? '') as PythonParseResult;
        resolve(typeof value.version === 'string' && Array.isArray(value.problems) ? value : null);
      } catch {
        resolve(null);
      }
    });
    child.stdin?.on('error', () => {});
    child.stdin?.end(JSON.stringify(sources));
  });
}
