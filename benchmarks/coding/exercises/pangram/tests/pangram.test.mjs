import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPangram } from './pangram.mjs';

test('empty sentence', () => {
  assert.equal(isPangram(''), false);
});

test('perfect lower case', () => {
  assert.equal(isPangram('abcdefghijklmnopqrstuvwxyz'), true);
});

test('only lower case', () => {
  assert.equal(isPangram('the quick brown fox jumps over the lazy dog'), true);
});

test("missing the letter 'x'", () => {
  assert.equal(isPangram('a quick movement of the enemy will jeopardize five gunboats'), false);
});

test("missing the letter 'h'", () => {
  assert.equal(isPangram('five boxing wizards jump quickly at it'), false);
});

test('with underscores and numbers', () => {
  assert.equal(isPangram('the_quick_brown_fox_jumps_over_the_lazy_dog'), true);
  assert.equal(isPangram('the 1 quick brown fox jumps over the 2 lazy dogs'), true);
});

test('missing letters replaced by numbers', () => {
  assert.equal(isPangram('7h3 qu1ck brown fox jumps ov3r 7h3 lazy dog'), false);
});

test('mixed case is case-insensitive', () => {
  assert.equal(isPangram('"Five quacking Zephyrs jolt my wax bed."'), true);
  assert.equal(isPangram('a quick movement of the enemy will jeopardize five gunboats'.toUpperCase()), false);
});

test('a-m and A-M are 26 different characters but not a pangram', () => {
  assert.equal(isPangram('abcdefghijklm ABCDEFGHIJKLM'), false);
});
