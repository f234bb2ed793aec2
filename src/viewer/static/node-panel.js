// clade viewer: the node panel (overview with scores per problem, code diff, model transcript,
// logs). Everything from the archive goes in as text (textContent), never as HTML.
import {
  append,
  element,
  formatCost,
  formatDuration,
  formatNumber,
  formatScore,
  STATUS_COLOURS,
  STATUS_LABELS,
} from './format.js';

const TABS = [
  ['overview', 'Overview'],
  ['diff', 'Code diff'],
  ['model', 'Model'],
  ['logs', 'Logs'],
];

export class NodePanel {
  /**
   * @param root the panel element
   * @param callbacks { onSelectNode(id) }
   */
  constructor(root, callbacks) {
    this.root = root;
    this.callbacks = callbacks;
    this.tab = 'overview';
    this.detail = null;
    this.showEmpty();
  }

  showEmpty() {
    this.root.replaceChildren(
      append(
        element('div', 'panel-empty'),
        element('div', 'panel-empty-title', 'No node selected'),
        element(
          'p',
          null,
          'Click a node in the tree or a dot in the plot. ↑ parent, ↓ first child, ← → siblings, B best node, F fit.',
        ),
      ),
    );
  }

  showLoading(id) {
    this.root.replaceChildren(element('div', 'panel-empty', `Loading node #${id}…`));
  }

  showError(message) {
    this.root.replaceChildren(append(element('div', 'panel-empty'), element('div', 'panel-error', message)));
  }

  show(detail) {
    this.detail = detail;
    this.render();
  }

  render() {
    const detail = this.detail;
    if (!detail) return;
    const { node } = detail;
    const header = element('div', 'panel-header');
    const title = append(
      element('div', 'panel-title'),
      element('h2', null, `Node #${node.id}`),
      statusChip(node.status),
    );
    const score = element('div', 'panel-score', node.score === null ? '–' : node.score.toFixed(4));
    score.dataset.testid = 'panel-score';
    const delta =
      detail.parent && detail.parent.score !== null && node.score !== null ? node.score - detail.parent.score : null;
    const deltaText =
      delta === null
        ? null
        : element(
            'span',
            delta > 0 ? 'delta up' : delta < 0 ? 'delta down' : 'delta',
            `${delta >= 0 ? '+' : ''}${delta.toFixed(4)} vs parent`,
          );
    append(header, title, append(element('div', 'panel-score-row'), score, deltaText));
    append(header, element('div', 'panel-summary', `${node.mutation.operator}: ${node.mutation.summary}`));

    const tabs = element('div', 'tabs');
    tabs.setAttribute('role', 'tablist');
    for (const [key, label] of TABS) {
      const count =
        key === 'model'
          ? detail.modelCalls.length
          : key === 'logs'
            ? detail.evaluations.filter((e) => e.logExcerpt.trim()).length +
              (node.error ? 1 : 0) +
              Object.keys(node.artifacts ?? {}).length
            : null;
      const button = element('button', key === this.tab ? 'tab active' : 'tab', label);
      button.type = 'button';
      button.dataset.tab = key;
      button.setAttribute('role', 'tab');
      if (count !== null) append(button, element('span', 'tab-count', count));
      button.addEventListener('click', () => {
        this.tab = key;
        this.render();
      });
      tabs.append(button);
    }
    const body = element('div', 'panel-body');
    body.dataset.testid = `tab-${this.tab}`;
    if (this.tab === 'overview') this.renderOverview(body, detail);
    else if (this.tab === 'diff') this.renderDiff(body, detail);
    else if (this.tab === 'model') this.renderModel(body, detail);
    else this.renderLogs(body, detail);
    this.root.replaceChildren(header, tabs, body);
  }

  nodeLink(id, score) {
    const link = element('button', 'node-link', `#${id}`);
    link.type = 'button';
    if (score !== undefined) append(link, element('span', 'node-link-score', formatScore(score)));
    link.addEventListener('click', () => this.callbacks.onSelectNode(id));
    return link;
  }

