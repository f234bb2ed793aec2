/**
 * @param {string} word
 * @returns {string}
 */
function translateWord(word) {
  if (/^([aeiou]|xr|yt)/.test(word)) return `${word}ay`;
  const match = /^([^aeiou]*qu|[^aeiouy]+|y[^aeiouy]*)(.*)$/.exec(word);
  if (match === null) return `${word}ay`;
  return `${match[2]}${match[1]}ay`;
}

/**
 * @param {string} phrase
 * @returns {string}
 */
export function translate(phrase) {
  return phrase.split(' ').map(translateWord).join(' ');
}
