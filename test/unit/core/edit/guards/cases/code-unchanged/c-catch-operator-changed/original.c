#include <stdio.h>

/* Prints the sum of two numbers. */
#define SCALE 10 /* fixed-point scale */

int main(void) {
    int a = 2, b = 3; // operands
    printf("sum: %d\n", (a + b) * SCALE);
    return 0;
}
