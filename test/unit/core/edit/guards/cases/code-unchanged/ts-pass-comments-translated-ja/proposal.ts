// カートの合計金額を計算する。
// 割引は税の前に適用される。
export interface Item {
  /** 単価（セント単位）。 */
  price: number;
  quantity: number;
}

/**
 * 商品を合計し、税率を適用する。
 * @param items カートの商品
 */
export function total(items: Item[], taxRate = 0.1): number {
  let sum = 0;
  for (const item of items) {
    sum += item.price * item.quantity; // 行の合計
  }
  // console.debug("小計", sum);
  const label = `${items.length} 個の商品の合計`;
  console.log(label, "計算済み");
  return Math.round(sum * (1 + taxRate));
}
