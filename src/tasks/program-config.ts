/**
 * @module The `task` section of a campaign file for `kind: program`: the user's own program (the
 * campaign's `agent` directory, any language) scored by the user's own evaluator. The schema,
 * with each field's default, and `prepareProgramTask`, which resolves the evaluator and the
 * description against the campaign file's directory and checks them before anything is created.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';

/** Placeholders a command may hold; each is replaced by the matching value for the run. */
export const PROGRAM_PLACEHOLDERS = [
  'program',
  'build',
  'output',
  'result',
  'job',
  'instance',
  'seed',
  'repeat',
] as const;

/** An argv: the program (a name looked up on PATH, an absolute path, or a file of the run) then its arguments. */
const argv = z
  .array(z.string().min(1).max(4096))
  .min(1)
  .max(256)
  .superRefine((values, context) => {
    for (const [index, value] of values.entries()) {
      for (const match of value.matchAll(/\{([a-z]+)\}/g)) {
        const name = match[1] as string;
        if (!(PROGRAM_PLACEHOLDERS as readonly string[]).includes(name)) {
          context.addIssue({
            code: 'custom',
            path: [index],
            message: `unknown placeholder {${name}}; use one of ${PROGRAM_PLACEHOLDERS.map((known) => `{${known}}`).join(', ')}`,
          });
        }
      }
    }
  });

const jobs = z
  .object({
    /**
     * Instance names: each job runs the command once per instance (`{instance}`, `{job}`), e.g.
     * input files or problem sizes the evaluator understands. Default `[default]`.
     */
    instances: z
      .array(
        z
          .string()
          .regex(
            /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/,
            'instance names are 1–100 letters, digits, "_", ".", ":" or "-"',
          ),
      )
      .min(1)
      .max(1000)
      .default(['default']),
    /** Runs per instance, each with its own seed (`{repeat}`, `{seed}`): for noisy programs. Default 1. */
    repeats: z.number().int().min(1).max(1000).default(1),
  })
  .strict();

