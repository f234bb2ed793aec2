export class Bowling {
  /**
   * @param {number} pins
   */
  roll(pins) {
    throw new Error('not implemented');
  }

  /** @returns {number} */
  score() {
    throw new Error('not implemented');
  }
}
