/*
 * A travelling-salesman heuristic in C. Reads the city count n and then n lines "x y" from stdin,
 * and prints a tour: the n city indices (0-based), one per line, each exactly once. The judge (not
 * shown here) checks the tour and scores its length: shorter is better.
 *
 * The method: a nearest-neighbour tour from a start city, then rounds of 2-opt (reverse a segment
 * when that shortens the tour) and Or-opt (move a run of one to three cities elsewhere).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* EVOLVE-BLOCK-START */
static const int START_CITY = 0;         // @evolve int 0..59
static const int TWO_OPT_ROUNDS = 0;     // @evolve int 0..50
static const int OR_OPT_ROUNDS = 0;      // @evolve int 0..20
static const char *START_RULE = "first"; // @evolve choice first|centre|corner
/* EVOLVE-BLOCK-END */

static int n;
static double *xs, *ys;

static double distance(int a, int b) { return hypot(xs[a] - xs[b], ys[a] - ys[b]); }

static int start_city(void) {
  if (strcmp(START_RULE, "first") == 0) return START_CITY % n;
  double cx = 0, cy = 0;
  for (int i = 0; i < n; i++) { cx += xs[i] / n; cy += ys[i] / n; }
  int best = 0;
  double best_value = INFINITY;
  for (int i = 0; i < n; i++) {
    double value = strcmp(START_RULE, "centre") == 0 ? hypot(xs[i] - cx, ys[i] - cy) : xs[i] + ys[i];
    if (value < best_value) { best_value = value; best = i; }
  }
  return best;
}

static void nearest_neighbour(int *tour) {
  char *used = calloc((size_t)n, 1);
  tour[0] = start_city();
  used[tour[0]] = 1;
  for (int k = 1; k < n; k++) {
    int best = -1;
    double best_distance = INFINITY;
    for (int c = 0; c < n; c++) {
      if (!used[c] && distance(tour[k - 1], c) < best_distance) { best_distance = distance(tour[k - 1], c); best = c; }
    }
    tour[k] = best;
    used[best] = 1;
  }
  free(used);
}

static int two_opt(int *tour) {
  int improved = 0;
  for (int i = 0; i < n - 1; i++) {
    for (int j = i + 2; j < n; j++) {
      int a = tour[i], b = tour[i + 1], c = tour[j], d = tour[(j + 1) % n];
      if (a == d) continue;
      double change = distance(a, c) + distance(b, d) - distance(a, b) - distance(c, d);
      if (change < -1e-12) {
        for (int lo = i + 1, hi = j; lo < hi; lo++, hi--) { int t = tour[lo]; tour[lo] = tour[hi]; tour[hi] = t; }
        improved = 1;
      }
    }
  }
  return improved;
}

static int or_opt(int *tour) {
  int improved = 0;
  int *copy = malloc(sizeof(int) * (size_t)n);
  for (int length = 1; length <= 3; length++) {
    for (int i = 1; i + length < n; i++) {
      int before = tour[i - 1], first = tour[i], last = tour[i + length - 1], after = tour[(i + length) % n];
      double removed = distance(before, first) + distance(last, after) - distance(before, after);
      for (int j = 0; j < n - 1; j++) {
        if (j >= i - 1 && j < i + length) continue;
        int p = tour[j], q = tour[j + 1];
        double added = distance(p, first) + distance(last, q) - distance(p, q);
        if (added < removed - 1e-12) {
          int m = 0;
          for (int k = 0; k < n; k++) {
            if (k >= i && k < i + length) continue;
            copy[m++] = tour[k];
            if (k == j) for (int s = 0; s < length; s++) copy[m++] = tour[i + s];
          }
          memcpy(tour, copy, sizeof(int) * (size_t)n);
          improved = 1;
          break;
        }
      }
    }
  }
  free(copy);
  return improved;
}

int main(void) {
  if (scanf("%d", &n) != 1 || n < 3) return 2;
  xs = malloc(sizeof(double) * (size_t)n);
  ys = malloc(sizeof(double) * (size_t)n);
  for (int i = 0; i < n; i++) if (scanf("%lf %lf", &xs[i], &ys[i]) != 2) return 2;
  int *tour = malloc(sizeof(int) * (size_t)n);
  nearest_neighbour(tour);
  for (int round = 0; round < TWO_OPT_ROUNDS && two_opt(tour); round++) {}
  for (int round = 0; round < OR_OPT_ROUNDS && or_opt(tour); round++) {}
  for (int k = 0; k < n; k++) printf("%d\n", tour[k]);
  return 0;
}