/** Campaign-file fields of a program task (see docs/PROGRAM.md). */
export const programTaskSchema = z
  .object({
    kind: z.literal('program'),
    /**
     * The evaluator: a file or a directory, relative to the campaign file. Its files are placed,
     * read-only, at the root of every evaluation run's work directory; a model never sees them and
     * no mutation can change them. Required.
     */
    evaluator: z.string().min(1),
    /**
     * The evaluation command, run in the work directory once per job, e.g.
     * `[python3, evaluate.py, "{program}", "{result}"]`. It must write its JSON result to `{result}`.
     * In `produce-then-judge` mode it is the judge and does not see the program. Required.
     */
    command: argv,
    /**
     * `single` (default): the command evaluates the program directly (it may import or run it), so
     * the program runs in the same sandbox run as the evaluator. `produce-then-judge`: `produce`
     * runs the program alone and its `outputs` go to the command, which then runs without the
     * program's code.
     */
    mode: z.enum(['single', 'produce-then-judge']).default('single'),
    /** Produce-then-judge only: the program's command, e.g. `[python3, "{program}/main.py", "{output}", "{seed}"]`. Required there. */
    produce: argv.optional(),
    /**
     * Produce-then-judge only: the files the program writes into `{output}` (relative names),
     * handed to the judge under its `{output}`. Default `[output.json]`.
     */
    outputs: z
      .array(
        z
          .string()
          .regex(
            /^(?!\.\.?(?:\/|$))(?!.*\/\.\.?(?:\/|$))[A-Za-z0-9_.-][A-Za-z0-9_./-]{0,199}$/,
            'outputs are relative file names without ".." parts',
          ),
      )
      .min(1)
      .max(100)
      .default(['output.json']),
    /**
     * A build step run in its own sandbox run before the jobs, once per node, e.g.
     * `[cc, -O2, -o, "{build}/solver", "{program}/solver.c", -lm]`; what it leaves in `{build}` is
     * given to every job under `{build}`. A non-zero exit is the node's `build_failed`, with the log.
     * Default: none.
     */
    build: argv.optional(),
    /** Whether a higher (`maximize`, default) or lower (`minimize`) score is better. */
    direction: z.enum(['maximize', 'minimize']).default('maximize'),
    /**
     * The scores the evaluator can report, `[worst-or-low, high]` in the evaluator's units. When
     * set, a node's score is the raw score mapped linearly onto [0, 1] (the better end at 1), which
     * selectors that assume [0, 1] (dgm, hgm) need; a raw score outside the range is mapped by the
     * same line (below 0 or above 1), never clamped. Default: none (the score is the raw score,
     * negated when minimising).
     */
    scoreRange: z
      .tuple([z.number().finite(), z.number().finite()])
      .refine(([low, high]) => low < high, 'scoreRange must be [low, high] with low < high')
      .optional(),
    /**
     * The raw score a failed job counts as in the node's mean. Default: the worse end of
     * `scoreRange` when it is set; without a range, failed jobs are left out of the mean (and
     * counted in the `failedJobs` metric).
     */
    failedJobScore: z.number().finite().optional(),
    /** Instances and repeats. Default one job: `{ instances: [default], repeats: 1 }`. */
    jobs: jobs.prefault({}),
    /**
     * What the program is and how it is scored, for the model (Markdown), or a path to a `.md` file
     * relative to the campaign file. Default: a description made from the fields above.
     */
    description: z.string().min(1).max(100_000).optional(),
    /** Wall-clock limit of each sandbox run (build, each job's produce and evaluate). Default: `sandbox.timeoutSeconds`. */
    timeoutSeconds: z.number().positive().max(86_400).optional(),
    /**
     * Model access of the program while it runs (ADAS-style agents): a node's run on k jobs gets a
     * model proxy session (`CLADE_MODEL_SOCKET`) with k times this budget (the model is
     * `agentModel.model`). In produce-then-judge mode only the produce runs get it, never the judge.
     * Default: none.
     */
    modelAccess: z
      .object({
        /** Prompt plus answer tokens per job. Default 200000. */
        tokens: z.number().int().positive().default(200_000),
        /** Model calls per job. Default 100. */
        calls: z.number().int().positive().default(100),
      })
      .strict()
      .optional(),
    /**
     * Whether the same program, job and seed always score the same (`clade replay` compares exactly
     * then; otherwise against the score's confidence interval). Default true.
     */
    deterministic: z.boolean().default(true),
  })
  .strict()
  .superRefine((task, context) => {
    if (task.mode === 'produce-then-judge' && task.produce === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['produce'],
        message: 'produce-then-judge mode needs `produce`: the command that runs the program and writes its outputs',
      });
    }
    if (task.mode === 'single' && task.produce !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['produce'],
        message: '`produce` is used only with `mode: produce-then-judge`; remove it or set the mode',
      });
    }
    if (task.mode === 'produce-then-judge' && task.command.some((part) => part.includes('{program}'))) {
      context.addIssue({
        code: 'custom',
        path: ['command'],
        message: 'in produce-then-judge mode the judge runs without the program: `command` cannot use {program}',
      });
    }
  });

/** A program task's configuration as parsed (defaults applied). */
export type ProgramTaskConfig = z.infer<typeof programTaskSchema>;

/** A program task's configuration after `prepareProgramTask`: paths absolute, description read. */
export interface PreparedProgramTaskConfig extends ProgramTaskConfig {
  /** Absolute path of the evaluator file or directory. */
  evaluator: string;
}

/** Names at the root of a run's work directory that clade uses; an evaluator file may not take them. */
export const RESERVED_WORK_NAMES = ['program', 'build', 'output', 'tmp', 'result.json'] as const;

/** Largest evaluator, in bytes of all its files. */
const MAX_EVALUATOR_BYTES = 64 * 1024 * 1024;

/**
 * Resolves `evaluator` (and a `description` that names a `.md` file) against the campaign file's
 * directory and checks them: the evaluator must exist, hold no links, stay under 64 MiB and use no
 * reserved name (`program/`, `build/`, `output/`, `tmp/`, `result.json`) at its root.
 *
 * @throws ConfigError naming the field, the value, the resolved path and what to do.
 */
