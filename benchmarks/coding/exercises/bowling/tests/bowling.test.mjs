import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Bowling } from './bowling.mjs';

const play = (rolls) => {
  const game = new Bowling();
  for (const pins of rolls) game.roll(pins);
  return game;
};

test('should be able to score a game with all zeros', () => {
  assert.equal(play(Array(20).fill(0)).score(), 0);
});

test('should be able to score a game with no strikes or spares', () => {
  assert.equal(play([3, 6, 3, 6, 3, 6, 3, 6, 3, 6, 3, 6, 3, 6, 3, 6, 3, 6, 3, 6]).score(), 90);
});

test('a spare followed by zeros is worth ten points', () => {
  assert.equal(play([6, 4, ...Array(18).fill(0)]).score(), 10);
});

test('points scored in the roll after a spare are counted twice', () => {
  assert.equal(play([6, 4, 3, ...Array(17).fill(0)]).score(), 16);
});

test('consecutive spares each get a one roll bonus', () => {
  assert.equal(play([5, 5, 3, 7, 4, ...Array(15).fill(0)]).score(), 31);
});

test('a spare in the last frame gets a one roll bonus that is counted once', () => {
  assert.equal(play([...Array(18).fill(0), 7, 3, 7]).score(), 17);
});

test('a strike earns ten points in a frame with a single roll', () => {
  assert.equal(play([10, ...Array(18).fill(0)]).score(), 10);
});

test('points scored in the two rolls after a strike are counted twice as a bonus', () => {
  assert.equal(play([10, 5, 3, ...Array(16).fill(0)]).score(), 26);
});

test('consecutive strikes each get the two roll bonus', () => {
  assert.equal(play([10, 10, 10, 5, 3, ...Array(12).fill(0)]).score(), 81);
});

test('a strike in the last frame gets a two roll bonus that is counted once', () => {
  assert.equal(play([...Array(18).fill(0), 10, 7, 1]).score(), 18);
});

test('rolling a spare with the two roll bonus does not get a bonus roll', () => {
  assert.equal(play([...Array(18).fill(0), 10, 7, 3]).score(), 20);
});

test('strikes with the two roll bonus do not get bonus rolls', () => {
  assert.equal(play([...Array(18).fill(0), 10, 10, 10]).score(), 30);
});

test('a strike with the one roll bonus after a spare in the last frame does not get a bonus', () => {
  assert.equal(play([...Array(18).fill(0), 7, 3, 10]).score(), 20);
});

test('all strikes is a perfect game', () => {
  assert.equal(play(Array(12).fill(10)).score(), 300);
});

test('rolls cannot score negative points', () => {
  assert.throws(() => new Bowling().roll(-1), { message: 'Negative roll is invalid' });
});

test('a roll cannot score more than 10 points', () => {
  assert.throws(() => new Bowling().roll(11), { message: 'Pin count exceeds pins on the lane' });
});

test('two rolls in a frame cannot score more than 10 points', () => {
  const game = play([5]);
  assert.throws(() => game.roll(6), { message: 'Pin count exceeds pins on the lane' });
});

test('bonus roll after a strike in the last frame cannot score more than 10 points', () => {
  const game = play([...Array(18).fill(0), 10]);
  assert.throws(() => game.roll(11), { message: 'Pin count exceeds pins on the lane' });
});

test('two bonus rolls after a strike in the last frame cannot score more than 10 points', () => {
  const game = play([...Array(18).fill(0), 10, 5]);
  assert.throws(() => game.roll(6), { message: 'Pin count exceeds pins on the lane' });
});

test('two bonus rolls after a strike in the last frame can score more than 10 points if one is a strike', () => {
  assert.equal(play([...Array(18).fill(0), 10, 10, 6]).score(), 26);
});

test('the second bonus roll after a strike cannot be a strike if the first one is not', () => {
  const game = play([...Array(18).fill(0), 10, 6]);
  assert.throws(() => game.roll(10), { message: 'Pin count exceeds pins on the lane' });
});

test('an unstarted game cannot be scored', () => {
  assert.throws(() => new Bowling().score(), { message: 'Score cannot be taken until the end of the game' });
});

test('an incomplete game cannot be scored', () => {
  assert.throws(() => play([0, 0]).score(), { message: 'Score cannot be taken until the end of the game' });
});

test('bonus rolls must be rolled before scoring', () => {
  assert.throws(() => play([...Array(18).fill(0), 10, 10]).score(), {
    message: 'Score cannot be taken until the end of the game',
  });
  assert.throws(() => play([...Array(18).fill(0), 7, 3]).score(), {
    message: 'Score cannot be taken until the end of the game',
  });
});

test('cannot roll if game already has ten frames', () => {
  const game = play(Array(20).fill(0));
  assert.throws(() => game.roll(0), { message: 'Cannot roll after game is over' });
});

test('cannot roll after bonus rolls', () => {
  const afterSpare = play([...Array(18).fill(0), 7, 3, 2]);
  assert.throws(() => afterSpare.roll(2), { message: 'Cannot roll after game is over' });
  const afterStrike = play([...Array(18).fill(0), 10, 3, 2]);
  assert.throws(() => afterStrike.roll(2), { message: 'Cannot roll after game is over' });
});
