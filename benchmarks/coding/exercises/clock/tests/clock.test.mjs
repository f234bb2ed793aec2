import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Clock } from './clock.mjs';

test('on the hour', () => {
  assert.equal(new Clock(8).toString(), '08:00');
});

test('past the hour', () => {
  assert.equal(new Clock(11, 9).toString(), '11:09');
});

test('midnight is zero hours', () => {
  assert.equal(new Clock(24, 0).toString(), '00:00');
});

test('hour rolls over', () => {
  assert.equal(new Clock(25, 0).toString(), '01:00');
  assert.equal(new Clock(100, 0).toString(), '04:00');
});

test('sixty minutes is next hour', () => {
  assert.equal(new Clock(1, 60).toString(), '02:00');
  assert.equal(new Clock(0, 1723).toString(), '04:43');
});

test('hour and minutes roll over to exactly midnight', () => {
  assert.equal(new Clock(72, 8640).toString(), '00:00');
});

test('negative hours and minutes roll over', () => {
  assert.equal(new Clock(-1, 15).toString(), '23:15');
  assert.equal(new Clock(-91, 0).toString(), '05:00');
  assert.equal(new Clock(1, -40).toString(), '00:20');
  assert.equal(new Clock(0, -1).toString(), '23:59');
  assert.equal(new Clock(-25, -160).toString(), '20:20');
  assert.equal(new Clock(-121, -5810).toString(), '22:10');
});

test('add and subtract minutes', () => {
  assert.equal(new Clock(10, 0).plus(3).toString(), '10:03');
  assert.equal(new Clock(23, 59).plus(2).toString(), '00:01');
  assert.equal(new Clock(5, 32).plus(1500).toString(), '06:32');
  assert.equal(new Clock(10, 3).minus(3).toString(), '10:00');
  assert.equal(new Clock(0, 3).minus(4).toString(), '23:59');
  assert.equal(new Clock(2, 20).minus(3000).toString(), '00:20');
});

test('plus and minus do not change the clock', () => {
  const clock = new Clock(10, 0);
  clock.plus(30);
  clock.minus(15);
  assert.equal(clock.toString(), '10:00');
});

test('equality', () => {
  assert.equal(new Clock(15, 37).equals(new Clock(15, 37)), true);
  assert.equal(new Clock(15, 36).equals(new Clock(15, 37)), false);
  assert.equal(new Clock(10, 37).equals(new Clock(34, 37)), true);
  assert.equal(new Clock(3, 11).equals(new Clock(99, 11)), true);
  assert.equal(new Clock(22, 40).equals(new Clock(-2, 40)), true);
  assert.equal(new Clock(0, 0).equals(new Clock(-48, 0)), true);
  assert.equal(new Clock(2, 40).equals(new Clock(3, -20)), true);
});
