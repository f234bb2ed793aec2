/**
 * @module A stable hash of a model request, the key recorded-call replay answers by. Object keys
 * are sorted, so the hash does not depend on the order fields were written in; `stream` is left
 * out, so a campaign recorded with streaming replays without it.
 */
import { createHash } from 'node:crypto';
import type { ModelRequest } from './types.js';

/** JSON with object keys in sorted order (arrays keep their order). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

/** SHA-256 (hex) of provider, model and request (without `stream`). */
export function hashModelRequest(provider: string, model: string, request: ModelRequest): string {
  const { stream: _stream, ...rest } = request;
  return createHash('sha256')
    .update(canonicalJson({ provider, model, request: rest }))
    .digest('hex');
}
