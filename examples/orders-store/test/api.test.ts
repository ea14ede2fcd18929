import { describe, expect, it } from 'vitest';
import { buildApi } from '../src/api.js';
import { openStore } from '../src/plumbing/store.js';

function api() {
  const db = openStore(':memory:');
  return { db, app: buildApi(db) };
}

const count = (db: ReturnType<typeof openStore>, table: string) =>
  (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('POST /orders', () => {
  it('stores the order with its outbox row and pending departments, and answers 201', async () => {
    const { db, app } = api();
    const response = await app.inject({
      method: 'POST',
      url: '/orders',
      payload: { customer_name: 'Ada', product_ids: [1, 2] },
    });

    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ id: 1, status: 'pending' });
    expect(count(db, 'outbox')).toBe(1);
    const order = await app.inject({ method: 'GET', url: '/orders/1' });
    expect(order.json()).toEqual({
      id: 1,
      customer_name: 'Ada',
      product_ids: [1, 2],
      status: 'pending',
      departments: {
        sales: { state: 'pending', attempts: 0, reason: null },
        marketing: { state: 'pending', attempts: 0, reason: null },
        warehouse: { state: 'pending', attempts: 0, reason: null },
      },
    });
  });

  it.each([
    [
      'an unknown field',
      { customer_name: 'Ada', product_ids: [1], coupon: 'FREE' },
      'body has an unknown field "coupon"',
    ],
    [
      'an empty product list',
      { customer_name: 'Ada', product_ids: [] },
      'body/product_ids must NOT have fewer than 1 items',
    ],
    ['a wrong type', { customer_name: 'Ada', product_ids: ['one'] }, 'body/product_ids/0 must be integer'],
    ['a missing name', { product_ids: [1] }, 'body needs the field "customer_name"'],
  ])('refuses %s with 400 saying what is wrong, and stores nothing', async (_case, payload, message) => {
    const { db, app } = api();
    const response = await app.inject({ method: 'POST', url: '/orders', payload });

    expect(response.statusCode).toBe(400);
    expect(response.json().message).toBe(message);
    expect(count(db, 'orders')).toBe(0);
    expect(count(db, 'outbox')).toBe(0);
  });

  it('refuses a body that is not JSON with 400, and one over 16 KB with 413', async () => {
    const { db, app } = api();
    const notJson = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'content-type': 'application/json' },
      payload: '{"customer_name": ',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error).toBe('bad request');

    const huge = await app.inject({
      method: 'POST',
      url: '/orders',
      payload: { customer_name: 'x'.repeat(20_000), product_ids: [1] },
    });
    expect(huge.statusCode).toBe(413);
    expect(count(db, 'orders')).toBe(0);
  });
});

describe('GET /orders/:id', () => {
  it('answers 404 for an order that does not exist', async () => {
    const { app } = api();
    const response = await app.inject({ method: 'GET', url: '/orders/42' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'not found', message: 'No order 42' });
  });
});

describe('GET /', () => {
  it('serves the page that places an order and follows its events', async () => {
    const { app } = api();
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body).toContain('<form id="order">');
    expect(response.body).toContain('new EventSource(');
  });
});
