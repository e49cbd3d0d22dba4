// Computes the total price of a cart.
// Discounts are applied before tax.
export interface Item {
  /** Unit price in cents. */
  price: number;
  quantity: number;
}

/**
 * Sums the items and applies the tax rate.
 * @param items the cart's items
 */
export function total(items: Item[], taxRate = 0.1): number {
  let sum = 0;
  for (const item of items) {
    sum += item.price * item.quantity; // line total
  }
  // console.debug("subtotal", sum);
  const label = `total for ${items.length} items`;
  console.log(label, "computed");
  return Math.round(sum * (1 + taxRate));
}
