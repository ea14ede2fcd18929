import { Ajv } from 'ajv';
import type { FastifySchemaValidationError } from 'fastify';
import type { Delivery } from 'retry-kit';

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

export interface NewOrder {
  customer_name: string;
  product_ids: number[];
}

/** What the relay publishes: the order as posted, with its id. */
export interface PlacedOrder extends NewOrder {
  id: number;
}

const isPlacedOrder = new Ajv().compile<PlacedOrder>({
  ...orderSchema,
  required: [...orderSchema.required, 'id'],
  properties: { ...orderSchema.properties, id: { type: 'integer', minimum: 1 } },
});

/** Anything else on a department's queue is dead-lettered as invalid, saying why. */
export function placedOrder(payload: unknown): PlacedOrder {
  if (isPlacedOrder(payload)) return payload;
  const [first] = isPlacedOrder.errors ?? [];
  throw new Error(`not a placed order: ${first?.instancePath || 'message'} ${first?.message ?? ''}`.trim());
}

/** The id of the order a delivery carries, or undefined when it carries something else. */
export function orderIdIn({ raw }: Delivery): number | undefined {
  try {
    return placedOrder(JSON.parse(raw.content.toString('utf8'))).id;
  } catch {
    return undefined;
  }
}

/** One validation failure in words, naming the field: `body has an unknown field "coupon"`. */
export function describeSchemaError(error: FastifySchemaValidationError, dataVar: string): string {
  const where = `${dataVar}${error.instancePath}`;
  if (error.keyword === 'additionalProperties')
    return `${where} has an unknown field "${error.params.additionalProperty}"`;
  if (error.keyword === 'required') return `${where} needs the field "${error.params.missingProperty}"`;
  return `${where} ${error.message}`;
}
