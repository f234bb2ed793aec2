// clade viewer: score over time. Every scored node is a dot (coloured like the tree), failed nodes
// are ticks on the axis, and the best score so far is a step line. Click a dot to select its node.
import { formatDuration, STATUS_COLOURS, scoreScale, viridis } from './format.js';

const PADDING = { left: 52, right: 16, top: 14, bottom: 30 };

export class ScorePlot {
  constructor(canvas, store, callbacks) {
    this.canvas = canvas;
    this.context = canvas.getContext('2d');
    this.store = store;
    this.callbacks = callbacks;
    /** 'time' (elapsed since the first node) or 'node' (creation order). */
    this.axis = 'node';
    this.selected = -1;
    this.frame = 0;
    new ResizeObserver(() => this.resize()).observe(canvas);
    canvas.addEventListener('click', (event) => {
      const rect = canvas.getBoundingClientRect();
      const index = this.hitTest(event.clientX - rect.left, event.clientY - rect.top);
      if (index >= 0) this.callbacks.onSelect?.(index);
    });
    canvas.addEventListener('pointermove', (event) => {
      const rect = canvas.getBoundingClientRect();
      const index = this.hitTest(event.clientX - rect.left, event.clientY - rect.top);
      canvas.classList.toggle('over-node', index >= 0);
      this.callbacks.onHover?.(index, event.clientX, event.clientY);
    });
    canvas.addEventListener('pointerleave', () => this.callbacks.onHover?.(-1, 0, 0));
    this.resize();
  }

  setAxis(axis) {
    this.axis = axis;
    this.requestDraw();
  }

  select(index) {
    this.selected = index;
    this.requestDraw();
  }

  resize() {
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.max(1, Math.round(this.canvas.clientWidth * ratio));
    this.canvas.height = Math.max(1, Math.round(this.canvas.clientHeight * ratio));
    this.requestDraw();
  }

  requestDraw() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** X value of a node on the current axis. */
  xValue(index) {
    if (this.axis === 'time') return this.store.time[index] - this.startTime;
    return this.store.id[index];
  }

  computeRanges() {
    const store = this.store;
    this.startTime = Number.POSITIVE_INFINITY;
    let endTime = Number.NEGATIVE_INFINITY;
    let maxId = 1;
    for (let index = 0; index < store.size; index++) {
      if (store.time[index] < this.startTime) this.startTime = store.time[index];
      if (store.time[index] > endTime) endTime = store.time[index];
      if (store.id[index] > maxId) maxId = store.id[index];
    }
    if (this.axis === 'time') {
      this.xMin = 0;
      this.xMax = Math.max(1, endTime - this.startTime);
    } else {
      this.xMin = 0;
      this.xMax = maxId;
    }
    const low = store.minScore ?? 0;
    const high = store.maxScore ?? 1;
    const pad = Math.max(0.02, (high - low) * 0.08);
    this.yMin = Math.max(0, low - pad);
    this.yMax = Math.min(1, high + pad);
    if (this.yMax - this.yMin < 0.01) {
      this.yMin = Math.max(0, this.yMin - 0.05);
      this.yMax = Math.min(1, this.yMax + 0.05);
    }
  }

  px(value) {
    const width = this.canvas.clientWidth - PADDING.left - PADDING.right;
    return PADDING.left + ((value - this.xMin) / (this.xMax - this.xMin)) * width;
  }

  py(value) {
    const height = this.canvas.clientHeight - PADDING.top - PADDING.bottom;
    return PADDING.top + (1 - (value - this.yMin) / (this.yMax - this.yMin)) * height;
  }

  hitTest(x, y) {
    if (this.xMax === undefined) return -1;
    let best = -1;
    let bestDistance = 36;
    for (let index = 0; index < this.store.size; index++) {
      if (!this.store.isScored(index)) continue;
      const dx = this.px(this.xValue(index)) - x;
      const dy = this.py(this.store.score[index]) - y;
      const distance = dx * dx + dy * dy;
      if (distance < bestDistance) {
        bestDistance = distance;
        best = index;
      }
    }
    return best;
  }

