// clade viewer: the page. Loads the campaign summary and nodes, draws the tree and the score plot,
// shows a node's details on click, and follows the campaign live over Server-Sent Events.
import { append, element, formatCost, formatScore, STATUS_COLOURS, STATUS_LABELS, viridis } from './format.js';
import { NodePanel, statusChip } from './node-panel.js';
import { NodeStore } from './node-store.js';
import { ScorePlot } from './score-plot.js';
import { TreeView } from './tree-view.js';

const store = new NodeStore();
const byId = (id) => document.getElementById(id);
const tooltip = byId('tooltip');
let selectedIndex = -1;
let summary = null;
let requestCounter = 0;

const panel = new NodePanel(byId('panel'), { onSelectNode: (id) => selectById(id, true) });
const tree = new TreeView(byId('tree'), store, { onSelect: (index) => select(index, false), onHover: showTooltip });
const plot = new ScorePlot(byId('plot'), store, { onSelect: (index) => select(index, true), onHover: showTooltip });

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: 'application/json' } });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ?? `${path}: HTTP ${response.status}`);
  return body;
}

function selectById(id, reveal) {
  const index = store.indexOf.get(id);
  if (index !== undefined) select(index, reveal);
}

async function select(index, reveal) {
  if (index < 0 || index >= store.size) return;
  selectedIndex = index;
  tree.select(index);
  plot.select(index);
  if (reveal) tree.reveal(index);
  const id = store.id[index];
  document.body.dataset.selected = String(id);
  const request = ++requestCounter;
  panel.showLoading(id);
  try {
    const detail = await getJson(`/api/nodes/${id}`);
    if (request === requestCounter) panel.show(detail);
  } catch (error) {
    if (request === requestCounter) panel.showError(`Could not load node #${id}: ${error.message}`);
  }
}

async function refreshSelected() {
  const id = store.id[selectedIndex];
  const request = ++requestCounter;
  try {
    const detail = await getJson(`/api/nodes/${id}`);
    if (request === requestCounter) panel.show(detail);
  } catch {
    // Keep what is shown; the next update tries again.
  }
}

function showTooltip(index, clientX, clientY) {
  if (index < 0) {
    tooltip.hidden = true;
    return;
  }
  const status = store.statusName(index);
  tooltip.replaceChildren(
    append(
      element('div', 'tooltip-head'),
      element('strong', null, `#${store.id[index]}`),
      store.isScored(index) ? element('span', 'tooltip-score', formatScore(store.score[index])) : statusChip(status),
      index === store.bestIndex ? element('span', 'tooltip-best', '★ best') : null,
    ),
    element('div', 'tooltip-summary', `${store.operator[index]}: ${store.summary[index]}`),
    element('div', 'tooltip-meta', `iteration ${store.iteration[index]} · ${store.children[index].length} children`),
  );
  tooltip.hidden = false;
  const margin = 14;
  const width = tooltip.offsetWidth;
  const height = tooltip.offsetHeight;
  const x = clientX + margin + width > window.innerWidth ? clientX - margin - width : clientX + margin;
  const y = clientY + margin + height > window.innerHeight ? clientY - margin - height : clientY + margin;
  tooltip.style.transform = `translate(${Math.max(4, x)}px, ${Math.max(4, y)}px)`;
}

function renderSummary() {
  if (!summary) return;
  const name = summary.campaign?.name ?? '(no campaign record)';
  byId('campaign-name').textContent = name;
  byId('campaign-directory').textContent = summary.directory;
  document.title = `${name} · clade`;
  const stats = byId('stats');
  const failed = summary.nodes - summary.scored;
  const stat = (label, value, testid, onClick) => {
    const box = element(onClick ? 'button' : 'div', onClick ? 'stat clickable' : 'stat');
    if (onClick) {
      box.type = 'button';
      box.addEventListener('click', onClick);
    }
    box.dataset.testid = testid;
    return append(box, element('span', 'stat-value', value), element('span', 'stat-label', label));
  };
  const improvement =
    summary.best && summary.root && summary.root.score !== null ? summary.best.score - summary.root.score : null;
  const boxes = [
    stat('nodes', summary.nodes.toLocaleString('en-US'), 'stat-nodes'),
    stat('failed', failed.toLocaleString('en-US'), 'stat-failed'),
    stat('seed score', formatScore(summary.root?.score), 'stat-root'),
    stat(
      summary.best ? `best · #${summary.best.id}` : 'best',
      summary.best
        ? `${formatScore(summary.best.score)}${improvement !== null ? ` (${improvement >= 0 ? '+' : ''}${improvement.toFixed(3)})` : ''}`
        : '–',
      'stat-best',
      summary.best ? () => selectById(summary.best.id, true) : null,
    ),
    summary.modelCalls.count > 0
      ? stat(`${summary.modelCalls.count} model calls`, formatCost(summary.modelCalls.costUsd), 'stat-cost')
      : null,
  ];
  stats.replaceChildren(...boxes.filter((box) => box !== null));
  renderLiveBadge();
  renderLegend();
}

let streamState = 'connecting';
function renderLiveBadge() {
  const badge = byId('live');
  const running = summary?.running;
  const state = streamState !== 'open' ? streamState : running ? 'running' : 'idle';
  badge.className = `live ${state}`;
  badge.textContent =
    state === 'running'
      ? 'live · campaign running'
      : state === 'idle'
        ? 'live · no campaign running'
        : state === 'connecting'
          ? 'connecting…'
          : 'disconnected · retrying';
}

