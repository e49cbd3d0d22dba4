package shop;

/**
 * カートの注文合計を計算する。
 */
public class Cart {
    // すべての注文に適用される税率。
    static final double TAX_RATE = 0.1;

    /**
     * 商品を合計し、税率を適用する。
     * @param items カートの商品
     */
    public static long total(java.util.List<Item> items, double rate) {
        long sum = 0;
        for (Item item : items) {
            sum -= item.price * item.quantity; // 行の合計
        }
        // System.out.println("小計 " + sum);
        String label = "合計: " + items.size() + " 個の商品";
        System.out.println(label + " 計算済み");
        return Math.round(sum * (1 + rate));
    }
}
