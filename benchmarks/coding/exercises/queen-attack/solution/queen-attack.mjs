const onBoard = (position) =>
  Array.isArray(position) &&
  position.length === 2 &&
  position.every((coordinate) => Number.isInteger(coordinate) && coordinate >= 0 && coordinate < 8);

export class QueenAttack {
  /**
   * @param {{ white?: [number, number], black?: [number, number] }} [positions]
   */
  constructor({ white = [7, 3], black = [0, 3] } = {}) {
    if (!onBoard(white) || !onBoard(black)) throw new Error('Queen must be placed on the board');
    if (white[0] === black[0] && white[1] === black[1]) throw new Error('Queens cannot share the same space');
    this.white = [...white];
    this.black = [...black];
  }

  /** @returns {boolean} */
  get canAttack() {
    const [whiteRow, whiteColumn] = this.white;
    const [blackRow, blackColumn] = this.black;
    return (
      whiteRow === blackRow ||
      whiteColumn === blackColumn ||
      Math.abs(whiteRow - blackRow) === Math.abs(whiteColumn - blackColumn)
    );
  }

  /** @returns {string} */
  toString() {
    const lines = [];
    for (let row = 0; row < 8; row++) {
      const squares = [];
      for (let column = 0; column < 8; column++) {
        if (row === this.white[0] && column === this.white[1]) squares.push('W');
        else if (row === this.black[0] && column === this.black[1]) squares.push('B');
        else squares.push('_');
      }
      lines.push(squares.join(' '));
    }
    return lines.join('\n');
  }
}
