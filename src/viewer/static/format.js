// clade viewer: small shared helpers. Every text that came from the archive is put into the page
// with textContent (through `element`), never as HTML.

/** Creates an element with an optional class and text (set as textContent, so it is never parsed). */
export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** Appends children (elements or strings, which become text nodes) and returns the parent. */
export function append(parent, ...children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return parent;
}

export function formatScore(score) {
  return score === null || score === undefined ? '–' : score.toFixed(4);
}

export function formatNumber(value) {
  if (typeof value !== 'number') return value === null || value === undefined ? '–' : String(value);
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)) return value.toExponential(3);
  return value.toPrecision(5);
}

export function formatDuration(ms) {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

export function formatCost(usd) {
  return usd >= 1 ? `$${usd.toFixed(2)}` : `$${usd.toFixed(4)}`;
}

/** Colours of the statuses of failed nodes (scored nodes are coloured by score). */
export const STATUS_COLOURS = {
  scored: '#2f9e44',
  patch_failed: '#868e96',
  build_failed: '#7048e8',
  timeout: '#f08c00',
  crashed: '#e03131',
  invalid: '#c2255c',
};

export const STATUS_LABELS = {
  scored: 'scored',
  patch_failed: 'patch failed',
  build_failed: 'build failed',
  timeout: 'timeout',
  crashed: 'crashed',
  invalid: 'invalid',
};

// Viridis, sampled at 9 stops (matplotlib's colormap, public domain).
const VIRIDIS = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** Viridis colour for t in [0, 1], as an `rgb()` string. */
export function viridis(t) {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const position = clamped * (VIRIDIS.length - 1);
  const index = Math.min(VIRIDIS.length - 2, Math.floor(position));
  const fraction = position - index;
  const from = VIRIDIS[index];
  const to = VIRIDIS[index + 1];
  const channel = (k) => Math.round(from[k] + (to[k] - from[k]) * fraction);
  return `rgb(${channel(0)}, ${channel(1)}, ${channel(2)})`;
}

/** Maps a score to [0, 1] within the scores seen so far (so small improvements stay visible). */
export function scoreScale(minimum, maximum) {
  if (minimum === null || maximum === null) return () => 0.5;
  const span = maximum - minimum;
  if (span <= 1e-12) return () => 0.75;
  return (score) => (score - minimum) / span;
}
