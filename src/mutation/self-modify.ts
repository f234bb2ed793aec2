/**
 * @module The `self-modify` mutator (Darwin Gödel Machine style): the parent coding agent improves
 * itself. (a) Diagnosis: a host-side model call reads the parent's code and the logs of the
 * exercises it failed, and answers with a JSON proposal `{ summary, proposal, implementation }`.
 * (b) The parent agent runs in the sandbox (harness job `coding-agent`, id `self`) on a copy of its
 * own source, with the proposal as its task; it reaches models only through a model proxy session
 * opened for the child (`purpose: 'self-modify'`), which holds the key and the agent's budget.
 * (c) The files it leaves are checked (safe paths, size caps, the entry file still there, every
 * code file parses, something changed) and become the child's code. Every model call of both steps
 * is recorded against the child; the proposal, the agent's report and the changed files are kept
 * in `MutationInfo.details`. A child the agent could not make is `patch_failed` (with why), a
 * failed diagnosis call `invalid`; the campaign goes on.
 */
import { describeError, UnsafePathError } from '../core/errors.js';
import { assertSafeRelativePath } from '../core/safe-path.js';
import type { AgentFiles, EvaluationRecord, MutationInfo } from '../core/types.js';
import type { AgentBundler } from '../harness/bundle-agent.js';
import {
  CODING_AGENT_JOB_KIND,
  type CodingAgentJob,
  type CodingAgentLimits,
  parseCodingAgentOutput,
  type SolveReport,
} from '../harness/coding-agent-job.js';
import { EvaluationAbortedError, type HarnessRunResult, harnessJobResult, runHarness } from '../harness/run-harness.js';
import type { HarnessJobResult } from '../harness/types.js';
import { callModel } from '../model/call-model.js';
import { ModelCallError } from '../model/errors.js';
import type { PriceTable } from '../model/prices.js';
import type { ModelEnsemble } from '../model/registry.js';
import type { ModelCallRecorder, ModelMessage, ModelRequest } from '../model/types.js';
import type { ModelProxy, ProxyUsage } from '../model-proxy/types.js';
import type { Sandbox, SandboxLimits } from '../sandbox/types.js';
import { formatHistory, formatParentCode, type MutationHistory } from './build-prompt.js';
import { mutatorCallOptions } from './model-call-settings.js';
import { loadTemplateSet, renderTemplate } from './prompt-templates.js';
import { checkSyntax } from './syntax-check.js';
import type { MutationRequest, MutationResult, Mutator } from './types.js';

/** Job id and work directory (relative to the harness directory) of the self-modification run. */
export const SELF_JOB_ID = 'self';
export const SELF_WORK_DIRECTORY = 'work/self';

/** The structured improvement proposal of the diagnosis step. */
export interface Diagnosis {
  /** One line naming the change (the child's `MutationInfo.summary`). */
  summary: string;
  /** What is wrong, seen where, and why the change helps. */
  proposal: string;
  /** How to change the code, step by step. */
  implementation: string;
}

/** The templates of `self-modify` (Markdown files in `src/mutation/prompts/`). */
export interface SelfModifyTemplates {
  /** The diagnosis model's system prompt. */
  system: string;
  /** The diagnosis request. */
  diagnosis: string;
  /** The re-ask after an answer that held no usable JSON. */
  diagnosisError: string;
  /** The statement the parent agent gets for editing itself. */
  task: string;
}

const TEMPLATE_FILES: Record<keyof SelfModifyTemplates, string> = {
  system: 'self-modify-system.md',
  diagnosis: 'self-modify-diagnosis.md',
  diagnosisError: 'self-modify-diagnosis-error.md',
  task: 'self-modify-task.md',
};

/** Placeholders each `self-modify` template may use. */
export const SELF_MODIFY_PLACEHOLDERS: Record<keyof SelfModifyTemplates, readonly string[]> = {
  system: [],
  diagnosis: ['task', 'parent_id', 'parent_score', 'parent_code', 'failures', 'history', 'entry'],
  diagnosisError: ['error'],
  task: ['summary', 'proposal', 'implementation', 'entry'],
};

/**
 * The built-in `self-modify` templates with `overrides` (name → file relative to `baseDirectory`).
 *
 * @throws ConfigError for an unreadable file or an unknown placeholder.
 */
export function loadSelfModifyTemplates(
  overrides: Partial<Record<keyof SelfModifyTemplates, string>> = {},
  baseDirectory = process.cwd(),
): SelfModifyTemplates {
  return loadTemplateSet(TEMPLATE_FILES, SELF_MODIFY_PLACEHOLDERS, overrides, baseDirectory);
}

