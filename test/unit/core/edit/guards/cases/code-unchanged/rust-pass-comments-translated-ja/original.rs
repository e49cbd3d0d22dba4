//! Order totals for the cart.

/// Tax rate applied to every order.
pub const TAX_RATE: f64 = 0.1;

/// Sums the items and applies the tax rate.
///
/// Prices are in cents.
pub fn total(items: &[Item], rate: f64) -> i64 {
    let mut sum = 0;
    for item in items {
        sum += item.price * item.quantity; // line total
    }
    /* println!("subtotal {}", sum); */
    let label = format!("total for {} items", items.len());
    println!("{} {}", label, "computed");
    ((sum as f64) * (1.0 + rate)).round() as i64
}
