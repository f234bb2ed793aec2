/**
 * @param {string} phoneNumber
 * @returns {string}
 */
export function clean(phoneNumber) {
  throw new Error('not implemented');
}