/** Caps on the tree the agent hands back. */
export interface SelfModifyCaps {
  /** Files in the tree. Default 256. */
  files: number;
  /** Bytes of one file. Default 256 KiB. */
  fileBytes: number;
  /** Bytes of the whole tree. Default 1 MiB. */
  treeBytes: number;
}

const DEFAULT_CAPS: SelfModifyCaps = { files: 256, fileBytes: 256 * 1024, treeBytes: 1024 * 1024 };

/** Options of `createSelfModifyMutator`. */
export interface SelfModifyOptions {
  /** The diagnosis models; one is drawn per child with the child's seeded random source. */
  ensemble: ModelEnsemble;
  prices: PriceTable;
  /** Where diagnosis calls go (the campaign's ledger; the proxy records the agent's calls). */
  recorder?: ModelCallRecorder;
  templates: SelfModifyTemplates;
  /** Read access to the archive: the parent's evaluations (failing logs) and the history. */
  history: MutationHistory;
  /** What the agent is for and how it is scored, for the diagnosis prompt. */
  taskDescription: string;
  /** The agent's entry file (it must survive the edit), e.g. `agent.ts`. */
  entry: string;
  /** The campaign's model proxy; a session per child carries the agent's calls. */
  proxy: ModelProxy;
  sandbox: Sandbox;
  /** The campaign's sandbox limits; the wall-clock limit is raised to cover the agent's own. */
  limits: SandboxLimits;
  agentLimits: CodingAgentLimits;
  bundle: AgentBundler;
  /** Source of the bundled harness. */
  harness: string;
  /** Why no more model calls may start (a spent budget), or null. */
  budgetExceeded?: () => string | null;
  /** Diagnosis sampling temperature; provider default when null. */
  temperature: number | null;
  /** Most tokens of the diagnosis answer. */
  maxTokens: number;
  /** Retries of one diagnosis call. */
  retries: number;
  stream: boolean;
  caps?: Partial<SelfModifyCaps>;
  /** Waits between retries (tests pass a fast one). */
  sleep?: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  baseDelayMs?: number;
}

/** `MutationInfo.details` of a `self-modify` child. */
export interface SelfModifyDetails {
  /** The diagnosis model, `provider:model`. */
  model: string;
  diagnosis?: Diagnosis;
  /** Diagnosis answers asked for (1 + re-ask). */
  diagnosisRounds: number;
  /** Diagnosis tokens and cost (the agent's are in `agentUsage`). */
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  /** The agent's own report of its run on its source. */
  report?: SolveReport;
  /** What the agent's proxy session spent. */
  agentUsage?: ProxyUsage;
  /** The end of the agent's log. */
  agentLog?: string;
  /** Why the agent's run did not end normally (its `solve` threw or ran past its time), when so. */
  agentError?: string;
  /** Files the agent changed, added or removed, sorted. */
  changed?: string[];
  added?: string[];
  removed?: string[];
  /** Why each rejected diagnosis answer was rejected. */
  rejected?: string[];
}

/** Answers the agent's log keeps in `details` (characters from the end). */
const AGENT_LOG_CHARS = 6000;
/** The failing logs shown to the diagnosis model. */
const FAILURES_SHOWN = 8;
const FAILURE_LINES = 40;
const FAILURE_CHARS = 2500;
const FAILURES_TOTAL_CHARS = 16_000;
/** Time the sandbox grants beyond the agent's own limit (start-up, writing the files back). */
const SANDBOX_MARGIN_MS = 30_000;

