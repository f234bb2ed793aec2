import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from './acronym.mjs';

test('basic', () => {
  assert.equal(parse('Portable Network Graphics'), 'PNG');
});

test('lowercase words', () => {
  assert.equal(parse('Ruby on Rails'), 'ROR');
});

test('punctuation', () => {
  assert.equal(parse('First In, First Out'), 'FIFO');
});

test('all caps word', () => {
  assert.equal(parse('GNU Image Manipulation Program'), 'GIMP');
});

test('hyphenated words', () => {
  assert.equal(parse('Complementary metal-oxide semiconductor'), 'CMOS');
});

test('very long abbreviation', () => {
  assert.equal(parse('Rolling On The Floor Laughing So Hard That My Dogs Came Over And Licked Me'), 'ROTFLSHTMDCOALM');
});

test('consecutive delimiters', () => {
  assert.equal(parse('Something - I made up from thin air'), 'SIMUFTA');
});

test('apostrophes', () => {
  assert.equal(parse("Halley's Comet"), 'HC');
});

test('underscore emphasis', () => {
  assert.equal(parse('The Road _Not_ Taken'), 'TRNT');
});

test('empty phrase', () => {
  assert.equal(parse(''), '');
});
