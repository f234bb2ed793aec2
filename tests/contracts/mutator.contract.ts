/**
 * @module The contract every mutation operator must pass, run for every kind registered in
 * `mutatorKinds` (`tests/contracts/mutator.contract.test.ts` gives each kind a fixture: its
 * `mutation` section, a sample parent, the scripted model's answers for a mutation that succeeds and
 * for one that fails; a kind registered without one fails the suite, naming it).
 *
 * Kinds that call models talk to the scripted OpenAI-compatible server (tests/helpers/
 * scripted-model-server.ts) through the real openai SDK; kinds that run the parent (`self-modify`)
 * do it in the process sandbox with the real harness and a real model proxy.
 *
 * What the suite fixes for every kind:
 * - the schema accepts the sample section (its `operator` a literal) and refuses an unknown field,
 *   naming it, and so does the campaign-file schema assembled from the registry;
 * - a kind that calls models refuses a missing key in `prepare` with a `ConfigError` naming the
 *   variable, before any request; a kind that does not prepares with an empty environment;
 * - `create` + `mutate` on the sample parent gives a child: ok, with files that differ from the
 *   parent's (at safe paths), `info.operator` the kind's name; and the fixture's failing case gives a
 *   stored failure (`patch_failed` or `invalid`) with an error, not a thrown exception;
 * - the same parent, random seed and answers make the same child (resume remakes a lost child);
 * - a kind that calls models records its calls against the child's id, and no record holds the key.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openArchive } from '../../src/archive/sqlite-store.js';
import type { ArchiveStore } from '../../src/archive/types.js';
import { validateCampaign } from '../../src/campaign-file.js';
import { ConfigError } from '../../src/core/errors.js';
import { createRandom } from '../../src/core/random.js';
import { isSafeRelativePath } from '../../src/core/safe-path.js';
import type { AgentFiles, AgentNode, EvaluationRecord } from '../../src/core/types.js';
import { createModelLedger, type ModelLedger } from '../../src/model/ledger.js';
import { createOpenAIClient } from '../../src/model/openai.js';
import { createPriceTable } from '../../src/model/prices.js';
import { createModelProxy } from '../../src/model-proxy/model-proxy.js';
import type { ModelProxy } from '../../src/model-proxy/types.js';
import { type MutatorKind, mutatorKinds } from '../../src/mutation/registry.js';
import type { MutationResult } from '../../src/mutation/types.js';
import { createProcessSandbox } from '../../src/sandbox/process-sandbox.js';
import type { Sandbox, SandboxLimits } from '../../src/sandbox/types.js';
import {
  type ScriptedModelServer,
  type ScriptFunction,
  startScriptedModelServer,
} from '../helpers/scripted-model-server.js';
import { describeCoverage } from './registry-coverage.js';

/** The key every fixture's environment holds; it must reach the scripted server only. */
export const MUTATOR_CONTRACT_KEY = 'sk-mutator-contract-5e0b7a91c2d4-never-stored';

/** Limits of the sandbox runs of kinds that run the parent. */
export const MUTATOR_CONTRACT_LIMITS: SandboxLimits = {
  timeoutMs: 60_000,
  memoryMb: 1024,
  outputBytes: 64 * 1024,
  cpus: 1,
  pids: 64,
  resultBytes: 16 * 1024 * 1024,
};

/** One mutation the fixture sets up: the section, the parent's files, and the scripted model's answers. */
export interface MutatorContractCase {
  /** The `mutation` section; `baseURL` is the scripted server's (`…/v1`). */
  section(baseURL: string): Record<string, unknown>;
  /** The parent's files. Default: the fixture's `parent.files`. */
  files?: AgentFiles;
  /** The scripted model's answers (kinds that call models). */
  script?: ScriptFunction;
}

/** One mutator kind's sample. */
export interface MutatorContractFixture {
  /** The campaign's `task` section (a kind's `prepare` sees the whole validated campaign). */
  task: Record<string, unknown>;
  /** What the task says about itself to a model. */
  taskDescription: string;
  /** The agent's entry file (tasks run through the node harness). */
  agentEntry?: string;
  /** The sample parent: its record, files and evaluations (the history mutators read). */
  parent: { node: AgentNode; files: AgentFiles; evaluations: EvaluationRecord[] };
  /** The environment keys are read from (`baseURL`: the scripted server's). */
  environment(baseURL: string): NodeJS.ProcessEnv;
  /** Kinds that call models: the variable a missing key must be named by. */
  keyVariable?: string;
  /** A mutation that must give an ok child. */
  succeeds: MutatorContractCase;
  /** A mutation that must give a stored failure. */
  fails: MutatorContractCase;
  /** Whether the kind runs the parent with a model proxy (`self-modify`). */
  needsProxy?: boolean;
}

