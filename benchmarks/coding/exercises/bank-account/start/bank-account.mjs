export class ValueError extends Error {}

export class BankAccount {
  open() {
    throw new Error('not implemented');
  }

  close() {
    throw new Error('not implemented');
  }

  /** @param {number} amount */
  deposit(amount) {
    throw new Error('not implemented');
  }

  /** @param {number} amount */
  withdraw(amount) {
    throw new Error('not implemented');
  }

  /** @returns {number} */
  get balance() {
    throw new Error('not implemented');
  }
}
