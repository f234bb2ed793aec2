const DAY = 24 * 60;

export class Clock {
  /**
   * @param {number} hours
   * @param {number} [minutes]
   */
  constructor(hours, minutes = 0) {
    this.total = (((hours * 60 + minutes) % DAY) + DAY) % DAY;
  }

  /** @returns {string} */
  toString() {
    const hours = Math.floor(this.total / 60);
    const minutes = this.total % 60;
    return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
  }

  /**
   * @param {number} minutes
   * @returns {Clock}
   */
  plus(minutes) {
    return new Clock(0, this.total + minutes);
  }

  /**
   * @param {number} minutes
   * @returns {Clock}
   */
  minus(minutes) {
    return new Clock(0, this.total - minutes);
  }

  /**
   * @param {Clock} other
   * @returns {boolean}
   */
  equals(other) {
    return other instanceof Clock && other.total === this.total;
  }
}