/** Fixtures by operator name. */
export type MutatorContractFixtures = Readonly<Record<string, MutatorContractFixture>>;

const UNKNOWN_FIELD = 'contractUnknownField';
const CHILD_ID = 7;

interface Harness {
  server: ScriptedModelServer;
  archive: ArchiveStore;
  ledger: ModelLedger;
  proxy: ModelProxy | null;
}

/** Registers the mutator cases for one kind under `describe('mutator contract: <kind>')`. */
export function runMutatorContract(kind: MutatorKind, fixture: MutatorContractFixture): void {
  describe(`mutator contract: ${kind.kind}`, () => {
    let sandbox: Sandbox;
    const opened: Harness[] = [];
    beforeAll(() => {
      sandbox = createProcessSandbox();
    });
    afterEach(async () => {
      for (const harness of opened.splice(0)) {
        await harness.proxy?.close();
        await harness.server.close();
        harness.archive.close();
      }
    });
    afterAll(async () => {
      await sandbox?.close();
    });

    const campaign = (section: Record<string, unknown>) =>
      validateCampaign({ name: 'contract', seed: 5, agent: '.', task: fixture.task, mutation: section }, 'contract');

    /** Prepares, creates and runs the kind on one case against a fresh scripted server. */
    const mutate = async (
      contractCase: MutatorContractCase,
    ): Promise<{ result: MutationResult; harness: Harness; parentFiles: AgentFiles }> => {
      const server = await startScriptedModelServer({
        script: contractCase.script ?? (() => ({ status: 500, body: { error: { message: 'no model expected' } } })),
      });
      const archive = openArchive(':memory:');
      const ledger = createModelLedger(archive, { usd: null, tokens: null });
      const proxy = fixture.needsProxy
        ? createModelProxy({
            client: createOpenAIClient({
              model: 'gpt-4.1-mini',
              apiKey: MUTATOR_CONTRACT_KEY,
              baseURL: server.baseURL,
            }),
            prices: createPriceTable(),
            recorder: ledger,
            secrets: [MUTATOR_CONTRACT_KEY],
            retry: { retries: 0 },
          })
        : null;
      const harness = { server, archive, ledger, proxy };
      opened.push(harness);
      const section = kind.schema.parse(contractCase.section(server.baseURL));
      const config = campaign(contractCase.section(server.baseURL));
      const prepared = kind.prepare(section, {
        campaign: config,
        configDirectory: process.cwd(),
        options: { environment: fixture.environment(server.baseURL) },
      });
      const mutator = await kind.create(prepared, {
        taskDescription: fixture.taskDescription,
        agentEntry: fixture.agentEntry,
        ledger,
        history: { nodes: () => [fixture.parent.node], evaluations: () => fixture.parent.evaluations },
        sandbox,
        limits: MUTATOR_CONTRACT_LIMITS,
        proxy,
      });
      const parentFiles = contractCase.files ?? fixture.parent.files;
      const result = await mutator.mutate({
        nodeId: CHILD_ID,
        parent: { node: fixture.parent.node, files: parentFiles },
        inspirations: [],
        random: createRandom(5, 'node', CHILD_ID, 'mutation'),
      });
      return { result, harness, parentFiles };
    };

    it('accepts its section and refuses an unknown field, naming it', () => {
      const section = fixture.succeeds.section('http://127.0.0.1:9/v1');
      const parsed = kind.schema.safeParse(section);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      expect(parsed.data?.operator).toBe(kind.kind);
      const refused = kind.schema.safeParse({ ...section, [UNKNOWN_FIELD]: true });
      expect(refused.success, `the ${kind.kind} schema accepted an unknown field (it must be strict)`).toBe(false);
      expect(JSON.stringify(refused.error?.issues)).toContain(UNKNOWN_FIELD);
      expect(kind.schema.safeParse({ ...section, operator: 'not-this-operator' }).success).toBe(false);
      // The campaign-file schema assembled from the registry takes it too, and names the unknown field.
      expect(campaign(section).mutation).toEqual(parsed.data);
      expect(() => campaign({ ...section, [UNKNOWN_FIELD]: true })).toThrow(ConfigError);
      expect(() => campaign({ ...section, [UNKNOWN_FIELD]: true })).toThrow(UNKNOWN_FIELD);
    });

    if (kind.callsModels) {
      it(`refuses a missing key in prepare with a ConfigError naming the variable`, () => {
        expect(fixture.keyVariable, `${kind.kind} calls models: its fixture must name the key variable`).toBeDefined();
        const variable = fixture.keyVariable as string;
        const baseURL = 'http://127.0.0.1:9/v1';
        const environment = { ...fixture.environment(baseURL) };
        delete environment[variable];
        const section = fixture.succeeds.section(baseURL);
        let thrown: unknown;
        try {
          kind.prepare(kind.schema.parse(section), {
            campaign: campaign(section),
            configDirectory: process.cwd(),
            options: { environment },
          });
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(ConfigError);
        expect((thrown as ConfigError).message).toContain(variable);
      });
    } else {
      it('prepares with an empty environment (no model, no key)', () => {
        const section = fixture.succeeds.section('http://127.0.0.1:9/v1');
        expect(() =>
          kind.prepare(kind.schema.parse(section), {
            campaign: campaign(section),
            configDirectory: process.cwd(),
            options: { environment: {} },
          }),
        ).not.toThrow();
      });
    }

    it('mutates the sample parent into a child whose files differ from the parent', async () => {
      const { result, harness, parentFiles } = await mutate(fixture.succeeds);
      if (!result.ok) throw new Error(`the ${kind.kind} mutation failed: ${result.status}: ${result.error}`);
      expect(result.files).not.toEqual(parentFiles);
      for (const name of Object.keys(result.files)) expect(isSafeRelativePath(name), name).toBe(true);
      expect(result.info.operator).toBe(kind.kind);
      expect(result.info.summary.trim()).not.toBe('');
      if (kind.callsModels) {
        const calls = harness.archive.listModelCalls();
        expect(calls.length, 'model calls recorded').toBeGreaterThan(0);
        expect(calls.every((call) => call.nodeId === CHILD_ID)).toBe(true);
        expect(JSON.stringify(calls)).not.toContain(MUTATOR_CONTRACT_KEY);
        expect(JSON.stringify(result)).not.toContain(MUTATOR_CONTRACT_KEY);
        expect(harness.server.chatRequests().length).toBe(calls.length);
      } else {
        expect(harness.server.requests, 'a kind that calls no model made a request').toEqual([]);
      }
    }, 120_000);

    it('makes the same child from the same parent, random seed and answers (a resumed campaign remakes a lost child)', async () => {
      const first = await mutate(fixture.succeeds);
      const second = await mutate(fixture.succeeds);
      expect(second.result.ok).toBe(true);
      expect(second.result.ok && second.result.files).toEqual(first.result.ok && first.result.files);
      expect(second.result.info.summary).toBe(first.result.info.summary);
    }, 120_000);

    it('stores a mutation that cannot be made as a failure with a status and an error (no exception)', async () => {
      const { result } = await mutate(fixture.fails);
      expect(result.ok, 'the failing case made a child').toBe(false);
      if (result.ok) return;
      expect(['patch_failed', 'invalid']).toContain(result.status);
      expect(result.error.trim().length).toBeGreaterThan(10);
      expect(result.info.operator).toBe(kind.kind);
      expect(JSON.stringify(result)).not.toContain(MUTATOR_CONTRACT_KEY);
    }, 120_000);
  });
}

/**
 * Runs the contract for every kind in `mutatorKinds` with its fixture. A registered kind without a
 * fixture, or a fixture of no registered kind, fails the coverage case.
 */
export function runRegisteredMutatorContracts(fixtures: MutatorContractFixtures): void {
  describeCoverage('mutator', mutatorKinds, fixtures);
  for (const kind of mutatorKinds.list()) {
    const fixture = fixtures[kind.kind];
    if (fixture !== undefined) runMutatorContract(kind, fixture);
  }
}
