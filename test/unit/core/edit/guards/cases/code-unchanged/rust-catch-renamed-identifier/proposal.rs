//! カートの注文合計。

/// すべての注文に適用される税率。
pub const TAX_RATE: f64 = 0.1;

/// 商品を合計し、税率を適用する。
///
/// 価格はセント単位。
pub fn total(items: &[Item], rate: f64) -> i64 {
    let mut total = 0;
    for item in items {
        sum += item.price * item.quantity; // 行の合計
    }
    /* println!("小計 {}", sum); */
    let label = format!("{} 個の商品の合計", items.len());
    println!("{} {}", label, "計算済み");
    ((sum as f64) * (1.0 + rate)).round() as i64
}
