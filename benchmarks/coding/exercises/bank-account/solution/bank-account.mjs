export class ValueError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'ValueError';
  }
}

export class BankAccount {
  #open = false;
  #balance = 0;

  open() {
    if (this.#open) throw new ValueError('account already open');
    this.#open = true;
    this.#balance = 0;
  }

  close() {
    this.#requireOpen();
    this.#open = false;
  }

  /** @param {number} amount */
  deposit(amount) {
    this.#requireOpen();
    this.#requirePositive(amount);
    this.#balance += amount;
  }

  /** @param {number} amount */
  withdraw(amount) {
    this.#requireOpen();
    this.#requirePositive(amount);
    if (amount > this.#balance) throw new ValueError('amount must be less than balance');
    this.#balance -= amount;
  }

  /** @returns {number} */
  get balance() {
    this.#requireOpen();
    return this.#balance;
  }

  #requireOpen() {
    if (!this.#open) throw new ValueError('account not open');
  }

  /** @param {number} amount */
  #requirePositive(amount) {
    if (!(amount > 0)) throw new ValueError('amount must be greater than 0');
  }
}
