export class Bowling {
  /** @type {number[]} */
  #rolls = [];

  /**
   * @param {number} pins
   */
  roll(pins) {
    if (pins < 0) throw new Error('Negative roll is invalid');
    const state = this.#state();
    if (state.over) throw new Error('Cannot roll after game is over');
    if (pins > state.standing) throw new Error('Pin count exceeds pins on the lane');
    this.#rolls.push(pins);
  }

  /** @returns {number} */
  score() {
    if (!this.#state().over) throw new Error('Score cannot be taken until the end of the game');
    const rolls = this.#rolls;
    let total = 0;
    let index = 0;
    for (let frame = 0; frame < 10; frame++) {
      if (rolls[index] === 10) {
        total += 10 + rolls[index + 1] + rolls[index + 2];
        index += 1;
      } else if (rolls[index] + rolls[index + 1] === 10) {
        total += 10 + rolls[index + 2];
        index += 2;
      } else {
        total += rolls[index] + rolls[index + 1];
        index += 2;
      }
    }
    return total;
  }

  /** Walks the rolls so far: whether the game is over, and how many pins stand for the next roll. */
  #state() {
    const rolls = this.#rolls;
    let index = 0;
    for (let frame = 0; frame < 9; frame++) {
      if (index >= rolls.length) return { over: false, standing: 10 };
      if (rolls[index] === 10) {
        index += 1;
        continue;
      }
      if (index + 1 >= rolls.length) return { over: false, standing: 10 - rolls[index] };
      index += 2;
    }
    // Tenth frame.
    const tenth = rolls.slice(index);
    const [first, second, third] = tenth;
    if (first === undefined) return { over: false, standing: 10 };
    if (second === undefined) return { over: false, standing: first === 10 ? 10 : 10 - first };
    if (first === 10) {
      if (third !== undefined) return { over: true, standing: 0 };
      return { over: false, standing: second === 10 ? 10 : 10 - second };
    }
    if (first + second === 10) {
      if (third !== undefined) return { over: true, standing: 0 };
      return { over: false, standing: 10 };
    }
    return { over: true, standing: 0 };
  }
}
