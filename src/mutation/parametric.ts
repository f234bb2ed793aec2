/**
 * @module The offline `parametric` mutator: changes only the `@evolve`-annotated constants and
 * choices of the parent, in any language (see `evolve-annotations.ts`), with differential-evolution moves over the
 * values that archive members hold (MetaDE: evolve an optimizer's configuration θ with DE), and a
 * Gaussian step when the archive is still too small for difference vectors. Needs no model and no
 * network, so `npm start` runs a real campaign offline.
 */

import { describeError } from '../core/errors.js';
import type { Random } from '../core/random.js';
import type { MutationInfo } from '../core/types.js';
import {
  applyEvolveValues,
  type ChoiceEvolveParameter,
  type EvolveParameter,
  type EvolveValue,
  formatEvolveValue,
  isNumericParameter,
  type NumericEvolveParameter,
  parseEvolveParameters,
} from './evolve-annotations.js';
import type { ParametricMutationConfig } from './parametric-kind.js';
import type { MutationRequest, MutationResult, Mutator, NodeWithCode } from './types.js';

const OPERATOR = 'parametric';
/** DE moves add jitter of this fraction of `sigma · range`, so that identical donors still move the child. */
const DE_JITTER_FRACTION = 0.1;
/** A forced change steps at least this fraction of the range, even when `sigma` is 0. */
const MINIMUM_FORCED_SIGMA = 0.1;
const FORCED_ATTEMPTS = 16;
const SUMMARY_ENTRIES = 6;

/** `MutationInfo.details` of a `parametric` child. */
export interface ParametricMutationDetails {
  /** `de`: a difference of two donors' values; `gaussian`: a step without donors. */
  move: 'de' | 'gaussian';
  /** Every parameter's value in the child, by key, as written in its code. */
  parameters: Record<string, EvolveValue>;
  /** Keys whose value differs from the parent's, in source order. */
  changed: string[];
  /** Node ids of r1 and r2 for a DE move; empty otherwise. */
  donors: number[];
  /** Key of the parameter changed on purpose because nothing else had changed, if any. */
  forced?: string;
}

/** An archive member whose parameters cover all of the parent's, with its values. */
interface Donor {
  id: number;
  values: Map<string, EvolveValue>;
}

/**
 * The offline mutator. Per child, for the parent's parameters θp:
 * - with at least two donors (inspirations whose parameters include all of the parent's keys, of
 *   the same kinds): pick r1 ≠ r2 and, for each numeric parameter with probability
 *   `crossoverRate` (one of them always, as in DE's binomial crossover), set
 *   v = θp + F · (θr1 − θr2) + N(0, (0.1 · sigma · range)²), in log space for `log` floats;
 * - otherwise: v = θp + N(0, (sigma · range)²) for each numeric parameter with probability
 *   `crossoverRate`, at least one;
 * - choices: with probability `choiceResample` a uniformly drawn other option, else with
 *   probability `crossoverRate` r1's option (when there are donors), else kept.
 * Values are clipped into range and ints rounded. A child identical to its parent would waste an
 * evaluation, so then one random parameter is forced to change.
 */
