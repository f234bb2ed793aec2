#!/usr/bin/env node
/**
 * @module The `clade` command line. Together with `createCampaign`, the one place that wires
 * concrete implementations. Exit codes: 0 done, 1 failure, 2 bad input (campaign file, flags),
 * 130 stopped by Ctrl-C (resumable).
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { CladeError, describeError } from '../core/errors.js';
import { registerDataCommand } from './data.js';
import { registerDoctorCommand } from './doctor.js';
import { exitCodeOf } from './exit-code.js';
import { registerInitCommand } from './init.js';
import { registerProblemsCommand } from './problems.js';
import { registerSandboxCommand } from './sandbox.js';
import { registerWorkerCommand } from './worker.js';

/**
 * A command action whose module is imported only when the command runs: `clade --help` and each
 * command load just what they use, so start-up stays fast (the campaign modules pull in SQLite,
 * Docker, Redis and model SDKs).
 */
// biome-ignore lint/suspicious/noExplicitAny: commander passes each action its own argument list.
export function lazy<Arguments extends any[]>(
  load: () => Promise<(...args: Arguments) => unknown>,
): (...args: Arguments) => Promise<void> {
  return async (...args) => {
    await (await load())(...args);
  };
}

function integer(name: string, minimum: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < minimum) {
      throw new InvalidArgumentError(`${name} must be an integer ≥ ${minimum}, got "${value}".`);
    }
    return parsed;
  };
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('clade')
    .description(
      'Grow a tree of self-improving agents: select a parent, mutate its code, evaluate the child in a sandbox, and record it in SQLite (scores) and git (code).',
    )
    .addHelpText(
      'after',
      '\nFirst steps:\n  clade run benchmarks/demo.yaml --dir archive/demo   # the offline demo campaign\n  clade tree archive/demo                              # the agent tree it grew\n  clade show archive/demo best                         # the best agent: scores and diff\n\nYour own program:\n  clade init mine --template python-program           # a program, its evaluator, a commented campaign file\n  clade run mine/campaign.yaml                         # see docs/PROGRAM.md for the evaluator contract\n\nExit codes: 0 done, 1 failure, 2 bad campaign file or flags, 130 stopped by Ctrl-C (resumable).',
    )
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    // Set before the subcommands are added: they copy these settings when created.
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  registerInitCommand(program);

  program
    .command('run')
    .description('Start a campaign from a campaign file (YAML or JSON). Flags override the file.')
    .argument('<campaign>', 'campaign file, e.g. benchmarks/demo.yaml')
    .option('--dir <dir>', 'campaign directory to create (default: archive/<name>)')
    .option('--iterations <n>', 'children to make (budget.iterations)', integer('--iterations', 0))
    .option('--workers <k>', 'evaluations in parallel', integer('--workers', 1))
    .option(
      '--sandbox <kind>',
      'auto | process | docker (auto: Docker when an engine and the image are there; model-written code runs without Docker only with an explicit process)',
    )
    .option('--seed <s>', 'seed of every random choice', integer('--seed', 0))
    .option(
      '--data-dir <dir>',
      'CEC2022 tasks: directory of the official data files (task.dataDir; default $CLADE_CEC2022_DATA, else the copy shipped with clade)',
    )
    .option(
      '--model <provider:model>',
      'foundation model of the LLM mutator, e.g. openai:gpt-4.1-mini, anthropic:claude-sonnet-4-5, openai-compatible:qwen2.5-coder:7b (a parametric campaign switches to llm-diff; self-modify: the diagnosis model, and the agents model unless agentModel is set); keys from OPENAI_API_KEY / ANTHROPIC_API_KEY, servers from OPENAI_BASE_URL',
    )
    .option(
      '--selection <name>',
      'parent selection: dgm | weighted | power-law | tournament | hgm | map-elites | best | random',
    )
    .option('--mutator <name>', 'mutation operator: parametric | llm-diff | llm-rewrite | self-modify')
    .option('--json', 'print one JSON line per event on stdout instead of the progress display')
    .option('--no-preflight', "skip the check of each model's address, key and name before the first child")
    .option(
      '--unsafe-process-sandbox',
      'UNSAFE: run model-written code in the process sandbox even where bubblewrap cannot isolate it (it can then read your files, reach the network and outlive the run); sandbox.allowUnisolated',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  clade run benchmarks/demo.yaml --dir archive/demo\n  clade run my.yaml --iterations 200 --workers 2 --selection best\n  OPENAI_API_KEY=sk-... clade run benchmarks/llm-diff-builtin.yaml --model openai:gpt-4.1-mini --sandbox process\n  OPENAI_BASE_URL=http://127.0.0.1:11434/v1 clade run benchmarks/llm-diff-builtin.yaml --model openai-compatible:qwen2.5-coder:7b --sandbox process\n  ANTHROPIC_API_KEY=... clade run benchmarks/coding-self-modify.yaml --dir archive/coding-sm   # coding agents that edit themselves\n\nCtrl-C stops cleanly (running evaluations finish); `clade resume <dir>` continues.',
    )
    .action(lazy(async () => (await import('./run.js')).runCommand));

  program
    .command('resume')
    .description('Continue a campaign after an interruption, a crash or a kill -9; nothing scored is lost.')
    .argument('<dir>', 'campaign directory')
    .option('--iterations <n>', 'raise the total number of children', integer('--iterations', 0))
    .option('--workers <k>', 'evaluations in parallel', integer('--workers', 1))
    .option('--json', 'print one JSON line per event on stdout')
    .option('--no-preflight', "skip the check of each model's address, key and name before continuing")
    .action(lazy(async () => (await import('./run.js')).resumeCommand));

  program
    .command('tree')
    .description('Print the agent tree with scores (★ best node, * its lineage, ✗ failed children).')
    .argument('<dir>', 'campaign directory')
    .option('--json', 'print {"nodes":[{"id","parentId","status","score",...}]}')
    .option('--depth <n>', 'deepest level to print', integer('--depth', 0))
    .action(lazy(async () => (await import('./inspect.js')).showTree));

  program
    .command('show')
    .description('Show one node: scores per problem, mutation, code diff against its parent, log excerpts.')
    .argument('<dir>', 'campaign directory')
    .argument('<node>', 'node id (0 is the seed agent; "best" for the best node)')
    .option('--json', 'print the node, its evaluations and the diff as JSON')
    .action(lazy(async () => (await import('./inspect.js')).showNode));

  program
    .command('diff')
    .description('Show the code change between two nodes; with one node, the change from its parent.')
    .argument('<dir>', 'campaign directory')
    .argument('<a>', 'node id or "best"')
    .argument('[b]', 'node id or "best" (default: a\'s parent, and the diff runs from it to a)')
    .option('--stat', 'one line per changed file with its added and removed lines')
    .option('--json', 'print {"from","to","diff"}')
    .addHelpText(
      'after',
      '\nExamples:\n  clade diff archive/demo best        # what the best node changed in its parent\n  clade diff archive/demo 0 best      # everything evolution changed since the seed',
    )
    .action(lazy(async () => (await import('./diff-export.js')).diffCommand));

  program
    .command('export')
    .description("Write a node's agent files to a new directory, ready to use or to seed another campaign.")
    .argument('<dir>', 'campaign directory')
    .argument('<node>', 'node id or "best"')
    .argument('<outdir>', 'directory to create (refused when it exists and is not empty)')
    .addHelpText('after', '\nExample:\n  clade export archive/demo best agents/demo-best')
    .action(lazy(async () => (await import('./diff-export.js')).exportCommand));

  program
    .command('fsck')
    .description(
      "Check a campaign directory's invariants: every node has its commit and ref, parents match, scored nodes have their evaluations and scores that add up, counts agree. Exit 0 when clean, 1 when not.",
    )
    .argument('<dir>', 'campaign directory')
    .option('--repair', 'fix what is safe to fix: missing or stale node refs, an old archive schema')
    .option('--json', 'print the report as JSON')
    .action(lazy(async () => (await import('./fsck.js')).fsckCommand));

  program
    .command('replay')
    .description(
      'Prove a result reproduces. With a node: re-run its evaluations from its stored code, jobs, seeds and sandbox, and compare with the stored results (exit 0 only when they agree). With --campaign: re-grow the whole campaign into a new directory in the recorded order and compare the trees node by node.',
    )
    .argument('<dir>', 'campaign directory')
    .argument('[node]', 'node id or "best"')
    .option('--campaign <out>', 'regrow the whole campaign into this new directory')
    .option('--fail-fast', 'with --campaign: stop at the first divergence')
    .option('--json', 'print the report as JSON (with --campaign: the event lines, then the report)')
    .option(
      '--unsafe-process-sandbox',
      'UNSAFE: replay model-written code in the process sandbox even where bubblewrap cannot isolate it',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  clade replay archive/demo best                       # exit 0: reproduced; 1: differs\n  clade replay archive/demo --campaign archive/demo-replay\n\nDeterministic tasks must agree exactly; noisy ones within the confidence interval stored with the node.',
    )
    .action(lazy(async () => (await import('./replay.js')).replayCommand));

  program
    .command('serve')
    .description('A read-only web viewer on 127.0.0.1: agent tree, node details, scores over time; live.')
    .argument('<dir>', 'campaign directory (it may be running)')
    .option('--port <p>', 'TCP port on 127.0.0.1 (0 picks a free one)', integer('--port', 0), 7420)
    .addHelpText(
      'after',
      '\nExamples:\n  clade serve archive/demo              # then open http://127.0.0.1:7420/\n  clade serve archive/demo --port 0     # any free port; the URL is printed\n\nOnly 127.0.0.1 can reach it; it never writes the archive. Ctrl-C stops it.',
    )
    .action(lazy(async () => (await import('./serve.js')).serveCommand));

  registerProblemsCommand(program);
  registerDataCommand(program);
  registerWorkerCommand(program);

  program
    .command('bench')
    .description(
      'Run an optimizer agent under a benchmark protocol (CEC2022: official budgets, stop at error 1e-8, errors at the official checkpoints) in sandboxes; write markdown and CSV tables compared with published results.',
    )
    .argument(
      '<suite>',
      'cec2022 (the official data files are needed) or builtin (the built-in functions, for trying it out)',
    )
    .requiredOption('--agent <dir>', 'optimizer agent directory (with optimizer.ts), e.g. agents/lshade')
    .option('--dims <list>', 'dimensions, comma-separated (default: 10,20)')
    .option('--fns <list>', 'functions, e.g. 1,2,5-7 (default: all)')
    .option('--runs <n>', 'runs per case (the protocol: 30)', integer('--runs', 1))
    .option('--workers <k>', 'sandboxes at once (default: the number of CPU cores)', integer('--workers', 1))
    .option('--seed <s>', "seed of the runs' seeds (default 1)", integer('--seed', 0))
    .option(
      '--data-dir <dir>',
      'CEC2022 data directory (default: $CLADE_CEC2022_DATA, else the copy shipped with clade)',
    )
    .option('--out <dir>', 'results directory (default: benchmarks/<suite>/results/<agent>)')
    .option('--timeout <seconds>', 'wall-clock limit of one run (default 1800)', integer('--timeout', 1))
    .option('--fresh', 'discard earlier runs in the results directory instead of adding to them')
    .addHelpText(
      'after',
      '\nExamples:\n  clade bench cec2022 --agent agents/lshade                      # the full protocol: 30 runs x 12 functions x D=10,20\n  clade bench cec2022 --agent agents/jade --dims 10 --runs 5 --fns 1-4\n  clade bench builtin --agent agents/de-optimizer --dims 10 --runs 3\n\nRuns accumulate in <out>/runs.json (same agent code and seed): a later call for other functions or\ndimensions adds to the tables, and a call for the same cases runs only the runs still missing\n(Ctrl-C keeps every finished run, so an interrupted protocol resumes where it stopped).',
    )
    .action(lazy(async () => (await import('./bench.js')).benchCommand));

  registerSandboxCommand(program);
  registerDoctorCommand(program);

  return program;
}

async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      )
        return 0;
      return 2;
    }
    if (error instanceof CladeError) {
      process.stderr.write(`clade: ${error.message}\n`);
      return exitCodeOf(error);
    }
    process.stderr.write(`clade: unexpected failure: ${describeError(error)}\n`);
    if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
