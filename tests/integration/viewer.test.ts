/**
 * `clade serve`: the HTTP API on a real (tiny) campaign, the server's refusals (methods, paths,
 * hosts), live updates over SSE, and the page itself in headless Chromium, including a node whose
 * summary, log, diff and model transcript carry HTML/script payloads that must show up as text.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive } from '../../src/archive/sqlite-store.js';
import type { ArchiveStore } from '../../src/archive/types.js';
import { loadCampaignFile } from '../../src/campaign-file.js';
import type { AgentNode, EvaluationRecord } from '../../src/core/types.js';
import { createCampaign } from '../../src/create-campaign.js';
import { createGitCodeStore } from '../../src/lineage/git-store.js';
import type { CompactNodes, NodeDetail, ProgressPoint, ViewerServer, ViewerSummary } from '../../src/viewer/index.js';
import { startViewer } from '../../src/viewer/index.js';
import { cliEntry, repositoryRoot, temporaryDirectory, writeSmallCampaign } from '../helpers/campaign-fixture.js';

const CHROMIUM = '/usr/bin/chromium';

/** What the page's scripts see (the tests' TypeScript has no DOM types; these are evaluated in the browser). */
interface PageGlobals {
  cladeViewer: { screenPosition(id: number): { x: number; y: number } | null; bestNodeId(): number | null };
  document: { querySelectorAll(selector: string): { length: number } };
  __pwned?: string;
}

const ARTIFACTS = path.join(repositoryRoot, 'tests/artifacts');

/** Payloads that would run script if any of them reached the page as HTML. */
const SCRIPT_PAYLOAD = '<script>window.__pwned = "script"</script>';
const IMAGE_PAYLOAD = '<img src=x onerror="window.__pwned = \'img\'">';
const HOSTILE = `${SCRIPT_PAYLOAD} ${IMAGE_PAYLOAD}`;

let workspace: { path: string; remove: () => void };
let directory: string;
let writer: ArchiveStore;
let viewer: ViewerServer;
let hostileId: number;
let scoredChild: AgentNode;

/** A node that copies its parent's code plus a file full of payloads, recorded like a campaign would. */
async function recordNode(options: { id: number; parent: AgentNode; hostile: boolean; score: number }): Promise<void> {
  const code = createGitCodeStore(path.join(directory, 'code.git'));
  const files = await code.readFiles(options.parent.commit);
  if (options.hostile) files['NOTES.md'] = `Agent notes ${HOSTILE}\n`;
  else files['NOTES.md'] = `node ${options.id}\n`;
  const commit = await code.commit(files, options.parent.commit, `node ${options.id}`);
  await code.setNodeRef(options.id, commit);
  const now = new Date().toISOString();
  const node: AgentNode = {
    id: options.id,
    parentId: options.parent.id,
    commit,
    status: 'scored',
    score: options.score,
    publicMetrics: { [`metric ${IMAGE_PAYLOAD}`]: 1 },
    privateMetrics: { heldOut: 0.5 },
    mutation: {
      operator: 'llm-diff',
      summary: options.hostile ? `rewrote the loop ${HOSTILE}` : `added notes for node ${options.id}`,
    },
    error: options.hostile ? `note from the agent ${HOSTILE}` : null,
    ...(options.hostile ? { artifacts: { [`stderr ${IMAGE_PAYLOAD}`]: `evaluator said ${HOSTILE}` } } : {}),
    iteration: options.id,
    createdAt: now,
    evaluatedAt: now,
  };
  const evaluations: EvaluationRecord[] = ['sphere-d3', 'rastrigin-d3'].map((problem) => ({
    nodeId: options.id,
    problem,
    repeat: 0,
    seed: 1,
    status: 'ok',
    score: options.score,
    metrics: { error: 0.001, evaluations: 900, 'private:heldOutJob': 7 },
    durationMs: 12,
    logExcerpt: options.hostile ? `agent printed ${HOSTILE}` : '',
  }));
  if (options.hostile) {
    writer.recordModelCall({
      nodeId: options.id,
      provider: 'openai',
      model: 'test-model',
      request: {
        messages: [
          { role: 'system', content: 'You improve optimizers.' },
          { role: 'user', content: `Improve ${HOSTILE}` },
        ],
      },
      response: { choices: [{ message: { role: 'assistant', content: `Here you go ${HOSTILE}` } }] },
      tokensIn: 120,
      tokensOut: 80,
      costUsd: 0.0012,
      latencyMs: 950,
      attempts: 1,
    });
  }
  writer.recordNode(node, evaluations);
}