export function createParametricMutator(config: ParametricMutationConfig): Mutator {
  const { differentialWeight, crossoverRate, sigma, choiceResample } = config;
  return {
    name: OPERATOR,
    async mutate(request: MutationRequest): Promise<MutationResult> {
      request.signal?.throwIfAborted();
      const { parent, random } = request;
      const parsed = parseEvolveParameters(parent.files);
      if (parsed.errors.length > 0) {
        return failure(
          `The parent's @evolve annotations are malformed:\n${parsed.errors.map((error) => `  ${error}`).join('\n')}\n` +
            'Fix these annotations (or remove them) so the parametric mutator can change the values.',
          'malformed @evolve annotations',
          { errors: parsed.errors },
        );
      }
      const parameters = parsed.parameters;
      if (parameters.length === 0) {
        const files = Object.keys(parent.files).sort();
        return failure(
          `No @evolve parameters in the parent's files (${files.slice(0, 8).join(', ') || 'none'}). The parametric ` +
            'mutator changes only values annotated in a comment of their language, such as ' +
            '`const F = /* @evolve float 0..2 */ 0.5;` (TypeScript, C …) or `F = 0.5  # @evolve float 0..2` (Python, ' +
            'shell …), between an EVOLVE-BLOCK-START and an EVOLVE-BLOCK-END marker comment (`# EVOLVE-BLOCK-START` ' +
            'in Python). Annotate the tunable constants of the program, or use another mutator.',
          'no @evolve parameters',
          { files },
        );
      }

      const parentValues = new Map<string, EvolveValue>(
        parameters.map((parameter) => [parameter.key, parameter.value]),
      );
      const donors = collectDonors(parent, parameters, request.inspirations);
      const values = new Map(parentValues);
      const numeric = parameters.filter(isNumericParameter);

      let first: Donor | null = null;
      let second: Donor | null = null;
      if (donors.length >= 2) {
        const firstIndex = random.int(donors.length);
        let secondIndex = random.int(donors.length - 1);
        if (secondIndex >= firstIndex) secondIndex += 1;
        first = donors[firstIndex] ?? null;
        second = donors[secondIndex] ?? null;
      }
      const forcedIndex = numeric.length > 0 ? random.int(numeric.length) : -1;

      let numericIndex = 0;
      for (const parameter of parameters) {
        if (parameter.kind === 'choice') {
          if (random.next() < choiceResample) {
            values.set(parameter.key, otherOption(parameter, random));
          } else if (first !== null && random.next() < crossoverRate) {
            values.set(parameter.key, first.values.get(parameter.key) ?? parameter.value);
          }
          continue;
        }
        const position = numericIndex++;
        if (!(random.next() < crossoverRate) && position !== forcedIndex) continue;
        const range = spaceWidth(parameter);
        const current = toSpace(parameter, parameter.value);
        let proposal: number;
        if (first !== null && second !== null) {
          // MetaDE / DE: a difference of two archive members' values, scaled by F, from the parent.
          const difference =
            toSpace(parameter, donorNumber(first, parameter)) - toSpace(parameter, donorNumber(second, parameter));
          proposal = current + differentialWeight * difference + random.normal() * sigma * range * DE_JITTER_FRACTION;
        } else {
          proposal = current + random.normal() * sigma * range;
        }
        values.set(parameter.key, formatEvolveValue(parameter, fromSpace(parameter, proposal)).value);
      }

      let forced: string | null = null;
      if (sameValues(values, parentValues)) {
        const parameter = parameters[random.int(parameters.length)] as EvolveParameter;
        forced = parameter.key;
        values.set(parameter.key, forcedChange(parameter, sigma, random));
      }

      const changed = parameters.filter((parameter) => values.get(parameter.key) !== parameter.value);
      if (changed.length === 0) {
        return failure(
          'The parametric mutator could not find a value different from the parent for any @evolve parameter; ' +
            "widen the parameters' ranges.",
          'no change possible',
          {},
          'invalid',
        );
      }

      let files: Record<string, string>;
      try {
        files = applyEvolveValues(
          parent.files,
          parameters,
          Object.fromEntries(changed.map((parameter) => [parameter.key, values.get(parameter.key) as EvolveValue])),
        );
      } catch (error) {
        return failure(`Could not write the new values: ${describeError(error)}`, 'could not write values', {});
      }

      const details: ParametricMutationDetails = {
        move: first !== null ? 'de' : 'gaussian',
        parameters: Object.fromEntries(values),
        changed: changed.map((parameter) => parameter.key),
        donors: first !== null && second !== null ? [first.id, second.id] : [],
        ...(forced !== null ? { forced } : {}),
      };
      const info: MutationInfo = {
        operator: OPERATOR,
        summary: summarize(parameters, changed, values),
        details: { ...details },
      };
      return { ok: true, files, info };
    },
  };
}

function failure(
  error: string,
  summary: string,
  details: Record<string, unknown>,
  status: 'patch_failed' | 'invalid' = 'patch_failed',
): MutationResult {
  return { ok: false, status, error, info: { operator: OPERATOR, summary, details } };
}

/**
 * Inspirations usable for DE moves: those (other than the parent) whose parameters include every
 * parent key with the same kind, and, for choices, hold one of the parent's options.
 */
