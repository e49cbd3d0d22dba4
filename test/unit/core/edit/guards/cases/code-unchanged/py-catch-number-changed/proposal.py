"""カートの価格計算。"""

# すべての注文に適用される税率。
TAX_RATE = 0.15


def total(items, tax_rate=TAX_RATE):
    """商品を合計し、税率を適用する。

    各商品は (価格, 数量) の組である。
    """
    subtotal = 0
    for price, quantity in items:
        subtotal += price * quantity  # 行の合計
    # print("小計", subtotal)
    label = f"{len(items)} 個の商品の合計"
    print(label, "計算済み")
    return round(subtotal * (1 + tax_rate))
