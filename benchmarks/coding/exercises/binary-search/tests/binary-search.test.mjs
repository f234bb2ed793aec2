import assert from 'node:assert/strict';
import { test } from 'node:test';
import { find } from './binary-search.mjs';

test('finds a value in an array with one element', () => {
  assert.equal(find([6], 6), 0);
});

test('finds a value in the middle of an array', () => {
  assert.equal(find([1, 3, 4, 6, 8, 9, 11], 6), 3);
});

test('finds a value at the beginning of an array', () => {
  assert.equal(find([1, 3, 4, 6, 8, 9, 11], 1), 0);
});

test('finds a value at the end of an array', () => {
  assert.equal(find([1, 3, 4, 6, 8, 9, 11], 11), 6);
});

test('finds a value in an array of odd length', () => {
  assert.equal(find([1, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 634], 144), 9);
});

test('finds a value in an array of even length', () => {
  assert.equal(find([1, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377], 21), 5);
});

test('identifies that a value is not included', () => {
  assert.throws(() => find([1, 3, 4, 6, 8, 9, 11], 7), { message: 'value not in array' });
});

test('a value smaller or larger than every element is not found', () => {
  assert.throws(() => find([1, 3, 4, 6, 8, 9, 11], 0), { message: 'value not in array' });
  assert.throws(() => find([1, 3, 4, 6, 8, 9, 11], 13), { message: 'value not in array' });
});

test('nothing is found in an empty array', () => {
  assert.throws(() => find([], 1), { message: 'value not in array' });
});

test('nothing is found when the left and right bounds cross', () => {
  assert.throws(() => find([1, 2], 0), { message: 'value not in array' });
});

test('uses a logarithmic number of reads', () => {
  const size = 1_000_000;
  const backing = Array.from({ length: size }, (_, index) => index * 2);
  let reads = 0;
  const counted = new Proxy(backing, {
    get(target, property, receiver) {
      if (typeof property === 'string' && /^\d+$/.test(property)) reads++;
      return Reflect.get(target, property, receiver);
    },
  });
  assert.equal(find(counted, 2 * 765_432), 765_432);
  assert.ok(reads <= 60, `read ${reads} elements; binary search needs about 20`);
  reads = 0;
  assert.throws(() => find(counted, 3), { message: 'value not in array' });
  assert.ok(reads <= 60, `read ${reads} elements looking for a missing value`);
});
