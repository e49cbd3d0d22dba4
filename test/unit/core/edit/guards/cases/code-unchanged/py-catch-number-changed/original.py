"""Price calculations for the cart."""

# Tax rate applied to every order.
TAX_RATE = 0.1


def total(items, tax_rate=TAX_RATE):
    """Sum the items and apply the tax rate.

    Each item is a (price, quantity) pair.
    """
    subtotal = 0
    for price, quantity in items:
        subtotal += price * quantity  # line total
    # print("subtotal", subtotal)
    label = f"total for {len(items)} items"
    print(label, "computed")
    return round(subtotal * (1 + tax_rate))
