/**
 * @module The contract every model provider's `ModelClient` must pass, run for every provider
 * registered in `modelProviders` (`tests/contracts/model-client.contract.test.ts` gives each a
 * fixture: how to build its client, through the registry, against a local HTTP server speaking its
 * wire format, and that format's answers; a provider registered without one fails the suite).
 * Each client goes through its real SDK (openai, @anthropic-ai/sdk, a @langchain/core chat model);
 * nothing is mocked but the far end of the wire.
 *
 * What the suite fixes for every provider:
 * - a completion returns the answer's text, the token usage the server counted and finish `stop`,
 *   and the request carried the system prompt and the conversation; a streamed one the same (where
 *   the provider streams);
 * - an attempt the server never answers fails within the client's time limit, as a retryable error;
 * - a 429 with `retry-after` is a retryable error carrying the status and the wait; a 500 is
 *   retryable; a 401 is not (`classifyModelError`, the rule `callModel` retries by); `complete`
 *   itself makes one attempt only;
 * - a missing key (or whatever the provider cannot run without) is a `ConfigError` naming the
 *   environment variable (or what to pass), raised before any request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { classifyModelError } from '../../src/model/errors.js';
import { modelProviders } from '../../src/model/registry.js';
import type { ModelClient, ModelRequest } from '../../src/model/types.js';
import { type ModelServer, type ServerReply, startModelServer } from '../helpers/model-server.js';
import { describeCoverage } from './registry-coverage.js';

/** How one provider is reached and what its wire format looks like. */
export interface ModelClientContractFixture {
  /** A client for the provider whose requests go to `origin` (the local server), built as a campaign builds it. */
  create(origin: string, options: { timeoutMs: number }): ModelClient;
  /** A successful answer with this text and usage, in the provider's wire format. */
  success(text: string, usage: { input: number; output: number }): ServerReply;
  /**
   * The same answer as the provider streams it (`request.stream`), or why the provider has no
   * stream of its own to test.
   */
  stream: ((text: string, usage: { input: number; output: number }) => ServerReply) | { notStreamed: string };
  /** The provider's error body for an HTTP status (429, 500, 401). */
  errorBody(status: 429 | 500 | 401): unknown;
  /** The system prompt and the user's message as the server received them. */
  received(body: Record<string, unknown>): { system: string | undefined; lastUser: string | undefined };
  /** What the provider cannot run without: an environment lacking it, and the name the error must give. */
  missing: { environment: NodeJS.ProcessEnv; names: string };
}

/** Fixtures by provider name. */
export type ModelClientContractFixtures = Readonly<Record<string, ModelClientContractFixture>>;

/** The attempt limit the clients are built with: a server that never answers must fail within it. */
const ATTEMPT_TIMEOUT_MS = 1500;

const REQUEST: ModelRequest = {
  system: 'You are the contract suite. Answer briefly.',
  messages: [
    { role: 'user', content: 'first question' },
    { role: 'assistant', content: 'first answer' },
    { role: 'user', content: 'Say "contract ok" — with an é.' },
  ],
  maxTokens: 256,
  temperature: 0,
};

