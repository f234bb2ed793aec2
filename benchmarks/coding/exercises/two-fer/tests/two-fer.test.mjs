import assert from 'node:assert/strict';
import { test } from 'node:test';
import { twoFer } from './two-fer.mjs';

test('no name given', () => {
  assert.equal(twoFer(), 'One for you, one for me.');
});

test('a name given', () => {
  assert.equal(twoFer('Alice'), 'One for Alice, one for me.');
});

test('another name given', () => {
  assert.equal(twoFer('Bob'), 'One for Bob, one for me.');
});

test('empty string counts as no name', () => {
  assert.equal(twoFer(''), 'One for you, one for me.');
});

test('whitespace around the name is removed', () => {
  assert.equal(twoFer('  Zaphod '), 'One for Zaphod, one for me.');
});

test('whitespace only counts as no name', () => {
  assert.equal(twoFer('   '), 'One for you, one for me.');
});
