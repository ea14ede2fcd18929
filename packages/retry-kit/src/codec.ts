import type { Message } from 'amqplib';
import { DecodeError } from './errors.js';

export const JSON_CONTENT_TYPE = 'application/json';

/** A payload as it goes on the wire: Buffers as they are, anything else as JSON. */
export function encode(payload: unknown): Buffer {
  if (Buffer.isBuffer(payload)) return payload;
  const json = JSON.stringify(payload);
  if (json === undefined) throw new TypeError(`Cannot publish ${typeof payload}: it has no JSON form`);
  return Buffer.from(json);
}

/** The content type {@link encode} gives `payload`: none for a Buffer, JSON for anything else. */
export function contentTypeOf(payload: unknown): string | undefined {
  return Buffer.isBuffer(payload) ? undefined : JSON_CONTENT_TYPE;
}

/** JSON bodies are parsed; anything else is handed over as a Buffer. */
export function decode(message: Message): unknown {
  const contentType = message.properties.contentType as string | undefined;
  if (contentType !== JSON_CONTENT_TYPE) return message.content;
  try {
    return JSON.parse(message.content.toString('utf8'));
  } catch (error) {
    throw new DecodeError(`Body is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
