import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convert } from './raindrops.mjs';

test('1 is returned as digits', () => {
  assert.equal(convert(1), '1');
});

test('factor 3', () => {
  assert.equal(convert(3), 'Pling');
  assert.equal(convert(9), 'Pling');
});

test('factor 5', () => {
  assert.equal(convert(5), 'Plang');
  assert.equal(convert(25), 'Plang');
});

test('factor 7', () => {
  assert.equal(convert(7), 'Plong');
  assert.equal(convert(49), 'Plong');
});

test('several factors in order', () => {
  assert.equal(convert(15), 'PlingPlang');
  assert.equal(convert(21), 'PlingPlong');
  assert.equal(convert(35), 'PlangPlong');
  assert.equal(convert(105), 'PlingPlangPlong');
});

test('no factor', () => {
  assert.equal(convert(52), '52');
  assert.equal(convert(3126), 'Pling');
  assert.equal(convert(101), '101');
  assert.equal(convert(8), '8');
});
