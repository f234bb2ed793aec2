import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QueenAttack } from './queen-attack.mjs';

test('queen with a valid position', () => {
  const queens = new QueenAttack({ white: [2, 2] });
  assert.deepEqual(queens.white, [2, 2]);
});

test('default positions', () => {
  const queens = new QueenAttack();
  assert.deepEqual(queens.white, [7, 3]);
  assert.deepEqual(queens.black, [0, 3]);
});

test('positions off the board', () => {
  const message = 'Queen must be placed on the board';
  assert.throws(() => new QueenAttack({ white: [-2, 2] }), { message });
  assert.throws(() => new QueenAttack({ white: [8, 4] }), { message });
  assert.throws(() => new QueenAttack({ black: [2, -2] }), { message });
  assert.throws(() => new QueenAttack({ black: [4, 8] }), { message });
});

test('queens cannot share a square', () => {
  assert.throws(() => new QueenAttack({ white: [2, 4], black: [2, 4] }), {
    message: 'Queens cannot share the same space',
  });
});

test('cannot attack', () => {
  assert.equal(new QueenAttack({ white: [2, 4], black: [6, 6] }).canAttack, false);
});

test('can attack on the same row', () => {
  assert.equal(new QueenAttack({ white: [2, 4], black: [2, 6] }).canAttack, true);
});

test('can attack on the same column', () => {
  assert.equal(new QueenAttack({ white: [4, 5], black: [2, 5] }).canAttack, true);
});

test('can attack on the four diagonals', () => {
  assert.equal(new QueenAttack({ white: [2, 2], black: [0, 4] }).canAttack, true);
  assert.equal(new QueenAttack({ white: [2, 2], black: [3, 1] }).canAttack, true);
  assert.equal(new QueenAttack({ white: [2, 2], black: [1, 1] }).canAttack, true);
  assert.equal(new QueenAttack({ white: [1, 7], black: [0, 6] }).canAttack, true);
});

test('cannot attack if falling diagonals are only the same when reflected across the longest falling diagonal', () => {
  assert.equal(new QueenAttack({ white: [4, 1], black: [2, 5] }).canAttack, false);
});

test('draws the board', () => {
  const board = [
    '_ _ _ _ _ _ _ _',
    '_ _ _ _ _ _ _ _',
    '_ _ _ _ W _ _ _',
    '_ _ _ _ _ _ _ _',
    '_ _ _ _ _ _ _ _',
    '_ _ _ _ _ _ _ _',
    '_ _ _ _ _ _ B _',
    '_ _ _ _ _ _ _ _',
  ].join('\n');
  assert.equal(new QueenAttack({ white: [2, 4], black: [6, 6] }).toString(), board);
});

test('draws queens at the corners', () => {
  const drawing = new QueenAttack({ white: [0, 0], black: [7, 7] }).toString().split('\n');
  assert.equal(drawing.length, 8);
  assert.equal(drawing[0], 'W _ _ _ _ _ _ _');
  assert.equal(drawing[7], '_ _ _ _ _ _ _ B');
});
