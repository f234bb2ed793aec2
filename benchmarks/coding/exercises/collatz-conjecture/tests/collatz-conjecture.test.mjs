import assert from 'node:assert/strict';
import { test } from 'node:test';
import { steps } from './collatz-conjecture.mjs';

test('zero steps for one', () => {
  assert.equal(steps(1), 0);
});

test('divide if even', () => {
  assert.equal(steps(16), 4);
});

test('even and odd steps', () => {
  assert.equal(steps(12), 9);
});

test('large number of even and odd steps', () => {
  assert.equal(steps(1000000), 152);
});

test('a number with a long path', () => {
  assert.equal(steps(27), 111);
});

test('zero is an error', () => {
  assert.throws(() => steps(0), { message: 'Only positive integers are allowed' });
});

test('negative value is an error', () => {
  assert.throws(() => steps(-15), { message: 'Only positive integers are allowed' });
});

test('non-integer is an error', () => {
  assert.throws(() => steps(2.5), { message: 'Only positive integers are allowed' });
});
