/**
 * @module The content of an LLM mutator's prompt: the parent's code, its public metrics (never
 * private ones), excerpts of its failing evaluations' logs and of its failed children's errors,
 * the artifacts its evaluation left (stderr, evaluator feedback: OpenEvolve's side channel,
 * capped), a few top and diverse programs from the archive (OpenEvolve), and a short summary of
 * what the archive has tried (ADAS keeps the archive in the prompt; this is its compact form).
 */
import type { AgentFiles, AgentNode, Metrics } from '../core/types.js';
import { describeRanges, editableRegions, hasEvolveBlocks } from './edit-regions.js';
import type { MutationHistory, NodeWithCode } from './types.js';

export type { MutationHistory } from './types.js';

/** Limits that keep prompts bounded. */
const LOG_LINES_PER_JOB = 12;
const LOG_CHARS = 3000;
const HISTORY_ENTRIES = 12;
const CHILD_ERRORS = 3;
const CHILD_ERROR_CHARS = 600;
const FILE_CHARS = 40_000;
const INSPIRATION_CHARS = 6000;
const INSPIRATION_METRICS = 8;
/** Characters of one artifact in a prompt; a longer one keeps its head and its tail (where errors end up). */
export const PROMPT_ARTIFACT_CHARS = 2048;
/** Characters of all the parent's artifacts in a prompt. */
export const PROMPT_ARTIFACTS_CHARS = 6144;
const ARTIFACT_HEAD_CHARS = 512;
/** Below this many characters left, no further artifact is started. */
const ARTIFACT_MINIMUM_CHARS = 200;

/** The parent's files as fenced blocks, editable files first. */
export function formatParentCode(files: AgentFiles): string {
  const regions = editableRegions(files);
  const names = Object.keys(files).sort(
    (a, b) => Number(regions.has(b)) - Number(regions.has(a)) || a.localeCompare(b),
  );
  return names
    .map((file) => {
      const content = files[file] ?? '';
      const text =
        content.length > FILE_CHARS ? `${content.slice(0, FILE_CHARS)}\n… (cut at ${FILE_CHARS} characters)` : content;
      const fence = fenceFor(text);
      return `### ${file}\n${fence}${fenceLanguage(file)}\n${text.trimEnd()}\n${fence}`;
    })
    .join('\n\n');
}

/** Where edits are allowed, for the prompt's rules. */
export function describeEditable(files: AgentFiles): string {
  if (!hasEvolveBlocks(files)) return 'this program has no markers, so any line may change';
  return [...editableRegions(files)].map(([file, ranges]) => `${file}: ${describeRanges(ranges)}`).join('; ');
}

/** Public metrics as `name: value` lines. Private metrics are never passed here. */
export function formatMetrics(metrics: Metrics): string {
  const entries = Object.entries(metrics);
  if (entries.length === 0) return '(none)';
  return entries.map(([key, value]) => `- ${key}: ${formatValue(value)}`).join('\n');
}

/** Failing jobs of the parent, and errors of its most recent failed children. */
export function formatLogs(parent: AgentNode, history: MutationHistory): string {
  const parts: string[] = [];
  let budget = LOG_CHARS;
  for (const evaluation of history.evaluations(parent.id)) {
    if (evaluation.status === 'ok' && evaluation.logExcerpt.trim() === '') continue;
    const tail = evaluation.logExcerpt.trimEnd().split('\n').slice(-LOG_LINES_PER_JOB).join('\n');
    const entry = `- ${evaluation.problem} (repeat ${evaluation.repeat}): ${evaluation.status}${
      evaluation.score !== null ? `, score ${evaluation.score.toFixed(4)}` : ''
    }${tail ? `\n\`\`\`\n${tail}\n\`\`\`` : ''}`;
    if (entry.length > budget) break;
    parts.push(entry);
    budget -= entry.length;
  }
  const failedChildren = history
    .nodes()
    .filter((node) => node.parentId === parent.id && node.status !== 'scored' && node.error)
    .slice(-CHILD_ERRORS);
  for (const child of failedChildren) {
    const error = (child.error ?? '').slice(0, CHILD_ERROR_CHARS);
    parts.push(
      `- an earlier change to this program (node #${child.id}, "${child.mutation.summary}") ${child.status}: ${error}`,
    );
  }
  return parts.length > 0 ? parts.join('\n') : 'None: every evaluation of this program ran cleanly.';
}

