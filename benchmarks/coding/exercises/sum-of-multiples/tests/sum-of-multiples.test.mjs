import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sum } from './sum-of-multiples.mjs';

test('no multiples within limit', () => {
  assert.equal(sum([3, 5], 1), 0);
});

test('one factor has multiples within limit', () => {
  assert.equal(sum([3, 5], 4), 3);
});

test('more than one multiple within limit', () => {
  assert.equal(sum([3], 7), 9);
});

test('more than one factor with multiples within limit', () => {
  assert.equal(sum([3, 5], 10), 23);
  assert.equal(sum([3, 5], 20), 78);
});

test('each multiple is only counted once', () => {
  assert.equal(sum([3, 5], 100), 2318);
});

test('a much larger limit', () => {
  assert.equal(sum([3, 5], 1000), 233168);
});

test('three factors', () => {
  assert.equal(sum([7, 13, 17], 20), 51);
});

test('factors not relatively prime', () => {
  assert.equal(sum([4, 6], 15), 30);
});

test('some pairs of factors relatively prime and some not', () => {
  assert.equal(sum([5, 6, 8], 150), 4419);
});

test('one factor is a multiple of another', () => {
  assert.equal(sum([5, 25], 51), 275);
});

test('much larger factors', () => {
  assert.equal(sum([43, 47], 10000), 2203160);
});

test('all numbers are multiples of 1', () => {
  assert.equal(sum([1], 100), 4950);
});

test('no factors means an empty sum', () => {
  assert.equal(sum([], 10000), 0);
});

test('the only multiple of 0 is 0', () => {
  assert.equal(sum([0], 1), 0);
  assert.equal(sum([3, 0], 4), 3);
});

test('solutions using include-exclude must extend to cardinality greater than 3', () => {
  assert.equal(sum([2, 3, 5, 7, 11], 10000), 39614537);
});
