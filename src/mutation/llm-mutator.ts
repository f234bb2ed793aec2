/**
 * @module The foundation-model mutators. `llm-diff`: the model answers with SEARCH/REPLACE blocks
 * that may only touch EVOLVE-BLOCK regions (`search-replace.ts`). `llm-rewrite`: the model answers
 * with the whole target file in a fenced block; when the file has EVOLVE-BLOCKs, only the blocks'
 * new contents are taken and every byte outside them stays the parent's (see `applyRewriteAnswer`).
 * Either way the changed files must pass `checkSyntax` (TypeScript and JavaScript; Python when a
 * `python3` is on the host) before they are evaluated; an unusable answer is sent back with the
 * reason (and, for a diff, the nearest matching lines) a bounded number of times. A model call
 * that finally fails makes the child `invalid`; an answer never made usable makes it
 * `patch_failed`. The campaign goes on.
 */
import { describeError } from '../core/errors.js';
import type { AgentFiles, MutationInfo } from '../core/types.js';
import { EvaluationAbortedError } from '../harness/run-harness.js';
import { callModel } from '../model/call-model.js';
import { ModelCallError } from '../model/errors.js';
import type { PriceTable } from '../model/prices.js';
import type { ModelEnsemble } from '../model/registry.js';
import type { ModelCallRecorder, ModelMessage, ModelRequest } from '../model/types.js';
import {
  describeEditable,
  fenceLanguage,
  formatArtifacts,
  formatHistory,
  formatInspirations,
  formatLogs,
  formatMetrics,
  formatParentCode,
  type MutationHistory,
} from './build-prompt.js';
import {
  EVOLVE_BLOCK_END,
  EVOLVE_BLOCK_START,
  type EvolveBlock,
  editableRegions,
  hasMarkers,
  markerExample,
  scanEvolveBlocks,
} from './edit-regions.js';
import { mutatorCallOptions } from './model-call-settings.js';
import { type PromptTemplates, renderTemplate } from './prompt-templates.js';
import { applySearchReplace, parseSearchReplace } from './search-replace.js';
import { checkSyntax, type SyntaxCheckOptions } from './syntax-check.js';
import type { MutationRequest, MutationResult, Mutator } from './types.js';

/** The two LLM operators. */
export type LlmOperator = 'llm-diff' | 'llm-rewrite';

/** Options of `createLlmMutator`. */
export interface LlmMutatorOptions {
  operator: LlmOperator;
  /** The models; one is drawn per child with the child's seeded random source. */
  ensemble: ModelEnsemble;
  templates: PromptTemplates;
  prices: PriceTable;
  /** Where every call goes (the campaign's ledger). */
  recorder?: ModelCallRecorder;
  /** Read access to the archive for logs and the history summary. */
  history: MutationHistory;
  /** What the agent is for and how it is scored, for the prompt. */
  taskDescription: string;
  /** Why no more model calls may start (a spent budget), or null. */
  budgetExceeded?: () => string | null;
  /** Sampling temperature; provider default when null. */
  temperature: number | null;
  maxTokens: number;
  /** Retries of one call (timeouts, 429, 5xx, connection errors). */
  retries: number;
  /** Times an unusable answer is sent back with the reason. */
  patchRetries: number;
  stream: boolean;
  /** Waits between retries (tests pass a fast one). */
  sleep?: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  /** First backoff in milliseconds. Default 1000. */
  baseDelayMs?: number;
  /**
   * How changed files are checked before evaluation (the Python interpreter, or none).
   * Default: `python3` when there is one.
   */
  syntaxCheck?: SyntaxCheckOptions;
}

/** `MutationInfo.details` of an LLM child. */
export interface LlmMutationDetails {
  model: string;
  /** Answers asked for (1 + re-asks). */
  rounds: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  /** Files the accepted edit changed. */
  changed?: string[];
  /** Why each rejected answer was rejected. */
  rejected?: string[];
}

type Outcome = { ok: true; files: AgentFiles; changed: string[] } | { ok: false; error: string };

