/**
 * @module What a tool returns, and the cap on what of it goes back to the model.
 */

/** What a tool did, for the model (`output`) and for the log (`summary`). */
export interface ToolResult {
  ok: boolean;
  /** Sent back to the model as the next user message (already capped). */
  output: string;
  /** One short line for the log. */
  summary: string;
}

/** Most characters of a tool's output sent back to the model (head and tail are kept). */
export const OUTPUT_LIMIT = 10_000;

/** Keeps the head and tail of an output longer than OUTPUT_LIMIT; `alreadyDropped` characters were cut before. */
export function capOutput(text: string, alreadyDropped: number): string {
  if (text.length <= OUTPUT_LIMIT) {
    return alreadyDropped === 0 ? text : `${text}\n[… ${alreadyDropped} characters of output were cut]`;
  }
  const half = Math.floor(OUTPUT_LIMIT / 2);
  const dropped = text.length - 2 * half + alreadyDropped;
  return `${text.slice(0, half)}\n[… ${dropped} characters cut …]\n${text.slice(text.length - half)}`;
}
