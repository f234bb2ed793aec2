/**
 * @module The process exit code for an error that ends a command: 2 for anything the user must fix
 * in what they typed or wrote (a bad flag, a bad campaign file or configuration — whatever class
 * raised it), 1 for everything else.
 */
import { CladeError, ConfigError } from '../core/errors.js';

/** Error codes that mean "fix your input": exit 2. */
const USER_INPUT_CODES = new Set(['CONFIG_INVALID', 'CONFIG_NOT_FOUND', 'USAGE']);

/** 2 for a bad flag or configuration (any `CladeError` with such a code), else 1. */
export function exitCodeOf(error: unknown): 1 | 2 {
  if (error instanceof ConfigError) return 2;
  if (error instanceof CladeError && USER_INPUT_CODES.has(error.code)) return 2;
  return 1;
}