/** ADAS-style summary: counts, the best node, and the most recent attempts with their outcome. */
export function formatHistory(history: MutationHistory): string {
  const nodes = history.nodes();
  if (nodes.length <= 1) return 'Nothing yet: this is the first change to the seed program.';
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const counts = new Map<string, number>();
  for (const node of nodes) counts.set(node.status, (counts.get(node.status) ?? 0) + 1);
  let best: AgentNode | null = null;
  for (const node of nodes) {
    if (node.score !== null && (best === null || node.score > (best.score ?? -1))) best = node;
  }
  const lines = [
    `${nodes.length} programs so far (${[...counts].map(([status, count]) => `${count} ${status}`).join(', ')}); ` +
      `best score ${best?.score?.toFixed(4) ?? '–'} (node #${best?.id ?? '–'}), seed ${byId.get(0)?.score?.toFixed(4) ?? '–'}.`,
    'Most recent attempts (newest first):',
  ];
  const recent = nodes
    .filter((node) => node.parentId !== null)
    .slice(-HISTORY_ENTRIES)
    .reverse();
  for (const node of recent) {
    const parent = node.parentId === null ? undefined : byId.get(node.parentId);
    const outcome =
      node.status === 'scored' && node.score !== null
        ? `score ${node.score.toFixed(4)}${parent?.score != null ? ` (${signed(node.score - parent.score)} vs parent)` : ''}`
        : node.status;
    lines.push(`- #${node.id} from #${node.parentId}: ${node.mutation.summary} → ${outcome}`);
  }
  return lines.join('\n');
}

/** Inspirations: their editable regions (or whole files when unmarked), best first. */
export function formatInspirations(inspirations: readonly NodeWithCode[]): string {
  if (inspirations.length === 0) return 'None yet.';
  return inspirations
    .map(({ node, files }) => {
      const regions = editableRegions(files);
      const marked = hasEvolveBlocks(files);
      const excerpts: string[] = [];
      for (const [file, ranges] of regions) {
        const lines = (files[file] ?? '').split('\n');
        const text = marked
          ? ranges.map((range) => lines.slice(range.start, range.end).join('\n')).join('\n…\n')
          : lines.join('\n');
        const cut = text.length > INSPIRATION_CHARS ? `${text.slice(0, INSPIRATION_CHARS)}\n…` : text;
        const fence = fenceFor(cut);
        excerpts.push(
          `${file}${marked ? ' (its EVOLVE-BLOCK regions)' : ''}:\n${fence}${fenceLanguage(file)}\n${cut.trimEnd()}\n${fence}`,
        );
      }
      const metrics = Object.entries(node.publicMetrics).slice(0, INSPIRATION_METRICS);
      const metricLine =
        metrics.length > 0
          ? `\nPublic metrics: ${metrics.map(([key, value]) => `${key} ${formatValue(value)}`).join(', ')}`
          : '';
      return `## Node #${node.id}, score ${node.score?.toFixed(4) ?? '–'}: ${node.mutation.summary}${metricLine}\n${excerpts.join('\n')}`;
    })
    .join('\n\n');
}

/**
 * The parent's artifacts (text its evaluation left: stderr, evaluator feedback …; `AgentNode.artifacts`)
 * under a heading, each cut to `PROMPT_ARTIFACT_CHARS` (head and tail kept, the cut marked) and all
 * of them to `PROMPT_ARTIFACTS_CHARS`, in name order; the empty string when there are none, so the
 * template's `{{artifacts}}` line disappears. Artifacts are public by contract: the evaluator
 * writes private data as private metrics, which never reach a prompt.
 */
