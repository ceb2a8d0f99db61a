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
        (i32.eqz (v128.any_true (i32x4.gt_s (local.get $hi) (v128.const i32x4 127 127 127 127))))))))
