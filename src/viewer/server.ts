/**
 * @module `clade serve`: a read-only HTTP server (node:http) on 127.0.0.1 for one campaign
 * directory: the static page, a JSON API, and a Server-Sent Events stream of new nodes.
 *
 * Routes (GET only; any other method is answered 405):
 * - `/`, `/app.js`, … the page (a fixed in-memory map; nothing else is served from disk)
 * - `/api/summary`            `ViewerSummary`
 * - `/api/nodes[?after=ID]`   `CompactNodes`, ordered by id
 * - `/api/nodes/ID`           `NodeDetail`
 * - `/api/progress`           `ProgressPoint[]`
 * - `/api/stream[?after=ID]`  SSE: `nodes` (CompactNodes of new nodes), `summary`, `campaign` (archive events)
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openArchive } from '../archive/sqlite-store.js';
import { CAMPAIGN_FILES, campaignPaths } from '../core/campaign-layout.js';
import { CladeError, describeError } from '../core/errors.js';
import { createGitCodeStore } from '../lineage/git-store.js';
import { loadViewerAssets, type ViewerAsset } from './assets.js';
import { CampaignView, toCompactNodes } from './campaign-view.js';
import type { ViewerServer } from './types.js';

/** The only address the viewer listens on. */
export const VIEWER_HOST = '127.0.0.1';
/** Port used when none is given. */
export const DEFAULT_VIEWER_PORT = 7420;

/** Options of `startViewer`. */
export interface StartViewerOptions {
  /** Campaign directory (holds `archive.db` and `code.git`). */
  directory: string;
  /** TCP port on 127.0.0.1; 0 picks a free one. Default `DEFAULT_VIEWER_PORT`. */
  port?: number;
  /** How often the archive's events table is read for live updates while a page is open, in ms. Default 1000. */
  pollIntervalMs?: number;
  /** Where the page's files are read from. Default: `static/` beside this module. */
  assetsDirectory?: string;
  /** Told about requests that failed inside the server (500). Default: nothing. */
  onError?: (error: unknown) => void;
}

/** Every response carries these: the page may load only its own scripts, styles and API. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

const HEARTBEAT_MS = 15_000;

/**
 * Opens the campaign read-only and serves it on 127.0.0.1. Works while a campaign runs in the
 * directory: the archive is read through its own read-only connection and new nodes are picked up
 * from the events table.
 * @throws CladeError `ARCHIVE_NOT_FOUND` when the directory holds no campaign; `VIEWER_FAILED`
 *   when the port is taken or the page's files are missing.
 */
