/**
 * @module `clade serve`: the web viewer for a campaign directory, until Ctrl-C.
 */
import { startViewer } from '../viewer/server.js';

/** Options of `serveCommand` (commander flags). */
export interface ServeFlags {
  port?: number;
}

/**
 * Serves the viewer on 127.0.0.1, prints its URL, and returns once SIGINT or SIGTERM arrives and
 * the server has closed.
 */
export async function serveCommand(directory: string, flags: ServeFlags): Promise<void> {
  const viewer = await startViewer({
    directory,
    ...(flags.port === undefined ? {} : { port: flags.port }),
    onError: (error) => process.stderr.write(`clade serve: a request failed: ${String(error)}\n`),
  });
  process.stdout.write(
    `Viewing ${directory} (read-only) at ${viewer.url}\nOpen it in a browser; it updates live while a campaign runs. Ctrl-C stops.\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await viewer.close();
  process.stdout.write('Viewer stopped.\n');
}
