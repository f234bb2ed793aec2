/**
 * @module What selector kinds share: reading a kind's own options out of the `selection` section.
 */
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { SelectionSection } from './types.js';

/**
 * The options of one kind, `section[key]`, parsed by `schema` (defaults filled in; absent: every
 * default). @throws ConfigError naming `selection.<key>.<field>`, the value and the rule.
 */
export function optionsOf<Schema extends z.ZodType>(
  section: SelectionSection,
  key: string,
  schema: Schema,
): z.output<Schema> {
  const parsed = schema.safeParse(section[key] ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => {
    const path = ['selection', key, ...issue.path.map(String)].join('.');
    return { path, message: issue.message, value: valueAt(section[key], issue.path) };
  });
  const message = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  throw new ConfigError(`Invalid selection options: ${message}`, issues);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const step of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[step];
  }
  return value;
}
