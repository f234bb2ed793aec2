import assert from 'node:assert/strict';
import { test } from 'node:test';
import { translate } from './pig-latin.mjs';

test('words beginning with a vowel', () => {
  assert.equal(translate('apple'), 'appleay');
  assert.equal(translate('ear'), 'earay');
  assert.equal(translate('igloo'), 'iglooay');
  assert.equal(translate('object'), 'objectay');
  assert.equal(translate('under'), 'underay');
  assert.equal(translate('equal'), 'equalay');
});

test('words beginning with a consonant', () => {
  assert.equal(translate('pig'), 'igpay');
  assert.equal(translate('koala'), 'oalakay');
  assert.equal(translate('xenon'), 'enonxay');
});

test('qu', () => {
  assert.equal(translate('queen'), 'eenquay');
  assert.equal(translate('square'), 'aresquay');
});

test('consonant clusters', () => {
  assert.equal(translate('chair'), 'airchay');
  assert.equal(translate('therapy'), 'erapythay');
  assert.equal(translate('thrush'), 'ushthray');
  assert.equal(translate('school'), 'oolschay');
});

test('xr and yt are treated like vowels', () => {
  assert.equal(translate('yttria'), 'yttriaay');
  assert.equal(translate('xray'), 'xrayay');
});

test('y is a consonant at the start', () => {
  assert.equal(translate('yellow'), 'ellowyay');
});

test('y is a vowel after a consonant cluster', () => {
  assert.equal(translate('rhythm'), 'ythmrhay');
  assert.equal(translate('my'), 'ymay');
});

test('phrases', () => {
  assert.equal(translate('quick fast run'), 'ickquay astfay unray');
});
