// カートの概要を描画する。
import { formatPrice } from "./format.js";

/**
 * 合計と商品の数を表示する。
 * @param {{ items: Array<{price: number}> }} props
 */
export function Summary({ items }) {
  // console.log("合計", total);
  return (
    <p title={`${items.length} 個の商品`}>
      合計: {formatPrice(total / 100)}
    </p>
  );
}
