// Package cart computes order totals.
package cart

import "fmt"

// TaxRate is applied to every order.
const TaxRate = 0.1

/*
Total sums the items and applies the tax rate.
Prices are in cents.
*/
func Total(items []Item, rate float64) int {
	sum := 0
	for _, it := range items {
		sum += it.Price * it.Quantity // line total
	}
	// fmt.Println("subtotal", sum)
	label := fmt.Sprintf("total for %d items", len(items))
	fmt.Println(label, `computed`)
	return int(float64(sum) * (1 + rate))
}