async function getJson<T>(route: string): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(new URL(route, viewer.url));
  return { status: response.status, body: (await response.json()) as T, headers: response.headers };
}

/** A raw request (no URL normalisation), so `..` reaches the server as sent. */
function rawRequest(
  rawPath: string,
  options: { method?: string; host?: string } = {},
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port: viewer.port,
        path: rawPath,
        method: options.method ?? 'GET',
        headers: { Host: options.host ?? `127.0.0.1:${viewer.port}` },
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
      },
    );
    request.on('error', reject);
    request.end();
  });
}

beforeAll(async () => {
  workspace = temporaryDirectory('clade-viewer-');
  const loaded = loadCampaignFile(writeSmallCampaign(workspace.path, { iterations: '6', workers: '2' }));
  directory = path.join(workspace.path, 'run');
  const campaign = await createCampaign(loaded, directory);
  await campaign.run({});
  campaign.close();

  writer = openArchive(path.join(directory, 'archive.db'));
  const nodes = writer.listNodes();
  const child = nodes.find((node) => node.parentId !== null && node.status === 'scored');
  if (!child) throw new Error('the fixture campaign made no scored child');
  scoredChild = child;
  hostileId = (writer.maxNodeId() ?? 0) + 1;
  const root = nodes[0];
  if (!root) throw new Error('the fixture campaign has no root');
  await recordNode({ id: hostileId, parent: root, hostile: true, score: 0.05 });
  viewer = await startViewer({ directory, port: 0, pollIntervalMs: 100 });
}, 180_000);

afterAll(async () => {
  await viewer?.close();
  writer?.close();
  workspace?.remove();
});

