import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLeap } from './leap.mjs';

test('year not divisible by 4 is common', () => {
  assert.equal(isLeap(2015), false);
});

test('year divisible by 2 but not 4 is common', () => {
  assert.equal(isLeap(1970), false);
});

test('year divisible by 4 and not by 100 is leap', () => {
  assert.equal(isLeap(1996), true);
});

test('year divisible by 100 but not by 400 is common', () => {
  assert.equal(isLeap(2100), false);
  assert.equal(isLeap(1900), false);
});

test('year divisible by 400 is leap', () => {
  assert.equal(isLeap(2000), true);
  assert.equal(isLeap(2400), true);
});

test('year divisible by 200 but not by 400 is common', () => {
  assert.equal(isLeap(1800), false);
});

test('invalid years are refused', () => {
  assert.throws(() => isLeap(0), { name: 'RangeError', message: 'year must be a positive integer' });
  assert.throws(() => isLeap(-4), RangeError);
  assert.throws(() => isLeap(2000.5), RangeError);
});
