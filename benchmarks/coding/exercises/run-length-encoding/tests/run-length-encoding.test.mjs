import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decode, encode } from './run-length-encoding.mjs';

test('encode: empty string', () => {
  assert.equal(encode(''), '');
});

test('encode: single characters only', () => {
  assert.equal(encode('XYZ'), 'XYZ');
});

test('encode: string with no single characters', () => {
  assert.equal(encode('AABBBCCCC'), '2A3B4C');
});

test('encode: single and multiple characters', () => {
  assert.equal(encode('WWWWWWWWWWWWBWWWWWWWWWWWWBBBWWWWWWWWWWWWWWWWWWWWWWWWB'), '12WB12W3B24WB');
});

test('encode: whitespace', () => {
  assert.equal(encode('  hsqq qww  '), '2 hs2q q2w2 ');
});

test('encode: lowercase is distinct', () => {
  assert.equal(encode('aabbbcccc'), '2a3b4c');
  assert.equal(encode('aAaA'), 'aAaA');
});

test('decode: empty string', () => {
  assert.equal(decode(''), '');
});

test('decode: single characters only', () => {
  assert.equal(decode('XYZ'), 'XYZ');
});

test('decode: counts of several digits', () => {
  assert.equal(decode('12WB12W3B24WB'), 'WWWWWWWWWWWWBWWWWWWWWWWWWBBBWWWWWWWWWWWWWWWWWWWWWWWWB');
});

test('decode: whitespace', () => {
  assert.equal(decode('2 hs2q q2w2 '), '  hsqq qww  ');
});

test('round trip', () => {
  for (const text of ['zzz ZZ  zZ', 'a', '!!!??..', 'The  quick   brown']) {
    assert.equal(decode(encode(text)), text);
  }
});
