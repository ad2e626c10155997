;; Philox4x32-10 in WebAssembly: the same function as philox.ts, for block generation.
;;
;; Source of src/random/philox-wasm-bytes.ts (`npm run build:wasm` compiles it with wabt;
;; test/prng-fast.test.ts checks that the committed bytes match this text and that every
;; output equals the plain-JS reference).
;;
;; Plain-JS Philox builds 64-bit products from 16-bit limbs and was seen running at two
;; speeds from one process to the next; here a product is one i64.mul (scalar) or one
;; i64x2.extmul (SIMD), and the speed is steady.
;;
;; Memory (21 pages, fixed): bytes [0, 524288) hold up to 65,536 doubles (the output of
;; `uniforms`, the input of `normals`); bytes [524288, 524304) the four words of `words`;
;; bytes [589824, 1114112) the values of `normals` (or of `affine`) and [1114112, 1376256)
;; the tail indices of `normals`.
(module
  (memory (export "memory") 21 21)

  ;; The four output words of one Philox4x32 call with `rounds` rounds, at byte 524288.
  (func (export "words")
    (param $c0 i32) (param $c1 i32) (param $c2 i32) (param $c3 i32)
    (param $k0 i32) (param $k1 i32) (param $rounds i32)
    (local $p0 i64) (local $p1 i64) (local $r i32)
    (block $done
      (loop $round
        (br_if $done (i32.ge_u (local.get $r) (local.get $rounds)))
        (local.set $p0 (i64.mul (i64.const 0xd2511f53) (i64.extend_i32_u (local.get $c0))))
        (local.set $p1 (i64.mul (i64.const 0xcd9e8d57) (i64.extend_i32_u (local.get $c2))))
        (local.set $c0 (i32.xor (i32.xor (i32.wrap_i64 (i64.shr_u (local.get $p1) (i64.const 32))) (local.get $c1)) (local.get $k0)))
        (local.set $c1 (i32.wrap_i64 (local.get $p1)))
        (local.set $c2 (i32.xor (i32.xor (i32.wrap_i64 (i64.shr_u (local.get $p0) (i64.const 32))) (local.get $c3)) (local.get $k1)))
        (local.set $c3 (i32.wrap_i64 (local.get $p0)))
        (local.set $k0 (i32.add (local.get $k0) (i32.const 0x9e3779b9)))
        (local.set $k1 (i32.add (local.get $k1) (i32.const 0xbb67ae85)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $round)))
    (i32.store offset=0 (i32.const 524288) (local.get $c0))
    (i32.store offset=4 (i32.const 524288) (local.get $c1))
    (i32.store offset=8 (i32.const 524288) (local.get $c2))
    (i32.store offset=12 (i32.const 524288) (local.get $c3)))

  ;; Uniforms of pairs [pairLo + 2^32·pairHi, … + nPairs) at (c2, c3) under key (k0, k1),
  ;; as doubles at byte 0: pair p gives out[2p] = U(w0, w1) (its even row) and
  ;; out[2p+1] = U(w2, w3) (its odd row), U(hi, lo) = ((hi >>> 5)·2^26 + (lo >>> 6))·2^-53.
  ;; nPairs ≤ 32,768. Four pairs per step with SIMD, then one at a time.
  (func (export "uniforms")
    (param $k0 i32) (param $k1 i32) (param $c2 i32) (param $c3 i32)
    (param $plo i32) (param $phi i32) (param $n i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $ka v128) (local $kb v128) (local $a v128) (local $b v128)
    (local $h0 v128) (local $l0 v128) (local $h1 v128) (local $l1 v128)
    (local $e v128) (local $o v128)
    (local $r i32) (local $ptr i32) (local $end4 i32) (local $end i32)
    (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32) (local $sa i32) (local $sb i32)
    (local $p0 i64) (local $p1 i64)
    (local.set $end (i32.shl (local.get $n) (i32.const 4)))
    (local.set $end4 (i32.shl (i32.shr_u (local.get $n) (i32.const 2)) (i32.const 6)))
    (block $done4
      (loop $quad
        (br_if $done4 (i32.ge_u (local.get $ptr) (local.get $end4)))
        ;; counters: c0 = pairLo + lane (mod 2^32), c1 = pairHi + carry
        (local.set $x0 (i32x4.add (i32x4.splat (local.get $plo)) (v128.const i32x4 0 1 2 3)))
        (local.set $x1 (i32x4.sub (i32x4.splat (local.get $phi))
                                  (i32x4.lt_u (local.get $x0) (i32x4.splat (local.get $plo)))))
        (local.set $x2 (i32x4.splat (local.get $c2)))
        (local.set $x3 (i32x4.splat (local.get $c3)))
        (local.set $ka (i32x4.splat (local.get $k0)))
        (local.set $kb (i32x4.splat (local.get $k1)))
        (local.set $r (i32.const 0))
        (loop $round
          ;; M0 · x0
          (local.set $a (i64x2.extmul_low_i32x4_u (v128.const i32x4 0xd2511f53 0xd2511f53 0xd2511f53 0xd2511f53) (local.get $x0)))
          (local.set $b (i64x2.extmul_high_i32x4_u (v128.const i32x4 0xd2511f53 0xd2511f53 0xd2511f53 0xd2511f53) (local.get $x0)))
          (local.set $h0 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a) (local.get $b)))
          (local.set $l0 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a) (local.get $b)))
          ;; M1 · x2
          (local.set $a (i64x2.extmul_low_i32x4_u (v128.const i32x4 0xcd9e8d57 0xcd9e8d57 0xcd9e8d57 0xcd9e8d57) (local.get $x2)))
          (local.set $b (i64x2.extmul_high_i32x4_u (v128.const i32x4 0xcd9e8d57 0xcd9e8d57 0xcd9e8d57 0xcd9e8d57) (local.get $x2)))
          (local.set $h1 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a) (local.get $b)))
          (local.set $l1 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a) (local.get $b)))
          (local.set $x0 (v128.xor (v128.xor (local.get $h1) (local.get $x1)) (local.get $ka)))
          (local.set $x1 (local.get $l1))
          (local.set $x2 (v128.xor (v128.xor (local.get $h0) (local.get $x3)) (local.get $kb)))
          (local.set $x3 (local.get $l0))
          (local.set $ka (i32x4.add (local.get $ka) (v128.const i32x4 0x9e3779b9 0x9e3779b9 0x9e3779b9 0x9e3779b9)))
          (local.set $kb (i32x4.add (local.get $kb) (v128.const i32x4 0xbb67ae85 0xbb67ae85 0xbb67ae85 0xbb67ae85)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br_if $round (i32.lt_u (local.get $r) (i32.const 10))))
        ;; words → doubles: (hi >>> 5)·2^26 + (lo >>> 6) is exact below 2^53, ·2^-53 exact.
        (local.set $x0 (i32x4.shr_u (local.get $x0) (i32.const 5)))
        (local.set $x1 (i32x4.shr_u (local.get $x1) (i32.const 6)))
        (local.set $x2 (i32x4.shr_u (local.get $x2) (i32.const 5)))
        (local.set $x3 (i32x4.shr_u (local.get $x3) (i32.const 6)))
        ;; lanes 0, 1
        (local.set $e (f64x2.mul (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_u (local.get $x0)) (v128.const f64x2 67108864 67108864))
                                            (f64x2.convert_low_i32x4_u (local.get $x1)))
                                 (v128.const f64x2 0x1p-53 0x1p-53)))
        (local.set $o (f64x2.mul (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_u (local.get $x2)) (v128.const f64x2 67108864 67108864))
                                            (f64x2.convert_low_i32x4_u (local.get $x3)))
                                 (v128.const f64x2 0x1p-53 0x1p-53)))
        (v128.store offset=0 (local.get $ptr) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $e) (local.get $o)))
        (v128.store offset=16 (local.get $ptr) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $e) (local.get $o)))
        ;; lanes 2, 3
        (local.set $x0 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x0) (local.get $x0)))
        (local.set $x1 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x1) (local.get $x1)))
        (local.set $x2 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x2) (local.get $x2)))
        (local.set $x3 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x3) (local.get $x3)))
        (local.set $e (f64x2.mul (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_u (local.get $x0)) (v128.const f64x2 67108864 67108864))
                                            (f64x2.convert_low_i32x4_u (local.get $x1)))
                                 (v128.const f64x2 0x1p-53 0x1p-53)))
        (local.set $o (f64x2.mul (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_u (local.get $x2)) (v128.const f64x2 67108864 67108864))
                                            (f64x2.convert_low_i32x4_u (local.get $x3)))
                                 (v128.const f64x2 0x1p-53 0x1p-53)))
        (v128.store offset=32 (local.get $ptr) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $e) (local.get $o)))
        (v128.store offset=48 (local.get $ptr) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $e) (local.get $o)))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 64)))
        ;; next four pairs, carrying into pairHi
        (local.set $phi (i32.add (local.get $phi)
                                 (i32.lt_u (i32.add (local.get $plo) (i32.const 4)) (local.get $plo))))
        (local.set $plo (i32.add (local.get $plo) (i32.const 4)))
        (br $quad)))
    ;; the remaining 0–3 pairs, one at a time
    (block $done
      (loop $pair
        (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
        (local.set $s0 (local.get $plo))
        (local.set $s1 (local.get $phi))
        (local.set $s2 (local.get $c2))
        (local.set $s3 (local.get $c3))
        (local.set $sa (local.get $k0))
        (local.set $sb (local.get $k1))
        (local.set $r (i32.const 0))
        (loop $round1
          (local.set $p0 (i64.mul (i64.const 0xd2511f53) (i64.extend_i32_u (local.get $s0))))
          (local.set $p1 (i64.mul (i64.const 0xcd9e8d57) (i64.extend_i32_u (local.get $s2))))
          (local.set $s0 (i32.xor (i32.xor (i32.wrap_i64 (i64.shr_u (local.get $p1) (i64.const 32))) (local.get $s1)) (local.get $sa)))
          (local.set $s1 (i32.wrap_i64 (local.get $p1)))
          (local.set $s2 (i32.xor (i32.xor (i32.wrap_i64 (i64.shr_u (local.get $p0) (i64.const 32))) (local.get $s3)) (local.get $sb)))
          (local.set $s3 (i32.wrap_i64 (local.get $p0)))
          (local.set $sa (i32.add (local.get $sa) (i32.const 0x9e3779b9)))
          (local.set $sb (i32.add (local.get $sb) (i32.const 0xbb67ae85)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br_if $round1 (i32.lt_u (local.get $r) (i32.const 10))))
        (f64.store offset=0 (local.get $ptr)
          (f64.mul (f64.add (f64.mul (f64.convert_i32_u (i32.shr_u (local.get $s0) (i32.const 5))) (f64.const 67108864))
                            (f64.convert_i32_u (i32.shr_u (local.get $s1) (i32.const 6))))
                   (f64.const 0x1p-53)))
        (f64.store offset=8 (local.get $ptr)
          (f64.mul (f64.add (f64.mul (f64.convert_i32_u (i32.shr_u (local.get $s2) (i32.const 5))) (f64.const 67108864))
                            (f64.convert_i32_u (i32.shr_u (local.get $s3) (i32.const 6))))
                   (f64.const 0x1p-53)))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 16)))
        (local.set $phi (i32.add (local.get $phi)
                                 (i32.eqz (i32.add (local.get $plo) (i32.const 1)))))
        (local.set $plo (i32.add (local.get $plo) (i32.const 1)))
        (br $pair))))


  ;; Central-region normal quantiles of doubles at byte 0 into byte 589824:
  ;; out[i] = mean + sd·Φ⁻¹(open(u[i])) where |open(u[i]) − 0.5| ≤ 0.425 (85% of values),
  ;; NaN elsewhere; the indices of those tails go to byte 1114112 (ascending; the last may
  ;; be n itself when n is odd) and their count is returned, for the caller to finish in
  ;; JS. The same operations, in the same order, as distribution/normal-quantile.ts
  ;; (openUniform, then AS 241's first branch, whose coefficients are written here as
  ;; hexadecimal floats: the exact doubles of A and B) and the sampler's mean + sd·z, so
  ;; every value is bit-identical. n ≤ 65,536. Four values per step (two SIMD vectors,
  ;; four independent Horner chains), then two.
  (func (export "normals") (param $n i32) (param $mean f64) (param $sd f64) (result i32)
    (local $i i32) (local $end i32) (local $end4 i32) (local $t i32) (local $k i32) (local $bits i32)
    (local $vm v128) (local $vs v128) (local $m v128)
    (local $q0 v128) (local $r0 v128) (local $a0 v128) (local $b0 v128)
    (local $q1 v128) (local $r1 v128) (local $a1 v128) (local $b1 v128)
    (local.set $vm (f64x2.splat (local.get $mean)))
    (local.set $vs (f64x2.splat (local.get $sd)))
    (local.set $end (i32.shl (i32.shr_u (i32.add (local.get $n) (i32.const 1)) (i32.const 1)) (i32.const 4)))
    (local.set $end4 (i32.shl (i32.shr_u (local.get $n) (i32.const 2)) (i32.const 5)))
    (block $done4
      (loop $quad
        (br_if $done4 (i32.ge_u (local.get $i) (local.get $end4)))
        ;; openUniform: (floor(u·2^52) + 0.5) / 2^52 — dividing by 2^52 is exact, so ·2^-52 is the same
        (local.set $q0 (f64x2.sub (f64x2.mul (f64x2.add (f64x2.floor (f64x2.mul (v128.load offset=0 (local.get $i)) (v128.const f64x2 0x1p+52 0x1p+52))) (v128.const f64x2 0.5 0.5)) (v128.const f64x2 0x1p-52 0x1p-52)) (v128.const f64x2 0.5 0.5)))
        (local.set $r0 (f64x2.sub (v128.const f64x2 0x1.71eb851eb851fp-3 0x1.71eb851eb851fp-3) (f64x2.mul (local.get $q0) (local.get $q0))))
        ;; openUniform: (floor(u·2^52) + 0.5) / 2^52 — dividing by 2^52 is exact, so ·2^-52 is the same
        (local.set $q1 (f64x2.sub (f64x2.mul (f64x2.add (f64x2.floor (f64x2.mul (v128.load offset=16 (local.get $i)) (v128.const f64x2 0x1p+52 0x1p+52))) (v128.const f64x2 0.5 0.5)) (v128.const f64x2 0x1p-52 0x1p-52)) (v128.const f64x2 0.5 0.5)))
        (local.set $r1 (f64x2.sub (v128.const f64x2 0x1.71eb851eb851fp-3 0x1.71eb851eb851fp-3) (f64x2.mul (local.get $q1) (local.get $q1))))
        (local.set $a0 (v128.const f64x2 0x1.39a296f7d925ep+11 0x1.39a296f7d925ep+11))
        (local.set $a1 (v128.const f64x2 0x1.39a296f7d925ep+11 0x1.39a296f7d925ep+11))
        (local.set $b0 (v128.const f64x2 0x1.46a7eca984b69p+12 0x1.46a7eca984b69p+12))
        (local.set $b1 (v128.const f64x2 0x1.46a7eca984b69p+12 0x1.46a7eca984b69p+12))
        (local.set $a0 (f64x2.add (f64x2.mul (local.get $a0) (local.get $r0)) (v128.const f64x2 0x1.052d26b2e45e4p+15 0x1.052d26b2e45e4p+15)))
        (local.set $a1 (f64x2.add (f64x2.mul (local.get $a1) (local.get $r1)) (v128.const f64x2 0x1.052d26b2e45e4p+15 0x1.052d26b2e45e4p+15)))
        (local.set $b0 (f64x2.add (f64x2.mul (local.get $b0) (local.get $r0)) (v128.const f64x2 0x1.c0e457cb1ae76p+14 0x1.c0e457cb1ae76p+14)))
        (local.set $b1 (f64x2.add (f64x2.mul (local.get $b1) (local.get $r1)) (v128.const f64x2 0x1.c0e457cb1ae76p+14 0x1.c0e457cb1ae76p+14)))
        (local.set $a0 (f64x2.add (f64x2.mul (local.get $a0) (local.get $r0)) (v128.const f64x2 0x1.06c1c55b78f20p+16 0x1.06c1c55b78f20p+16)))
        (local.set $a1 (f64x2.add (f64x2.mul (local.get $a1) (local.get $r1)) (v128.const f64x2 0x1.06c1c55b78f20p+16 0x1.06c1c55b78f20p+16)))
        (local.set $b0 (f64x2.add (f64x2.mul (local.get $b0) (local.get $r0)) (v128.const f64x2 0x1.3317caa64f4bep+15 0x1.3317caa64f4bep+15)))
        (local.set $b1 (f64x2.add (f64x2.mul (local.get $b1) (local.get $r1)) (v128.const f64x2 0x1.3317caa64f4bep+15 0x1.3317caa64f4bep+15)))
        (local.set $a0 (f64x2.add (f64x2.mul (local.get $a0) (local.get $r0)) (v128.const f64x2 0x1.66c3e869b752ap+15 0x1.66c3e869b752ap+15)))
        (local.set $a1 (f64x2.add (f64x2.mul (local.get $a1) (local.get $r1)) (v128.const f64x2 0x1.66c3e869b752ap+15 0x1.66c3e869b752ap+15)))
        (local.set $b0 (f64x2.add (f64x2.mul (local.get $b0) (local.get $r0)) (v128.const f64x2 0x1.4b772d5d65266p+14 0x1.4b772d5d65266p+14)))
        (local.set $b1 (f64x2.add (f64x2.mul (local.get $b1) (local.get $r1)) (v128.const f64x2 0x1.4b772d5d65266p+14 0x1.4b772d5d65266p+14)))
        (local.set $a0 (f64x2.add (f64x2.mul (local.get $a0) (local.get $r0)) (v128.const f64x2 0x1.ad1d8cd4ee71dp+13 0x1.ad1d8cd4ee71dp+13)))
        (local.set $a1 (f64x2.add (f64x2.mul (local.get $a1) (local.get $r1)) (v128.const f64x2 0x1.ad1d8cd4ee71dp+13 0x1.ad1d8cd4ee71dp+13)))
        (local.set $b0 (f64x2.add (f64x2.mul (local.get $b0) (local.get $r0)) (v128.const f64x2 0x1.512322e75c89fp+12 0x1.512322e75c89fp+12)))
        (local.set $b1 (f64x2.add (f64x2.mul (local.get $b1) (local.get $r1)) (v128.const f64x2 0x1.512322e75c89fp+12 0x1.512322e75c89fp+12)))
        (local.set $a0 (f64x2.add (f64x2.mul (local.get $a0) (local.get $r0)) (v128.const f64x2 0x1.ece5d2213c0ccp+10 0x1.ece5d2213c0ccp+10)))
        (local.set $a1 (f64x2.add (f64x2.mul (local.get $a1) (local.get $r1)) (v128.const f64x2 0x1.ece5d2213c0ccp+10 0x1.ece5d2213c0ccp+10)))
        (local.set $b0 (f64x2.add (f64x2.mul (local.get $b0) (local.get $r0)) (v128.const f64x2 0x1.5797efdc8b3f7p+9 0x1.5797efdc8b3f7p+9)))
        (local.set $b1 (f64x2.add (f64x2.mul (local.get $b1) (local.get $r1)) (v128.const f64x2 0x1.5797efdc8b3f7p+9 0x1.5797efdc8b3f7p+9)))
        (local.set $a0 (f64x2.add (f64x2.mul (local.get $a0) (local.get $r0)) (v128.const f64x2 0x1.0a4888b1a436ep+7 0x1.0a4888b1a436ep+7)))
        (local.set $a1 (f64x2.add (f64x2.mul (local.get $a1) (local.get $r1)) (v128.const f64x2 0x1.0a4888b1a436ep+7 0x1.0a4888b1a436ep+7)))
        (local.set $b0 (f64x2.add (f64x2.mul (local.get $b0) (local.get $r0)) (v128.const f64x2 0x1.5281b386e1ab5p+5 0x1.5281b386e1ab5p+5)))
        (local.set $b1 (f64x2.add (f64x2.mul (local.get $b1) (local.get $r1)) (v128.const f64x2 0x1.5281b386e1ab5p+5 0x1.5281b386e1ab5p+5)))
        (local.set $a0 (f64x2.add (f64x2.mul (local.get $a0) (local.get $r0)) (v128.const f64x2 0x1.b18d91e9eef75p+1 0x1.b18d91e9eef75p+1)))
        (local.set $a1 (f64x2.add (f64x2.mul (local.get $a1) (local.get $r1)) (v128.const f64x2 0x1.b18d91e9eef75p+1 0x1.b18d91e9eef75p+1)))
        (local.set $b0 (f64x2.add (f64x2.mul (local.get $b0) (local.get $r0)) (v128.const f64x2 0x1p+0 0x1p+0)))
        (local.set $b1 (f64x2.add (f64x2.mul (local.get $b1) (local.get $r1)) (v128.const f64x2 0x1p+0 0x1p+0)))
        (local.set $m (f64x2.le (f64x2.abs (local.get $q0)) (v128.const f64x2 0x1.b333333333333p-2 0x1.b333333333333p-2)))
        (v128.store offset=589824 (local.get $i)
          (v128.bitselect (f64x2.add (local.get $vm) (f64x2.mul (local.get $vs) (f64x2.div (f64x2.mul (local.get $q0) (local.get $a0)) (local.get $b0))))
                          (v128.const i64x2 0x7ff8000000000000 0x7ff8000000000000) (local.get $m)))
        ;; tail indices, branch-free: always store, advance only past a tail
        (local.set $bits (i64x2.bitmask (local.get $m)))
        (local.set $k (i32.shr_u (i32.add (local.get $i) (i32.const 0)) (i32.const 3)))
        (i32.store offset=1114112 (local.get $t) (local.get $k))
        (local.set $t (i32.add (local.get $t) (i32.shl (i32.xor (i32.and (local.get $bits) (i32.const 1)) (i32.const 1)) (i32.const 2))))
        (i32.store offset=1114112 (local.get $t) (i32.add (local.get $k) (i32.const 1)))
        (local.set $t (i32.add (local.get $t) (i32.shl (i32.xor (i32.shr_u (local.get $bits) (i32.const 1)) (i32.const 1)) (i32.const 2))))
        (local.set $m (f64x2.le (f64x2.abs (local.get $q1)) (v128.const f64x2 0x1.b333333333333p-2 0x1.b333333333333p-2)))
        (v128.store offset=589840 (local.get $i)
          (v128.bitselect (f64x2.add (local.get $vm) (f64x2.mul (local.get $vs) (f64x2.div (f64x2.mul (local.get $q1) (local.get $a1)) (local.get $b1))))
                          (v128.const i64x2 0x7ff8000000000000 0x7ff8000000000000) (local.get $m)))
        ;; tail indices, branch-free: always store, advance only past a tail
        (local.set $bits (i64x2.bitmask (local.get $m)))
        (local.set $k (i32.shr_u (i32.add (local.get $i) (i32.const 16)) (i32.const 3)))
        (i32.store offset=1114112 (local.get $t) (local.get $k))
        (local.set $t (i32.add (local.get $t) (i32.shl (i32.xor (i32.and (local.get $bits) (i32.const 1)) (i32.const 1)) (i32.const 2))))
        (i32.store offset=1114112 (local.get $t) (i32.add (local.get $k) (i32.const 1)))
        (local.set $t (i32.add (local.get $t) (i32.shl (i32.xor (i32.shr_u (local.get $bits) (i32.const 1)) (i32.const 1)) (i32.const 2))))
        (local.set $i (i32.add (local.get $i) (i32.const 32)))
        (br $quad)))
    (block $done
      (loop $pair
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        ;; openUniform: (floor(u·2^52) + 0.5) / 2^52 — dividing by 2^52 is exact, so ·2^-52 is the same
        (local.set $q0 (f64x2.sub (f64x2.mul (f64x2.add (f64x2.floor (f64x2.mul (v128.load offset=0 (local.get $i)) (v128.const f64x2 0x1p+52 0x1p+52))) (v128.const f64x2 0.5 0.5)) (v128.const f64x2 0x1p-52 0x1p-52)) (v128.const f64x2 0.5 0.5)))
        (local.set $r0 (f64x2.sub (v128.const f64x2 0x1.71eb851eb851fp-3 0x1.71eb851eb851fp-3) (f64x2.mul (local.get $q0) (local.get $q0))))
        (local.set $a0 (v128.const f64x2 0x1.39a296f7d925ep+11 0x1.39a296f7d925ep+11))
        (local.set $b0 (v128.const f64x2 0x1.46a7eca984b69p+12 0x1.46a7eca984b69p+12))
        (local.set $a0 (f64x2.add (f64x2.mul (local.get $a0) (local.get $r0)) (v128.const f64x2 0x1.052d26b2e45e4p+15 0x1.052d26b2e45e4p+15)))
        (local.set $b0 (f64x2.add (f64x2.mul (local.get $b0) (local.get $r0)) (v128.const f64x2 0x1.c0e457cb1ae76p+14 0x1.c0e457cb1ae76p+14)))
        (local.set $a0 (f64x2.add (f64x2.mul (local.get $a0) (local.get $r0)) (v128.const f64x2 0x1.06c1c55b78f20p+16 0x1.06c1c55b78f20p+16)))
        (local.set $b0 (f64x2.add (f64x2.mul (local.get $b0) (local.get $r0)) (v128.const f64x2 0x1.3317caa64f4bep+15 0x1.3317caa64f4bep+15)))
        (local.set $a0 (f64x2.add (f64x2.mul (local.get $a0) (local.get $r0)) (v128.const f64x2 0x1.66c3e869b752ap+15 0x1.66c3e869b752ap+15)))
        (local.set $b0 (f64x2.add (f64x2.mul (local.get $b0) (local.get $r0)) (v128.const f64x2 0x1.4b772d5d65266p+14 0x1.4b772d5d65266p+14)))
        (local.set $a0 (f64x2.add (f64x2.mul (local.get $a0) (local.get $r0)) (v128.const f64x2 0x1.ad1d8cd4ee71dp+13 0x1.ad1d8cd4ee71dp+13)))
        (local.set $b0 (f64x2.add (f64x2.mul (local.get $b0) (local.get $r0)) (v128.const f64x2 0x1.512322e75c89fp+12 0x1.512322e75c89fp+12)))
        (local.set $a0 (f64x2.add (f64x2.mul (local.get $a0) (local.get $r0)) (v128.const f64x2 0x1.ece5d2213c0ccp+10 0x1.ece5d2213c0ccp+10)))
        (local.set $b0 (f64x2.add (f64x2.mul (local.get $b0) (local.get $r0)) (v128.const f64x2 0x1.5797efdc8b3f7p+9 0x1.5797efdc8b3f7p+9)))
        (local.set $a0 (f64x2.add (f64x2.mul (local.get $a0) (local.get $r0)) (v128.const f64x2 0x1.0a4888b1a436ep+7 0x1.0a4888b1a436ep+7)))
        (local.set $b0 (f64x2.add (f64x2.mul (local.get $b0) (local.get $r0)) (v128.const f64x2 0x1.5281b386e1ab5p+5 0x1.5281b386e1ab5p+5)))
        (local.set $a0 (f64x2.add (f64x2.mul (local.get $a0) (local.get $r0)) (v128.const f64x2 0x1.b18d91e9eef75p+1 0x1.b18d91e9eef75p+1)))
        (local.set $b0 (f64x2.add (f64x2.mul (local.get $b0) (local.get $r0)) (v128.const f64x2 0x1p+0 0x1p+0)))
        (local.set $m (f64x2.le (f64x2.abs (local.get $q0)) (v128.const f64x2 0x1.b333333333333p-2 0x1.b333333333333p-2)))
        (v128.store offset=589824 (local.get $i)
          (v128.bitselect (f64x2.add (local.get $vm) (f64x2.mul (local.get $vs) (f64x2.div (f64x2.mul (local.get $q0) (local.get $a0)) (local.get $b0))))
                          (v128.const i64x2 0x7ff8000000000000 0x7ff8000000000000) (local.get $m)))
        ;; tail indices, branch-free: always store, advance only past a tail
        (local.set $bits (i64x2.bitmask (local.get $m)))
        (local.set $k (i32.shr_u (i32.add (local.get $i) (i32.const 0)) (i32.const 3)))
        (i32.store offset=1114112 (local.get $t) (local.get $k))
        (local.set $t (i32.add (local.get $t) (i32.shl (i32.xor (i32.and (local.get $bits) (i32.const 1)) (i32.const 1)) (i32.const 2))))
        (i32.store offset=1114112 (local.get $t) (i32.add (local.get $k) (i32.const 1)))
        (local.set $t (i32.add (local.get $t) (i32.shl (i32.xor (i32.shr_u (local.get $bits) (i32.const 1)) (i32.const 1)) (i32.const 2))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $pair)))
    (i32.shr_u (local.get $t) (i32.const 2)))
;; min + u·span for the n doubles at byte 0, into byte 589824: the uniform kernel's
  ;; expression (distribution/block.ts), the same IEEE product then sum, so every value is
  ;; bit-identical; compiled at once, it runs at full speed from a worker's first shard,
  ;; where the JS loop starts interpreted. n ≤ 65,536; two values per step (an odd n
  ;; computes one lane past the end, which nobody reads).
  (func (export "affine") (param $n i32) (param $min f64) (param $span f64)
    (local $i i32) (local $end i32) (local $vm v128) (local $vs v128)
    (local.set $vm (f64x2.splat (local.get $min)))
    (local.set $vs (f64x2.splat (local.get $span)))
    (local.set $end (i32.shl (i32.shr_u (i32.add (local.get $n) (i32.const 1)) (i32.const 1)) (i32.const 4)))
    (block $done
      (loop $pair
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (v128.store offset=589824 (local.get $i) (f64x2.add (local.get $vm) (f64x2.mul (v128.load offset=0 (local.get $i)) (local.get $vs))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $pair))))
)