  renderOverview(body, detail) {
    const { node } = detail;
    const facts = element('dl', 'facts');
    const fact = (label, ...value) => append(facts, element('dt', null, label), append(element('dd'), ...value));
    fact('parent', detail.parent ? this.nodeLink(detail.parent.id, detail.parent.score) : '— (seed agent)');
    const children = element('div', 'link-list');
    const shown = detail.children.slice(0, 40);
    for (const child of shown)
      children.append(this.nodeLink(child.id, child.status === 'scored' ? child.score : undefined));
    if (detail.children.length > shown.length)
      children.append(element('span', 'muted', ` +${detail.children.length - shown.length} more`));
    fact('children', detail.children.length > 0 ? children : element('span', 'muted', 'none'));
    fact('iteration', String(node.iteration));
    fact('commit', element('code', null, node.commit.slice(0, 12)));
    fact('created', new Date(node.createdAt).toLocaleString());
    if (node.evaluatedAt) fact('evaluated', new Date(node.evaluatedAt).toLocaleString());
    body.append(facts);

    if (detail.lineage.length > 1) {
      body.append(element('h3', null, 'Lineage'));
      const lineage = element('div', 'lineage');
      detail.lineage.forEach((step, position) => {
        if (position > 0) lineage.append(element('span', 'lineage-arrow', '→'));
        const link = this.nodeLink(step.id, step.score);
        if (step.id === node.id) link.classList.add('current');
        lineage.append(link);
      });
      body.append(lineage);
    }

    if (node.error) {
      body.append(element('h3', null, 'Note'), element('pre', 'note', node.error));
    }

    body.append(element('h3', null, 'Scores per problem'));
    if (detail.evaluations.length === 0) {
      body.append(element('p', 'muted', 'No evaluations were recorded for this node.'));
    } else {
      const table = element('table', 'evaluations');
      table.dataset.testid = 'evaluations';
      const head = append(
        element('tr'),
        ...['problem', 'rep', 'status', 'score', 'error', 'evals', 'time'].map((label) => element('th', null, label)),
      );
      table.append(append(element('thead'), head));
      const rows = element('tbody');
      for (const evaluation of detail.evaluations) {
        const scoreCell = element('td', 'score-cell');
        if (evaluation.score !== null) {
          const bar = element('span', 'score-bar');
          const fill = element('span', 'score-bar-fill');
          fill.style.width = `${Math.max(0, Math.min(1, evaluation.score)) * 100}%`;
          bar.append(fill);
          append(scoreCell, element('span', 'score-value', evaluation.score.toFixed(4)), bar);
        } else {
          scoreCell.textContent = '–';
        }
        const metrics = evaluation.metrics ?? {};
        rows.append(
          append(
            element('tr'),
            element('td', 'problem', evaluation.problem),
            element('td', 'numeric', evaluation.repeat),
            append(element('td'), element('span', `eval-status ${evaluation.status}`, evaluation.status)),
            scoreCell,
            element('td', 'numeric', typeof metrics.error === 'number' ? metrics.error.toExponential(2) : '–'),
            element('td', 'numeric', formatNumber(metrics.evaluations)),
            element('td', 'numeric', formatDuration(evaluation.durationMs)),
          ),
        );
      }
      table.append(rows);
      body.append(append(element('div', 'table-scroll'), table));
    }

    const metrics = Object.entries(node.publicMetrics ?? {});
    if (metrics.length > 0 || node.privateMetricCount > 0) {
      body.append(element('h3', null, 'Metrics'));
      const list = element('dl', 'facts metrics');
      for (const [key, value] of metrics)
        append(list, element('dt', null, key), element('dd', null, formatNumber(value)));
      body.append(list);
      if (node.privateMetricCount > 0) {
        body.append(element('p', 'muted', `${node.privateMetricCount} private (held-out) metrics are not shown.`));
      }
    }

    const details = node.mutation.details;
    if (details && Object.keys(details).length > 0) {
      body.append(element('h3', null, 'Mutation details'), element('pre', 'json', JSON.stringify(details, null, 2)));
    }
  }

