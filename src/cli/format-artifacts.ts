/**
 * @module How `clade show` prints a node's artifacts (the text its evaluator handed back: errors,
 * stderr, feedback): one block per artifact, control characters made visible so that an evaluator's
 * or a program's output cannot move the cursor, recolour or retitle the terminal.
 */
import type { AgentNode } from '../core/types.js';

/** Lines of one artifact shown; the rest is summarised. */
const LINES_PER_ARTIFACT = 40;

/**
 * Text safe to print on a terminal: every control character except newline and tab (ESC, CR,
 * BEL, C1 controls, DEL) becomes a visible `\u001b`-style escape.
 */
export function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (character) => {
    return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** The "Artifacts:" section of `clade show`, or no lines when the node has none. */
export function formatArtifacts(node: Pick<AgentNode, 'artifacts'>): string[] {
  const entries = Object.entries(node.artifacts ?? {});
  if (entries.length === 0) return [];
  const out: string[] = ['', 'Artifacts:'];
  for (const [name, text] of entries) {
    const lines = terminalSafe(text).trimEnd().split('\n');
    out.push(`  [${terminalSafe(name)}]`);
    for (const line of lines.slice(0, LINES_PER_ARTIFACT)) out.push(`    ${line}`);
    if (lines.length > LINES_PER_ARTIFACT) {
      out.push(`    … ${lines.length - LINES_PER_ARTIFACT} more lines (clade show --json has them all)`);
    }
  }
  return out;
}
