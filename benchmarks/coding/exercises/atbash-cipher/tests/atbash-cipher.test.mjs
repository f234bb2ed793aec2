import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decode, encode } from './atbash-cipher.mjs';

test('encode yes', () => {
  assert.equal(encode('yes'), 'bvh');
});

test('encode no', () => {
  assert.equal(encode('no'), 'ml');
});

test('encode OMG', () => {
  assert.equal(encode('OMG'), 'lnt');
});

test('encode spaces', () => {
  assert.equal(encode('O M G'), 'lnt');
});

test('encode mindblowingly', () => {
  assert.equal(encode('mindblowingly'), 'nrmwy oldrm tob');
});

test('encode numbers', () => {
  assert.equal(encode('Testing,1 2 3, testing.'), 'gvhgr mt123 gvhgr mt');
});

test('encode deep thought', () => {
  assert.equal(encode('Truth is fiction.'), 'gifgs rhurx grlm');
});

test('encode all the letters', () => {
  assert.equal(encode('The quick brown fox jumps over the lazy dog.'), 'gsvjf rxpyi ldmul cqfnk hlevi gsvoz abwlt');
});

test('encode empty and punctuation only', () => {
  assert.equal(encode(''), '');
  assert.equal(encode('!?.'), '');
});

test('decode exercism', () => {
  assert.equal(decode('vcvix rhn'), 'exercism');
});

test('decode a sentence', () => {
  assert.equal(decode('zmlyh gzxov rhlug vmzhg vkkrm thglm v'), 'anobstacleisoftenasteppingstone');
});

test('decode numbers', () => {
  assert.equal(decode('gvhgr mt123 gvhgr mt'), 'testing123testing');
});

test('decode with too many or too few spaces', () => {
  assert.equal(decode('vc vix    r hn'), 'exercism');
  assert.equal(decode('zmlyhgzxovrhlugvmzhgvkkrmthglmv'), 'anobstacleisoftenasteppingstone');
});
