export class Matrix {
  /**
   * @param {string} text
   */
  constructor(text) {
    this.data = text.split('\n').map((line) => line.trim().split(/ +/).map(Number));
    const width = this.data[0]?.length ?? 0;
    if (this.data.some((row) => row.length !== width)) throw new Error('ragged matrix: rows differ in length');
  }

  /** @returns {number[][]} */
  get rows() {
    return this.data.map((row) => [...row]);
  }

  /** @returns {number[][]} */
  get columns() {
    return (this.data[0] ?? []).map((_, index) => this.data.map((row) => row[index]));
  }

  /**
   * @param {number} index 1-based
   * @returns {number[]}
   */
  row(index) {
    if (!Number.isInteger(index) || index < 1 || index > this.data.length) throw new RangeError(`no row ${index}`);
    return [...this.data[index - 1]];
  }

  /**
   * @param {number} index 1-based
   * @returns {number[]}
   */
  column(index) {
    const columns = this.columns;
    if (!Number.isInteger(index) || index < 1 || index > columns.length) throw new RangeError(`no column ${index}`);
    return columns[index - 1];
  }
}