  draw() {
    const store = this.store;
    const context = this.context;
    const ratio = window.devicePixelRatio || 1;
    const width = this.canvas.clientWidth;
    const height = this.canvas.clientHeight;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    if (width < 80 || height < 60) return;
    this.computeRanges();
    const bottom = height - PADDING.bottom;
    const right = width - PADDING.right;

    // Grid and axes.
    context.font = '11px system-ui, -apple-system, "Segoe UI", sans-serif';
    context.fillStyle = '#868e96';
    context.strokeStyle = '#edf0f3';
    context.lineWidth = 1;
    context.textAlign = 'right';
    context.textBaseline = 'middle';
    for (const tick of niceTicks(this.yMin, this.yMax, 4)) {
      const y = Math.round(this.py(tick)) + 0.5;
      context.beginPath();
      context.moveTo(PADDING.left, y);
      context.lineTo(right, y);
      context.stroke();
      context.fillText(tick.toFixed(this.yMax - this.yMin < 0.1 ? 3 : 2), PADDING.left - 6, y);
    }
    context.textAlign = 'center';
    context.textBaseline = 'top';
    for (const tick of niceTicks(this.xMin, this.xMax, Math.max(2, Math.floor((right - PADDING.left) / 90)))) {
      const x = Math.round(this.px(tick)) + 0.5;
      context.beginPath();
      context.moveTo(x, PADDING.top);
      context.lineTo(x, bottom);
      context.stroke();
      context.fillText(
        this.axis === 'time' ? (tick === 0 ? '0' : formatDuration(tick)) : `#${Math.round(tick)}`,
        x,
        bottom + 6,
      );
    }
    context.strokeStyle = '#ced4da';
    context.beginPath();
    context.moveTo(PADDING.left + 0.5, PADDING.top);
    context.lineTo(PADDING.left + 0.5, bottom + 0.5);
    context.lineTo(right, bottom + 0.5);
    context.stroke();
    context.save();
    context.translate(12, (PADDING.top + bottom) / 2);
    context.rotate(-Math.PI / 2);
    context.textAlign = 'center';
    context.textBaseline = 'middle';
    context.fillStyle = '#868e96';
    context.fillText('score', 0, 0);
    context.restore();

    // Nodes in the order of the x axis.
    const order = [...Array(store.size).keys()].sort((a, b) => this.xValue(a) - this.xValue(b));
    const colour = scoreScale(store.minScore, store.maxScore);
    for (const index of order) {
      const x = this.px(this.xValue(index));
      if (store.isScored(index)) {
        context.beginPath();
        context.arc(x, this.py(store.score[index]), 2.6, 0, Math.PI * 2);
        context.fillStyle = viridis(colour(store.score[index]));
        context.globalAlpha = 0.8;
        context.fill();
        context.globalAlpha = 1;
      } else {
        context.fillStyle = STATUS_COLOURS[store.statusName(index)] ?? '#868e96';
        context.fillRect(x - 0.75, bottom - 6, 1.5, 6);
      }
    }

    // Best so far, as a step line.
    context.beginPath();
    let best = null;
    for (const index of order) {
      if (!store.isScored(index)) continue;
      const score = store.score[index];
      const x = this.px(this.xValue(index));
      if (best === null) {
        best = score;
        context.moveTo(x, this.py(best));
      } else if (score > best) {
        context.lineTo(x, this.py(best));
        best = score;
        context.lineTo(x, this.py(best));
      }
    }
    if (best !== null) {
      context.lineTo(right, this.py(best));
      context.strokeStyle = '#f76707';
      context.lineWidth = 2;
      context.stroke();
    }

    if (this.selected >= 0 && this.selected < store.size && store.isScored(this.selected)) {
      context.beginPath();
      context.arc(this.px(this.xValue(this.selected)), this.py(store.score[this.selected]), 6, 0, Math.PI * 2);
      context.strokeStyle = '#1c7ed6';
      context.lineWidth = 2;
      context.stroke();
    }
  }
}

/** About `count` round tick values between `low` and `high`. */
function niceTicks(low, high, count) {
  const span = high - low;
  if (!(span > 0)) return [low];
  const raw = span / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= raw) ?? raw;
  const ticks = [];
  for (let tick = Math.ceil(low / step) * step; tick <= high + step * 1e-9; tick += step) ticks.push(tick);
  return ticks;
}
