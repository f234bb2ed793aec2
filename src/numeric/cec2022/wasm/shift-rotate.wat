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
