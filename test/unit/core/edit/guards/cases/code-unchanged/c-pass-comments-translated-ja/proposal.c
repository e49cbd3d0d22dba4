#include <stdio.h>

/* 二つの数の和を表示する。 */
#define SCALE 10 /* 固定小数点の倍率 */

int main(void) {
    int a = 2, b = 3; // 被演算子
    printf("合計: %d\n", (a + b) * SCALE);
    return 0;
}
