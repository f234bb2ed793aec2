/**
 * @module `clade worker`: takes evaluation jobs from a BullMQ queue on Redis (a campaign with
 * `executor: { kind: bullmq }` puts them there), runs each in a local sandbox, and returns the
 * results. Run one per machine (or several); the controller alone writes the archive.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { SANDBOX_KINDS } from '../config/sandbox-kinds.js';
import { CladeError, describeError } from '../core/errors.js';
import { DEFAULT_QUEUE_NAME, maskRedisUrl } from '../sandbox/queue-protocol.js';
import type { Sandbox } from '../sandbox/types.js';

export interface WorkerFlags {
  redis?: string;
  queue: string;
  concurrency: number;
  sandbox: (typeof SANDBOX_KINDS)[number];
  /** Docker: the image jobs run in (default: the clade sandbox image). */
  image?: string;
  leaseSeconds: number;
  maxStalls: number;
  name?: string;
  /** `--unsafe-process-sandbox`: run jobs in the process sandbox even where bubblewrap cannot isolate them. */
  unsafeProcessSandbox?: boolean;
}

function positiveNumber(name: string, minimum: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < minimum)
      throw new InvalidArgumentError(`${name} must be a number ≥ ${minimum}, got "${value}".`);
    return parsed;
  };
}

/** Adds `clade worker` to the program. */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description(
      'Take evaluation jobs from Redis and run them in local sandboxes, for campaigns with `executor: { kind: bullmq }`. Start one on every machine that should evaluate; stop it with Ctrl-C.',
    )
    .option('--redis <url>', 'Redis URL, e.g. redis://10.0.0.5:6379 (default: $CLADE_REDIS_URL)')
    .option('--queue <name>', "queue name, the campaign's executor.queue", DEFAULT_QUEUE_NAME)
    .option('--concurrency <k>', 'jobs run at the same time', positiveNumber('--concurrency', 1), 1)
    .addOption(
      new Option('--sandbox <kind>', 'where jobs run: auto (Docker when reachable) | process | docker')
        .choices(SANDBOX_KINDS)
        .default('auto'),
    )
    .option(
      '--image <tag>',
      "Docker image the jobs run in, as the campaign's sandbox.image (default: the clade sandbox image)",
    )
    .option(
      '--lease-seconds <s>',
      "a job's lease, renewed while it runs; a dead worker's jobs are taken over 1–2 leases later",
      positiveNumber('--lease-seconds', 1),
      30,
    )
    .option(
      '--max-stalls <n>',
      'times a job may lose its worker before it is recorded as crashed',
      positiveNumber('--max-stalls', 0),
      2,
    )
    .option('--name <name>', 'name in logs and results (default: <host>:<pid>)')
    .option(
      '--unsafe-process-sandbox',
      'UNSAFE: run jobs (model-written code, as far as a worker knows) in the process sandbox even where bubblewrap cannot isolate them',
    )
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  clade worker --redis redis://127.0.0.1:6379                    # one job at a time',
        '  clade worker --redis redis://10.0.0.5:6379 --concurrency 8 --sandbox docker',
        '',
        'A campaign file sends its evaluations to the workers with:',
        '  executor: { kind: bullmq, redis: redis://10.0.0.5:6379 }',
        "and `workers: K` (evaluations in flight) at least the workers' total concurrency.",
        '',
        'Ctrl-C stops taking jobs and waits for the running ones; a second Ctrl-C leaves them to',
        'other workers (they are taken over when their lease expires). The worker never writes an archive.',
      ].join('\n'),
    )
    .action(workerCommand);
}

/** Runs a worker until SIGINT/SIGTERM. */
export async function workerCommand(flags: WorkerFlags): Promise<void> {
  const redis = flags.redis ?? process.env.CLADE_REDIS_URL;
  if (!redis)
    throw new CladeError(
      'USAGE',
      'clade worker needs --redis <url> (or $CLADE_REDIS_URL), e.g. --redis redis://127.0.0.1:6379: the Redis the campaign controller uses.',
    );
  if (!Number.isInteger(flags.concurrency) || !Number.isInteger(flags.maxStalls))
    throw new CladeError('USAGE', '--concurrency and --max-stalls must be whole numbers.');
  const print = (line: string): void => {
    process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  };
  const sandbox = await workerSandbox(flags.sandbox, flags.image, flags.unsafeProcessSandbox === true, print);
  // Imported here, not at the top: `clade --help` and other commands need not load BullMQ.
  const { startQueueWorker } = await import('../sandbox/queue-worker.js');
  const worker = await startQueueWorker({
    redis,
    queue: flags.queue,
    concurrency: flags.concurrency,
    sandbox,
    leaseSeconds: flags.leaseSeconds,
    maxStalls: flags.maxStalls,
    ...(flags.name ? { name: flags.name } : {}),
    log: print,
  }).catch(async (error: unknown) => {
    await sandbox.close();
    throw error;
  });
  print(
    `worker ${worker.name}: queue ${flags.queue} on ${maskRedisUrl(redis)}, ${flags.concurrency} at a time, ` +
      `${sandbox.kind} sandbox, lease ${flags.leaseSeconds} s. Ctrl-C stops after the running jobs.`,
  );
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        print(`stopping now; ${worker.counts.running} running job(s) go to other workers when their lease expires.`);
        process.exit(130);
      }
      stopping = true;
      print(
        `${signal}: taking no more jobs; waiting for ${worker.counts.running} running job(s). Ctrl-C again to leave them.`,
      );
      worker
        .close()
        .catch((error: unknown) => print(`error while stopping: ${describeError(error)}`))
        .finally(() => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          resolve();
        });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  print(`worker ${worker.name} stopped: ${worker.counts.completed} job(s) done, ${worker.counts.failed} failed.`);
  process.exitCode = 130;
}

/**
 * The worker's sandbox, chosen by the same policy as a campaign's `sandbox.kind`. A worker cannot
 * know what wrote the code of the jobs it will take, so it treats it as model-written: the process
 * sandbox must isolate (bubblewrap) unless `--unsafe-process-sandbox`.
 */
async function workerSandbox(
  kind: (typeof SANDBOX_KINDS)[number],
  image: string | undefined,
  allowUnisolated: boolean,
  print: (line: string) => void,
): Promise<Sandbox> {
  const { chooseSandbox } = await import('../sandbox/choose-sandbox.js');
  // `await`: the choice may probe a Docker engine and bubblewrap.
  return chooseSandbox(
    { kind, ...(image ? { image } : {}), allowUnisolated },
    {
      runsModelCode: true,
      codeSource: 'clade worker',
      warn: (message) => print(`warning: ${message}`),
      info: (message) => print(message),
    },
  );
}
