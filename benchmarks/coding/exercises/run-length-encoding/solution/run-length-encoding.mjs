/**
 * @param {string} text
 * @returns {string}
 */
export function encode(text) {
  return text.replace(/(.)\1*/gs, (run, character) => (run.length > 1 ? `${run.length}${character}` : character));
}

/**
 * @param {string} text
 * @returns {string}
 */
export function decode(text) {
  return text.replace(/(\d+)(\D)/g, (_, count, character) => character.repeat(Number(count)));
}