/** Creates `llm-diff` or `llm-rewrite`. */
export function createLlmMutator(options: LlmMutatorOptions): Mutator {
  const { operator } = options;
  return {
    name: operator,
    readsHistory: true,
    async mutate(request: MutationRequest): Promise<MutationResult> {
      const client = options.ensemble.pick(request.random);
      const modelName = `${client.provider}:${client.model}`;
      const parentFiles = request.parent.files;
      const target = rewriteTarget(parentFiles);
      const messages: ModelMessage[] = [{ role: 'user', content: firstPrompt(options, request, target) }];
      const system = renderTemplate(options.templates.system, { task: options.taskDescription });
      const details: LlmMutationDetails = { model: modelName, rounds: 0, tokensIn: 0, tokensOut: 0, costUsd: 0 };
      const rejected: string[] = [];
      const info = (summary: string): MutationInfo => ({
        operator,
        summary,
        details: { ...details, ...(rejected.length > 0 ? { rejected } : {}) } as unknown as Record<string, unknown>,
      });
      let lastError = '';
      for (let round = 0; round <= options.patchRetries; round++) {
        const spent = options.budgetExceeded?.() ?? null;
        if (spent !== null) {
          return {
            ok: false,
            status: 'invalid',
            // Only the first round has made no call yet; later rounds follow answers that did not apply.
            error:
              round === 0
                ? `No model call made: ${spent}.`
                : `Stopped after ${round} model call${round === 1 ? '' : 's'} whose answer${round === 1 ? '' : 's'} did not apply: ${spent}.${lastError ? ` Last problem: ${lastError.split('\n')[0]}` : ''}`,
            info: info('model budget spent'),
          };
        }
        const modelRequest: ModelRequest = {
          system,
          messages: messages.map((message) => ({ ...message })),
          maxTokens: options.maxTokens,
          ...(options.temperature !== null ? { temperature: options.temperature } : {}),
          ...(options.stream ? { stream: true } : {}),
        };
        details.rounds = round + 1;
        let answer: string;
        let truncated = false;
        try {
          const result = await callModel(
            client,
            modelRequest,
            mutatorCallOptions(options, request.nodeId ?? null, request.signal),
          );
          answer = result.response.text;
          truncated = result.response.finishReason === 'length';
          details.tokensIn += result.response.tokensIn;
          details.tokensOut += result.response.tokensOut;
          details.costUsd += result.costUsd;
        } catch (error) {
          if (request.signal?.aborted) throw new EvaluationAbortedError();
          const message = error instanceof ModelCallError ? error.message : describeError(error);
          return {
            ok: false,
            status: 'invalid',
            error: `The model call failed: ${message}`,
            info: info('model call failed'),
          };
        }
        const outcome =
          operator === 'llm-diff'
            ? applyDiffAnswer(parentFiles, answer)
            : applyRewriteAnswer(parentFiles, answer, target);
        let error = outcome.ok ? null : outcome.error;
        if (outcome.ok) {
          const syntax = await checkSyntax(outcome.files, outcome.changed, options.syntaxCheck);
          if (syntax !== null) error = `the changed code does not parse:\n${syntax}`;
        }
        if (outcome.ok && error === null) {
          details.changed = outcome.changed;
          return { ok: true, files: outcome.files, info: info(summaryLine(answer, operator)) };
        }
        lastError = `${error ?? 'unusable answer'}${truncated ? `\n(The answer was cut off at the limit of ${options.maxTokens} tokens: write less.)` : ''}`;
        rejected.push(lastError.split('\n')[0] ?? lastError);
        if (round < options.patchRetries) {
          const left = options.patchRetries - round - 1;
          messages.push({ role: 'assistant', content: answer });
          messages.push({
            role: 'user',
            content: renderTemplate(options.templates.patchError, {
              errors: lastError,
              attempts_left: String(left),
              attempts_plural: left === 1 ? '' : 's',
            }),
          });
        }
      }
      return {
        ok: false,
        status: 'patch_failed',
        error: `No usable edit after ${details.rounds} answer${details.rounds === 1 ? '' : 's'} from ${modelName}. Last problem: ${lastError}`,
        info: info('no usable edit'),
      };
    },
  };
}

function firstPrompt(options: LlmMutatorOptions, request: MutationRequest, target: string): string {
  const { node, files } = request.parent;
  const editable = [...editableRegions(files).keys()];
  const values = {
    task: options.taskDescription,
    parent_id: String(node.id),
    parent_score: node.score === null ? '–' : node.score.toFixed(4),
    parent_code: formatParentCode(files),
    metrics: formatMetrics(node.publicMetrics),
    logs: formatLogs(node, request.history ?? options.history),
    artifacts: formatArtifacts(node),
    history: formatHistory(request.history ?? options.history),
    inspirations: formatInspirations(request.inspirations),
    editable: describeEditable(files),
    file_hint: editable[0] ?? 'optimizer.ts',
    target_file: target,
    target_language: fenceLanguage(target),
  };
  return renderTemplate(options.operator === 'llm-diff' ? options.templates.diff : options.templates.rewrite, values);
}

