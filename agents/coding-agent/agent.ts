/**
 * @module Seed coding agent: a tool loop over the model proxy. Each step sends the conversation to
 * the model, reads the one tool block of its answer (protocol.ts), runs the tool in the work
 * directory (tools.ts) and sends the result back, until the model calls `finish` or a limit stops
 * it: `maxSteps` model calls, `maxTokens` tokens (from the proxy's `usage`), `timeoutMs` of wall
 * clock, or a model error (a 429 `budget_exceeded` from the proxy included). Every step is logged
 * as one line through `task.log`.
 *
 * Entry point: `solve(task)`. The agent imports only node builtins and its own files (it is bundled
 * on its own and runs inside a sandbox with no network and no key).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type ChatMessage, chat, ModelError } from './model.js';
import { correctionMessage, runningOutNote, SYSTEM_PROMPT, taskMessage, toolResultMessage } from './prompt.js';
import { parseTurn, type ToolCall } from './protocol.js';
import { runTool } from './tools.js';
import type { CodingTask, SolveReport, StopReason } from './types.js';

export type { CodingLimits, CodingTask, SolveReport, StopReason } from './types.js';

/** Longest answer asked of the model per step, in tokens. */
const ANSWER_TOKEN_LIMIT = 4096;
/** A bash command is killed after this long unless it asks for another timeout (never past the run's time). */
const COMMAND_TIMEOUT_MS = 60_000;
/** Tool results older than this many steps are shortened to OLD_RESULT_LIMIT characters. */
const RECENT_RESULTS_KEPT = 6;
const OLD_RESULT_LIMIT = 1_500;
/** The loop stops this long (at most 5% of the limit) before `timeoutMs`. */
const DEADLINE_MARGIN_MS = 1_000;
/** Files listed in the first message. */
const LISTED_FILES_LIMIT = 200;

