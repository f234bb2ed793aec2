/**
 * @module The model proxy's socket as a sandbox request carries it (`SandboxRequest.modelSocket`):
 * checked once, before a run starts, by every driver that passes it on.
 */
import { lstat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { describeError, SandboxError } from '../core/errors.js';

/**
 * Throws `SandboxError` (`SANDBOX_FAILED`) unless `socketPath` is an absolute path to a Unix
 * socket that exists now (a closed proxy session removes its socket).
 */
export async function assertModelSocket(socketPath: string): Promise<void> {
  if (typeof socketPath !== 'string' || !isAbsolute(socketPath) || socketPath.includes('\u0000')) {
    throw new SandboxError(
      'SANDBOX_FAILED',
      `modelSocket must be the absolute host path of a model proxy session's socket (ProxySession.socketPath); got ${JSON.stringify(socketPath)}.`,
    );
  }
  let isSocket: boolean;
  try {
    isSocket = (await lstat(socketPath)).isSocket();
  } catch (error) {
    throw new SandboxError(
      'SANDBOX_FAILED',
      `The model socket ${socketPath} cannot be used: ${describeError(error)}. Open the proxy session (proxy.openSession) before the run and close it after.`,
      { cause: error },
    );
  }
  if (!isSocket) {
    throw new SandboxError(
      'SANDBOX_FAILED',
      `${socketPath} is not a Unix socket; pass the socketPath of an open model proxy session as modelSocket.`,
    );
  }
}
