export class Matrix {
  /**
   * @param {string} text
   */
  constructor(text) {
    throw new Error('not implemented');
  }

  /** @returns {number[][]} */
  get rows() {
    throw new Error('not implemented');
  }

  /** @returns {number[][]} */
  get columns() {
    throw new Error('not implemented');
  }

  /**
   * @param {number} index 1-based
   * @returns {number[]}
   */
  row(index) {
    throw new Error('not implemented');
  }

  /**
   * @param {number} index 1-based
   * @returns {number[]}
   */
  column(index) {
    throw new Error('not implemented');
  }
}
