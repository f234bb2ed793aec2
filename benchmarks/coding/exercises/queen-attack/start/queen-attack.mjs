export class QueenAttack {
  /**
   * @param {{ white?: [number, number], black?: [number, number] }} [positions]
   */
  constructor(positions = {}) {
    throw new Error('not implemented');
  }

  /** @returns {boolean} */
  get canAttack() {
    throw new Error('not implemented');
  }

  /** @returns {string} */
  toString() {
    throw new Error('not implemented');
  }
}
