/**
 * @module `clade bench <suite> --agent DIR`: runs an optimizer agent under a benchmark protocol
 * (CEC2022's official one by default) in sandboxes and writes markdown and CSV tables, with the
 * raw runs, under `benchmarks/<suite>/results/<agent>/`. Runs accumulate in `runs.json`: a later
 * call with other dimensions or functions adds to the tables, and one for the same cases runs only the
 * missing runs (the same agent code and seed only).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { renderProtocolCsv, renderProtocolMarkdown, summariseProtocol } from '../benchmark/protocol-report.js';
import { createBuiltinSuite, type ProtocolSuite } from '../benchmark/protocol-suite.js';
import { type ProtocolRun, runProtocol } from '../benchmark/run-protocol.js';
import { readAgentDirectory } from '../campaign/agent-directory.js';
import { CladeError } from '../core/errors.js';
import { bundleAgent } from '../harness/bundle-agent.js';
import { loadHarness } from '../harness/load-harness.js';
import { createProcessSandbox } from '../sandbox/process-sandbox.js';
import { NUMERIC_AGENT_ENTRY } from '../tasks/numeric-task.js';

/** Flags of `clade bench`. */
export interface BenchFlags {
  agent: string;
  dims?: string;
  fns?: string;
  runs?: number;
  workers?: number;
  seed?: number;
  dataDir?: string;
  out?: string;
  timeout?: number;
  fresh?: boolean;
}

/** What `runs.json` holds. */
interface RunsFile {
  agent: string;
  /** sha256 of the agent's files: runs of other code are not merged. */
  agentHash: string;
  suite: string;
  seed: number;
  runs: ProtocolRun[];
}

/** Suites `clade bench` knows; cec2022 is built by `createCec2022ProtocolSuite` when its data is found. */
export const BENCH_SUITES = ['cec2022', 'builtin'] as const;

/** Parses `1,2,5-7` into [1, 2, 5, 6, 7]. */
export function parseNumberList(flag: string, text: string): number[] {
  const values: number[] = [];
  for (const part of text.split(',').map((item) => item.trim())) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) {
      const [low, high] = [Number(range[1]), Number(range[2])];
      if (low > high) throw new CladeError('USAGE', `${flag}: the range "${part}" runs backwards; write low-high.`);
      for (let value = low; value <= high; value++) values.push(value);
    } else if (/^\d+$/.test(part)) {
      values.push(Number(part));
    } else {
      throw new CladeError(
        'USAGE',
        `${flag} takes numbers and ranges separated by commas (e.g. 1,2,5-7); got "${text}".`,
      );
    }
  }
  return [...new Set(values)];
}

async function loadSuite(name: string, flags: BenchFlags): Promise<ProtocolSuite> {
  if (name === 'builtin') return createBuiltinSuite();
  if (name === 'cec2022') {
    const { createCec2022ProtocolSuite } = await import('../benchmark/cec2022-suite.js');
    return createCec2022ProtocolSuite(flags.dataDir);
  }
  throw new CladeError('USAGE', `Unknown benchmark suite "${name}". Use one of: ${BENCH_SUITES.join(', ')}.`);
}

function agentHash(files: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(files).sort()) hash.update(`${name}\0${files[name]}\0`);
  return hash.digest('hex').slice(0, 16);
}

function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