/** The file `llm-rewrite` replaces: the first with EVOLVE-BLOCK markers, else the entry, else the largest. */
export function rewriteTarget(files: AgentFiles): string {
  const names = Object.keys(files).sort();
  const marked = names.find((file) => hasMarkers(file, files[file] ?? ''));
  if (marked) return marked;
  if (names.includes('optimizer.ts')) return 'optimizer.ts';
  return names.sort((a, b) => (files[b]?.length ?? 0) - (files[a]?.length ?? 0))[0] ?? 'optimizer.ts';
}

/** Parses and applies a SEARCH/REPLACE answer. */
export function applyDiffAnswer(files: AgentFiles, answer: string): Outcome {
  const parsed = parseSearchReplace(answer);
  if (parsed.blocks.length === 0) {
    return {
      ok: false,
      error:
        parsed.malformed.length > 0
          ? `the SEARCH/REPLACE blocks are malformed: ${parsed.malformed.join('; ')}.`
          : 'the answer contains no SEARCH/REPLACE block. Give each change as <<<<<<< SEARCH, the old lines, =======, the new lines, >>>>>>> REPLACE.',
    };
  }
  const applied = applySearchReplace(files, parsed.blocks);
  if (!applied.ok) return { ok: false, error: applied.errors.join('\n\n') };
  if (applied.changed.length === 0) {
    return { ok: false, error: 'the edits change nothing: every REPLACE equals its SEARCH. Make a real change.' };
  }
  return { ok: true, files: applied.files, changed: applied.changed };
}

const FENCED = /(^|\n)[ \t]*(```|~~~)[^\n]*\n([\s\S]*?)\n[ \t]*\2[ \t]*(?=\n|$)/g;

/**
 * Takes the largest fenced block of a whole-file answer as the new target file.
 *
 * When the target has EVOLVE-BLOCKs, the answer must hold the same number of blocks, and its text
 * outside them (marker lines included, with any code on them) must equal the parent's, compared
 * line by line ignoring blank lines and whitespace; otherwise it is refused with the first
 * differing line, so the model can act (an outside edit it needs, such as an import, goes inside a
 * block). An accepted answer is spliced: only the blocks' new contents are taken, into the
 * parent's file, so every byte outside the blocks is the parent's. Refusing rather than silently
 * dropping outside edits keeps a child whose new code relies on a dropped edit (a new import) from
 * costing an evaluation to fail; splicing rather than taking the answer as written keeps the bytes
 * exact when the model only reformatted the outside.
 */
export function applyRewriteAnswer(files: AgentFiles, answer: string, target: string): Outcome {
  const blocks = [...answer.replace(/\r\n/g, '\n').matchAll(FENCED)].map((match) => match[3] ?? '');
  if (blocks.length === 0) {
    const language = fenceLanguage(target);
    return {
      ok: false,
      error: `the answer contains no fenced code block. Write the whole of ${target} between \`\`\`${language} and \`\`\`.`,
    };
  }
  const code = blocks.reduce((longest, block) => (block.length > longest.length ? block : longest), '');
  const original = files[target] ?? '';
  const next = hasMarkers(target, original) ? spliceBlocks(target, original, code) : { text: `${code.trimEnd()}\n` };
  if ('error' in next) return { ok: false, error: next.error };
  if (next.text === original || (!hasMarkers(target, original) && code.trim() === original.trim())) {
    return { ok: false, error: `the new ${target} is identical to the current one. Make a real change.` };
  }
  return { ok: true, files: { ...files, [target]: next.text }, changed: [target] };
}

