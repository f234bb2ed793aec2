/**
 * @param {number} number
 * @returns {string}
 */
export function toRoman(number) {
  throw new Error('not implemented');
}

/**
 * @param {string} numeral
 * @returns {number}
 */
export function fromRoman(numeral) {
  throw new Error('not implemented');
}