function renderLegend() {
  const scale = byId('legend-scale');
  scale.replaceChildren();
  const gradient = element('div', 'legend-gradient');
  for (let step = 0; step <= 16; step++) gradient.append(swatch(viridis(step / 16)));
  append(
    scale,
    element('span', 'legend-label', formatScore(store.minScore)),
    gradient,
    element('span', 'legend-label', formatScore(store.maxScore)),
  );
  const statuses = byId('legend-statuses');
  statuses.replaceChildren();
  const counts = summary?.statusCounts ?? {};
  for (const [status, colour] of Object.entries(STATUS_COLOURS)) {
    if (status === 'scored' || !counts[status]) continue;
    const item = element('span', 'legend-item');
    const mark = element('span', 'legend-cross', '×');
    mark.style.color = colour;
    append(item, mark, `${STATUS_LABELS[status]} ${counts[status]}`);
    statuses.append(item);
  }
}

function swatch(colour) {
  const cell = element('span', 'legend-swatch');
  cell.style.background = colour;
  return cell;
}

function redraw() {
  document.body.dataset.nodes = String(store.size);
  tree.update();
  plot.requestDraw();
  renderLegend();
  byId('empty-tree').hidden = store.size > 0;
}

function connectStream() {
  const lastId = store.size > 0 ? Math.max(...store.id) : null;
  const source = new EventSource(lastId === null ? '/api/stream' : `/api/stream?after=${lastId}`);
  source.addEventListener('open', () => {
    streamState = 'open';
    renderLiveBadge();
  });
  source.addEventListener('error', () => {
    streamState = source.readyState === EventSource.CLOSED ? 'disconnected' : 'disconnected';
    renderLiveBadge();
  });
  source.addEventListener('nodes', (event) => {
    const added = store.merge(JSON.parse(event.data), true);
    if (added.length === 0) return;
    redraw();
    // The selected node itself changed (more evaluations arrived): show its new details.
    if (added.includes(selectedIndex)) refreshSelected();
  });
  source.addEventListener('summary', (event) => {
    summary = JSON.parse(event.data);
    renderSummary();
  });
}

function bindControls() {
  byId('fit').addEventListener('click', () => tree.fit());
  byId('goto-best').addEventListener('click', () => {
    if (store.bestIndex >= 0) select(store.bestIndex, true);
  });
  byId('goto-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = byId('goto-input');
    const id = Number(input.value.replace(/^#/, ''));
    const index = store.indexOf.get(id);
    input.classList.toggle('invalid', index === undefined);
    if (index !== undefined) {
      select(index, true);
      tree.focus(index);
    }
  });
  for (const button of document.querySelectorAll('[data-axis]')) {
    button.addEventListener('click', () => {
      for (const other of document.querySelectorAll('[data-axis]')) other.classList.toggle('active', other === button);
      plot.setAxis(button.dataset.axis);
    });
  }
  window.addEventListener('keydown', (event) => {
    if (event.target instanceof HTMLInputElement || event.metaKey || event.ctrlKey || event.altKey) return;
    const key = event.key;
    if (key === 'f' || key === 'F') tree.fit();
    else if (key === 'b' || key === 'B') {
      if (store.bestIndex >= 0) select(store.bestIndex, true);
    } else if (selectedIndex >= 0 && key.startsWith('Arrow')) {
      event.preventDefault();
      let next = selectedIndex;
      if (key === 'ArrowUp') next = store.parentIndex(selectedIndex) ?? selectedIndex;
      else if (key === 'ArrowDown') next = store.children[selectedIndex][0] ?? selectedIndex;
      else if (key === 'ArrowLeft') next = store.sibling(selectedIndex, -1);
      else if (key === 'ArrowRight') next = store.sibling(selectedIndex, 1);
      if (next !== selectedIndex) select(next, true);
    }
  });
}

async function start() {
  bindControls();
  try {
    const [first, nodes] = await Promise.all([getJson('/api/summary'), getJson('/api/nodes')]);
    summary = first;
    store.merge(nodes);
    renderSummary();
    redraw();
    tree.fit();
  } catch (error) {
    panel.showError(`Could not load the campaign: ${error.message}`);
  }
  connectStream();
  document.body.dataset.ready = 'true';
}

/**
 * For scripts and browser tests: where a node is drawn, in client (viewport) coordinates, or null
 * when it is unknown or off screen. Read-only; changes nothing.
 */
window.cladeViewer = Object.freeze({
  nodeCount: () => store.size,
  bestNodeId: () => (store.bestIndex >= 0 ? store.id[store.bestIndex] : null),
  /** Durations of the tree's last draws, in ms. */
  drawTimes: () => [...tree.drawTimes],
  screenPosition(id) {
    const index = store.indexOf.get(id);
    if (index === undefined) return null;
    const rect = tree.canvas.getBoundingClientRect();
    const x = rect.left + tree.screenX(index);
    const y = rect.top + tree.screenY(index);
    if (x < rect.left || x > rect.right || y < rect.top || y > rect.bottom) return null;
    return { x, y };
  },
});

start();