function collectDonors(
  parent: NodeWithCode,
  parameters: readonly EvolveParameter[],
  inspirations: readonly NodeWithCode[],
): Donor[] {
  const donors: Donor[] = [];
  const seen = new Set<number>([parent.node.id]);
  for (const inspiration of inspirations) {
    if (seen.has(inspiration.node.id)) continue;
    seen.add(inspiration.node.id);
    const theirs = new Map(parseEvolveParameters(inspiration.files).parameters.map((found) => [found.key, found]));
    const values = new Map<string, EvolveValue>();
    const covers = parameters.every((parameter) => {
      const found = theirs.get(parameter.key);
      if (found === undefined || found.kind !== parameter.kind) return false;
      if (parameter.kind === 'choice' && !parameter.options.includes(found.value as string)) return false;
      values.set(parameter.key, found.value);
      return true;
    });
    if (covers) donors.push({ id: inspiration.node.id, values });
  }
  return donors;
}

/** A donor's value for a numeric parameter, clipped into the parent's range (ranges may differ). */
function donorNumber(donor: Donor, parameter: NumericEvolveParameter): number {
  const value = donor.values.get(parameter.key);
  const number = typeof value === 'number' ? value : parameter.value;
  return Math.min(parameter.high, Math.max(parameter.low, number));
}

/** The space moves happen in: log space for `log` floats, the value itself otherwise. */
function toSpace(parameter: NumericEvolveParameter, value: number): number {
  return parameter.kind === 'float' && parameter.log ? Math.log(value) : value;
}

function fromSpace(parameter: NumericEvolveParameter, value: number): number {
  return parameter.kind === 'float' && parameter.log ? Math.exp(value) : value;
}

function spaceWidth(parameter: NumericEvolveParameter): number {
  return toSpace(parameter, parameter.high) - toSpace(parameter, parameter.low);
}

function otherOption(parameter: ChoiceEvolveParameter, random: Random): string {
  return random.pick(parameter.options.filter((option) => option !== parameter.value));
}

function sameValues(first: ReadonlyMap<string, EvolveValue>, second: ReadonlyMap<string, EvolveValue>): boolean {
  for (const [key, value] of first) if (second.get(key) !== value) return false;
  return true;
}

/** A value different from the parameter's current one (always exists: ranges and option lists have two or more values). */
function forcedChange(parameter: EvolveParameter, sigma: number, random: Random): EvolveValue {
  if (parameter.kind === 'choice') return otherOption(parameter, random);
  const width = spaceWidth(parameter);
  const scale = Math.max(sigma, MINIMUM_FORCED_SIGMA) * width;
  if (parameter.kind === 'int') {
    const step = Math.max(1, Math.round(Math.abs(random.normal() * scale)));
    const direction = random.next() < 0.5 ? -1 : 1;
    const forward = formatEvolveValue(parameter, parameter.value + direction * step).value;
    if (forward !== parameter.value) return forward;
    return formatEvolveValue(parameter, parameter.value - direction * step).value;
  }
  const current = toSpace(parameter, parameter.value);
  for (let attempt = 0; attempt < FORCED_ATTEMPTS; attempt++) {
    const candidate = formatEvolveValue(parameter, fromSpace(parameter, current + random.normal() * scale)).value;
    if (candidate !== parameter.value) return candidate;
  }
  // The far end of the range is at least half the range away.
  const farEnd = parameter.value - parameter.low > parameter.high - parameter.value ? parameter.low : parameter.high;
  return formatEvolveValue(parameter, farEnd).value;
}

/** `F 0.5→0.62, STRATEGY rand1→best1`; keys stand in for names that several files share. */
function summarize(
  parameters: readonly EvolveParameter[],
  changed: readonly EvolveParameter[],
  values: ReadonlyMap<string, EvolveValue>,
): string {
  const labels = new Map<string, number>();
  for (const parameter of parameters) labels.set(parameter.label, (labels.get(parameter.label) ?? 0) + 1);
  const entries = changed.slice(0, SUMMARY_ENTRIES).map((parameter) => {
    const label = (labels.get(parameter.label) ?? 0) > 1 ? parameter.key : parameter.label;
    const before = parameter.kind === 'choice' ? parameter.value : parameter.literal;
    const value = values.get(parameter.key) as EvolveValue;
    const after = parameter.kind === 'choice' ? String(value) : formatEvolveValue(parameter, value).text;
    return `${label} ${before}→${after}`;
  });
  const more = changed.length - SUMMARY_ENTRIES;
  return more > 0 ? `${entries.join(', ')} and ${more} more` : entries.join(', ');
}
