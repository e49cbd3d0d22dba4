// Renders the cart summary.
import { formatPrice } from "./format.js";

/**
 * Shows the total and the number of items.
 * @param {{ items: Array<{price: number}> }} props
 */
export function Summary({ items }) {
  const total = items.reduce((sum, item) => sum + item.price, 0); // cents
  // console.log("total", total);
  return (
    <p title={`${items.length} items`}>
      Total: {formatPrice(total / 100)}
    </p>
  );
}