  renderDiff(body, detail) {
    const { diff } = detail;
    if (diff.error) {
      body.append(element('div', 'panel-error', `The diff could not be computed: ${diff.error}`));
      return;
    }
    if (!diff.text.trim()) {
      body.append(element('p', 'muted', 'No change against the parent.'));
      return;
    }
    body.append(
      element(
        'p',
        'muted',
        detail.node.parentId === null ? 'The seed agent’s code, as added.' : `Against parent #${detail.node.parentId}.`,
      ),
    );
    const pre = element('pre', 'diff');
    pre.dataset.testid = 'diff';
    // Lines sit in a box as wide as the longest, so their colours reach across when scrolled.
    const lines = element('div', 'diff-lines');
    pre.append(lines);
    for (const line of diff.text.split('\n')) {
      let kind = 'context';
      if (line.startsWith('diff --git') || line.startsWith('index ')) kind = 'file';
      else if (line.startsWith('+++') || line.startsWith('---')) kind = 'file';
      else if (line.startsWith('@@')) kind = 'hunk';
      else if (line.startsWith('+')) kind = 'add';
      else if (line.startsWith('-')) kind = 'remove';
      lines.append(element('span', `diff-line ${kind}`, `${line}\n`));
    }
    body.append(pre);
    if (diff.truncated) body.append(element('p', 'muted', 'The diff is cut here; `clade show` prints all of it.'));
  }

  renderModel(body, detail) {
    if (detail.modelCalls.length === 0) {
      body.append(
        element(
          'p',
          'muted',
          'No model calls: this node was made without a foundation model (for example by the parametric mutator).',
        ),
      );
      return;
    }
    for (const call of detail.modelCalls) {
      const card = element('section', 'model-call');
      const meta = element('div', 'model-meta');
      append(
        meta,
        element('strong', null, `${call.provider}:${call.model}`),
        element('span', null, `${formatNumber(call.tokensIn)} in / ${formatNumber(call.tokensOut)} out`),
        element('span', null, formatCost(call.costUsd)),
        element('span', null, formatDuration(call.latencyMs)),
        call.attempts > 1 ? element('span', null, `${call.attempts} attempts`) : null,
      );
      card.append(meta);
      for (const turn of call.transcript) {
        const message = element('div', `turn role-${/^[a-z_-]+$/.test(turn.role) ? turn.role : 'other'}`);
        append(message, element('div', 'turn-role', turn.role), element('pre', 'turn-text', turn.text));
        card.append(message);
      }
      body.append(card);
    }
  }

  renderLogs(body, detail) {
    let any = false;
    if (detail.node.error) {
      any = true;
      body.append(element('h3', null, 'Node note'), element('pre', 'log', detail.node.error));
    }
    // The evaluator's artifacts (errors, feedback): text nodes only, whatever they hold.
    for (const [name, text] of Object.entries(detail.node.artifacts ?? {})) {
      any = true;
      const block = element('pre', 'log artifact', text);
      block.dataset.artifact = name;
      body.append(element('h3', null, `Artifact · ${name}`), block);
    }
    for (const evaluation of detail.evaluations) {
      if (!evaluation.logExcerpt.trim()) continue;
      any = true;
      body.append(
        element('h3', null, `${evaluation.problem} · repeat ${evaluation.repeat} · ${evaluation.status}`),
        element('pre', 'log', evaluation.logExcerpt),
      );
    }
    if (!any)
      body.append(
        element(
          'p',
          'muted',
          'Nothing was logged: the agent printed nothing, no error was recorded and the evaluator returned no artifacts.',
        ),
      );
  }
}

export function statusChip(status) {
  const chip = element('span', 'status-chip', STATUS_LABELS[status] ?? status);
  chip.style.setProperty('--status-colour', STATUS_COLOURS[status] ?? '#868e96');
  return chip;
}
