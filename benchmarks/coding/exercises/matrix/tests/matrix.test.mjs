import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Matrix } from './matrix.mjs';

test('extract row from one number matrix', () => {
  assert.deepEqual(new Matrix('1').row(1), [1]);
});

test('can extract row', () => {
  assert.deepEqual(new Matrix('1 2\n3 4').row(2), [3, 4]);
});

test('extract row where numbers have different widths', () => {
  assert.deepEqual(new Matrix('1 2\n10 20').row(2), [10, 20]);
});

test('can extract row from non-square matrix with no corresponding column', () => {
  assert.deepEqual(new Matrix('1 2 3\n4 5 6\n7 8 9\n8 7 6').row(4), [8, 7, 6]);
});

test('extract column from one number matrix', () => {
  assert.deepEqual(new Matrix('1').column(1), [1]);
});

test('can extract column', () => {
  assert.deepEqual(new Matrix('1 2 3\n4 5 6\n7 8 9').column(3), [3, 6, 9]);
});

test('can extract column from non-square matrix with no corresponding row', () => {
  assert.deepEqual(new Matrix('1 2 3 4\n5 6 7 8\n9 8 7 6').column(4), [4, 8, 6]);
});

test('rows and columns', () => {
  const matrix = new Matrix('9 8 7\n5 3 2\n6 6 7');
  assert.deepEqual(matrix.rows, [
    [9, 8, 7],
    [5, 3, 2],
    [6, 6, 7],
  ]);
  assert.deepEqual(matrix.columns, [
    [9, 5, 6],
    [8, 3, 6],
    [7, 2, 7],
  ]);
});

test('several spaces and negative numbers', () => {
  const matrix = new Matrix('1   -2\n-30  4');
  assert.deepEqual(matrix.row(1), [1, -2]);
  assert.deepEqual(matrix.column(1), [1, -30]);
});

test('returned rows are copies', () => {
  const matrix = new Matrix('1 2\n3 4');
  matrix.row(1).push(99);
  assert.deepEqual(matrix.row(1), [1, 2]);
});

test('out of range indices throw', () => {
  const matrix = new Matrix('1 2\n3 4');
  assert.throws(() => matrix.row(0), RangeError);
  assert.throws(() => matrix.row(3), RangeError);
  assert.throws(() => matrix.column(3), RangeError);
});

test('ragged input throws', () => {
  assert.throws(() => new Matrix('1 2\n3'), /ragged/);
});