export async function startViewer(options: StartViewerOptions): Promise<ViewerServer> {
  const directory = options.directory;
  const { archive: archiveFile, code: codeDirectory } = campaignPaths(directory);
  if (!existsSync(archiveFile)) {
    throw new CladeError(
      'ARCHIVE_NOT_FOUND',
      `${directory} holds no campaign (no ${CAMPAIGN_FILES.archive}). Give the directory a campaign ran in, e.g. archive/demo.`,
    );
  }
  const assets = loadViewerAssets(options.assetsDirectory);
  const view = new CampaignView({
    directory,
    archive: openArchive(archiveFile, { readonly: true }),
    code: existsSync(codeDirectory) ? createGitCodeStore(codeDirectory) : null,
  });
  const streams = new Set<ServerResponse>();
  let allowedHosts = new Set<string>();

  /** Reads new events and sends what changed to every open stream. */
  const poll = (): void => {
    const update = view.refresh();
    if (update.nodes.length === 0 && update.events.length === 0) return;
    const messages: string[] = [];
    if (update.nodes.length > 0) messages.push(sseMessage('nodes', toCompactNodes(update.nodes)));
    for (const event of update.events) {
      messages.push(sseMessage('campaign', { id: event.id, type: event.type, createdAt: event.createdAt }));
    }
    messages.push(sseMessage('summary', view.summary()));
    const text = messages.join('');
    for (const stream of streams) stream.write(text);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    if (request.method !== 'GET') {
      response.setHeader('Allow', 'GET');
      sendJson(response, 405, {
        error: `Method ${request.method} is not allowed: the viewer is read-only (GET only).`,
      });
      return;
    }
    // A page on another site could reach 127.0.0.1 through a DNS name it controls (DNS rebinding);
    // such requests carry that name in Host, so only our own address is accepted.
    if (!allowedHosts.has((request.headers.host ?? '').toLowerCase())) {
      sendJson(response, 403, { error: 'Host not allowed: open the viewer at the address `clade serve` printed.' });
      return;
    }
    const url = new URL(request.url ?? '/', 'http://viewer.invalid');
    const route = url.pathname;
    const asset = assets.get(route);
    if (asset) {
      sendAsset(response, asset);
      return;
    }
    if (!route.startsWith('/api/')) {
      sendJson(response, 404, { error: `No page at ${route}. Open / for the viewer.` });
      return;
    }
    poll();
    if (route === '/api/summary') {
      sendJson(response, 200, view.summary());
    } else if (route === '/api/nodes') {
      const after = parseId(url.searchParams.get('after'));
      if (after === 'invalid') {
        sendJson(response, 400, { error: '`after` must be a non-negative integer node id.' });
        return;
      }
      sendJson(response, 200, view.compactNodes(after));
    } else if (route.startsWith('/api/nodes/')) {
      const id = parseId(route.slice('/api/nodes/'.length));
      if (id === 'invalid' || id === undefined) {
        sendJson(response, 400, { error: 'A node id is a non-negative integer, as in /api/nodes/12.' });
        return;
      }
      const detail = await view.detail(id);
      if (detail) sendJson(response, 200, detail);
      else sendJson(response, 404, { error: `Node #${id} is not in this archive.` });
    } else if (route === '/api/progress') {
      sendJson(response, 200, view.progress());
    } else if (route === '/api/stream') {
      const after = parseId(url.searchParams.get('after'));
      openStream(response, after === 'invalid' ? undefined : after);
    } else {
      sendJson(response, 404, { error: `No API route ${route}.` });
    }
  };

  const openStream = (response: ServerResponse, after: number | undefined): void => {
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    response.write('retry: 2000\n\n');
    if (after !== undefined) {
      const missed = view.compactNodes(after);
      if (missed.id.length > 0) response.write(sseMessage('nodes', missed));
    }
    response.write(sseMessage('summary', view.summary()));
    streams.add(response);
    response.on('close', () => streams.delete(response));
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.onError?.(error);
      if (!response.headersSent) sendJson(response, 500, { error: describeError(error) });
      else response.end();
    });
  });

  const port = await listen(server, options.port ?? DEFAULT_VIEWER_PORT).catch((error: unknown) => {
    view.close();
    throw error;
  });
  allowedHosts = new Set([`${VIEWER_HOST}:${port}`, `localhost:${port}`]);

  const pollTimer = setInterval(() => {
    if (streams.size === 0) return;
    try {
      poll();
    } catch (error) {
      options.onError?.(error);
    }
  }, options.pollIntervalMs ?? 1000);
  const heartbeatTimer = setInterval(() => {
    for (const stream of streams) stream.write(': heartbeat\n\n');
  }, HEARTBEAT_MS);

  let closed: Promise<void> | null = null;
  return {
    url: `http://${VIEWER_HOST}:${port}/`,
    port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        clearInterval(pollTimer);
        clearInterval(heartbeatTimer);
        for (const stream of streams) stream.end();
        streams.clear();
        server.close(() => {
          view.close();
          resolve();
        });
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const reason =
        error.code === 'EADDRINUSE'
          ? `port ${port} is in use. Pass another with --port, or --port 0 for a free one`
          : describeError(error);
      reject(new CladeError('VIEWER_FAILED', `Cannot serve on ${VIEWER_HOST}:${port}: ${reason}.`, { cause: error }));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, VIEWER_HOST);
  });
}

function parseId(text: string | null): number | undefined | 'invalid' {
  if (text === null || text === '') return undefined;
  if (!/^\d{1,15}$/.test(text)) return 'invalid';
  return Number(text);
}

function sseMessage(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  response.end(text);
}

function sendAsset(response: ServerResponse, asset: ViewerAsset): void {
  response.writeHead(200, {
    'Content-Type': asset.contentType,
    'Content-Length': asset.body.length,
    'Cache-Control': 'no-cache',
  });
  response.end(asset.body);
}
