// clade viewer: the agent tree on a canvas, with pan (drag), zoom (wheel, pinch), hover and click.
// Drawn in one pass per frame with culling, so thousands of nodes stay smooth.
import { STATUS_COLOURS, scoreScale, viridis } from './format.js';

const COLUMN = 16; // world units between leaf columns
const ROW = 64; // world units between depth levels
const PULSE_MS = 2400;
const COLOUR_BUCKETS = 64;
const MAX_ROW_PIXELS = 120;

export class TreeView {
  /**
   * @param canvas the canvas to draw on
   * @param store the NodeStore
   * @param callbacks { onSelect(index), onHover(index, clientX, clientY) }
   */
  constructor(canvas, store, callbacks) {
    this.canvas = canvas;
    this.context = canvas.getContext('2d');
    this.store = store;
    this.callbacks = callbacks;
    /** Zoom: `scale` for x; rows are `stretch` times further apart, so a wide, shallow tree can fill the height. */
    this.scale = 1;
    this.stretch = 1;
    this.offsetX = 0;
    this.offsetY = 0;
    this.selected = -1;
    this.hovered = -1;
    this.fitted = false;
    this.userMoved = false;
    this.frame = 0;
    /** Durations of the last draws in ms (for benchmarks). */
    this.drawTimes = [];
    this.pointers = new Map();
    this.dragStart = null;
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(canvas);
    this.bindEvents();
    this.resize();
  }

  /** Screen position (CSS pixels) of a node. */
  screenX(index) {
    return this.store.x[index] * COLUMN * this.scale + this.offsetX;
  }

  screenY(index) {
    return this.store.y[index] * ROW * this.scale * this.stretch + this.offsetY;
  }

  resize() {
    const ratio = window.devicePixelRatio || 1;
    const width = this.canvas.clientWidth;
    const height = this.canvas.clientHeight;
    this.canvas.width = Math.max(1, Math.round(width * ratio));
    this.canvas.height = Math.max(1, Math.round(height * ratio));
    if (!this.userMoved) this.fit();
    this.requestDraw();
  }

  /** Fits the whole tree in view. */
  fit() {
    const width = this.canvas.clientWidth;
    const height = this.canvas.clientHeight;
    if (width === 0 || height === 0 || this.store.size === 0) return;
    const margin = 40;
    const worldWidth = Math.max(1, (this.store.width - 1) * COLUMN);
    const worldHeight = Math.max(1, (this.store.height - 1) * ROW);
    const scaleX = (width - 2 * margin) / worldWidth;
    const scaleY = (height - 2 * margin) / worldHeight;
    this.scale = Math.min(scaleX, scaleY, 3);
    // Wide trees (many leaves, few levels) would be a thin strip: spread the rows over the height,
    // up to MAX_ROW_PIXELS apart.
    const rowPixels = Math.max(ROW * this.scale, Math.min(scaleY * ROW, MAX_ROW_PIXELS));
    this.stretch = rowPixels / (ROW * this.scale);
    this.offsetX = (width - worldWidth * this.scale) / 2;
    this.offsetY = (height - worldHeight * this.scale * this.stretch) / 2;
    if (this.store.width === 1) this.offsetX = width / 2;
    if (this.store.height === 1) this.offsetY = height / 2;
    this.fitted = true;
    this.userMoved = false;
    this.requestDraw();
  }

  /** Centres a node, zooming in if the view is far out. */
  focus(index, zoom = true) {
    if (index < 0) return;
    if (zoom && this.scale < 1) this.scale = 1;
    this.offsetX = this.canvas.clientWidth / 2 - this.store.x[index] * COLUMN * this.scale;
    this.offsetY = this.canvas.clientHeight / 2 - this.store.y[index] * ROW * this.scale * this.stretch;
    this.userMoved = true;
    this.requestDraw();
  }

  /** Brings a node into view without moving it when it is visible already. */
  reveal(index) {
    const x = this.screenX(index);
    const y = this.screenY(index);
    const margin = 30;
    if (x < margin || y < margin || x > this.canvas.clientWidth - margin || y > this.canvas.clientHeight - margin) {
      this.focus(index, false);
    }
  }

  select(index) {
    this.selected = index;
    this.requestDraw();
  }

  /** Call after the store changed (new nodes). Keeps the user's view unless it was never moved. */
  update() {
    if (!this.userMoved) this.fit();
    this.requestDraw();
  }

