import assert from 'node:assert/strict';
import { test } from 'node:test';
import { valid } from './luhn.mjs';

test('single digit strings can not be valid', () => {
  assert.equal(valid('1'), false);
});

test('a single zero is invalid', () => {
  assert.equal(valid('0'), false);
});

test('a simple valid SIN that remains valid if reversed', () => {
  assert.equal(valid('059'), true);
});

test('a simple valid SIN that becomes invalid if reversed', () => {
  assert.equal(valid('59'), true);
});

test('a valid Canadian SIN', () => {
  assert.equal(valid('055 444 285'), true);
});

test('invalid Canadian SIN', () => {
  assert.equal(valid('055 444 286'), false);
});

test('invalid credit card', () => {
  assert.equal(valid('8273 1232 7352 0569'), false);
});

test('valid credit card', () => {
  assert.equal(valid('4539 3195 0343 6467'), true);
});

test('invalid long number with an even remainder', () => {
  assert.equal(valid('1 2345 6789 1234 5678 9012'), false);
});

test('valid number with an even number of digits', () => {
  assert.equal(valid('095 245 88'), true);
});

test('valid number with an odd number of spaces', () => {
  assert.equal(valid('234 567 891 234'), true);
});

test('valid strings with a non-digit added at the end become invalid', () => {
  assert.equal(valid('059a'), false);
});

test('valid strings with punctuation included become invalid', () => {
  assert.equal(valid('055-444-285'), false);
  assert.equal(valid('055# 444$ 285'), false);
});

test('single zero with space is invalid', () => {
  assert.equal(valid(' 0'), false);
});

test('more than a single zero is valid', () => {
  assert.equal(valid('0000 0'), true);
});

test('input digit 9 is correctly converted to output digit 9', () => {
  assert.equal(valid('091'), true);
});

test('very long input is valid', () => {
  assert.equal(valid('9999999999 9999999999 9999999999 9999999999'), true);
});

test('using ascii value for non-doubled and doubled non-digit is not allowed', () => {
  assert.equal(valid('055b 444 285'), false);
  assert.equal(valid(':9'), false);
});
