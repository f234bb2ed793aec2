;; CEC2022 shift, scale and rotate for a batch of points, two points per f64x2 lane pair.
;;
;; z_p = M · ((x_p − o) · rate) for points p < count, row-major in and out. Each lane holds one
;; point and runs exactly the scalar code's operations: y_j = (x_j − o_j) · rate, then row i of z
;; summed from +0 in column order, sum = sum + y_j · M_ij (f64x2 add and mul are IEEE per lane, no
;; fused multiply-add), so every z entry is the same double as the scalar `shiftScaleRotate`.
;; Eight points (four lane pairs) and two rows per pass give eight independent sums. A batch whose
;; count is not a multiple of eight repeats its last point in the spare lanes (the same values,
;; stored twice). The dimension n must be even.
;;
;; Built into wasm-module.ts by scripts/build-cec2022-wasm.mjs (wabt from npm, no network).
(module
  (memory (export "memory") 4)
  ;; shiftScaleRotate(x, count, n, shift, rate, matrix, out, scratch): all addresses in bytes;
  ;; scratch holds 4·n f64x2 values (64·n bytes).
  (func (export "shiftScaleRotate")
    (param $x i32) (param $count i32) (param $n i32) (param $shift i32) (param $rate f64)
    (param $matrix i32) (param $out i32) (param $scratch i32)
    (local $p i32) (local $last i32) (local $rowBytes i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32)
    (local $b0 i32) (local $b1 i32) (local $b2 i32) (local $b3 i32)
    (local $j i32) (local $i i32) (local $y i32) (local $m0 i32) (local $m1 i32)
    (local $o v128) (local $r v128)
    (local $u0 v128) (local $u1 v128) (local $u2 v128) (local $u3 v128)
    (local $w0 v128) (local $w1 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $column i32)
    (local.set $last (i32.sub (local.get $count) (i32.const 1)))
    (local.set $rowBytes (i32.shl (local.get $n) (i32.const 3)))
    (local.set $r (f64x2.splat (local.get $rate)))
    (block $done
      (loop $points
        (br_if $done (i32.ge_s (local.get $p) (local.get $count)))
        ;; Byte offsets of the eight points (pair k: a_k in lane 0, b_k in lane 1), clamped to the last.
        (local.set $a0 (i32.mul (call $clamp (local.get $p) (local.get $last)) (local.get $rowBytes)))
        (local.set $b0 (i32.mul (call $clamp (i32.add (local.get $p) (i32.const 1)) (local.get $last)) (local.get $rowBytes)))
        (local.set $a1 (i32.mul (call $clamp (i32.add (local.get $p) (i32.const 2)) (local.get $last)) (local.get $rowBytes)))
        (local.set $b1 (i32.mul (call $clamp (i32.add (local.get $p) (i32.const 3)) (local.get $last)) (local.get $rowBytes)))
        (local.set $a2 (i32.mul (call $clamp (i32.add (local.get $p) (i32.const 4)) (local.get $last)) (local.get $rowBytes)))
        (local.set $b2 (i32.mul (call $clamp (i32.add (local.get $p) (i32.const 5)) (local.get $last)) (local.get $rowBytes)))
        (local.set $a3 (i32.mul (call $clamp (i32.add (local.get $p) (i32.const 6)) (local.get $last)) (local.get $rowBytes)))
        (local.set $b3 (i32.mul (call $clamp (i32.add (local.get $p) (i32.const 7)) (local.get $last)) (local.get $rowBytes)))
        ;; y for the eight points: scratch[(j·4 + k)·16] = ((x_a[j], x_b[j]) − o_j) · rate.
        (local.set $j (i32.const 0))
        (local.set $y (local.get $scratch))
        (local.set $column (i32.const 0))
        (block $gathered
          (loop $gather
            (br_if $gathered (i32.ge_s (local.get $j) (local.get $n)))
            (local.set $o (f64x2.splat (f64.load (i32.add (local.get $shift) (local.get $column)))))
            (v128.store offset=0 (local.get $y)
              (f64x2.mul (f64x2.sub (call $pair (i32.add (local.get $x) (i32.add (local.get $a0) (local.get $column)))
                                                (i32.add (local.get $x) (i32.add (local.get $b0) (local.get $column))))
                                    (local.get $o)) (local.get $r)))
            (v128.store offset=16 (local.get $y)
              (f64x2.mul (f64x2.sub (call $pair (i32.add (local.get $x) (i32.add (local.get $a1) (local.get $column)))
                                                (i32.add (local.get $x) (i32.add (local.get $b1) (local.get $column))))
                                    (local.get $o)) (local.get $r)))
            (v128.store offset=32 (local.get $y)
              (f64x2.mul (f64x2.sub (call $pair (i32.add (local.get $x) (i32.add (local.get $a2) (local.get $column)))
                                                (i32.add (local.get $x) (i32.add (local.get $b2) (local.get $column))))
                                    (local.get $o)) (local.get $r)))
            (v128.store offset=48 (local.get $y)
              (f64x2.mul (f64x2.sub (call $pair (i32.add (local.get $x) (i32.add (local.get $a3) (local.get $column)))
                                                (i32.add (local.get $x) (i32.add (local.get $b3) (local.get $column))))
                                    (local.get $o)) (local.get $r)))
            (local.set $y (i32.add (local.get $y) (i32.const 64)))
            (local.set $column (i32.add (local.get $column) (i32.const 8)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $gather)))
        ;; Rows i, i + 1: eight sums, each from +0 in column order.
        (local.set $i (i32.const 0))
        (block $rowsDone
          (loop $rows
            (br_if $rowsDone (i32.ge_s (local.get $i) (local.get $n)))
            (local.set $m0 (i32.add (local.get $matrix) (i32.mul (local.get $i) (local.get $rowBytes))))
            (local.set $m1 (i32.add (local.get $m0) (local.get $rowBytes)))
            (local.set $s0 (v128.const f64x2 0 0)) (local.set $s1 (v128.const f64x2 0 0))
            (local.set $s2 (v128.const f64x2 0 0)) (local.set $s3 (v128.const f64x2 0 0))
            (local.set $t0 (v128.const f64x2 0 0)) (local.set $t1 (v128.const f64x2 0 0))
            (local.set $t2 (v128.const f64x2 0 0)) (local.set $t3 (v128.const f64x2 0 0))
            (local.set $y (local.get $scratch))
            (local.set $j (i32.const 0))
            (block $columnsDone
              (loop $columns
                (br_if $columnsDone (i32.ge_s (local.get $j) (local.get $n)))
                (local.set $w0 (f64x2.splat (f64.load (local.get $m0))))
                (local.set $w1 (f64x2.splat (f64.load (local.get $m1))))
                (local.set $u0 (v128.load offset=0 (local.get $y)))
                (local.set $u1 (v128.load offset=16 (local.get $y)))
                (local.set $u2 (v128.load offset=32 (local.get $y)))
                (local.set $u3 (v128.load offset=48 (local.get $y)))
                (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $u0) (local.get $w0))))
                (local.set $t0 (f64x2.add (local.get $t0) (f64x2.mul (local.get $u0) (local.get $w1))))
                (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $u1) (local.get $w0))))
                (local.set $t1 (f64x2.add (local.get $t1) (f64x2.mul (local.get $u1) (local.get $w1))))
                (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $u2) (local.get $w0))))
                (local.set $t2 (f64x2.add (local.get $t2) (f64x2.mul (local.get $u2) (local.get $w1))))
                (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $u3) (local.get $w0))))
                (local.set $t3 (f64x2.add (local.get $t3) (f64x2.mul (local.get $u3) (local.get $w1))))
                (local.set $m0 (i32.add (local.get $m0) (i32.const 8)))
                (local.set $m1 (i32.add (local.get $m1) (i32.const 8)))
                (local.set $y (i32.add (local.get $y) (i32.const 64)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $columns)))
            (local.set $column (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))))
            (call $store (i32.add (local.get $column) (local.get $a0)) (i32.add (local.get $column) (local.get $b0)) (local.get $s0) (local.get $t0))
            (call $store (i32.add (local.get $column) (local.get $a1)) (i32.add (local.get $column) (local.get $b1)) (local.get $s1) (local.get $t1))
            (call $store (i32.add (local.get $column) (local.get $a2)) (i32.add (local.get $column) (local.get $b2)) (local.get $s2) (local.get $t2))
            (call $store (i32.add (local.get $column) (local.get $a3)) (i32.add (local.get $column) (local.get $b3)) (local.get $s3) (local.get $t3))
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (br $rows)))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $points))))
  ;; trig(in, out, count, cosine, fallback) → fallbacks: out[k] = sin(in[k]) (cosine = 0) or
  ;; cos(in[k]) (cosine = 1) for k < count, the same double as V8's Math.sin / Math.cos (fdlibm:
  ;; __ieee754_rem_pio2's one-step medium reduction and __kernel_sin / __kernel_cos, operation by
  ;; operation, two arguments per f64x2, both kernels computed and the quadrant's one selected).
  ;; Arguments fdlibm treats otherwise (|x| < 2^-27 after reduction, |x| near π/2 or beyond
  ;; 2^19·π/2, cancellation in the reduction, NaN, ±∞) are left to the caller: their indices are
  ;; appended to the i32 list at `fallback` and their count returned (the caller computes them with
  ;; Math.sin / Math.cos from `in`, which must therefore not be `out`).
  (func (export "trig") (param $in i32) (param $out i32) (param $count i32) (param $cosine i32) (param $fallback i32) (result i32)
    (local $k i32) (local $second i32) (local $found i32) (local $mask v128)
    (local $x v128) (local $a v128) (local $fn v128) (local $r v128) (local $w v128)
    (local $y0 v128) (local $y1 v128) (local $negative v128) (local $small v128)
    (local $z v128) (local $v v128) (local $rs v128) (local $rc v128) (local $ay v128) (local $qx v128)
    (local $sinK v128) (local $cosK v128) (local $q v128) (local $odd v128) (local $flip v128) (local $base v128)
    (block $done
      (loop $each
        (br_if $done (i32.ge_s (local.get $k) (local.get $count)))
        ;; Lane 1 is element k + 1, or k again at an odd end.
        (local.set $second (select (i32.add (local.get $k) (i32.const 1)) (local.get $k)
          (i32.lt_s (i32.add (local.get $k) (i32.const 1)) (local.get $count))))
        (local.set $x (if (result v128) (i32.ne (local.get $second) (local.get $k))
          (then (v128.load align=8 (i32.add (local.get $in) (i32.shl (local.get $k) (i32.const 3)))))
          (else (f64x2.splat (f64.load (i32.add (local.get $in) (i32.shl (local.get $k) (i32.const 3))))))))
        (local.set $a (f64x2.abs (local.get $x)))
        (local.set $small (f64x2.lt (local.get $a) (v128.const f64x2 0.78539848327636719 0.78539848327636719)))
        ;; Medium reduction: n = (int)(|x|·2/π + ½), r = |x| − n·pio2_1, w = n·pio2_1t.
        (local.set $fn (f64x2.trunc (f64x2.add (f64x2.mul (local.get $a)
          (v128.const f64x2 6.36619772367581382433e-01 6.36619772367581382433e-01)) (v128.const f64x2 0.5 0.5))))
        (local.set $r (f64x2.sub (local.get $a) (f64x2.mul (local.get $fn)
          (v128.const f64x2 1.57079632673412561417e+00 1.57079632673412561417e+00))))
        (local.set $w (f64x2.mul (local.get $fn) (v128.const f64x2 6.07710050650619224932e-11 6.07710050650619224932e-11)))
        (local.set $y0 (f64x2.sub (local.get $r) (local.get $w)))
        (local.set $y1 (f64x2.sub (f64x2.sub (local.get $r) (local.get $y0)) (local.get $w)))
        ;; Fallback lanes: cancellation (|y0| < |x|·2^-16 covers fdlibm's second step), |x| near π/2,
        ;; beyond the medium range or not a number; then |reduced| < 2^-27 (also for small |x|).
        (local.set $mask (v128.or
          (v128.andnot (f64x2.lt (f64x2.abs (local.get $y0)) (f64x2.mul (local.get $a) (v128.const f64x2 0x1p-16 0x1p-16)))
                       (local.get $small))
          (v128.or
            (v128.and (f64x2.ge (local.get $a) (v128.const f64x2 1.5707960128784180 1.5707960128784180))
                      (f64x2.lt (local.get $a) (v128.const f64x2 1.5707969665527344 1.5707969665527344)))
            (v128.not (f64x2.lt (local.get $a) (v128.const f64x2 1647100.0 1647100.0))))))
        ;; x < 0: y negated and n = −n; |x| ≤ π/4: y0 = x, y1 = 0, n = 0.
        (local.set $negative (f64x2.lt (local.get $x) (v128.const f64x2 0 0)))
        (local.set $y0 (v128.bitselect (f64x2.neg (local.get $y0)) (local.get $y0) (local.get $negative)))
        (local.set $y1 (v128.bitselect (f64x2.neg (local.get $y1)) (local.get $y1) (local.get $negative)))
        (local.set $fn (v128.bitselect (f64x2.neg (local.get $fn)) (local.get $fn) (local.get $negative)))
        (local.set $y0 (v128.bitselect (local.get $x) (local.get $y0) (local.get $small)))
        (local.set $y1 (v128.bitselect (v128.const f64x2 0 0) (local.get $y1) (local.get $small)))
        (local.set $fn (v128.bitselect (v128.const f64x2 0 0) (local.get $fn) (local.get $small)))
        (local.set $ay (f64x2.abs (local.get $y0)))
        (local.set $mask (v128.or (local.get $mask)
          (f64x2.lt (local.get $ay) (v128.const f64x2 7.4505805969238281e-9 7.4505805969238281e-9))))
        ;; __kernel_sin: iy = 1 form, and the iy = 0 form for unreduced (small) lanes.
        (local.set $z (f64x2.mul (local.get $y0) (local.get $y0)))
        (local.set $v (f64x2.mul (local.get $z) (local.get $y0)))
        (local.set $rs (f64x2.add (v128.const f64x2 8.33333333332248946124e-03 8.33333333332248946124e-03)
          (f64x2.mul (local.get $z) (f64x2.add (v128.const f64x2 -1.98412698298579493134e-04 -1.98412698298579493134e-04)
            (f64x2.mul (local.get $z) (f64x2.add (v128.const f64x2 2.75573137070700676789e-06 2.75573137070700676789e-06)
              (f64x2.mul (local.get $z) (f64x2.add (v128.const f64x2 -2.50507602534068634195e-08 -2.50507602534068634195e-08)
                (f64x2.mul (local.get $z) (v128.const f64x2 1.58969099521155010221e-10 1.58969099521155010221e-10))))))))))
        (local.set $sinK (v128.bitselect
          (f64x2.add (local.get $y0) (f64x2.mul (local.get $v)
            (f64x2.add (v128.const f64x2 -1.66666666666666324348e-01 -1.66666666666666324348e-01) (f64x2.mul (local.get $z) (local.get $rs)))))
          (f64x2.sub (local.get $y0)
            (f64x2.sub
              (f64x2.sub
                (f64x2.mul (local.get $z) (f64x2.sub (f64x2.mul (v128.const f64x2 0.5 0.5) (local.get $y1)) (f64x2.mul (local.get $v) (local.get $rs))))
                (local.get $y1))
              (f64x2.mul (local.get $v) (v128.const f64x2 -1.66666666666666324348e-01 -1.66666666666666324348e-01))))
          (local.get $small)))
        ;; __kernel_cos, with qx = 0 below 0.3 (the same operations as fdlibm's short form there).
        (local.set $rc (f64x2.mul (local.get $z)
          (f64x2.add (v128.const f64x2 4.16666666666666019037e-02 4.16666666666666019037e-02)
          (f64x2.mul (local.get $z) (f64x2.add (v128.const f64x2 -1.38888888888741095749e-03 -1.38888888888741095749e-03)
            (f64x2.mul (local.get $z) (f64x2.add (v128.const f64x2 2.48015872894767294178e-05 2.48015872894767294178e-05)
              (f64x2.mul (local.get $z) (f64x2.add (v128.const f64x2 -2.75573143513906633035e-07 -2.75573143513906633035e-07)
                (f64x2.mul (local.get $z) (f64x2.add (v128.const f64x2 2.08757232129817482790e-09 2.08757232129817482790e-09)
                  (f64x2.mul (local.get $z) (v128.const f64x2 -1.13596475577881948265e-11 -1.13596475577881948265e-11)))))))))))))
        ;; qx: |y0| cut to its high word, divided by 4 (high word − 0x00200000); 0.28125 above 0.78125.
        (local.set $qx (i64x2.sub (v128.and (local.get $ay) (v128.const i64x2 0xFFFFFFFF00000000 0xFFFFFFFF00000000))
                                  (v128.const i64x2 0x0020000000000000 0x0020000000000000)))
        (local.set $qx (v128.bitselect (v128.const f64x2 0.28125 0.28125) (local.get $qx)
          (f64x2.ge (local.get $ay) (v128.const f64x2 0.78125047683715820 0.78125047683715820))))
        (local.set $qx (v128.bitselect (v128.const f64x2 0 0) (local.get $qx)
          (f64x2.lt (local.get $ay) (v128.const f64x2 0.29999995231628418 0.29999995231628418))))
        (local.set $cosK (f64x2.sub (f64x2.sub (v128.const f64x2 1 1) (local.get $qx))
          (f64x2.sub (f64x2.sub (f64x2.mul (v128.const f64x2 0.5 0.5) (local.get $z)) (local.get $qx))
                     (f64x2.sub (f64x2.mul (local.get $z) (local.get $rc)) (f64x2.mul (local.get $y0) (local.get $y1))))))
        ;; Quadrant q = n mod 4: sin is sinK, cosK, −sinK, −cosK; cos is cosK, −sinK, −cosK, sinK.
        (local.set $q (f64x2.sub (local.get $fn)
          (f64x2.mul (v128.const f64x2 4 4) (f64x2.floor (f64x2.mul (local.get $fn) (v128.const f64x2 0.25 0.25))))))
        (local.set $odd (v128.or (f64x2.eq (local.get $q) (v128.const f64x2 1 1)) (f64x2.eq (local.get $q) (v128.const f64x2 3 3))))
        (if (local.get $cosine)
          (then
            (local.set $base (v128.bitselect (local.get $sinK) (local.get $cosK) (local.get $odd)))
            (local.set $flip (v128.or (f64x2.eq (local.get $q) (v128.const f64x2 1 1)) (f64x2.eq (local.get $q) (v128.const f64x2 2 2)))))
          (else
            (local.set $base (v128.bitselect (local.get $cosK) (local.get $sinK) (local.get $odd)))
            (local.set $flip (f64x2.ge (local.get $q) (v128.const f64x2 2 2)))))
        (local.set $base (v128.bitselect (f64x2.neg (local.get $base)) (local.get $base) (local.get $flip)))
        (if (i32.ne (local.get $second) (local.get $k))
          (then (v128.store align=8 (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 3))) (local.get $base)))
          (else (f64.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 3))) (f64x2.extract_lane 0 (local.get $base)))))
        (if (v128.any_true (local.get $mask))
          (then
            (if (i64.ne (i64x2.extract_lane 0 (local.get $mask)) (i64.const 0))
              (then
                (i32.store (i32.add (local.get $fallback) (i32.shl (local.get $found) (i32.const 2))) (local.get $k))
                (local.set $found (i32.add (local.get $found) (i32.const 1)))))
            (if (i32.and (i64.ne (i64x2.extract_lane 1 (local.get $mask)) (i64.const 0))
                         (i32.ne (local.get $second) (local.get $k)))
              (then
                (i32.store (i32.add (local.get $fallback) (i32.shl (local.get $found) (i32.const 2))) (local.get $second))
                (local.set $found (i32.add (local.get $found) (i32.const 1)))))))
        (local.set $k (i32.add (local.get $k) (i32.const 2)))
        (br $each)))
    (local.get $found))
  ;; fifthRoots(in, out, count, tables, fallback) → fallbacks: out[k] = x^0.2 correctly rounded for
  ;; x = in[k], exactly `powOneFifth`'s fast path (precise-math.ts), two arguments per f64x2: the
  ;; table approximation, r⁵ in double-double, the one-step correction and its rounding test. The
  ;; tables (f64) at `tables`: 128 centre inverses, 128 centre powers, 128 centre logs, 5 values
  ;; 2^(s/5), 41 powers 2^(q − 20). Arguments outside [2^-100, 2^100], with a large ratio, a power
  ;; of two as result or too near a rounding midpoint are appended to the i32 list at `fallback`
  ;; (their count returned) for the caller's `powOneFifth`.
  (func (export "fifthRoots") (param $in i32) (param $out i32) (param $count i32) (param $tables i32) (param $fallback i32) (result i32)
    (local $k i32) (local $second i32) (local $found i32) (local $good v128)
    (local $x v128) (local $field v128) (local $e v128) (local $fifths v128) (local $s v128) (local $lanes v128)
    (local $i0 i32) (local $i1 i32) (local $s0 i32) (local $s1 i32) (local $q0 i32) (local $q1 i32)
    (local $mantissa v128) (local $t0 v128) (local $r v128) (local $logarithm v128)
    (local $t v128) (local $rHigh v128) (local $rLow v128) (local $squareHigh v128) (local $squareLow v128)
    (local $sHigh v128) (local $sLow v128) (local $fourthHigh v128) (local $fourthLow v128)
    (local $qHigh v128) (local $qLow v128) (local $fifthHigh v128) (local $fifthLow v128)
    (local $ratio v128) (local $correction v128) (local $increment v128) (local $result v128)
    (local $remainder v128) (local $binade v128)
    (block $done
      (loop $each
        (br_if $done (i32.ge_s (local.get $k) (local.get $count)))
        (local.set $second (select (i32.add (local.get $k) (i32.const 1)) (local.get $k)
          (i32.lt_s (i32.add (local.get $k) (i32.const 1)) (local.get $count))))
        (local.set $x (f64x2.replace_lane 1
          (f64x2.splat (f64.load (i32.add (local.get $in) (i32.shl (local.get $k) (i32.const 3)))))
          (f64.load (i32.add (local.get $in) (i32.shl (local.get $second) (i32.const 3))))))
        ;; In range (which also keeps NaN and non-positive x out).
        (local.set $good (v128.and (f64x2.ge (local.get $x) (v128.const f64x2 0x1p-100 0x1p-100))
                                   (f64x2.le (local.get $x) (v128.const f64x2 0x1p100 0x1p100))))
        ;; A lane out of range computes on 1 instead (its result is replaced by the fallback).
        (local.set $x (v128.bitselect (local.get $x) (v128.const f64x2 1 1) (local.get $good)))
        (local.set $field (i64x2.shr_u (local.get $x) (i32.const 52)))
        ;; exponent e = field − 1023 as f64 (through the low i32 of each lane).
        (local.set $lanes (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (local.get $field) (local.get $field)))
        (local.set $e (f64x2.sub (f64x2.convert_low_i32x4_s (local.get $lanes)) (v128.const f64x2 1023 1023)))
        ;; m = x · 2^-e: 2^-e has the exponent field 2046 − field.
        (local.set $mantissa (f64x2.mul (local.get $x)
          (i64x2.shl (i64x2.sub (v128.const i64x2 2046 2046) (local.get $field)) (i32.const 52))))
        ;; fifths = floor(e·0.2) (exact for |e| up to 100), s = e − 5·fifths.
        (local.set $fifths (f64x2.floor (f64x2.mul (local.get $e) (v128.const f64x2 0.2 0.2))))
        (local.set $s (f64x2.sub (local.get $e) (f64x2.mul (v128.const f64x2 5 5) (local.get $fifths))))
        ;; Table indices per lane: index = (bits >> 45) & 127; s; fifths + 20.
        (local.set $i0 (i32.and (i32.wrap_i64 (i64.shr_u (i64x2.extract_lane 0 (local.get $x)) (i64.const 45))) (i32.const 127)))
        (local.set $i1 (i32.and (i32.wrap_i64 (i64.shr_u (i64x2.extract_lane 1 (local.get $x)) (i64.const 45))) (i32.const 127)))
        (local.set $s0 (i32.trunc_f64_s (f64x2.extract_lane 0 (local.get $s))))
        (local.set $s1 (i32.trunc_f64_s (f64x2.extract_lane 1 (local.get $s))))
        (local.set $q0 (i32.add (i32.trunc_f64_s (f64x2.extract_lane 0 (local.get $fifths))) (i32.const 20)))
        (local.set $q1 (i32.add (i32.trunc_f64_s (f64x2.extract_lane 1 (local.get $fifths))) (i32.const 20)))
        (local.set $t0 (f64x2.sub (f64x2.mul (local.get $mantissa)
          (call $gather (local.get $tables) (local.get $i0) (local.get $i1))) (v128.const f64x2 1 1)))
        (local.set $r (f64x2.mul (f64x2.mul (f64x2.mul
          (call $gather (i32.add (local.get $tables) (i32.const 1024)) (local.get $i0) (local.get $i1))
          (f64x2.add (v128.const f64x2 1 1) (f64x2.mul (local.get $t0)
            (f64x2.add (v128.const f64x2 0.2 0.2) (f64x2.mul (local.get $t0)
              (f64x2.add (v128.const f64x2 -0.08 -0.08) (f64x2.mul (local.get $t0)
                (f64x2.add (v128.const f64x2 0.048 0.048) (f64x2.mul (local.get $t0) (v128.const f64x2 -0.0336 -0.0336))))))))))
          (call $gather (i32.add (local.get $tables) (i32.const 3072)) (local.get $s0) (local.get $s1)))
          (call $gather (i32.add (local.get $tables) (i32.const 3112)) (local.get $q0) (local.get $q1))))
        (local.set $logarithm (f64x2.add (f64x2.add
          (f64x2.mul (local.get $e) (v128.const f64x2 0.6931471805599453 0.6931471805599453))
          (call $gather (i32.add (local.get $tables) (i32.const 2048)) (local.get $i0) (local.get $i1)))
          (f64x2.sub (local.get $t0) (f64x2.mul (f64x2.mul (v128.const f64x2 0.5 0.5) (local.get $t0)) (local.get $t0)))))
        ;; r², r⁴, r⁵ in double-double (Dekker), as powOneFifth.
        (local.set $t (f64x2.mul (v128.const f64x2 134217729 134217729) (local.get $r)))
        (local.set $rHigh (f64x2.sub (local.get $t) (f64x2.sub (local.get $t) (local.get $r))))
        (local.set $rLow (f64x2.sub (local.get $r) (local.get $rHigh)))
        (local.set $squareHigh (f64x2.mul (local.get $r) (local.get $r)))
        (local.set $squareLow (f64x2.sub (f64x2.mul (local.get $rLow) (local.get $rLow))
          (f64x2.sub (f64x2.sub (f64x2.sub (local.get $squareHigh) (f64x2.mul (local.get $rHigh) (local.get $rHigh)))
                                (f64x2.mul (local.get $rLow) (local.get $rHigh)))
                     (f64x2.mul (local.get $rHigh) (local.get $rLow)))))
        (local.set $t (f64x2.mul (v128.const f64x2 134217729 134217729) (local.get $squareHigh)))
        (local.set $sHigh (f64x2.sub (local.get $t) (f64x2.sub (local.get $t) (local.get $squareHigh))))
        (local.set $sLow (f64x2.sub (local.get $squareHigh) (local.get $sHigh)))
        (local.set $fourthHigh (f64x2.mul (local.get $squareHigh) (local.get $squareHigh)))
        (local.set $fourthLow (f64x2.add
          (f64x2.sub (f64x2.mul (local.get $sLow) (local.get $sLow))
            (f64x2.sub (f64x2.sub (f64x2.sub (local.get $fourthHigh) (f64x2.mul (local.get $sHigh) (local.get $sHigh)))
                                  (f64x2.mul (local.get $sLow) (local.get $sHigh)))
                       (f64x2.mul (local.get $sHigh) (local.get $sLow))))
          (f64x2.mul (f64x2.mul (v128.const f64x2 2 2) (local.get $squareHigh)) (local.get $squareLow))))
        (local.set $t (f64x2.mul (v128.const f64x2 134217729 134217729) (local.get $fourthHigh)))
        (local.set $qHigh (f64x2.sub (local.get $t) (f64x2.sub (local.get $t) (local.get $fourthHigh))))
        (local.set $qLow (f64x2.sub (local.get $fourthHigh) (local.get $qHigh)))
        (local.set $fifthHigh (f64x2.mul (local.get $fourthHigh) (local.get $r)))
        (local.set $fifthLow (f64x2.add
          (f64x2.sub (f64x2.mul (local.get $qLow) (local.get $rLow))
            (f64x2.sub (f64x2.sub (f64x2.sub (local.get $fifthHigh) (f64x2.mul (local.get $qHigh) (local.get $rHigh)))
                                  (f64x2.mul (local.get $qLow) (local.get $rHigh)))
                       (f64x2.mul (local.get $qHigh) (local.get $rLow))))
          (f64x2.mul (local.get $fourthLow) (local.get $r))))
        (local.set $ratio (f64x2.div (f64x2.sub (f64x2.sub (local.get $x) (local.get $fifthHigh)) (local.get $fifthLow))
                                     (local.get $fifthHigh)))
        (local.set $good (v128.and (local.get $good)
          (f64x2.lt (f64x2.abs (local.get $ratio)) (v128.const f64x2 1e-12 1e-12))))
        (local.set $correction (f64x2.add
          (f64x2.sub (f64x2.div (local.get $ratio) (v128.const f64x2 5 5))
                     (f64x2.mul (f64x2.mul (v128.const f64x2 0.08 0.08) (local.get $ratio)) (local.get $ratio)))
          (f64x2.mul (v128.const f64x2 0x1.999999999999ap-57 0x1.999999999999ap-57) (local.get $logarithm))))
        (local.set $increment (f64x2.mul (local.get $r) (local.get $correction)))
        (local.set $result (f64x2.add (local.get $r) (local.get $increment)))
        (local.set $remainder (f64x2.abs (f64x2.sub (local.get $increment) (f64x2.sub (local.get $result) (local.get $r)))))
        (local.set $binade (v128.and (local.get $result) (v128.const i64x2 0x7FF0000000000000 0x7FF0000000000000)))
        (local.set $good (v128.and (local.get $good) (f64x2.ne (local.get $binade) (local.get $result))))
        (local.set $good (v128.and (local.get $good) (f64x2.lt (local.get $remainder)
          (f64x2.sub (f64x2.mul (f64x2.mul (local.get $binade) (v128.const f64x2 0x1p-52 0x1p-52)) (v128.const f64x2 0.5 0.5))
                     (f64x2.mul (local.get $result) (v128.const f64x2 0x1p-64 0x1p-64))))))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 3))) (f64x2.extract_lane 0 (local.get $result)))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $second) (i32.const 3))) (f64x2.extract_lane 1 (local.get $result)))
        (if (i32.eqz (i64x2.all_true (local.get $good)))
          (then
            (if (i64.eq (i64x2.extract_lane 0 (local.get $good)) (i64.const 0))
              (then
                (i32.store (i32.add (local.get $fallback) (i32.shl (local.get $found) (i32.const 2))) (local.get $k))
                (local.set $found (i32.add (local.get $found) (i32.const 1)))))
            (if (i32.and (i64.eq (i64x2.extract_lane 1 (local.get $good)) (i64.const 0))
                         (i32.ne (local.get $second) (local.get $k)))
              (then
                (i32.store (i32.add (local.get $fallback) (i32.shl (local.get $found) (i32.const 2))) (local.get $second))
                (local.set $found (i32.add (local.get $found) (i32.const 1)))))))
        (local.set $k (i32.add (local.get $k) (i32.const 2)))
        (br $each)))
    (local.get $found))
  ;; (table[a], table[b]) for f64 entries a and b of the table at `base`.
  (func $gather (param $base i32) (param $a i32) (param $b i32) (result v128)
    (f64x2.replace_lane 1
      (f64x2.splat (f64.load (i32.add (local.get $base) (i32.shl (local.get $a) (i32.const 3)))))
      (f64.load (i32.add (local.get $base) (i32.shl (local.get $b) (i32.const 3))))))
  ;; min(index, last).
  (func $clamp (param $index i32) (param $last i32) (result i32)
    (select (local.get $index) (local.get $last) (i32.lt_s (local.get $index) (local.get $last))))
  ;; (f64 at a, f64 at b).
  (func $pair (param $a i32) (param $b i32) (result v128)
    (f64x2.replace_lane 1 (f64x2.splat (f64.load (local.get $a))) (f64.load (local.get $b))))
  ;; Rows i and i + 1 of points a (lane 0) and b (lane 1): a[i], a[i+1], b[i], b[i+1].
  (func $store (param $a i32) (param $b i32) (param $row0 v128) (param $row1 v128)
    (f64.store offset=0 (local.get $a) (f64x2.extract_lane 0 (local.get $row0)))
    (f64.store offset=8 (local.get $a) (f64x2.extract_lane 0 (local.get $row1)))
    (f64.store offset=0 (local.get $b) (f64x2.extract_lane 1 (local.get $row0)))
    (f64.store offset=8 (local.get $b) (f64x2.extract_lane 1 (local.get $row1)))))
