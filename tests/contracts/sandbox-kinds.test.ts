/**
 * The sandbox contract for every kind registered in `sandboxKinds`: `process`; `docker` with a
 * fresh container per run and with a warm pool (skipped, with the reason printed, without an
 * engine and the image, unless `CLADE_REQUIRE_DOCKER=1`); `queue` with a real Redis and an
 * in-process `clade worker` on the process sandbox (skipped without redis-server unless
 * `CLADE_REQUIRE_REDIS` is set). A kind registered without a fixture here fails the suite.
 */
import { describe, expect, it } from 'vitest';
import { createDockerSandbox } from '../../src/sandbox/docker-sandbox.js';
import { findHostProgram } from '../../src/sandbox/host-programs.js';
import { createProcessSandbox } from '../../src/sandbox/process-sandbox.js';
import { createQueueSandbox } from '../../src/sandbox/queue-sandbox.js';
import { type QueueWorkerHandle, startQueueWorker } from '../../src/sandbox/queue-worker.js';
import { type SandboxKind, sandboxKinds } from '../../src/sandbox/registry.js';
import { dockerForTests } from '../helpers/docker.js';
import { hasRedisServer, startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import {
  runRegisteredSandboxContracts,
  type SandboxContractFixtures,
  uncoveredSandboxKinds,
} from './sandbox.contract.js';

const { docker, image, skipReason: dockerSkip } = await dockerForTests('docker sandbox contract');
const hostPython = (await findHostProgram('python3')) !== null;
const redisAvailable = hasRedisServer();
if (!redisAvailable && process.env.CLADE_REQUIRE_REDIS)
  throw new Error('CLADE_REQUIRE_REDIS is set but redis-server is missing: apt-get install -y redis-server');

let redis: TestRedis | undefined;
let worker: QueueWorkerHandle | undefined;

const fixtures: SandboxContractFixtures = {
  // Isolated by bubblewrap where it works (the default), and unisolated.
  process: [
    { label: 'process', create: () => createProcessSandbox(), python: hostPython },
    { label: 'process (unisolated)', create: () => createProcessSandbox({ isolation: 'none' }), python: hostPython },
  ],
  docker:
    dockerSkip !== null
      ? { skip: dockerSkip }
      : [
          {
            label: 'docker (fresh container per run)',
            create: () => createDockerSandbox({ docker }),
            python: image?.pythonVersion != null,
          },
          {
            label: 'docker (warm pool)',
            create: () => createDockerSandbox({ docker, pool: 2 }),
            python: image?.pythonVersion != null,
          },
        ],
  queue: !redisAvailable
    ? { skip: 'redis-server is not installed (apt-get install -y redis-server)' }
    : [
        {
          label: 'queue (in-process worker, process sandbox)',
          python: hostPython,
          setUp: async () => {
            redis = await startTestRedis();
            worker = await startQueueWorker({
              redis: redis.url,
              queue: 'contract',
              concurrency: 4,
              sandbox: createProcessSandbox(),
            });
          },
          tearDown: async () => {
            await worker?.close();
            await redis?.dispose();
          },
          create: () =>
            createQueueSandbox({
              redis: (redis as TestRedis).url,
              queue: 'contract',
              namespace: `contract-${process.pid}`,
              pollMs: 500,
              // A worker whose sandbox cannot run a job (a missing program) fails it for good quickly.
              attempts: 1,
            }),
        },
      ],
};

runRegisteredSandboxContracts(fixtures);

describe('sandbox contract coverage check', () => {
  it('names a kind registered from outside clade until it gets a fixture', () => {
    const outsider: SandboxKind = {
      kind: 'contract-outsider',
      summary: 'a kind a library user registers',
      isolated: false,
      selectable: true,
      create: async () => createProcessSandbox(),
    };
    sandboxKinds.register(outsider);
    try {
      expect(uncoveredSandboxKinds(fixtures)).toEqual(['contract-outsider']);
      expect(uncoveredSandboxKinds({ ...fixtures, 'contract-outsider': { skip: 'test' } })).toEqual([]);
    } finally {
      sandboxKinds.unregister('contract-outsider');
    }
    expect(uncoveredSandboxKinds(fixtures)).toEqual([]);
  });
});
