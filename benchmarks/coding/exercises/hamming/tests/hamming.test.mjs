import assert from 'node:assert/strict';
import { test } from 'node:test';
import { distance } from './hamming.mjs';

test('empty strands', () => {
  assert.equal(distance('', ''), 0);
});

test('single identical letter', () => {
  assert.equal(distance('A', 'A'), 0);
});

test('single different letter', () => {
  assert.equal(distance('G', 'T'), 1);
});

test('long identical strands', () => {
  assert.equal(distance('GGACTGAAATCTG', 'GGACTGAAATCTG'), 0);
});

test('long different strands', () => {
  assert.equal(distance('GGACGGATTCTG', 'AGGACGGATTCT'), 9);
  assert.equal(distance('GAGCCTACTAACGGGAT', 'CATCGTAATGACGGCCT'), 7);
});

test('unequal lengths are refused', () => {
  assert.throws(() => distance('AATG', 'AAA'), { message: 'strands must be of equal length' });
  assert.throws(() => distance('ATA', 'AGTG'), { message: 'strands must be of equal length' });
  assert.throws(() => distance('', 'G'), { message: 'strands must be of equal length' });
});
