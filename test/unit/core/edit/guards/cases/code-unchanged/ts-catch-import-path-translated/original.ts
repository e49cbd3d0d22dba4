// Formats prices for display.
import { currency } from "./locale/currency";

export const label = (n: number): string => `${currency()} ${n}`; // shown in the cart
