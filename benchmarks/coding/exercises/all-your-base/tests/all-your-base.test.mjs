import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convert } from './all-your-base.mjs';

test('single bit one to decimal', () => {
  assert.deepEqual(convert([1], 2, 10), [1]);
});

test('binary to single decimal', () => {
  assert.deepEqual(convert([1, 0, 1], 2, 10), [5]);
});

test('single decimal to binary', () => {
  assert.deepEqual(convert([5], 10, 2), [1, 0, 1]);
});

test('binary to multiple decimal', () => {
  assert.deepEqual(convert([1, 0, 1, 0, 1, 0], 2, 10), [4, 2]);
});

test('decimal to binary', () => {
  assert.deepEqual(convert([4, 2], 10, 2), [1, 0, 1, 0, 1, 0]);
});

test('trinary to hexadecimal', () => {
  assert.deepEqual(convert([1, 1, 2, 0], 3, 16), [2, 10]);
});

test('hexadecimal to trinary', () => {
  assert.deepEqual(convert([2, 10], 16, 3), [1, 1, 2, 0]);
});

test('15-bit integer', () => {
  assert.deepEqual(convert([3, 46, 60], 97, 73), [6, 10, 45]);
});

test('empty list and zeros', () => {
  assert.deepEqual(convert([], 2, 10), [0]);
  assert.deepEqual(convert([0], 10, 2), [0]);
  assert.deepEqual(convert([0, 0, 0], 10, 2), [0]);
});

test('leading zeros', () => {
  assert.deepEqual(convert([0, 6, 0], 7, 10), [4, 2]);
});

test('large numbers keep every digit', () => {
  assert.deepEqual(
    convert([9, 0, 0, 7, 1, 9, 9, 2, 5, 4, 7, 4, 0, 9, 9, 1, 0, 0, 0], 10, 16),
    [7, 12, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 12, 1, 8],
  );
});

test('invalid input digits', () => {
  assert.throws(() => convert([2], 2, 10), { message: 'Input has wrong format' });
  assert.throws(() => convert([1, -1, 1, 0, 1, 0], 2, 10), { message: 'Input has wrong format' });
  assert.throws(() => convert([1, 0.5], 10, 2), { message: 'Input has wrong format' });
});

test('invalid bases', () => {
  assert.throws(() => convert([1], 1, 10), { message: 'Wrong input base' });
  assert.throws(() => convert([], 0, 10), { message: 'Wrong input base' });
  assert.throws(() => convert([1], -2, 10), { message: 'Wrong input base' });
  assert.throws(() => convert([1, 0, 1, 0, 1, 0], 2, 1), { message: 'Wrong output base' });
  assert.throws(() => convert([7], 10, 0), { message: 'Wrong output base' });
  assert.throws(() => convert([1], 2, -7), { message: 'Wrong output base' });
  assert.throws(() => convert([1], 2.5, 10), { message: 'Wrong input base' });
});

test('the input base is checked first', () => {
  assert.throws(() => convert([1], 0, 0), { message: 'Wrong input base' });
  assert.throws(() => convert([9], 2, 1), { message: 'Wrong output base' });
});
