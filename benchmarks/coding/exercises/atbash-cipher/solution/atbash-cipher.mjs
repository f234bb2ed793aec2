const A = 'a'.charCodeAt(0);
const Z = 'z'.charCodeAt(0);

/** @param {string} text */
function transpose(text) {
  return [...text.toLowerCase().replace(/[^a-z0-9]/g, '')]
    .map((character) => (/[a-z]/.test(character) ? String.fromCharCode(A + Z - character.charCodeAt(0)) : character))
    .join('');
}

/**
 * @param {string} plainText
 * @returns {string}
 */
export function encode(plainText) {
  return (transpose(plainText).match(/.{1,5}/g) ?? []).join(' ');
}

/**
 * @param {string} cipherText
 * @returns {string}
 */
export function decode(cipherText) {
  return transpose(cipherText);
}
