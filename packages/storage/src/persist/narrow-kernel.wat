;; The log's narrowing kernel (narrow-kernel.ts embeds it compiled; narrow-kernel.test.ts checks
;; that the embedded bytes are this file's, compiled by wabt: `pnpm exec tsx
;; packages/storage/src/persist/narrow-kernel.build.ts` rewrites them).
;;
;; Eight doubles per step: truncate to int32 (saturating), convert back and compare with the
;; original (fractions, NaN, ±Infinity and values out of int32 range differ), look for the bit
;; pattern of -0 (equal to +0 as a double, but not a byte), and keep the running minimum and
;; maximum of the truncated values for the -128..127 check at the end; the bytes are written as it
;; goes (two narrowing steps, i32 → i16 → i8) and are only meaningful when the result is 1.
(module
  (memory (export "memory") 1)
  ;; narrow8(src, dst, n): n doubles at src (n a multiple of 8, src 16-aligned) as int8 at dst.
  ;; Returns 1 when every value is a whole number in -128..127 and none is -0; else 0 (dst then undefined).
  (func (export "narrow8") (param $src i32) (param $dst i32) (param $n i32) (result i32)
    (local $end i32) (local $eq v128) (local $negz v128) (local $lo v128) (local $hi v128)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local $ta v128) (local $tb v128) (local $tc v128) (local $td v128) (local $w v128)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $eq (v128.const i64x2 -1 -1))
    (local.set $negz (v128.const i64x2 0 0))
    (local.set $lo (v128.const i32x4 0 0 0 0))
    (local.set $hi (v128.const i32x4 0 0 0 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $a (v128.load (local.get $src)))
        (local.set $b (v128.load offset=16 (local.get $src)))
        (local.set $c (v128.load offset=32 (local.get $src)))
        (local.set $d (v128.load offset=48 (local.get $src)))
        (local.set $ta (i32x4.trunc_sat_f64x2_s_zero (local.get $a)))
        (local.set $tb (i32x4.trunc_sat_f64x2_s_zero (local.get $b)))
        (local.set $tc (i32x4.trunc_sat_f64x2_s_zero (local.get $c)))
        (local.set $td (i32x4.trunc_sat_f64x2_s_zero (local.get $d)))
        (local.set $eq (v128.and (local.get $eq)
          (v128.and
            (v128.and (f64x2.eq (local.get $a) (f64x2.convert_low_i32x4_s (local.get $ta)))
                      (f64x2.eq (local.get $b) (f64x2.convert_low_i32x4_s (local.get $tb))))
            (v128.and (f64x2.eq (local.get $c) (f64x2.convert_low_i32x4_s (local.get $tc)))
                      (f64x2.eq (local.get $d) (f64x2.convert_low_i32x4_s (local.get $td)))))))
        (local.set $negz (v128.or (local.get $negz)
          (v128.or
            (v128.or (i64x2.eq (local.get $a) (v128.const i64x2 0x8000000000000000 0x8000000000000000))
                     (i64x2.eq (local.get $b) (v128.const i64x2 0x8000000000000000 0x8000000000000000)))
            (v128.or (i64x2.eq (local.get $c) (v128.const i64x2 0x8000000000000000 0x8000000000000000))
                     (i64x2.eq (local.get $d) (v128.const i64x2 0x8000000000000000 0x8000000000000000))))))
        ;; lanes 0,1 of each truncation hold the values (2,3 are zero): four values per vector
        (local.set $w (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $ta) (local.get $tb)))
        (local.set $lo (i32x4.min_s (local.get $lo) (local.get $w)))
        (local.set $hi (i32x4.max_s (local.get $hi) (local.get $w)))
        (local.set $ta (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $tc) (local.get $td)))
        (local.set $lo (i32x4.min_s (local.get $lo) (local.get $ta)))
        (local.set $hi (i32x4.max_s (local.get $hi) (local.get $ta)))
        (local.set $w (i16x8.narrow_i32x4_s (local.get $w) (local.get $ta)))
        (v128.store64_lane 0 (local.get $dst) (i8x16.narrow_i16x8_s (local.get $w) (local.get $w)))
        (local.set $src (i32.add (local.get $src) (i32.const 64)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
        (br $next)))
    (i32.and
      (i32.and (i64x2.all_true (local.get $eq)) (i32.eqz (v128.any_true (local.get $negz))))
      (i32.and
        (i32.eqz (v128.any_true (i32x4.lt_s (local.get $lo) (v128.const i32x4 -128 -128 -128 -128))))
        (i32.eqz (v128.any_true (i32x4.gt_s (local.get $hi) (v128.const i32x4 127 127 127 127)))))))

  ;; scan(src, n, out): n doubles at src (n a multiple of 4, src 16-aligned). Returns 1 when every
  ;; value is a whole number of magnitude below 2^53 (so NaN and ±Infinity are not) and none is -0,
  ;; and then stores their minimum and maximum as two doubles at out; 0 otherwise (out undefined).
  ;; A padded tail must repeat a value of the tile, or it would count in the minimum and maximum.
  (func (export "scan") (param $src i32) (param $n i32) (param $out i32) (result i32)
    (local $end i32) (local $ok v128) (local $negz v128) (local $lo v128) (local $hi v128)
    (local $a v128) (local $b v128)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $ok (v128.const i64x2 -1 -1))
    (local.set $negz (v128.const i64x2 0 0))
    (local.set $lo (v128.load (local.get $src)))
    (local.set $hi (local.get $lo))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $a (v128.load (local.get $src)))
        (local.set $b (v128.load offset=16 (local.get $src)))
        (local.set $ok (v128.and (local.get $ok)
          (v128.and
            (v128.and (f64x2.eq (local.get $a) (f64x2.trunc (local.get $a)))
                      (f64x2.eq (local.get $b) (f64x2.trunc (local.get $b))))
            (v128.and (f64x2.lt (f64x2.abs (local.get $a)) (v128.const f64x2 0x1p53 0x1p53))
                      (f64x2.lt (f64x2.abs (local.get $b)) (v128.const f64x2 0x1p53 0x1p53))))))
        (local.set $negz (v128.or (local.get $negz)
          (v128.or (i64x2.eq (local.get $a) (v128.const i64x2 0x8000000000000000 0x8000000000000000))
                   (i64x2.eq (local.get $b) (v128.const i64x2 0x8000000000000000 0x8000000000000000)))))
        (local.set $lo (f64x2.min (local.get $lo) (f64x2.min (local.get $a) (local.get $b))))
        (local.set $hi (f64x2.max (local.get $hi) (f64x2.max (local.get $a) (local.get $b))))
        (local.set $src (i32.add (local.get $src) (i32.const 32)))
        (br $next)))
    (f64.store (local.get $out)
      (f64.min (f64x2.extract_lane 0 (local.get $lo)) (f64x2.extract_lane 1 (local.get $lo))))
    (f64.store offset=8 (local.get $out)
      (f64.max (f64x2.extract_lane 0 (local.get $hi)) (f64x2.extract_lane 1 (local.get $hi))))
    (i32.and (i64x2.all_true (local.get $ok)) (i32.eqz (v128.any_true (local.get $negz)))))

  ;; offsets(src, dst, n, width, base): n doubles at src (n a multiple of 8, src 16-aligned), each a
  ;; whole number with 0 <= value - base < 2^(8 * width) (scan checked it), written at dst as
  ;; value - base in `width` (1, 2 or 4) bytes, eight values a step.
  (func (export "offsets") (param $src i32) (param $dst i32) (param $n i32) (param $width i32) (param $base f64)
    (local $end i32) (local $bv v128) (local $w v128) (local $x v128)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $bv (f64x2.splat (local.get $base)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        ;; two vectors of four u32 offsets (truncation puts two in lanes 0 and 1 of each)
        (local.set $w (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (i32x4.trunc_sat_f64x2_u_zero (f64x2.sub (v128.load (local.get $src)) (local.get $bv)))
          (i32x4.trunc_sat_f64x2_u_zero (f64x2.sub (v128.load offset=16 (local.get $src)) (local.get $bv)))))
        (local.set $x (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (i32x4.trunc_sat_f64x2_u_zero (f64x2.sub (v128.load offset=32 (local.get $src)) (local.get $bv)))
          (i32x4.trunc_sat_f64x2_u_zero (f64x2.sub (v128.load offset=48 (local.get $src)) (local.get $bv)))))
        (if (i32.eq (local.get $width) (i32.const 4))
          (then
            (v128.store (local.get $dst) (local.get $w))
            (v128.store offset=16 (local.get $dst) (local.get $x))
            (local.set $dst (i32.add (local.get $dst) (i32.const 32))))
          (else
            (local.set $w (i16x8.narrow_i32x4_u (local.get $w) (local.get $x)))
            (if (i32.eq (local.get $width) (i32.const 2))
              (then
                (v128.store (local.get $dst) (local.get $w))
                (local.set $dst (i32.add (local.get $dst) (i32.const 16))))
              (else
                (v128.store64_lane 0 (local.get $dst) (i8x16.narrow_i16x8_u (local.get $w) (local.get $w)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 8)))))))
        (local.set $src (i32.add (local.get $src) (i32.const 64)))
        (br $next)))))
