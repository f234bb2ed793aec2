import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BankAccount, ValueError } from './bank-account.mjs';

test('newly opened account has zero balance', () => {
  const account = new BankAccount();
  account.open();
  assert.equal(account.balance, 0);
});

test('single deposit', () => {
  const account = new BankAccount();
  account.open();
  account.deposit(100);
  assert.equal(account.balance, 100);
});

test('multiple deposits and withdrawals', () => {
  const account = new BankAccount();
  account.open();
  account.deposit(100);
  account.deposit(50);
  account.withdraw(70);
  account.withdraw(30);
  assert.equal(account.balance, 50);
});

test('can withdraw everything', () => {
  const account = new BankAccount();
  account.open();
  account.deposit(25);
  account.withdraw(25);
  assert.equal(account.balance, 0);
});

test('checking balance of closed account throws', () => {
  const account = new BankAccount();
  account.open();
  account.close();
  assert.throws(() => account.balance, { name: 'ValueError', message: 'account not open' });
});

test('a new account is closed', () => {
  const account = new BankAccount();
  assert.throws(() => account.deposit(10), ValueError);
  assert.throws(() => account.close(), { message: 'account not open' });
});

test('deposit and withdraw into closed account throw', () => {
  const account = new BankAccount();
  account.open();
  account.close();
  assert.throws(() => account.deposit(50), { message: 'account not open' });
  assert.throws(() => account.withdraw(50), { message: 'account not open' });
});

test('cannot open an already opened account', () => {
  const account = new BankAccount();
  account.open();
  assert.throws(() => account.open(), { message: 'account already open' });
});

test('reopened account does not retain balance', () => {
  const account = new BankAccount();
  account.open();
  account.deposit(50);
  account.close();
  account.open();
  assert.equal(account.balance, 0);
});

test('cannot withdraw more than deposited', () => {
  const account = new BankAccount();
  account.open();
  account.deposit(25);
  assert.throws(() => account.withdraw(50), { message: 'amount must be less than balance' });
  assert.equal(account.balance, 25);
});

test('cannot withdraw or deposit a non-positive amount', () => {
  const account = new BankAccount();
  account.open();
  account.deposit(100);
  assert.throws(() => account.withdraw(-50), { message: 'amount must be greater than 0' });
  assert.throws(() => account.deposit(-50), { message: 'amount must be greater than 0' });
  assert.throws(() => account.deposit(0), ValueError);
  assert.equal(account.balance, 100);
});

test('ValueError is an Error', () => {
  assert.ok(new ValueError('x') instanceof Error);
});
