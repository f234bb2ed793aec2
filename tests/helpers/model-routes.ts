/**
 * @module The model-lookup routes of the OpenAI and Anthropic APIs, for the local test servers:
 * `GET /v1/models` (the list) and `GET /v1/models/{id}` (one model, 404 for one not served), with
 * bodies shaped like the recorded ones under tests/fixtures/model/. Campaigns check their models
 * there before the first child (src/model/preflight.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'model');

function fixture(name: string): { data: Array<Record<string, unknown>> } & Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as { data: Array<Record<string, unknown>> };
}

const OPENAI_LIST = fixture('openai-models.json');
const OLLAMA_LIST = fixture('ollama-models.json');
const ANTHROPIC_LIST = fixture('anthropic-models.json');

/** The model names the test servers serve by default: OpenAI's, a local Ollama's, Anthropic's (recorded lists). */
export const DEFAULT_SERVED_MODELS: readonly string[] = [
  ...OPENAI_LIST.data.map((model) => String(model.id)),
  ...OLLAMA_LIST.data.map((model) => String(model.id)),
  ...ANTHROPIC_LIST.data.map((model) => String(model.id)),
];

/** A reply of a models route. */
export interface ModelRouteReply {
  status: number;
  body: unknown;
}

/**
 * The reply to `method path` when it is a models route, else null. `served` are the model names the
 * server has (an Anthropic alias such as `claude-sonnet-4-5` finds its dated id, as the API's does).
 * The request's `anthropic-version` header tells the wire format apart.
 */
export function answerModelRoute(
  method: string,
  requestPath: string,
  headers: Record<string, string | string[] | undefined>,
  served: readonly string[] = DEFAULT_SERVED_MODELS,
): ModelRouteReply | null {
  if (method !== 'GET') return null;
  const pathname = (requestPath.split('?')[0] ?? '').replace(/\/+$/, '');
  const anthropic = headers['anthropic-version'] !== undefined;
  if (pathname === '/v1/models') {
    return { status: 200, body: anthropic ? anthropicList(served) : openAIList(served) };
  }
  const match = /^\/v1\/models\/(.+)$/.exec(pathname);
  if (!match) return null;
  const id = decodeURIComponent(match[1] as string);
  const found =
    served.find((name) => name === id) ?? (anthropic ? served.find((name) => name.startsWith(`${id}-`)) : undefined);
  if (found === undefined) {
    return anthropic
      ? {
          status: 404,
          body: { ...fixture('anthropic-error-404.json'), error: { type: 'not_found_error', message: `model: ${id}` } },
        }
      : {
          status: 404,
          body: {
            error: {
              ...(fixture('openai-error-404-model.json').error as Record<string, unknown>),
              message: `The model \`${id}\` does not exist or you do not have access to it.`,
            },
          },
        };
  }
  return { status: 200, body: anthropic ? anthropicModel(found) : openAIModel(found) };
}

function openAIModel(id: string): Record<string, unknown> {
  return (
    [...OPENAI_LIST.data, ...OLLAMA_LIST.data].find((model) => model.id === id) ?? {
      id,
      object: 'model',
      created: 1733316813,
      owned_by: 'library',
    }
  );
}

function anthropicModel(id: string): Record<string, unknown> {
  return (
    ANTHROPIC_LIST.data.find((model) => model.id === id) ?? {
      type: 'model',
      id,
      display_name: id,
      created_at: '2025-01-01T00:00:00Z',
    }
  );
}

function openAIList(served: readonly string[]) {
  return { object: 'list', data: served.map(openAIModel) };
}

function anthropicList(served: readonly string[]) {
  const data = served.map(anthropicModel);
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
}
