import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isValid } from './isbn-verifier.mjs';

test('valid isbn', () => {
  assert.equal(isValid('3-598-21508-8'), true);
});

test('invalid isbn check digit', () => {
  assert.equal(isValid('3-598-21508-9'), false);
});

test('valid isbn with a check digit of 10', () => {
  assert.equal(isValid('3-598-21507-X'), true);
});

test('check digit is a character other than X', () => {
  assert.equal(isValid('3-598-21507-A'), false);
});

test('invalid check digit in isbn is not treated as zero', () => {
  assert.equal(isValid('4-598-21507-B'), false);
});

test('invalid character in isbn is not treated as zero', () => {
  assert.equal(isValid('3-598-P1581-X'), false);
});

test('X is only valid as a check digit', () => {
  assert.equal(isValid('3-598-2X507-9'), false);
});

test('valid isbn without separating dashes', () => {
  assert.equal(isValid('3598215088'), true);
  assert.equal(isValid('359821507X'), true);
});

test('isbn without check digit', () => {
  assert.equal(isValid('3-598-21507'), false);
});

test('too long isbn', () => {
  assert.equal(isValid('3-598-21507-XX'), false);
  assert.equal(isValid('3598215078X'), false);
});

test('too short isbn', () => {
  assert.equal(isValid('00'), false);
});

test('empty isbn', () => {
  assert.equal(isValid(''), false);
});

test('input is 9 characters', () => {
  assert.equal(isValid('134456729'), false);
});

test('invalid characters are not ignored', () => {
  assert.equal(isValid('3132P34035'), false);
  assert.equal(isValid('3 598 21508 8'), false);
});

test('lowercase x is not a check digit', () => {
  assert.equal(isValid('3-598-21507-x'), false);
});
