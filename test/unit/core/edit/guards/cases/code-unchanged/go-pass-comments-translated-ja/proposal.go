// Package cart は注文の合計を計算する。
package cart

import "fmt"

// TaxRate はすべての注文に適用される。
const TaxRate = 0.1

/*
Total は商品を合計し、税率を適用する。
価格はセント単位。
*/
func Total(items []Item, rate float64) int {
	sum := 0
	for _, it := range items {
		sum += it.Price * it.Quantity // 行の合計
	}
	// fmt.Println("小計", sum)
	label := fmt.Sprintf("%d 個の商品の合計", len(items))
	fmt.Println(label, `計算済み`)
	return int(float64(sum) * (1 + rate))
}
