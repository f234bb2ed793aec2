import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clean } from './phone-number.mjs';

test('cleans the number', () => {
  assert.equal(clean('(223) 456-7890'), '2234567890');
});

test('cleans numbers with dots', () => {
  assert.equal(clean('223.456.7890'), '2234567890');
});

test('cleans numbers with multiple spaces', () => {
  assert.equal(clean('223 456   7890   '), '2234567890');
});

test('invalid when 9 digits', () => {
  assert.throws(() => clean('123456789'), { message: 'must not be fewer than 10 digits' });
});

test('invalid when 11 digits does not start with a 1', () => {
  assert.throws(() => clean('22234567890'), { message: '11 digits must start with 1' });
});

test('valid when 11 digits and starting with 1', () => {
  assert.equal(clean('12234567890'), '2234567890');
});

test('valid when 11 digits and starting with 1 even with punctuation', () => {
  assert.equal(clean('+1 (223) 456-7890'), '2234567890');
});

test('invalid when more than 11 digits', () => {
  assert.throws(() => clean('321234567890'), { message: 'must not be greater than 11 digits' });
});

test('invalid with letters', () => {
  assert.throws(() => clean('523-abc-7890'), { message: 'letters not permitted' });
});

test('invalid with punctuations', () => {
  assert.throws(() => clean('523-@:!-7890'), { message: 'punctuations not permitted' });
});

test('invalid area codes', () => {
  assert.throws(() => clean('(023) 456-7890'), { message: 'area code cannot start with zero' });
  assert.throws(() => clean('(123) 456-7890'), { message: 'area code cannot start with one' });
  assert.throws(() => clean('1 (023) 456-7890'), { message: 'area code cannot start with zero' });
});

test('invalid exchange codes', () => {
  assert.throws(() => clean('(223) 056-7890'), { message: 'exchange code cannot start with zero' });
  assert.throws(() => clean('(223) 156-7890'), { message: 'exchange code cannot start with one' });
  assert.throws(() => clean('1 (223) 156-7890'), { message: 'exchange code cannot start with one' });
});