/** `clade bench <suite>`. */
export async function benchCommand(suiteName: string, flags: BenchFlags): Promise<void> {
  const suite = await loadSuite(suiteName, flags);
  const agentDirectory = path.resolve(flags.agent);
  if (!existsSync(agentDirectory)) {
    throw new CladeError(
      'USAGE',
      `--agent ${flags.agent}: no such directory. Point it at an agent, e.g. agents/lshade.`,
    );
  }
  const agent = readAgentDirectory(agentDirectory);
  if (!Object.hasOwn(agent, NUMERIC_AGENT_ENTRY)) {
    throw new CladeError(
      'USAGE',
      `--agent ${flags.agent}: no ${NUMERIC_AGENT_ENTRY} in it; an optimizer agent's entry is ${NUMERIC_AGENT_ENTRY} (see agents/de-optimizer/README.md).`,
    );
  }
  const agentName = path.basename(agentDirectory);
  const dimensions =
    flags.dims === undefined
      ? [...suite.dimensions].filter((d) => d === 10 || d === 20)
      : parseNumberList('--dims', flags.dims);
  for (const dimension of dimensions) {
    if (!suite.dimensions.includes(dimension)) {
      throw new CladeError(
        'USAGE',
        `--dims: ${suite.name} has dimensions ${suite.dimensions.join(', ')}; got ${dimension}.`,
      );
    }
  }
  const functions = flags.fns === undefined ? [...suite.functions] : parseNumberList('--fns', flags.fns);
  for (const fn of functions) {
    if (!suite.functions.includes(fn)) {
      throw new CladeError(
        'USAGE',
        `--fns: ${suite.name} has functions ${suite.functions[0]}..${suite.functions.at(-1)}; got ${fn}.`,
      );
    }
  }
  const runs = flags.runs ?? 30;
  const seed = flags.seed ?? 1;
  const workers = flags.workers ?? Math.max(1, availableParallelism());
  const outDirectory = path.resolve(flags.out ?? path.join('benchmarks', suite.name, 'results', agentName));
  mkdirSync(outDirectory, { recursive: true });
  const runsPath = path.join(outDirectory, 'runs.json');
  const hash = agentHash(agent);

  // Earlier runs of the same code and seed are kept unless rerun.
  let kept: ProtocolRun[] = [];
  if (!flags.fresh && existsSync(runsPath)) {
    try {
      const previous = JSON.parse(readFileSync(runsPath, 'utf8')) as RunsFile;
      if (previous.agentHash === hash && previous.seed === seed && previous.suite === suite.name) kept = previous.runs;
      else process.stderr.write(`clade bench: ${runsPath} holds runs of other code or another seed; starting over.\n`);
    } catch (error) {
      throw new CladeError('USAGE', `Cannot read ${runsPath} (${String(error)}); fix or delete it, or pass --fresh.`);
    }
  }
  // A requested case keeps its earlier successful runs with an index below --runs (runs are seeded
  // by index, so a resumed protocol gives the same tables as an uninterrupted one); the rest is run.
  const requested = new Set(functions.flatMap((fn) => dimensions.map((dimension) => `${fn}/${dimension}`)));
  kept = kept.filter((run) => !requested.has(`${run.fn}/${run.dimension}`) || (run.ok && run.run < runs));
  const finished = new Set<string>();
  const caseCounts = new Map<string, number>();
  for (const run of kept) {
    const key = `${run.fn}/${run.dimension}`;
    if (!requested.has(key)) continue;
    finished.add(`${key}/${run.run}`);
    caseCounts.set(key, (caseCounts.get(key) ?? 0) + 1);
  }

  const sandbox = createProcessSandbox();
  const harness = await loadHarness();
  const started = Date.now();
  const fresh: ProtocolRun[] = [];
  const save = (): void => {
    const file: RunsFile = { agent: agentName, agentHash: hash, suite: suite.name, seed, runs: [...kept, ...fresh] };
    writeAtomically(runsPath, JSON.stringify(file));
  };
  const total = functions.length * dimensions.length * runs - finished.size;
  process.stderr.write(
    `clade bench ${suite.name}: ${agentName}, D=${dimensions.join(',')}, ${functions.map((fn) => suite.label(fn)).join(',')}, ${runs} run(s) each: ${total} to run${finished.size > 0 ? ` (${finished.size} kept from earlier calls)` : ''} on ${workers} worker(s)\n`,
  );
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  try {
    await runProtocol({
      suite,
      agent,
      agentEntry: NUMERIC_AGENT_ENTRY,
      functions,
      dimensions,
      runs,
      workers,
      seed,
      skip: (fn, dimension, run) => finished.has(`${fn}/${dimension}/${run}`),
      sandbox,
      limits: {
        timeoutMs: (flags.timeout ?? 1800) * 1000,
        memoryMb: 1024,
        outputBytes: 65_536,
        cpus: 1,
        pids: 64,
        resultBytes: 16 * 1024 * 1024,
      },
      bundle: bundleAgent,
      harness,
      signal: stop.signal,
      onRun: (run, done) => {
        fresh.push(run);
        save();
        const key = `${run.fn}/${run.dimension}`;
        const count = (caseCounts.get(key) ?? 0) + 1;
        caseCounts.set(key, count);
        if (!run.ok) {
          process.stderr.write(`  ${suite.label(run.fn)} D${run.dimension} run ${run.run} FAILED: ${run.message}\n`);
        }
        const sweep = functions.length * dimensions.length;
        if (done % sweep === 0 && done < total) {
          process.stderr.write(`  [${done}/${total}] runs done (${Math.round((Date.now() - started) / 1000)} s)\n`);
        }
        if (count === runs) {
          const [summary] = summariseProtocol(
            [...kept, ...fresh].filter((candidate) => `${candidate.fn}/${candidate.dimension}` === key),
          );
          process.stderr.write(
            `  [${done}/${total}] ${suite.label(run.fn)} D${run.dimension}: mean ${summary?.mean.toExponential(3)}, median ${summary?.median.toExponential(3)} (${Math.round((Date.now() - started) / 1000)} s)\n`,
          );
        }
      },
    });
  } finally {
    process.removeListener('SIGINT', onSignal);
    await sandbox.close();
  }
  const all = [...kept, ...fresh];
  all.sort((left, right) => left.dimension - right.dimension || left.fn - right.fn || left.run - right.run);
  const summaries = summariseProtocol(all);
  const runsPerCase = Math.max(...summaries.map((summary) => summary.runs + summary.failed));
  const context = {
    agent: agentName,
    suite,
    runsPerCase,
    seed,
    environment: `Node ${process.version}, process sandbox, ${workers} worker(s), ${new Date().toISOString().slice(0, 10)}`,
    wallSeconds: (Date.now() - started) / 1000,
  };
  writeAtomically(path.join(outDirectory, 'results.md'), renderProtocolMarkdown(summaries, context));
  writeAtomically(path.join(outDirectory, 'results.csv'), renderProtocolCsv(summaries, context));
  process.stderr.write(
    `${stop.signal.aborted ? 'Stopped early; ' : ''}tables in ${path.relative(process.cwd(), outDirectory)}/results.{md,csv}, raw runs in runs.json\n`,
  );
  if (stop.signal.aborted) process.exitCode = 130;
}