/** Registers the model-client cases for one provider under `describe('model client contract: <provider>')`. */
export function runModelClientContract(provider: string, fixture: ModelClientContractFixture): void {
  describe(`model client contract: ${provider}`, () => {
    let server: ModelServer;
    let next: ServerReply;
    let client: ModelClient;

    beforeAll(async () => {
      server = await startModelServer(() => next);
      client = fixture.create(server.origin, { timeoutMs: ATTEMPT_TIMEOUT_MS });
    });
    afterAll(async () => {
      await server?.close();
    });

    const failure = async (reply: ServerReply): Promise<unknown> => {
      next = reply;
      const before = server.requests.length;
      const error = await client.complete(REQUEST).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error, 'complete resolved on an HTTP error').toBeDefined();
      expect(server.requests.length - before, 'complete makes one attempt; callModel retries').toBe(1);
      return error;
    };

    it('returns the text and the token usage of a completion, after sending the system prompt and the conversation', async () => {
      next = fixture.success('contract ok — é ✓', { input: 321, output: 17 });
      const response = await client.complete(REQUEST);
      expect(client.provider).toBe(provider);
      expect(response.text).toBe('contract ok — é ✓');
      expect(response.tokensIn).toBe(321);
      expect(response.tokensOut).toBe(17);
      expect(response.finishReason).toBe('stop');
      expect(response.raw).toBeDefined();
      const received = fixture.received(server.requests.at(-1)?.body ?? {});
      expect(received.system).toBe(REQUEST.system);
      expect(received.lastUser).toBe(REQUEST.messages.at(-1)?.content);
    });

    const stream = fixture.stream;
    if (typeof stream === 'function') {
      it('returns the same text and usage from a streamed completion', async () => {
        next = stream('streamed contract ok — é ✓ '.repeat(3), { input: 222, output: 33 });
        const response = await client.complete({ ...REQUEST, stream: true });
        expect(response.text).toBe('streamed contract ok — é ✓ '.repeat(3));
        expect(response.tokensIn).toBe(222);
        expect(response.tokensOut).toBe(33);
        expect(response.finishReason).toBe('stop');
        expect(server.requests.at(-1)?.body.stream).toBe(true);
      });
    } else {
      it.todo(`streams a completion — not applicable: ${stream.notStreamed}`);
    }

    it('fails an attempt the server never answers within its time limit, as a retryable timeout', async () => {
      next = { kind: 'hang' };
      const started = Date.now();
      const attempt = client.complete(REQUEST).then(
        () => ({ settled: 'resolved' as const }),
        (error: unknown) => ({ settled: 'rejected' as const, error }),
      );
      const grace = ATTEMPT_TIMEOUT_MS + 3000;
      const outcome = await Promise.race([
        attempt,
        new Promise<{ settled: 'still waiting' }>((resolve) =>
          setTimeout(() => resolve({ settled: 'still waiting' }), grace),
        ),
      ]);
      expect(
        outcome.settled,
        `the attempt was still waiting ${grace} ms after it started, though the client was built with a ${ATTEMPT_TIMEOUT_MS} ms limit`,
      ).toBe('rejected');
      expect(Date.now() - started).toBeLessThan(grace);
      if (outcome.settled === 'rejected') {
        expect(classifyModelError(outcome.error)).toMatchObject({ retryable: true, aborted: false });
      }
    }, 20_000);

    it('makes a 429 with retry-after a retryable error carrying the status and the wait', async () => {
      const error = await failure({
        kind: 'json',
        status: 429,
        headers: { 'retry-after': '2' },
        body: fixture.errorBody(429),
      });
      const classified = classifyModelError(error);
      expect(classified).toMatchObject({ retryable: true, status: 429, retryAfterMs: 2000, aborted: false });
    });

    it('makes a 500 a retryable error', async () => {
      const error = await failure({ kind: 'json', status: 500, body: fixture.errorBody(500) });
      expect(classifyModelError(error)).toMatchObject({ retryable: true, status: 500, aborted: false });
    });

    it('makes a 401 an error that is not retried', async () => {
      const error = await failure({ kind: 'json', status: 401, body: fixture.errorBody(401) });
      expect(classifyModelError(error)).toMatchObject({ retryable: false, status: 401 });
    });

    it('refuses to start without its key with a ConfigError naming the variable, before any request', () => {
      const before = server.requests.length;
      let thrown: unknown;
      try {
        modelProviders.get(provider).create({
          model: 'contract-model',
          name: `${provider}:contract-model`,
          field: 'mutation.models.0',
          environment: fixture.missing.environment,
        });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).message).toContain(fixture.missing.names);
      expect((thrown as ConfigError).message).toContain('mutation.models.0');
      expect(server.requests.length).toBe(before);
    });
  });
}

/**
 * Runs the contract for every provider in `modelProviders` with its fixture. A registered provider
 * without a fixture, or a fixture of no registered provider, fails the coverage case.
 */
export function runRegisteredModelClientContracts(fixtures: ModelClientContractFixtures): void {
  describeCoverage('model client', modelProviders, fixtures);
  for (const provider of modelProviders.names()) {
    const fixture = fixtures[provider];
    if (fixture !== undefined) runModelClientContract(provider, fixture);
  }
}
