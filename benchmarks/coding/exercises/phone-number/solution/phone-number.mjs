/**
 * @param {string} phoneNumber
 * @returns {string}
 */
export function clean(phoneNumber) {
  if (/[a-z]/i.test(phoneNumber)) throw new Error('letters not permitted');
  const withoutPlus = phoneNumber.trim().replace(/^\+/, '');
  if (/[^\d\s().-]/.test(withoutPlus)) throw new Error('punctuations not permitted');
  let digits = withoutPlus.replace(/\D/g, '');
  if (digits.length < 10) throw new Error('must not be fewer than 10 digits');
  if (digits.length > 11) throw new Error('must not be greater than 11 digits');
  if (digits.length === 11) {
    if (digits[0] !== '1') throw new Error('11 digits must start with 1');
    digits = digits.slice(1);
  }
  const names = { 0: 'zero', 1: 'one' };
  if (digits[0] === '0' || digits[0] === '1') throw new Error(`area code cannot start with ${names[digits[0]]}`);
  if (digits[3] === '0' || digits[3] === '1') throw new Error(`exchange code cannot start with ${names[digits[3]]}`);
  return digits;
}