export function formatArtifacts(node: AgentNode): string {
  const artifacts = readArtifacts(node);
  const names = Object.keys(artifacts)
    .filter((name) => (artifacts[name] ?? '').trim() !== '')
    .sort();
  if (names.length === 0) return '';
  const parts: string[] = [];
  let budget = PROMPT_ARTIFACTS_CHARS;
  let shown = 0;
  for (const name of names) {
    if (budget < ARTIFACT_MINIMUM_CHARS) break;
    const text = capText((artifacts[name] ?? '').trimEnd(), Math.min(PROMPT_ARTIFACT_CHARS, budget));
    const fence = fenceFor(text);
    parts.push(`### ${name}\n${fence}\n${text}\n${fence}`);
    budget -= text.length;
    shown++;
  }
  if (shown < names.length) {
    parts.push(`(${names.length - shown} more left out: ${names.slice(shown).join(', ')})`);
  }
  return `## Artifacts of its evaluation\n${parts.join('\n')}`;
}

/** `node.artifacts`, its text entries only (read defensively: archives hold what evaluators wrote). */
function readArtifacts(node: AgentNode): Record<string, string> {
  const value: unknown = node.artifacts;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  const artifacts: Record<string, string> = {};
  for (const [name, text] of Object.entries(value as Record<string, unknown>)) {
    if (typeof text === 'string') artifacts[name] = text;
  }
  return artifacts;
}

/** `text` cut to at most `limit` characters: its head and its tail around a marker saying how much was cut. */
function capText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const marker = (cut: number): string => `\n… (${cut} characters cut) …\n`;
  const room = Math.max(0, limit - marker(text.length).length);
  const head = Math.min(ARTIFACT_HEAD_CHARS, Math.floor(room / 4));
  const tail = room - head;
  return `${text.slice(0, head)}${marker(text.length - head - tail)}${text.slice(text.length - tail)}`;
}

/** A Markdown fence longer than any run of backticks in `text`, so the text cannot close it. */
function fenceFor(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`{3,}/g)].map((match) => match[0].length));
  return '`'.repeat(Math.max(3, longest + 1));
}

const FENCE_LANGUAGES: Record<string, string> = {
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'tsx',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'jsx',
  json: 'json',
  md: 'markdown',
  py: 'python',
  pyi: 'python',
  sh: 'bash',
  bash: 'bash',
  rb: 'ruby',
  r: 'r',
  jl: 'julia',
  yaml: 'yaml',
  yml: 'yaml',
  toml: 'toml',
  c: 'c',
  h: 'c',
  cc: 'cpp',
  cpp: 'cpp',
  cxx: 'cpp',
  hpp: 'cpp',
  cu: 'cuda',
  rs: 'rust',
  go: 'go',
  java: 'java',
  cs: 'csharp',
  swift: 'swift',
  kt: 'kotlin',
  scala: 'scala',
  lua: 'lua',
  sql: 'sql',
  hs: 'haskell',
  lisp: 'lisp',
  clj: 'clojure',
  scm: 'scheme',
  asm: 'asm',
  m: 'matlab',
  tex: 'latex',
  erl: 'erlang',
  ml: 'ocaml',
  mli: 'ocaml',
  html: 'html',
  htm: 'html',
  xml: 'xml',
  css: 'css',
};

/** The Markdown fence language of a file, by its extension (`python`, `c`, `ocaml` …); empty when unknown. */
export function fenceLanguage(file: string): string {
  const dot = file.lastIndexOf('.');
  if (dot < 0 || dot < file.lastIndexOf('/')) return '';
  return FENCE_LANGUAGES[file.slice(dot + 1).toLowerCase()] ?? '';
}

function formatValue(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toPrecision(6);
  return String(value);
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(4)}`;
}