/** The parent's `original` with its blocks' contents replaced by those of the model's `code`, or why not. */
function spliceBlocks(target: string, original: string, code: string): { text: string } | { error: string } {
  const before = scanEvolveBlocks(target, original);
  const after = scanEvolveBlocks(target, code);
  const count = (n: number): string => `${n} EVOLVE-BLOCK${n === 1 ? '' : 's'}`;
  if (before.blocks.length === 0) {
    return { error: `${target} has no complete EVOLVE-BLOCK, so nothing in it may change.` };
  }
  if (after.blocks.length === 0) {
    return {
      error:
        `the new ${target} lost its ${EVOLVE_BLOCK_START}/${EVOLVE_BLOCK_END} marker lines; keep them as they are ` +
        `(\`${markerExample(target)}\` … \`${markerExample(target, EVOLVE_BLOCK_END)}\`), and write the whole file.`,
    };
  }
  if (after.blocks.length !== before.blocks.length) {
    return {
      error:
        `the new ${target} has ${count(after.blocks.length)} and the current one ${count(before.blocks.length)}. ` +
        'Keep every marker line as it is, and write the whole file.',
    };
  }
  const originalLines = original.split('\n');
  const codeLines = code.split('\n');
  const beforeOutside = outsideSegments(originalLines, before.blocks);
  const afterOutside = outsideSegments(codeLines, after.blocks);
  for (let segment = 0; segment < beforeOutside.length; segment++) {
    const difference = firstDifference(beforeOutside[segment] ?? [], afterOutside[segment] ?? []);
    if (difference !== null) {
      return {
        error:
          `the new ${target} changes code outside the EVOLVE-BLOCKs, which must stay exactly as it is: ${difference}. ` +
          `Only the lines between ${EVOLVE_BLOCK_START} and ${EVOLVE_BLOCK_END} may change; write everything else as it is now ` +
          '(anything the new code needs, such as an import, goes inside a block).',
      };
    }
  }
  const lineBreak = original.includes('\r\n') ? '\r\n' : '\n';
  let text = original;
  for (let index = before.blocks.length - 1; index >= 0; index--) {
    const parentBlock = before.blocks[index] as EvolveBlock;
    const childBlock = after.blocks[index] as EvolveBlock;
    let content = code.slice(childBlock.contentStart, childBlock.contentEnd);
    if (lineBreak === '\r\n') content = content.replace(/\r?\n/g, '\r\n');
    text = text.slice(0, parentBlock.contentStart) + content + text.slice(parentBlock.contentEnd);
  }
  return { text };
}

/** A numbered line outside the blocks. */
interface OutsideLine {
  /** 1-based. */
  number: number;
  text: string;
}

/** The lines outside the blocks (marker lines included), one segment per gap: before, between, after. */
function outsideSegments(lines: readonly string[], blocks: readonly EvolveBlock[]): OutsideLine[][] {
  const segments: OutsideLine[][] = [];
  let from = 0;
  const take = (start: number, end: number): OutsideLine[] =>
    lines.slice(start, end).map((text, offset) => ({ number: start + offset + 1, text }));
  for (const block of blocks) {
    segments.push(take(from, block.startLine + 1));
    from = block.endLine;
  }
  segments.push(take(from, lines.length));
  return segments;
}

function looseLine(line: string): string {
  return line.trim().replace(/\s+/g, ' ');
}

/** The first non-blank line that differs (whitespace aside), described for the model; null when none. */
function firstDifference(current: readonly OutsideLine[], proposed: readonly OutsideLine[]): string | null {
  const left = current.filter((line) => line.text.trim() !== '');
  const right = proposed.filter((line) => line.text.trim() !== '');
  const shown = (line: OutsideLine): string => `\`${line.text.trim().slice(0, 120)}\``;
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const mine = left[index];
    const theirs = right[index];
    const same = (first: OutsideLine | undefined, second: OutsideLine | undefined): boolean =>
      first !== undefined && second !== undefined && looseLine(first.text) === looseLine(second.text);
    if (same(mine, theirs)) continue;
    // One line added or removed: the rest lines up again one step later.
    if (theirs !== undefined && (mine === undefined || same(mine, right[index + 1]))) {
      return `you added line ${theirs.number}, ${shown(theirs)}`;
    }
    if (mine !== undefined && (theirs === undefined || same(left[index + 1], theirs))) {
      return `line ${mine.number}, ${shown(mine)}, is missing`;
    }
    if (mine !== undefined && theirs !== undefined) {
      return `line ${mine.number} is ${shown(mine)}, and your line ${theirs.number} is ${shown(theirs)}`;
    }
  }
  return null;
}

/** The model's one-line explanation (first prose line of the answer), for `MutationInfo.summary`. */
export function summaryLine(answer: string, operator: LlmOperator): string {
  for (const raw of answer.split('\n')) {
    const line = raw
      .trim()
      .replace(/^[#*>\-\s]+/, '')
      .replace(/\*\*/g, '')
      .trim();
    if (/^(```|~~~|<{5}|={5}|>{5})/.test(line)) break;
    if (line === '' || /^[\w@.\-/]+\.[A-Za-z0-9]+:?$/.test(line)) continue;
    return line.length > 160 ? `${line.slice(0, 157)}...` : line;
  }
  return operator === 'llm-diff' ? 'model edit' : 'model rewrite';
}
