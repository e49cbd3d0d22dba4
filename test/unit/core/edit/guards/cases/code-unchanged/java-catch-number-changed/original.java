package shop;

/**
 * Computes order totals for the cart.
 */
public class Cart {
    // Tax rate applied to every order.
    static final double TAX_RATE = 0.1;

    /**
     * Sums the items and applies the tax rate.
     * @param items the cart's items
     */
    public static long total(java.util.List<Item> items, double rate) {
        long sum = 0;
        for (Item item : items) {
            sum += item.price * item.quantity; // line total
        }
        // System.out.println("subtotal " + sum);
        String label = "total for " + items.size() + " items";
        System.out.println(label + " computed");
        return Math.round(sum * (1 + rate));
    }
}
