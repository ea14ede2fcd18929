import { createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import type { PlacedOrder } from './order-schema.js';

/**
 * Renders the packing slip of an order to `<dir>/order-<id>.pdf`. Written to
 * a temporary name and renamed, so the printer never sees half a slip, and a
 * second rendering of the same order replaces the first: one slip per order.
 */
export async function renderSlip(dir: string, order: PlacedOrder): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `order-${order.id}.pdf`);
  const partial = `${file}.partial`;
  const doc = new PDFDocument({ size: 'A6', margin: 24 });
  const written = new Promise<void>((resolve, reject) => {
    const out = createWriteStream(partial);
    out.on('finish', resolve);
    out.on('error', reject);
    doc.pipe(out);
  });
  doc.fontSize(16).text(`Packing slip: order ${order.id}`);
  doc.moveDown().fontSize(11).text(`Ship to: ${order.customer_name}`);
  doc.moveDown().text('Products:');
  for (const product of order.product_ids) doc.text(`  - product #${product}`);
  doc.end();
  await written;
  await rename(partial, file);
  return file;
}
