import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countWords } from './word-count.mjs';

test('count one word', () => {
  assert.deepEqual(countWords('word'), { word: 1 });
});

test('count one of each word', () => {
  assert.deepEqual(countWords('one of each'), { one: 1, of: 1, each: 1 });
});

test('multiple occurrences of a word', () => {
  assert.deepEqual(countWords('one fish two fish red fish blue fish'), { one: 1, fish: 4, two: 1, red: 1, blue: 1 });
});

test('handles cramped lists', () => {
  assert.deepEqual(countWords('one,two,three'), { one: 1, two: 1, three: 1 });
});

test('handles expanded lists', () => {
  assert.deepEqual(countWords('one,\ntwo,\nthree'), { one: 1, two: 1, three: 1 });
});

test('ignore punctuation', () => {
  assert.deepEqual(countWords('car: carpet as java: javascript!!&@$%^&'), {
    car: 1,
    carpet: 1,
    as: 1,
    java: 1,
    javascript: 1,
  });
});

test('include numbers', () => {
  assert.deepEqual(countWords('testing, 1, 2 testing'), { testing: 2, 1: 1, 2: 1 });
});

test('normalize case', () => {
  assert.deepEqual(countWords('go Go GO Stop stop'), { go: 3, stop: 2 });
});

test('with apostrophes', () => {
  assert.deepEqual(countWords("'First: don't laugh. Now: don't cry. You're getting it.'"), {
    first: 1,
    "don't": 2,
    laugh: 1,
    now: 1,
    cry: 1,
    "you're": 1,
    getting: 1,
    it: 1,
  });
});

test('with quotations', () => {
  assert.deepEqual(countWords("Joe can't tell between 'large' and large."), {
    joe: 1,
    "can't": 1,
    tell: 1,
    between: 1,
    large: 2,
    and: 1,
  });
});

test('multiple spaces not detected as a word', () => {
  assert.deepEqual(countWords(' multiple   whitespaces'), { multiple: 1, whitespaces: 1 });
});

test('alternating word separators not detected as a word', () => {
  assert.deepEqual(countWords(",\n,one,\n ,two \n 'three'"), { one: 1, two: 1, three: 1 });
});

test('empty phrase', () => {
  assert.deepEqual(countWords(''), {});
});
