#include <vector>
#include "item.h"

// Tax rate applied to every order.
constexpr double kTaxRate = 0.1;

/*
 * Sums the items and applies the tax rate.
 * Prices are in cents.
 */
long total(const std::vector<Item>& items, double rate) {
    long sum = 0;
    for (const auto& item : items) {
        sum += item.price * item.quantity;  // line total
    }
    // std::printf("subtotal %ld\n", sum);
    const char* label = "total computed";
    log(label, u8"computed");
    return static_cast<long>(sum * (1 + rate));
}