/** Runs the tool loop on `task` and says why it stopped. Never throws for a model's or a tool's failure. */
export async function solve(task: CodingTask): Promise<SolveReport> {
  const { limits } = task;
  const startedAt = Date.now();
  const deadline = new AbortController();
  // Stop a little before the limit, so that this report reaches the runner before it stops waiting.
  const margin = Math.min(DEADLINE_MARGIN_MS, limits.timeoutMs * 0.05);
  const timer = setTimeout(() => deadline.abort(), Math.max(0, limits.timeoutMs - margin));
  const onRunnerAbort = () => deadline.abort();
  if (task.signal?.aborted) deadline.abort();
  task.signal?.addEventListener('abort', onRunnerAbort, { once: true });
  const usage = { steps: 0, tokensIn: 0, tokensOut: 0 };
  const report = (stopReason: StopReason, why: string): SolveReport => {
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    task.log(
      `stop: ${stopReason} (${why}) after ${usage.steps} step(s), ${usage.tokensIn + usage.tokensOut} tokens (${usage.tokensIn} in, ${usage.tokensOut} out), ${seconds} s`,
    );
    return { stopReason, ...usage };
  };

  try {
    if (!task.modelSocket) {
      return report(
        'model-error',
        'no model socket: CLADE_MODEL_SOCKET is not set, so the model proxy cannot be reached',
      );
    }
    const files = await listFiles(task.workDir);
    const messages: ChatMessage[] = [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: taskMessage(task.statement, files) },
    ];
    task.log(
      `start: ${files.length} file(s) in the work directory; limits ${limits.maxSteps} steps, ${limits.maxTokens} tokens, ${Math.round(limits.timeoutMs / 1000)} s`,
    );

    for (;;) {
      const tokensUsed = usage.tokensIn + usage.tokensOut;
      if (usage.steps >= limits.maxSteps) return report('steps', `reached the step limit of ${limits.maxSteps}`);
      if (tokensUsed >= limits.maxTokens) return report('tokens', `used ${tokensUsed} of ${limits.maxTokens} tokens`);
      if (deadline.signal.aborted)
        return report('time', `reached the time limit of ${limits.timeoutMs} ms, or the runner stopped the run`);

      usage.steps++;
      const step = usage.steps;
      let answer: Awaited<ReturnType<typeof chat>>;
      try {
        answer = await chat({
          socketPath: task.modelSocket,
          messages,
          maxTokens: Math.max(1, Math.min(ANSWER_TOKEN_LIMIT, limits.maxTokens - tokensUsed)),
          signal: deadline.signal,
        });
      } catch (error) {
        if (error instanceof ModelError && error.kind === 'aborted') {
          return report('time', `reached the time limit of ${limits.timeoutMs} ms while waiting for the model`);
        }
        const message = error instanceof Error ? error.message : String(error);
        task.log(`[step ${step}] model call failed: ${message}`);
        return report(
          'model-error',
          error instanceof ModelError && error.kind === 'budget'
            ? 'the model budget is spent'
            : 'the model call failed',
        );
      }
      usage.tokensIn += answer.tokensIn;
      usage.tokensOut += answer.tokensOut;
      const tokens = `tokens +${answer.tokensIn}/${answer.tokensOut} (total ${usage.tokensIn + usage.tokensOut}/${limits.maxTokens})`;
      messages.push({ role: 'assistant', content: answer.text });

      const turn = parseTurn(answer.text);
      if (turn.kind === 'malformed') {
        const cut = answer.finishReason === 'length' ? ' (the answer was cut at the length limit)' : '';
        task.log(`[step ${step}] no tool: ${turn.problem.split('\n')[0]}${cut} | ${tokens}`);
        messages.push({ role: 'user', content: correctionMessage(turn.problem + cut) });
        continue;
      }
      const call = turn.call;
      if (call.tool === 'finish') {
        task.log(`[step ${step}] finish: ${oneLine(call.summary) || '(no summary)'} | ${tokens}`);
        return report('done', 'the model called finish');
      }

      const timeLeft = limits.timeoutMs - (Date.now() - startedAt);
      const result = await runTool(call, {
        workDir: task.workDir,
        commandTimeoutMs: COMMAND_TIMEOUT_MS,
        timeLeftMs: Math.max(1, timeLeft),
        signal: deadline.signal,
      }).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        return { ok: false, output: `The ${call.tool} tool failed: ${message}`, summary: `tool error: ${message}` };
      });
      task.log(`[step ${step}] ${describeCall(call)} → ${result.ok ? 'ok' : 'failed'}: ${result.summary} | ${tokens}`);

      const notes: string[] = [];
      if (turn.ignoredBlocks > 0) {
        notes.push(
          `your answer had ${turn.ignoredBlocks + 1} tool blocks; only the first was run. Use one tool per answer.`,
        );
      }
      const hurry = runningOutNote(
        limits.maxSteps - usage.steps,
        limits.maxTokens - (usage.tokensIn + usage.tokensOut),
        limits.maxTokens,
      );
      if (hurry !== null) notes.push(hurry);
      compactHistory(messages);
      messages.push({ role: 'user', content: toolResultMessage(call.tool, result.output, notes) });
    }
  } catch (error) {
    // A fault of the agent itself (a bug, an unreadable work directory): report it, don't hide it.
    task.log(`agent error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    throw error;
  } finally {
    clearTimeout(timer);
    task.signal?.removeEventListener('abort', onRunnerAbort);
    deadline.abort();
  }
}

/** One line describing a tool call for the log. */
function describeCall(call: Exclude<ToolCall, { tool: 'finish' }>): string {
  switch (call.tool) {
    case 'bash':
      return `bash ${JSON.stringify(clip(oneLine(call.command), 120))}`;
    case 'view':
      return `view ${call.path}${call.startLine !== undefined ? ` ${call.startLine}-${call.endLine ?? 'end'}` : ''}`;
    case 'edit':
      return `edit ${call.path} (${call.replacements.length} pair(s))`;
    case 'create':
      return `create ${call.path} (${call.content.length} characters)`;
  }
}

/** Shortens tool results that are more than RECENT_RESULTS_KEPT steps old, to keep prompts small. */
function compactHistory(messages: ChatMessage[]): void {
  const results = messages.filter((message) => message.role === 'user' && message.content.startsWith('Result of '));
  for (const message of results.slice(0, Math.max(0, results.length - RECENT_RESULTS_KEPT + 1))) {
    if (message.content.length > OLD_RESULT_LIMIT) {
      message.content = `${message.content.slice(0, OLD_RESULT_LIMIT)}\n[… older output shortened; run the tool again if you need it]`;
    }
  }
}

/** Relative paths of the files under `root` (skipping node_modules and .git), sorted, at most LISTED_FILES_LIMIT. */
async function listFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(join(root, relative), { withFileTypes: true });
    entries.sort((left, right) => left.name.localeCompare(right.name));
    for (const entry of entries) {
      if (found.length >= LISTED_FILES_LIMIT) return;
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== '.git') await walk(path);
      } else if (entry.isFile()) {
        found.push(path);
      }
    }
  };
  await walk('');
  return found;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function clip(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}
