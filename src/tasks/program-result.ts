/**
 * @module What a program task's evaluator writes (its JSON result), read and checked; and how its
 * raw score becomes a node score (direction and declared range). See docs/PROGRAM.md.
 */
import type { Metrics } from '../core/types.js';

/** A checked evaluator result. */
export interface EvaluatorResult {
  /** The evaluator's score, in its own units (finite). Null when the evaluator declared a failure (`error`). */
  score: number | null;
  /** The evaluator's reason when it judged the program failed (`"error": "…"`). */
  error: string | null;
  /** Shown to models and in the viewer. */
  publicMetrics: Metrics;
  /** Held out from models. */
  privateMetrics: Metrics;
  /** Text side channel (errors, feedback), capped: goes to the viewer and the children's prompts. */
  artifacts: Record<string, string>;
}

/** Cap on one artifact's text, in characters. */
export const ARTIFACT_CHARS = 4096;
/** Cap on a job's artifacts together, in characters. */
export const ARTIFACTS_TOTAL_CHARS = 16_384;
/** Cap on a text metric, in characters. */
const TEXT_METRIC_CHARS = 200;
/** Cap on the number of metrics (public plus private) kept from one result. */
const MAX_METRICS = 200;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Checks an evaluator's JSON result. The shape:
 * `{ "score": <finite number>, "public": {…}, "private": {…}, "artifacts": { name: text }, "error"?: text }`.
 * OpenEvolve's shape is accepted too: `combined_score` (top level or inside `metrics`) for the score
 * and `metrics` for the public metrics. `"error": "…"` without a score says the program failed
 * (the job is `failed` with that reason). Returns a reason string when the result is unusable.
 */
export function parseEvaluatorResult(value: unknown): EvaluatorResult | string {
  if (!isRecord(value)) {
    return `The evaluator's result is ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}, not a JSON object like {"score": 0.5, "public": {}, "artifacts": {}}.`;
  }
  const openEvolveMetrics = isRecord(value.metrics) ? value.metrics : undefined;
  const rawScore =
    value.score !== undefined
      ? value.score
      : value.combined_score !== undefined
        ? value.combined_score
        : openEvolveMetrics?.combined_score;
  const error = typeof value.error === 'string' && value.error.trim() !== '' ? value.error.slice(0, 2000) : null;
  let score: number | null = null;
  if (rawScore === undefined || rawScore === null) {
    if (error === null) {
      return 'The evaluator\'s result has no "score" (nor OpenEvolve\'s "combined_score"); write a finite number, or "error": "why" when the program failed.';
    }
  } else if (typeof rawScore !== 'number' || !Number.isFinite(rawScore)) {
    return `The evaluator's "score" is ${JSON.stringify(rawScore)}; it must be a finite number (not NaN, Infinity or text).`;
  } else {
    score = rawScore;
  }
  for (const field of ['public', 'private', 'artifacts'] as const) {
    if (value[field] !== undefined && !isRecord(value[field])) {
      return `The evaluator's "${field}" must be a JSON object of name → value, got ${JSON.stringify(value[field])?.slice(0, 80)}.`;
    }
  }
  let kept = 0;
  const toMetrics = (source: Record<string, unknown> | undefined, skip: readonly string[] = []): Metrics => {
    const metrics: Metrics = {};
    for (const [name, entry] of Object.entries(source ?? {})) {
      if (skip.includes(name) || kept >= MAX_METRICS) continue;
      kept += 1;
      metrics[name.slice(0, 100)] = toMetricValue(entry);
    }
    return metrics;
  };
  const publicMetrics = {
    ...toMetrics(openEvolveMetrics, ['combined_score']),
    ...toMetrics(value.public as Record<string, unknown> | undefined),
  };
  const privateMetrics = toMetrics(value.private as Record<string, unknown> | undefined);
  return {
    score,
    error,
    publicMetrics,
    privateMetrics,
    artifacts: capArtifacts(value.artifacts as Record<string, unknown> | undefined),
  };
}

/** A metric value as stored: numbers (non-finite → null), booleans, null, text capped; anything else as capped JSON. */
function toMetricValue(value: unknown): Metrics[string] {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean' || value === null) return value;
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > TEXT_METRIC_CHARS ? `${text.slice(0, TEXT_METRIC_CHARS)}…` : text;
}

/**
 * Artifacts as text, each capped at 4096 characters and all together at 16384 (later ones are
 * dropped with a note); non-text values become JSON.
 */
export function capArtifacts(source: Record<string, unknown> | undefined): Record<string, string> {
  const artifacts: Record<string, string> = {};
  let total = 0;
  const entries = Object.entries(source ?? {});
  for (const [index, [name, value]] of entries.entries()) {
    let text = typeof value === 'string' ? value : (JSON.stringify(value, null, 1) ?? String(value));
    if (text.length > ARTIFACT_CHARS)
      text = `${text.slice(0, ARTIFACT_CHARS)}\n[… cut at ${ARTIFACT_CHARS} characters]`;
    if (total + text.length > ARTIFACTS_TOTAL_CHARS) {
      artifacts['clade:dropped'] =
        `${entries.length - index} more artifact(s) dropped: the ${ARTIFACTS_TOTAL_CHARS}-character cap was reached.`;
      break;
    }
    total += text.length;
    artifacts[name.slice(0, 100)] = text;
  }
  return artifacts;
}

/** How raw scores become node scores (see `mapScore`). */
export interface ScoreMapping {
  direction: 'maximize' | 'minimize';
  range?: readonly [number, number] | undefined;
}

/**
 * The node score of a raw score. With a range `[low, high]`: `(raw − low) / (high − low)` when
 * maximising, `(high − raw) / (high − low)` when minimising, so the better end is 1; a raw score
 * outside the range lands outside [0, 1] by the same line (never clamped). Without a range: the raw
 * score when maximising, its negation when minimising, so higher is always better.
 */
export function mapScore(raw: number, mapping: ScoreMapping): number {
  if (mapping.range !== undefined) {
    const [low, high] = mapping.range;
    return mapping.direction === 'maximize' ? (raw - low) / (high - low) : (high - raw) / (high - low);
  }
  return mapping.direction === 'maximize' ? raw : -raw;
}

/** One sentence stating `mapScore`'s rule for this task (docs, model descriptions, `clade show`). */
export function describeScoreMapping(mapping: ScoreMapping): string {
  const better = mapping.direction === 'maximize' ? 'higher' : 'lower';
  if (mapping.range !== undefined) {
    const [low, high] = mapping.range;
    const formula =
      mapping.direction === 'maximize' ? `(raw − ${low}) / (${high} − ${low})` : `(${high} − raw) / (${high} − ${low})`;
    return `A ${better} raw score is better; the node score is ${formula} (1 at the better end of [${low}, ${high}]; outside the range it goes below 0 or above 1, unclamped).`;
  }
  return mapping.direction === 'maximize'
    ? 'A higher raw score is better; the node score is the raw score.'
    : 'A lower raw score is better; the node score is the negated raw score, so that higher is better everywhere.';
}
