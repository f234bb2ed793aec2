/**
 * @param {string} [name]
 * @returns {string}
 */
export function twoFer(name) {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  return `One for ${trimmed === '' ? 'you' : trimmed}, one for me.`;
}
