export class Clock {
  /**
   * @param {number} hours
   * @param {number} [minutes]
   */
  constructor(hours, minutes = 0) {
    throw new Error('not implemented');
  }

  /** @returns {string} */
  toString() {
    throw new Error('not implemented');
  }

  /**
   * @param {number} minutes
   * @returns {Clock}
   */
  plus(minutes) {
    throw new Error('not implemented');
  }

  /**
   * @param {number} minutes
   * @returns {Clock}
   */
  minus(minutes) {
    throw new Error('not implemented');
  }

  /**
   * @param {Clock} other
   * @returns {boolean}
   */
  equals(other) {
    throw new Error('not implemented');
  }
}
