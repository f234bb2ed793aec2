/**
 * @param {string} isbn
 * @returns {boolean}
 */
export function isValid(isbn) {
  const compact = isbn.replace(/-/g, '');
  if (!/^\d{9}[\dX]$/.test(compact)) return false;
  let sum = 0;
  for (let index = 0; index < 10; index++) {
    const character = compact[index];
    const value = character === 'X' ? 10 : Number(character);
    sum += value * (10 - index);
  }
  return sum % 11 === 0;
}
