#include <stdio.h>

/* EVOLVE-BLOCK-START */
#define STEPS 40 // @evolve int 10..400
static const double RATE = 0.25; // @evolve float 0.01..1 log
static const double DAMPING = /* @evolve float 0..1 */ 0.5;
static const char *MODE = "fast"; /* @evolve choice fast|careful */

static double step(double x) {
  double next = x - RATE * (x * x - 2.0) / (2.0 * x);
  return DAMPING * next + (1.0 - DAMPING) * x;
}
/* EVOLVE-BLOCK-END */

int main(void) {
  double x = 1.0;
  for (int i = 0; i < STEPS; i++) x = step(x);
  printf("%f %s\n", x, MODE);
  return 0;
}