  zoomAt(factor, x, y) {
    const scale = Math.min(40, Math.max(0.002, this.scale * factor));
    const applied = scale / this.scale;
    this.offsetX = x - (x - this.offsetX) * applied;
    this.offsetY = y - (y - this.offsetY) * applied;
    this.scale = scale;
    this.userMoved = true;
    this.requestDraw();
  }

  /** Index of the node nearest to (x, y) in CSS pixels, within a few pixels, or -1. */
  hitTest(x, y) {
    const store = this.store;
    const radius = Math.max(8, this.nodeRadius() + 4);
    let best = -1;
    let bestDistance = radius * radius;
    for (let index = 0; index < store.size; index++) {
      const dx = this.screenX(index) - x;
      if (dx > radius || dx < -radius) continue;
      const dy = this.screenY(index) - y;
      const distance = dx * dx + dy * dy;
      if (distance <= bestDistance) {
        bestDistance = distance;
        best = index;
      }
    }
    return best;
  }

  nodeRadius() {
    return Math.min(9, Math.max(2.2, 5 * Math.sqrt(this.scale)));
  }

  bindEvents() {
    const canvas = this.canvas;
    canvas.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault();
        const rect = canvas.getBoundingClientRect();
        const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
        this.zoomAt(Math.exp(-delta * 0.0015), event.clientX - rect.left, event.clientY - rect.top);
      },
      { passive: false },
    );
    canvas.addEventListener('pointerdown', (event) => {
      canvas.setPointerCapture(event.pointerId);
      this.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
      if (this.pointers.size === 1) this.dragStart = { x: event.clientX, y: event.clientY, moved: false };
    });
    canvas.addEventListener('pointermove', (event) => {
      const rect = canvas.getBoundingClientRect();
      const previous = this.pointers.get(event.pointerId);
      if (previous) {
        if (this.pointers.size === 2) {
          const other = [...this.pointers.entries()].find(([id]) => id !== event.pointerId)?.[1];
          if (other) {
            const before = Math.hypot(previous.x - other.x, previous.y - other.y);
            const after = Math.hypot(event.clientX - other.x, event.clientY - other.y);
            if (before > 0) {
              this.zoomAt(
                after / before,
                (event.clientX + other.x) / 2 - rect.left,
                (event.clientY + other.y) / 2 - rect.top,
              );
            }
          }
        } else {
          this.offsetX += event.clientX - previous.x;
          this.offsetY += event.clientY - previous.y;
          this.userMoved = true;
          this.requestDraw();
        }
        previous.x = event.clientX;
        previous.y = event.clientY;
        if (this.dragStart && Math.hypot(event.clientX - this.dragStart.x, event.clientY - this.dragStart.y) > 4) {
          this.dragStart.moved = true;
        }
        canvas.classList.add('dragging');
        return;
      }
      const hovered = this.hitTest(event.clientX - rect.left, event.clientY - rect.top);
      if (hovered !== this.hovered) {
        this.hovered = hovered;
        canvas.classList.toggle('over-node', hovered >= 0);
        this.requestDraw();
      }
      this.callbacks.onHover?.(hovered, event.clientX, event.clientY);
    });
    const release = (event) => {
      const wasClick = this.dragStart && !this.dragStart.moved && this.pointers.size === 1;
      this.pointers.delete(event.pointerId);
      canvas.classList.remove('dragging');
      if (wasClick && event.type === 'pointerup') {
        const rect = canvas.getBoundingClientRect();
        const index = this.hitTest(event.clientX - rect.left, event.clientY - rect.top);
        if (index >= 0) this.callbacks.onSelect?.(index);
      }
      if (this.pointers.size === 0) this.dragStart = null;
    };
    canvas.addEventListener('pointerup', release);
    canvas.addEventListener('pointercancel', release);
    canvas.addEventListener('pointerleave', () => {
      if (this.hovered >= 0) {
        this.hovered = -1;
        this.requestDraw();
      }
      this.callbacks.onHover?.(-1, 0, 0);
    });
    canvas.addEventListener('dblclick', (event) => {
      const rect = canvas.getBoundingClientRect();
      this.zoomAt(2, event.clientX - rect.left, event.clientY - rect.top);
    });
  }

  requestDraw() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const started = performance.now();
      this.draw();
      this.drawTimes.push(performance.now() - started);
      if (this.drawTimes.length > 240) this.drawTimes.shift();
    });
  }

  draw() {
    const store = this.store;
    const context = this.context;
    const ratio = window.devicePixelRatio || 1;
    const width = this.canvas.clientWidth;
    const height = this.canvas.clientHeight;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    if (store.size === 0) return;
    const radius = this.nodeRadius();
    const margin = radius + 40;
    const visible = (x, y) => x > -margin && x < width + margin && y > -margin && y < height + margin;
    const halfRow = (ROW * this.scale * this.stretch) / 2;

    // Edges as elbows: down from the parent, across, down to the child. One path for all.
    context.lineWidth = 1;
    context.strokeStyle = '#c5ccd6';
    context.beginPath();
    for (let index = 0; index < store.size; index++) {
      const kids = store.children[index];
      if (kids.length === 0) continue;
      const px = this.screenX(index);
      const py = this.screenY(index);
      const first = this.screenX(kids[0]);
      const last = this.screenX(kids[kids.length - 1]);
      const childY = py + 2 * halfRow;
      if (
        Math.max(px, last) < -margin ||
        Math.min(px, first) > width + margin ||
        py > height + margin ||
        childY < -margin
      ) {
        continue;
      }
      context.moveTo(px, py);
      context.lineTo(px, py + halfRow);
      context.moveTo(Math.min(first, px), py + halfRow);
      context.lineTo(Math.max(last, px), py + halfRow);
      let lastColumn = Number.NaN;
      for (const kid of kids) {
        const kx = this.screenX(kid);
        if (kx < -margin || kx > width + margin) continue;
        // Far out, many siblings share a pixel column: one line is enough.
        const column = Math.round(kx);
        if (column === lastColumn) continue;
        lastColumn = column;
        context.moveTo(kx, py + halfRow);
        context.lineTo(kx, childY);
      }
    }
    context.stroke();

    // The best node's lineage, on top.
    if (store.bestIndex >= 0) {
      context.lineWidth = 3;
      context.strokeStyle = '#f76707';
      context.lineJoin = 'round';
      context.beginPath();
      let index = store.bestIndex;
      context.moveTo(this.screenX(index), this.screenY(index));
      for (let parent = store.parentIndex(index); parent !== undefined; parent = store.parentIndex(parent)) {
        const cx = this.screenX(index);
        const py = this.screenY(parent);
        context.lineTo(cx, py + halfRow);
        context.lineTo(this.screenX(parent), py + halfRow);
        context.lineTo(this.screenX(parent), py);
        index = parent;
      }
      context.stroke();
    }

    // Nodes, batched: one path per colour bucket, so thousands of nodes cost a few fills.
    const scale = scoreScale(store.minScore, store.maxScore);
    const now = performance.now();
    let pulsing = false;
    const buckets = Array.from({ length: COLOUR_BUCKETS }, () => []);
    const failedByStatus = new Map();
    const lineageVisible = [];
    const small = radius < 3;
    const pixelWidth = Math.ceil(width) + 1;
    const occupied = small ? new Uint8Array(pixelWidth * (Math.ceil(height) + 1)) : null;
    for (let index = 0; index < store.size; index++) {
      const x = this.screenX(index);
      const y = this.screenY(index);
      if (!visible(x, y)) continue;
      const arrived = store.arrivedAt.get(index);
      if (arrived !== undefined) {
        const age = now - arrived;
        if (age < PULSE_MS) {
          pulsing = true;
          const t = age / PULSE_MS;
          context.beginPath();
          context.arc(x, y, radius + 4 + 14 * t, 0, Math.PI * 2);
          context.strokeStyle = `rgba(28, 126, 214, ${0.8 * (1 - t)})`;
          context.lineWidth = 2;
          context.stroke();
        } else {
          store.arrivedAt.delete(index);
        }
      }
      if (occupied) {
        // Far out, nodes overlap: draw one per pixel (the first; the best and selected are drawn on top anyway).
        const pixel = Math.round(y) * pixelWidth + Math.round(x);
        if (pixel >= 0 && pixel < occupied.length) {
          if (occupied[pixel]) continue;
          occupied[pixel] = 1;
        }
      }
      if (store.isScored(index)) {
        const bucket = Math.min(
          COLOUR_BUCKETS - 1,
          Math.max(0, Math.round(scale(store.score[index]) * (COLOUR_BUCKETS - 1))),
        );
        buckets[bucket].push(x, y);
        if (store.lineage.has(index)) lineageVisible.push(x, y);
      } else {
        const status = store.statusName(index);
        const list = failedByStatus.get(status);
        if (list) list.push(x, y);
        else failedByStatus.set(status, [x, y]);
      }
    }
    const outline = radius >= 3;
    context.lineWidth = 1;
    context.strokeStyle = 'rgba(255, 255, 255, 0.9)';
    buckets.forEach((points, bucket) => {
      if (points.length === 0) return;
      context.beginPath();
      for (let k = 0; k < points.length; k += 2) {
        // Squares are far cheaper to fill than circles and look the same at this size.
        if (small) context.rect(points[k] - radius, points[k + 1] - radius, 2 * radius, 2 * radius);
        else {
          context.moveTo(points[k] + radius, points[k + 1]);
          context.arc(points[k], points[k + 1], radius, 0, Math.PI * 2);
        }
      }
      context.fillStyle = viridis(bucket / (COLOUR_BUCKETS - 1));
      context.fill();
      if (outline) context.stroke();
    });
    if (lineageVisible.length > 0) {
      context.beginPath();
      for (let k = 0; k < lineageVisible.length; k += 2) {
        context.moveTo(lineageVisible[k] + radius, lineageVisible[k + 1]);
        context.arc(lineageVisible[k], lineageVisible[k + 1], radius, 0, Math.PI * 2);
      }
      context.lineWidth = 1.8;
      context.strokeStyle = '#f76707';
      context.stroke();
    }
    // Failed children: a cross in the status colour on a white disc.
    const size = Math.max(2, radius * 0.75);
    for (const [status, points] of failedByStatus) {
      context.beginPath();
      for (let k = 0; k < points.length; k += 2) {
        context.moveTo(points[k] + size + 1.5, points[k + 1]);
        context.arc(points[k], points[k + 1], size + 1.5, 0, Math.PI * 2);
      }
      context.fillStyle = '#ffffff';
      context.fill();
      context.beginPath();
      for (let k = 0; k < points.length; k += 2) {
        const x = points[k];
        const y = points[k + 1];
        context.moveTo(x - size, y - size);
        context.lineTo(x + size, y + size);
        context.moveTo(x + size, y - size);
        context.lineTo(x - size, y + size);
      }
      context.strokeStyle = STATUS_COLOURS[status] ?? '#868e96';
      context.lineWidth = Math.max(1.2, radius * 0.35);
      context.stroke();
    }

    if (store.bestIndex >= 0) {
      const x = this.screenX(store.bestIndex);
      const y = this.screenY(store.bestIndex);
      if (visible(x, y)) drawStar(context, x, y, radius + 5, '#ffd43b', '#e8590c');
    }

    for (const [index, colour, width] of [
      [this.hovered, 'rgba(33, 37, 41, 0.55)', 1.5],
      [this.selected, '#1c7ed6', 2.5],
    ]) {
      if (index < 0 || index >= store.size) continue;
      context.beginPath();
      context.arc(this.screenX(index), this.screenY(index), radius + 4, 0, Math.PI * 2);
      context.strokeStyle = colour;
      context.lineWidth = width;
      context.stroke();
    }

    // Labels once there is room for them.
    if (COLUMN * this.scale >= 34) {
      context.font = '11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
      context.textAlign = 'center';
      context.textBaseline = 'top';
      for (let index = 0; index < store.size; index++) {
        const x = this.screenX(index);
        const y = this.screenY(index);
        if (!visible(x, y)) continue;
        // A white halo keeps labels readable where they cross edges.
        context.lineWidth = 3;
        context.lineJoin = 'round';
        context.strokeStyle = 'rgba(255, 255, 255, 0.92)';
        const label = `#${store.id[index]}`;
        context.strokeText(label, x, y + radius + 4);
        context.fillStyle = '#343a40';
        context.fillText(label, x, y + radius + 4);
        if (store.isScored(index) && COLUMN * this.scale >= 48) {
          const score = store.score[index].toFixed(3);
          context.strokeText(score, x, y + radius + 17);
          context.fillStyle = '#868e96';
          context.fillText(score, x, y + radius + 17);
        }
      }
    }
    if (pulsing) this.requestDraw();
  }
}

function drawStar(context, x, y, radius, fill, stroke) {
  context.beginPath();
  for (let point = 0; point < 10; point++) {
    const angle = -Math.PI / 2 + (point * Math.PI) / 5;
    const length = point % 2 === 0 ? radius : radius * 0.45;
    const px = x + Math.cos(angle) * length;
    const py = y + Math.sin(angle) * length;
    if (point === 0) context.moveTo(px, py);
    else context.lineTo(px, py);
  }
  context.closePath();
  context.fillStyle = fill;
  context.fill();
  context.lineWidth = 1.5;
  context.strokeStyle = stroke;
  context.stroke();
}