describe('the viewer API', () => {
  it('listens on 127.0.0.1 only and summarises the campaign', async () => {
    expect(viewer.url).toBe(`http://127.0.0.1:${viewer.port}/`);
    const { status, body } = await getJson<ViewerSummary>('/api/summary');
    expect(status).toBe(200);
    const nodes = writer.listNodes();
    expect(body.nodes).toBe(nodes.length);
    expect(body.campaign?.name).toBe('small');
    expect(body.running).toBe(false);
    expect(body.modelCalls.count).toBe(1);
    expect(body.modelCalls.costUsd).toBeCloseTo(0.0012);
    const scored = nodes.filter((node) => node.status === 'scored' && node.score !== null);
    const bestScore = Math.max(...scored.map((node) => node.score ?? 0));
    expect(body.best?.score).toBe(bestScore);
    expect(body.scored).toBe(scored.length);
    expect(Object.values(body.statusCounts).reduce((sum, count) => sum + count, 0)).toBe(nodes.length);
  });

  it('serves the nodes as compact columns, all or after an id', async () => {
    const all = await getJson<CompactNodes>('/api/nodes');
    const nodes = writer.listNodes();
    expect(all.body.id).toEqual(nodes.map((node) => node.id));
    expect(all.body.parent).toEqual(nodes.map((node) => node.parentId));
    expect(all.body.score).toEqual(nodes.map((node) => node.score));
    expect(all.body.status.map((index) => all.body.statuses[index])).toEqual(nodes.map((node) => node.status));
    const after = await getJson<CompactNodes>('/api/nodes?after=3');
    expect(after.body.id).toEqual(nodes.filter((node) => node.id > 3).map((node) => node.id));
    expect((await getJson<{ error: string }>('/api/nodes?after=abc')).status).toBe(400);
  });

  it('details a node: scores per problem, lineage, children, and the diff against its parent', async () => {
    const { status, body } = await getJson<NodeDetail>(`/api/nodes/${scoredChild.id}`);
    expect(status).toBe(200);
    expect(body.node.id).toBe(scoredChild.id);
    expect(body.node.score).toBe(scoredChild.score);
    expect(body.parent?.id).toBe(scoredChild.parentId);
    expect(body.evaluations.map((evaluation) => evaluation.problem).sort()).toEqual(['rastrigin-d3', 'sphere-d3']);
    expect(body.lineage[0]?.id).toBe(0);
    expect(body.lineage.at(-1)?.id).toBe(scoredChild.id);
    expect(body.diff.error).toBeNull();
    expect(body.diff.text).toMatch(/^-.*@evolve/m);
    expect(body.diff.text).toMatch(/^\+.*@evolve/m);
    expect(body.modelCalls).toEqual([]);
    const root = await getJson<NodeDetail>('/api/nodes/0');
    expect(root.body.children.map((child) => child.id)).toContain(hostileId);
  });

  it('serves model transcripts and keeps private metrics back', async () => {
    const { body } = await getJson<NodeDetail>(`/api/nodes/${hostileId}`);
    expect(body.modelCalls).toHaveLength(1);
    expect(body.modelCalls[0]?.transcript).toEqual([
      { role: 'system', text: 'You improve optimizers.' },
      { role: 'user', text: `Improve ${HOSTILE}` },
      { role: 'assistant', text: `Here you go ${HOSTILE}` },
    ]);
    expect(body.node.privateMetricCount).toBe(1);
    expect(JSON.stringify(body)).not.toContain('heldOut');
    expect(body.node.artifacts).toEqual({ [`stderr ${IMAGE_PAYLOAD}`]: `evaluator said ${HOSTILE}` });
    expect(body.diff.text).toContain(`+Agent notes ${HOSTILE}`);
  });

  it('reports the score over time with the best so far', async () => {
    const { body } = await getJson<ProgressPoint[]>('/api/progress');
    expect(body.map((point) => point.id)).toEqual(writer.listNodes().map((node) => node.id));
    let best: number | null = null;
    for (const point of body) {
      if (point.score !== null && (best === null || point.score > best)) best = point.score;
      expect(point.best).toBe(best);
    }
  });

  it('answers unknown and malformed node ids with 404 and 400', async () => {
    expect((await getJson('/api/nodes/99999')).status).toBe(404);
    expect((await getJson('/api/nodes/-1')).status).toBe(400);
    expect((await getJson('/api/nodes/1e3')).status).toBe(400);
    expect((await getJson('/api/nope')).status).toBe(404);
  });

  it('refuses every method but GET with 405', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']) {
      const response = await rawRequest('/api/summary', { method });
      expect(response.status, method).toBe(405);
      expect(response.headers.allow).toBe('GET');
    }
  });

  it('serves only its own page files: no path reaches the file system', async () => {
    for (const attempt of [
      '/../package.json',
      '/../../package.json',
      '/%2e%2e/package.json',
      '/%2e%2e%2f%2e%2e%2fpackage.json',
      '/app.js/../../server.ts',
      '/static/app.js',
      '/..%5c..%5cpackage.json',
      '//etc/passwd',
      '/server.ts',
      '/assets.ts',
    ]) {
      const response = await rawRequest(attempt);
      expect(response.status, attempt).toBe(404);
      expect(response.body, attempt).not.toContain('"name": "clade"');
      expect(response.body, attempt).not.toContain('root:');
    }
    const page = await rawRequest('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const script = await rawRequest('/app.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('says so when the port is taken', async () => {
    await expect(startViewer({ directory, port: viewer.port })).rejects.toThrow(
      new RegExp(`port ${viewer.port} is in use. Pass another with --port, or --port 0`),
    );
  });

  it('refuses requests for another host name (DNS rebinding)', async () => {
    expect((await rawRequest('/api/summary', { host: 'attacker.example' })).status).toBe(403);
    expect((await rawRequest('/api/summary', { host: `localhost:${viewer.port}` })).status).toBe(200);
  });

  it('streams new nodes over Server-Sent Events as the campaign records them', async () => {
    const controller = new AbortController();
    const response = await fetch(new URL(`/api/stream?after=${writer.maxNodeId()}`, viewer.url), {
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = response.body?.getReader();
    if (!reader) throw new Error('no stream body');
    const id = (writer.maxNodeId() ?? 0) + 1;
    const parent = writer.getNode(0);
    if (!parent) throw new Error('no root');
    await recordNode({ id, parent, hostile: false, score: 0.2 });
    let text = '';
    const decoder = new TextDecoder();
    const deadline = Date.now() + 10_000;
    while (!text.includes('event: nodes') && Date.now() < deadline) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
    controller.abort();
    const message = text.split('\n\n').find((block) => block.startsWith('event: nodes'));
    expect(message).toBeDefined();
    const columns = JSON.parse(message?.split('\ndata: ')[1] ?? '{}') as CompactNodes;
    expect(columns.id).toEqual([id]);
    expect(columns.parent).toEqual([0]);
    expect(columns.score).toEqual([0.2]);
  });
});

describe('the viewer follows nodes that change after they are recorded', () => {
  it('picks up evaluations appended to a recorded node (staged evaluation)', async () => {
    const before = await getJson<NodeDetail>(`/api/nodes/${hostileId}`);
    expect(before.body.evaluations).toHaveLength(2);
    const node = writer.getNode(hostileId);
    if (!node) throw new Error('hostile node missing');
    writer.appendEvaluations({ ...node, score: 0.07, evaluatedAt: new Date().toISOString() }, [
      {
        nodeId: hostileId,
        problem: 'ackley-d3',
        repeat: 0,
        seed: 2,
        status: 'ok',
        score: 0.11,
        metrics: {},
        durationMs: 5,
        logExcerpt: '',
      },
    ]);
    const nodes = await getJson<CompactNodes>('/api/nodes');
    expect(nodes.body.score[nodes.body.id.indexOf(hostileId)]).toBe(0.07);
    const after = await getJson<NodeDetail>(`/api/nodes/${hostileId}`);
    expect(after.body.node.score).toBe(0.07);
    expect(after.body.evaluations.map((evaluation) => evaluation.problem)).toContain('ackley-d3');
  });
});

describe('clade serve (the command)', () => {
  it('prints the URL, serves the page, and stops on Ctrl-C', async () => {
    if (!existsSync(cliEntry)) throw new Error(`${cliEntry} is missing: run \`npm run build\` before the tests.`);
    const child: ChildProcess = spawn(process.execPath, [cliEntry, 'serve', directory, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${output}`)), 20_000);
      child.stdout?.on('data', () => {
        const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[0]);
        }
      });
    });
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<canvas id="tree"');
    const summary = (await (await fetch(new URL('/api/summary', url))).json()) as ViewerSummary;
    expect(summary.nodes).toBe(writer.nodeCount());
    const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    expect(output).toContain('Viewer stopped.');
  });

  it('says what is wrong for a directory without a campaign', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'clade-viewer-empty-'));
    try {
      const child = spawn(process.execPath, [cliEntry, 'serve', empty, '--port', '0'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(1);
      expect(stderr).toContain('holds no campaign');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

const chromiumMissing = existsSync(CHROMIUM)
  ? null
  : `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does) to run the browser test`;
if (chromiumMissing) console.warn(`viewer browser test skipped: ${chromiumMissing}`);

// In CI (.ci/run installs chromium) a missing browser is a failure, not a skip.
describe.skipIf(chromiumMissing !== null && !process.env.CI)('the viewer page in headless Chromium', () => {
  it('draws the tree, shows a clicked node with its content escaped, and updates live', async () => {
    if (chromiumMissing) throw new Error(chromiumMissing);
    const { chromium } = await import('playwright-core');
    const userDataDirectory = mkdtempSync(path.join(os.tmpdir(), 'clade-viewer-chromium-'));
    const context = await chromium.launchPersistentContext(userDataDirectory, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1440, height: 900 },
      deviceScaleFactor: 1,
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
      });
      await page.goto(viewer.url);
      await page.waitForSelector('body[data-ready="true"]');
      const count = writer.nodeCount();
      await page.waitForSelector(`body[data-nodes="${count}"]`);
      await expect.poll(() => page.textContent('[data-testid="stat-nodes"] .stat-value')).toBe(String(count));
      await page.waitForSelector('#live.idle');

      const clickNode = async (id: number) => {
        const position = await page.evaluate(
          (nodeId) => (globalThis as unknown as PageGlobals).cladeViewer.screenPosition(nodeId),
          id,
        );
        if (!position) throw new Error(`node #${id} is not on screen`);
        await page.mouse.click(position.x, position.y);
        await page.waitForSelector(`.panel-title h2:text-is("Node #${id}")`);
      };

      // A real node: its score and one row per problem.
      await clickNode(scoredChild.id);
      expect(await page.textContent('[data-testid="panel-score"]')).toBe(scoredChild.score?.toFixed(4));
      const problemCells = await page.$$eval('[data-testid="evaluations"] td.problem', (cells) =>
        cells.map((cell) => cell.textContent),
      );
      expect(problemCells.sort()).toEqual(['rastrigin-d3', 'sphere-d3']);

      // The hostile node: every payload appears as text, nothing of it became markup or ran.
      await clickNode(hostileId);
      expect(await page.textContent('.panel-summary')).toBe(`llm-diff: rewrote the loop ${HOSTILE}`);
      expect(await page.textContent('pre.note')).toBe(`note from the agent ${HOSTILE}`);
      const injected = async () =>
        page.evaluate(() => {
          const browser = globalThis as unknown as PageGlobals;
          return {
            elements: browser.document.querySelectorAll('#panel script, #panel img, #tooltip img, #tooltip script')
              .length,
            pwned: browser.__pwned ?? null,
          };
        });
      expect(await injected()).toEqual({ elements: 0, pwned: null });
      await page.click('button[data-tab="diff"]');
      expect(await page.textContent('[data-testid="diff"]')).toContain(`+Agent notes ${HOSTILE}`);
      await page.click('button[data-tab="model"]');
      const turns = await page.$$eval('.turn-text', (nodes) => nodes.map((node) => node.textContent));
      expect(turns).toEqual(['You improve optimizers.', `Improve ${HOSTILE}`, `Here you go ${HOSTILE}`]);
      await page.click('button[data-tab="logs"]');
      const logs = await page.$$eval('pre.log', (nodes) => nodes.map((node) => node.textContent));
      expect(logs).toContain(`agent printed ${HOSTILE}`);
      // The evaluator's artifacts: shown as text under their names.
      expect(logs).toContain(`evaluator said ${HOSTILE}`);
      const headings = await page.$$eval('#panel h3', (nodes) => nodes.map((node) => node.textContent));
      expect(headings).toContain(`Artifact · stderr ${IMAGE_PAYLOAD}`);
      expect(await injected()).toEqual({ elements: 0, pwned: null });
      // Hovering shows the summary in the tooltip, as text too.
      const hover = await page.evaluate(
        (nodeId) => (globalThis as unknown as PageGlobals).cladeViewer.screenPosition(nodeId),
        hostileId,
      );
      if (hover) await page.mouse.move(hover.x, hover.y);
      await page.waitForSelector('#tooltip:not([hidden])');
      expect(await page.textContent('.tooltip-summary')).toContain(SCRIPT_PAYLOAD);
      expect(await injected()).toEqual({ elements: 0, pwned: null });

      // Live: a node recorded while the page is open appears without a reload.
      const liveId = (writer.maxNodeId() ?? 0) + 1;
      await recordNode({ id: liveId, parent: scoredChild, hostile: false, score: 0.99 });
      await page.waitForSelector(`body[data-nodes="${count + 1}"]`, { timeout: 10_000 });
      await expect.poll(() => page.textContent('[data-testid="stat-nodes"] .stat-value')).toBe(String(count + 1));
      expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).cladeViewer.bestNodeId())).toBe(liveId);
      await clickNode(liveId);
      expect(await page.textContent('[data-testid="panel-score"]')).toBe('0.9900');

      // A screenshot for people to look at: the best real node selected.
      await clickNode(scoredChild.id);
      await page.click('button[data-tab="overview"]');
      await page.mouse.move(5, 5);
      await page.waitForSelector('#tooltip', { state: 'hidden' });
      await page.waitForTimeout(2600); // let the arrival pulse fade
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'viewer.png') });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      rmSync(userDataDirectory, { recursive: true, force: true });
    }
  }, 120_000);
});
