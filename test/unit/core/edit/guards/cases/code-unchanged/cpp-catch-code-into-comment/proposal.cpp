#include <vector>
#include "item.h"

// すべての注文に適用される税率。
constexpr double kTaxRate = 0.1;

/*
 * 商品を合計し、税率を適用する。
 * 価格はセント単位。
 */
long total(const std::vector<Item>& items, double rate) {
    long sum = 0;
    for (const auto& item : items) {
        sum += item.price * item.quantity;  // 行の合計
    }
    // std::printf("小計 %ld\n", sum);
    const char* label = "合計を計算しました";
    // log(label, u8"計算済み");
    return static_cast<long>(sum * (1 + rate));
}
