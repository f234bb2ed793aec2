/**
 * @param {string} number
 * @returns {boolean}
 */
export function valid(number) {
  const digits = number.replace(/ /g, '');
  if (digits.length <= 1 || !/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}
