/** What POST /orders accepts: nothing more, nothing less. */
export const orderSchema = {
  type: 'object',
  required: ['customer_name', 'product_ids'],
  additionalProperties: false,
  properties: {
    customer_name: { type: 'string', minLength: 1, maxLength: 200 },
    product_ids: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'integer', minimum: 1 } },
  },
} as const;
