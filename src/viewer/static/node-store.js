// clade viewer: the nodes the page knows, as parallel arrays (the API's compact columns), with the
// tree structure, the best node and its lineage, and a tidy top-down layout.

export class NodeStore {
  constructor() {
    this.statuses = [];
    this.id = [];
    this.parent = [];
    this.status = [];
    this.score = [];
    this.iteration = [];
    this.time = [];
    this.operator = [];
    this.summary = [];
    /** id → index in the arrays. */
    this.indexOf = new Map();
    /** index → indices of children, in id order. */
    this.children = [];
    /** index → arrival time (ms, performance.now()) for nodes that came in live. */
    this.arrivedAt = new Map();
    this.bestIndex = -1;
    this.lineage = new Set();
    this.minScore = null;
    this.maxScore = null;
    /** Layout: world coordinates per index. */
    this.x = new Float64Array(0);
    this.y = new Float64Array(0);
    this.depth = new Int32Array(0);
    this.width = 0;
    this.height = 0;
    this.maxDepth = 0;
  }

  get size() {
    return this.id.length;
  }

  statusName(index) {
    return this.statuses[this.status[index]] ?? 'invalid';
  }

  isScored(index) {
    return this.statusName(index) === 'scored' && this.score[index] !== null;
  }

  /** Adds the nodes of a compact batch (updating known ones that changed); returns the indices added or changed. */
  merge(columns, live = false) {
    if (columns.statuses) this.statuses = columns.statuses;
    const added = [];
    const changed = [];
    const now = performance.now();
    for (let k = 0; k < columns.id.length; k++) {
      const id = columns.id[k];
      const known = this.indexOf.get(id);
      if (known !== undefined) {
        // A node already shown changed (more evaluations arrived): take its new status and score.
        if (this.status[known] !== columns.status[k] || this.score[known] !== columns.score[k]) {
          this.status[known] = columns.status[k];
          this.score[known] = columns.score[k];
          this.time[known] = columns.time[k];
          this.summary[known] = columns.summary[k];
          changed.push(known);
          if (live) this.arrivedAt.set(known, now);
        }
        continue;
      }
      const index = this.id.length;
      this.id.push(id);
      this.parent.push(columns.parent[k]);
      this.status.push(columns.status[k]);
      this.score.push(columns.score[k]);
      this.iteration.push(columns.iteration[k]);
      this.time.push(columns.time[k]);
      this.operator.push(columns.operator[k]);
      this.summary.push(columns.summary[k]);
      this.indexOf.set(id, index);
      this.children.push([]);
      added.push(index);
      if (live) this.arrivedAt.set(index, now);
    }
    if (added.length > 0 || changed.length > 0) this.rebuild();
    return [...added, ...changed];
  }

  /** Recomputes children lists, best node, lineage, score range and the layout. */
  rebuild() {
    const count = this.size;
    for (let index = 0; index < count; index++) this.children[index] = [];
    this.bestIndex = -1;
    this.minScore = null;
    this.maxScore = null;
    for (let index = 0; index < count; index++) {
      const parentIndex = this.parent[index] === null ? undefined : this.indexOf.get(this.parent[index]);
      if (parentIndex !== undefined) this.children[parentIndex].push(index);
      if (!this.isScored(index)) continue;
      const score = this.score[index];
      if (this.minScore === null || score < this.minScore) this.minScore = score;
      if (this.maxScore === null || score > this.maxScore) this.maxScore = score;
      const best = this.bestIndex;
      if (best < 0 || score > this.score[best] || (score === this.score[best] && this.id[index] < this.id[best])) {
        this.bestIndex = index;
      }
    }
    for (const list of this.children) list.sort((a, b) => this.id[a] - this.id[b]);
    this.lineage = new Set();
    for (let index = this.bestIndex; index !== undefined && index >= 0; ) {
      this.lineage.add(index);
      index = this.parent[index] === null ? undefined : this.indexOf.get(this.parent[index]);
    }
    this.layout();
  }

  /** Roots: nodes without a parent, or whose parent is unknown. */
  roots() {
    const roots = [];
    for (let index = 0; index < this.size; index++) {
      if (this.parent[index] === null || !this.indexOf.has(this.parent[index])) roots.push(index);
    }
    return roots;
  }

  /**
   * Top-down layout: each leaf gets its own column, a parent sits centred over its first and last
   * child, depth is the row. Iterative (no recursion), O(nodes).
   */
  layout() {
    const count = this.size;
    this.x = new Float64Array(count);
    this.y = new Float64Array(count);
    this.depth = new Int32Array(count);
    const order = [];
    const stack = this.roots().reverse();
    for (const root of stack) this.depth[root] = 0;
    while (stack.length > 0) {
      const index = stack.pop();
      order.push(index);
      const kids = this.children[index];
      for (let k = kids.length - 1; k >= 0; k--) {
        this.depth[kids[k]] = this.depth[index] + 1;
        stack.push(kids[k]);
      }
    }
    let column = 0;
    let maxDepth = 0;
    for (const index of order) {
      if (this.children[index].length === 0) this.x[index] = column++;
      if (this.depth[index] > maxDepth) maxDepth = this.depth[index];
    }
    for (let k = order.length - 1; k >= 0; k--) {
      const index = order[k];
      const kids = this.children[index];
      if (kids.length > 0) this.x[index] = (this.x[kids[0]] + this.x[kids[kids.length - 1]]) / 2;
      this.y[index] = this.depth[index];
    }
    this.width = Math.max(1, column);
    this.maxDepth = maxDepth;
    this.height = maxDepth + 1;
  }

  /** Index of the node `step` siblings away (wrapping), for keyboard navigation. */
  sibling(index, step) {
    const parentIndex = this.parent[index] === null ? undefined : this.indexOf.get(this.parent[index]);
    const siblings = parentIndex === undefined ? this.roots() : this.children[parentIndex];
    const position = siblings.indexOf(index);
    if (position < 0 || siblings.length === 0) return index;
    return siblings[(position + step + siblings.length) % siblings.length];
  }

  parentIndex(index) {
    return this.parent[index] === null ? undefined : this.indexOf.get(this.parent[index]);
  }
}