/** Creates the `self-modify` mutator. */
export function createSelfModifyMutator(options: SelfModifyOptions): Mutator {
  const caps = { ...DEFAULT_CAPS, ...options.caps };
  return {
    name: 'self-modify',
    readsHistory: true,
    async mutate(request: MutationRequest): Promise<MutationResult> {
      const client = options.ensemble.pick(request.random);
      const details: SelfModifyDetails = {
        model: `${client.provider}:${client.model}`,
        diagnosisRounds: 0,
        tokensIn: 0,
        tokensOut: 0,
        costUsd: 0,
      };
      const rejected: string[] = [];
      const info = (summary: string): MutationInfo => ({
        operator: 'self-modify',
        summary,
        details: { ...details, ...(rejected.length > 0 ? { rejected } : {}) } as unknown as Record<string, unknown>,
      });
      const fail = (status: 'patch_failed' | 'invalid', summary: string, error: string): MutationResult => ({
        ok: false,
        status,
        error,
        info: info(summary),
      });

      // (a) Diagnosis.
      const messages: ModelMessage[] = [{ role: 'user', content: diagnosisPrompt(options, request) }];
      let diagnosis: Diagnosis | null = null;
      let lastProblem = '';
      for (let round = 0; round < 2 && diagnosis === null; round++) {
        const spent = options.budgetExceeded?.() ?? null;
        if (spent !== null) {
          // The second round follows a diagnosis call whose answer could not be read.
          const made = round === 0 ? 'No model call made' : `Stopped after ${round} diagnosis call(s)`;
          return fail('invalid', 'model budget spent', `${made}: ${spent}.`);
        }
        const modelRequest: ModelRequest = {
          system: renderTemplate(options.templates.system, {}),
          messages: messages.map((message) => ({ ...message })),
          maxTokens: options.maxTokens,
          ...(options.temperature !== null ? { temperature: options.temperature } : {}),
          ...(options.stream ? { stream: true } : {}),
        };
        details.diagnosisRounds = round + 1;
        let answer: string;
        try {
          const result = await callModel(
            client,
            modelRequest,
            mutatorCallOptions(options, request.nodeId ?? null, request.signal),
          );
          answer = result.response.text;
          details.tokensIn += result.response.tokensIn;
          details.tokensOut += result.response.tokensOut;
          details.costUsd += result.costUsd;
          if (result.response.finishReason === 'length') lastProblem = ' (the answer was cut off at the token limit)';
          else lastProblem = '';
        } catch (error) {
          if (request.signal?.aborted) throw new EvaluationAbortedError();
          const message = error instanceof ModelCallError ? error.message : describeError(error);
          return fail('invalid', 'diagnosis call failed', `The diagnosis call failed: ${message}`);
        }
        const parsed = parseDiagnosis(answer);
        if (parsed.ok) {
          diagnosis = parsed.diagnosis;
          break;
        }
        const problem = `${parsed.error}${lastProblem}`;
        rejected.push(problem);
        messages.push({ role: 'assistant', content: answer });
        messages.push({ role: 'user', content: renderTemplate(options.templates.diagnosisError, { error: problem }) });
      }
      if (diagnosis === null) {
        return fail(
          'patch_failed',
          'no usable diagnosis',
          `The diagnosis model (${details.model}) gave no usable proposal in ${details.diagnosisRounds} answers: ${rejected.at(-1) ?? 'unknown problem'}`,
        );
      }
      details.diagnosis = diagnosis;
      const summary = oneLine(diagnosis.summary);

      // (b) The parent agent edits a copy of itself in the sandbox, through a proxy session.
      const parentFiles = request.parent.files;
      const bundled = await options.bundle(parentFiles, options.entry);
      if (!bundled.ok) return fail('patch_failed', summary, `The parent agent does not bundle: ${bundled.error}`);
      const job: CodingAgentJob = {
        id: SELF_JOB_ID,
        workDir: SELF_WORK_DIRECTORY,
        statement: renderTemplate(options.templates.task, {
          summary,
          proposal: diagnosis.proposal,
          implementation: diagnosis.implementation,
          entry: options.entry,
        }),
        files: { ...parentFiles },
        limits: { ...options.agentLimits },
      };
      const spent = options.budgetExceeded?.() ?? null;
      if (spent !== null) return fail('invalid', 'model budget spent', `The agent was not started: ${spent}.`);
      const session = await options.proxy.openSession({
        nodeId: request.nodeId ?? -1,
        purpose: 'self-modify',
        budget: { tokens: options.agentLimits.maxTokens, calls: options.agentLimits.maxSteps },
        ...(request.signal ? { signal: request.signal } : {}),
      });
      let run: HarnessRunResult;
      try {
        run = await runHarness({
          sandbox: options.sandbox,
          harness: options.harness,
          agentCode: bundled.code,
          kind: CODING_AGENT_JOB_KIND,
          jobs: [job],
          limits: {
            ...options.limits,
            timeoutMs: Math.max(options.limits.timeoutMs, options.agentLimits.timeoutMs + SANDBOX_MARGIN_MS),
          },
          modelSocket: session.socketPath,
          ...(request.signal ? { signal: request.signal } : {}),
        });
      } finally {
        details.agentUsage = session.usage();
        await session.close();
      }
      const jobResult = selfJobResult(run);
      if (typeof jobResult === 'string') return fail('patch_failed', summary, jobResult);
      details.agentLog = tail(jobResult.log, AGENT_LOG_CHARS);
      const parsed = parseCodingAgentOutput(jobResult.output);
      if (!parsed.ok) {
        return fail(
          'patch_failed',
          summary,
          `The agent's run on its own source failed${jobResult.error ? `: ${jobResult.error}` : ` (${parsed.reason})`}.\nEnd of its log:\n${tail(jobResult.log, 1500)}`,
        );
      }
      const output = parsed.value;
      details.report = output.report;
      if (output.error !== undefined) details.agentError = output.error;
      if (output.truncated !== undefined && output.truncated !== '') {
        return fail(
          'patch_failed',
          summary,
          `Not every file the agent left could be read back (${output.truncated}); a partial tree is not kept.`,
        );
      }

      // (c) Check the tree it left.
      const checked = await checkAgentTree(output.files, parentFiles, options.entry, caps);
      if (!checked.ok) {
        const how = details.report
          ? ` (the agent stopped: ${details.report.stopReason} after ${details.report.steps} steps)`
          : '';
        return fail('patch_failed', summary, `${checked.error}${how}`);
      }
      details.changed = checked.changed;
      details.added = checked.added;
      details.removed = checked.removed;
      return { ok: true, files: checked.files, info: info(summary) };
    },
  };
}

