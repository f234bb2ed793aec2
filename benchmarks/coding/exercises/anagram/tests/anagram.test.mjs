import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findAnagrams } from './anagram.mjs';

test('no matches', () => {
  assert.deepEqual(findAnagrams('diaper', ['hello', 'world', 'zombies', 'pants']), []);
});

test('detects two anagrams', () => {
  assert.deepEqual(findAnagrams('solemn', ['lemons', 'cherry', 'melons']), ['lemons', 'melons']);
});

test('does not detect anagram subsets', () => {
  assert.deepEqual(findAnagrams('good', ['dog', 'goody']), []);
});

test('detects anagram', () => {
  assert.deepEqual(findAnagrams('listen', ['enlists', 'google', 'inlets', 'banana']), ['inlets']);
});

test('detects three anagrams', () => {
  assert.deepEqual(findAnagrams('allergy', ['gallery', 'ballerina', 'regally', 'clergy', 'largely', 'leading']), [
    'gallery',
    'regally',
    'largely',
  ]);
});

test('does not detect non-anagrams with identical checksum', () => {
  assert.deepEqual(findAnagrams('mass', ['last']), []);
});

test('case-insensitive matches keep their spelling', () => {
  assert.deepEqual(findAnagrams('Orchestra', ['cashregister', 'Carthorse', 'radishes']), ['Carthorse']);
  assert.deepEqual(findAnagrams('orchestra', ['cashregister', 'Carthorse', 'radishes']), ['Carthorse']);
});

test('does not detect an anagram if the original word is repeated', () => {
  assert.deepEqual(findAnagrams('go', ['goGoGO']), []);
});

test('words are not anagrams of themselves, whatever the case', () => {
  assert.deepEqual(findAnagrams('BANANA', ['BANANA']), []);
  assert.deepEqual(findAnagrams('BANANA', ['Banana']), []);
  assert.deepEqual(findAnagrams('BANANA', ['banana']), []);
});

test('words other than themselves can be anagrams', () => {
  assert.deepEqual(findAnagrams('LISTEN', ['LISTEN', 'Silent']), ['Silent']);
});

test('letters must be used exactly as often', () => {
  assert.deepEqual(findAnagrams('tapper', ['patter']), []);
});
