/**
 * @param {number} year
 * @returns {boolean}
 */
export function isLeap(year) {
  if (!Number.isInteger(year) || year <= 0) throw new RangeError('year must be a positive integer');
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