/** The diagnosis request for a parent. */
function diagnosisPrompt(options: SelfModifyOptions, request: MutationRequest): string {
  const { node, files } = request.parent;
  return renderTemplate(options.templates.diagnosis, {
    task: options.taskDescription,
    parent_id: String(node.id),
    parent_score: node.score === null ? '–' : node.score.toFixed(4),
    parent_code: formatParentCode(files),
    failures: formatFailures((request.history ?? options.history).evaluations(node.id)),
    history: formatHistory(request.history ?? options.history),
    entry: options.entry,
  });
}

/**
 * The parent's failing evaluations (status other than `ok`, or a score below 1), each with the end
 * of its log, bounded in count and characters.
 */
export function formatFailures(evaluations: readonly EvaluationRecord[]): string {
  const failing = evaluations.filter((record) => record.status !== 'ok' || (record.score ?? 0) < 1);
  if (evaluations.length === 0) return 'No evaluation logs are recorded for this agent.';
  if (failing.length === 0) {
    return `None: it passed all ${evaluations.length} exercises it was evaluated on. Propose a change that makes it more robust or efficient.`;
  }
  const parts = [`It failed ${failing.length} of ${evaluations.length} exercises.`];
  let budget = FAILURES_TOTAL_CHARS;
  for (const record of failing.slice(0, FAILURES_SHOWN)) {
    const lines = record.logExcerpt.trimEnd().split('\n').slice(-FAILURE_LINES).join('\n');
    const log = lines.length > FAILURE_CHARS ? `…${lines.slice(-FAILURE_CHARS)}` : lines;
    const entry = `## ${record.problem}: ${record.status}${record.score !== null ? `, score ${record.score}` : ''}\n\`\`\`\n${log || '(empty log)'}\n\`\`\``;
    if (entry.length > budget) break;
    parts.push(entry);
    budget -= entry.length;
  }
  if (failing.length > FAILURES_SHOWN) parts.push(`(${failing.length - FAILURES_SHOWN} more failures not shown.)`);
  return parts.join('\n\n');
}

/**
 * Finds the diagnosis in a model's answer: the first JSON object (bare, or in a fenced block,
 * with prose around it) whose `summary`, `proposal` and `implementation` are non-empty strings.
 * The error says what was wrong, for the re-ask.
 */
