import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromRoman, toRoman } from './roman-numerals.mjs';

const CASES = [
  [1, 'I'],
  [2, 'II'],
  [3, 'III'],
  [4, 'IV'],
  [5, 'V'],
  [6, 'VI'],
  [9, 'IX'],
  [16, 'XVI'],
  [27, 'XXVII'],
  [48, 'XLVIII'],
  [49, 'XLIX'],
  [59, 'LIX'],
  [66, 'LXVI'],
  [93, 'XCIII'],
  [141, 'CXLI'],
  [163, 'CLXIII'],
  [166, 'CLXVI'],
  [402, 'CDII'],
  [575, 'DLXXV'],
  [666, 'DCLXVI'],
  [911, 'CMXI'],
  [1024, 'MXXIV'],
  [1666, 'MDCLXVI'],
  [1990, 'MCMXC'],
  [2008, 'MMVIII'],
  [3000, 'MMM'],
  [3001, 'MMMI'],
  [3999, 'MMMCMXCIX'],
];

test('toRoman converts every case', () => {
  for (const [number, numeral] of CASES) assert.equal(toRoman(number), numeral, `toRoman(${number})`);
});

test('fromRoman converts every case', () => {
  for (const [number, numeral] of CASES) assert.equal(fromRoman(numeral), number, `fromRoman(${numeral})`);
});

test('round trip over the whole range', () => {
  for (let number = 1; number <= 3999; number++) assert.equal(fromRoman(toRoman(number)), number);
});

test('toRoman refuses numbers out of range', () => {
  assert.throws(() => toRoman(0), RangeError);
  assert.throws(() => toRoman(4000), RangeError);
  assert.throws(() => toRoman(-1), RangeError);
  assert.throws(() => toRoman(2.5), RangeError);
});

test('fromRoman refuses invalid numerals', () => {
  for (const bad of ['', 'ABC', 'IIII', 'VV', 'IC', 'MMMM', 'iv', 'XM', 'IIV']) {
    assert.throws(() => fromRoman(bad), /invalid numeral/, `fromRoman(${JSON.stringify(bad)})`);
  }
});