export function prepareProgramTask(
  config: ProgramTaskConfig,
  context: { configDirectory: string; agentDirectory?: string },
): PreparedProgramTaskConfig {
  const evaluator = path.resolve(context.configDirectory, config.evaluator);
  const fail = (field: string, value: unknown, message: string): never => {
    throw new ConfigError(`task.${field}: ${message}`, [{ path: `task.${field}`, message, value }]);
  };
  // The agent's tree is shown to models and changed by mutations: a judge inside it could be read
  // and rewritten by the program it judges.
  if (context.agentDirectory !== undefined) {
    const inside = path.relative(context.agentDirectory, evaluator);
    if (inside === '' || (!inside.startsWith('..') && !path.isAbsolute(inside))) {
      fail(
        'evaluator',
        config.evaluator,
        `${evaluator} is inside the program's directory (agent: ${context.agentDirectory}), which models see and mutations change; move the evaluator beside it, e.g. ../evaluator.`,
      );
    }
  }
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(evaluator);
  } catch {
    return fail(
      'evaluator',
      config.evaluator,
      `"${config.evaluator}" does not exist (resolved to ${evaluator}). Give the evaluator's file or directory relative to the campaign file.`,
    );
  }
  if (stats.isDirectory()) {
    let bytes = 0;
    for (const name of readdirSync(evaluator)) {
      if ((RESERVED_WORK_NAMES as readonly string[]).includes(name)) {
        fail(
          'evaluator',
          config.evaluator,
          `the evaluator directory ${evaluator} holds "${name}", a name clade uses in the work directory (${RESERVED_WORK_NAMES.join(', ')}); rename it.`,
        );
      }
    }
    for (const file of listFiles(evaluator, (problem) => fail('evaluator', config.evaluator, problem))) {
      bytes += statSync(path.join(evaluator, file)).size;
    }
    if (bytes > MAX_EVALUATOR_BYTES) {
      fail(
        'evaluator',
        config.evaluator,
        `the evaluator directory ${evaluator} holds ${bytes} bytes, more than the 64 MiB a sandbox run takes.`,
      );
    }
  } else if (!stats.isFile()) {
    fail('evaluator', config.evaluator, `${evaluator} is neither a file nor a directory.`);
  } else if ((RESERVED_WORK_NAMES as readonly string[]).includes(path.basename(evaluator))) {
    fail(
      'evaluator',
      config.evaluator,
      `the evaluator file is called "${path.basename(evaluator)}", a name clade uses; rename it.`,
    );
  }
  let description = config.description;
  if (description !== undefined && /^[^\n]+\.(md|markdown|txt)$/i.test(description.trim())) {
    const file = path.resolve(context.configDirectory, description.trim());
    try {
      description = readFileSync(file, 'utf8');
    } catch {
      fail(
        'description',
        config.description,
        `"${config.description}" looks like a file name but ${file} cannot be read. Give the Markdown text itself or an existing file relative to the campaign file.`,
      );
    }
  }
  return { ...config, evaluator, ...(description !== undefined ? { description } : {}) };
}

/**
 * The files of the evaluator (a file: its base name; a directory: every file under it, relative
 * POSIX paths), read for a sandbox run.
 */
export function readEvaluatorFiles(evaluator: string): Record<string, Uint8Array> {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(evaluator);
  } catch (error) {
    // The campaign stores the evaluator's absolute path (resume, replay): it was moved or deleted since.
    throw new ConfigError(
      `task.evaluator: ${evaluator} is gone (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}). The campaign recorded this path when it started; put the evaluator back there to resume or replay it.`,
      [{ path: 'task.evaluator', message: 'missing', value: evaluator }],
      undefined,
      { cause: error },
    );
  }
  if (!stats.isDirectory()) return { [path.basename(evaluator)]: new Uint8Array(readFileSync(evaluator)) };
  const files: Record<string, Uint8Array> = {};
  for (const file of listFiles(evaluator, (problem) => {
    throw new ConfigError(`task.evaluator: ${problem}`);
  })) {
    files[file] = new Uint8Array(readFileSync(path.join(evaluator, ...file.split('/'))));
  }
  return files;
}

/** Relative POSIX paths of the plain files under `root`, sorted; links and special files are refused. */
function listFiles(root: string, refuse: (problem: string) => never): string[] {
  const found: string[] = [];
  const walk = (relative: string): void => {
    const directory = relative ? path.join(root, relative) : root;
    for (const entry of readdirSync(directory, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.name === '__pycache__' || entry.name === '.git') continue;
      if (entry.isSymbolicLink())
        refuse(`${path.join(root, child)} is a symbolic link; copy the file into the evaluator instead.`);
      else if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) found.push(child);
      else refuse(`${path.join(root, child)} is not a plain file.`);
    }
  };
  walk('');
  return found;
}