export function parseDiagnosis(answer: string): { ok: true; diagnosis: Diagnosis } | { ok: false; error: string } {
  const candidates = jsonObjectCandidates(answer);
  if (candidates.length === 0) {
    return {
      ok: false,
      error: 'the answer holds no JSON object (expected {"summary": …, "proposal": …, "implementation": …}).',
    };
  }
  let problem = '';
  for (const candidate of candidates) {
    let value: unknown;
    try {
      value = JSON.parse(candidate);
    } catch (error) {
      problem ||= `the JSON object does not parse (${describeError(error)}).`;
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    const record = value as Record<string, unknown>;
    const missing = ['summary', 'proposal', 'implementation'].filter(
      (field) => typeof record[field] !== 'string' || (record[field] as string).trim() === '',
    );
    if (missing.length > 0) {
      problem ||= `the JSON object lacks non-empty string field${missing.length === 1 ? '' : 's'} ${missing.map((field) => `"${field}"`).join(', ')}.`;
      continue;
    }
    return {
      ok: true,
      diagnosis: {
        summary: (record.summary as string).trim(),
        proposal: (record.proposal as string).trim(),
        implementation: (record.implementation as string).trim(),
      },
    };
  }
  return {
    ok: false,
    error: problem || 'no JSON object in the answer has the fields summary, proposal and implementation.',
  };
}

/** Balanced `{…}` spans of `text` (strings and escapes respected), outermost first, in order. */
function jsonObjectCandidates(text: string): string[] {
  const spans: string[] = [];
  for (let start = text.indexOf('{'); start !== -1; start = text.indexOf('{', start + 1)) {
    let depth = 0;
    let inString = false;
    let escaped = false;
    for (let index = start; index < text.length; index++) {
      const character = text[index];
      if (inString) {
        if (escaped) escaped = false;
        else if (character === '\\') escaped = true;
        else if (character === '"') inString = false;
        continue;
      }
      if (character === '"') inString = true;
      else if (character === '{') depth++;
      else if (character === '}' && --depth === 0) {
        spans.push(text.slice(start, index + 1));
        break;
      }
    }
    if (spans.length >= 8) break;
  }
  return spans;
}

/** The `self` job's result from the harness run, or why there is none. */
function selfJobResult(run: HarnessRunResult): HarnessJobResult | string {
  if (!run.ok) return `The agent's run on its own source did not finish: ${run.reason}`;
  const job = harnessJobResult(run.output, 0);
  if (job === undefined) {
    const { sandbox } = run;
    const how = sandbox.signal ? `was killed by ${sandbox.signal}` : `exited with code ${sandbox.exitCode}`;
    return `The harness ${how} without a result for the agent's run on its own source.`;
  }
  return job;
}

/** Outcome of `checkAgentTree`. */
export type AgentTreeCheck =
  | { ok: true; files: AgentFiles; changed: string[]; added: string[]; removed: string[] }
  | { ok: false; error: string };

/**
 * Checks a tree a self-modifying agent left: a map of text files with safe relative paths, within
 * the caps, with the entry file, every TypeScript/JavaScript file parsing, and different from
 * `parent`. The error is written for the record (and for a model reading the history).
 */
export async function checkAgentTree(
  value: unknown,
  parent: AgentFiles,
  entry: string,
  caps: SelfModifyCaps = DEFAULT_CAPS,
): Promise<AgentTreeCheck> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, error: 'The agent returned no file map (expected path → text).' };
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > caps.files) {
    return { ok: false, error: `The agent left ${entries.length} files; at most ${caps.files} are accepted.` };
  }
  const files: AgentFiles = {};
  let total = 0;
  for (const [file, content] of entries) {
    try {
      assertSafeRelativePath(file);
    } catch (error) {
      if (error instanceof UnsafePathError) return { ok: false, error: error.message };
      throw error;
    }
    if (typeof content !== 'string') return { ok: false, error: `The agent's file ${file} is not text.` };
    const bytes = Buffer.byteLength(content, 'utf8');
    if (bytes > caps.fileBytes) {
      return {
        ok: false,
        error: `The agent's file ${file} has ${bytes} bytes; at most ${caps.fileBytes} are accepted.`,
      };
    }
    total += bytes;
    files[file] = content;
  }
  if (total > caps.treeBytes) {
    return { ok: false, error: `The agent's files hold ${total} bytes; at most ${caps.treeBytes} are accepted.` };
  }
  if (!Object.hasOwn(files, entry)) {
    return { ok: false, error: `The agent removed its entry file ${entry}; it must keep exporting solve from it.` };
  }
  const added = Object.keys(files)
    .filter((file) => !Object.hasOwn(parent, file))
    .sort();
  const removed = Object.keys(parent)
    .filter((file) => !Object.hasOwn(files, file))
    .sort();
  const changed = Object.keys(files)
    .filter((file) => Object.hasOwn(parent, file) && parent[file] !== files[file])
    .sort();
  if (added.length + removed.length + changed.length === 0) {
    return { ok: false, error: 'The agent changed nothing in its own source.' };
  }
  const syntax = await checkSyntax(files, Object.keys(files).sort());
  if (syntax !== null) return { ok: false, error: `The agent's edited code does not parse:\n${syntax}` };
  return { ok: true, files, changed, added, removed };
}

function oneLine(text: string): string {
  const line = text.split('\n').find((part) => part.trim() !== '') ?? text;
  const trimmed = line.trim();
  return trimmed.length > 160 ? `${trimmed.slice(0, 157)}...` : trimmed;
}

function tail(text: string, characters: number): string {
  return text.length > characters ? `…${text.slice(-characters)}` : text;
}
