/**
 * @module Checks that files a model wrote parse as TypeScript/JavaScript (esbuild's transform:
 * syntax only, types are not checked), before a child costs an evaluation.
 */
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

/** Null when every listed file parses, else `file:line:column: message` lines with the offending line. */
export async function checkSyntax(files: AgentFiles, paths: readonly string[]): Promise<string | null> {
  const esbuild = await import('esbuild');
  const problems: string[] = [];
  for (const file of paths) {
    const extension = /\.[^./]+$/.exec(file)?.[0] ?? '';
    const loader = LOADERS[extension];
    const source = files[file];
    if (!loader || source === undefined) continue;
    try {
      await esbuild.transform(source, { loader, sourcefile: file, logLevel: 'silent' });
    } catch (error) {
      const messages = ((error as { errors?: Message[] }).errors ?? []).slice(0, 5);
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
  return problems.length > 0 ? problems.join('\n') : null;
}
