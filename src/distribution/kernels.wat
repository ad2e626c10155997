;; The transcendental parts of the stochastic block kernels in WebAssembly: exp for the
;; lognormal distribution, log1p for the exponential one.
;;
;; Source of src/distribution/kernels-wasm-bytes.ts (`npm run build:wasm` compiles it with
;; wabt; test/prng-fast.test.ts checks that the committed bytes match this text and that
;; every value equals its JS expression).
;;
;; JavaScript's Math.exp and Math.log1p are, in the V8 of Node 20, fdlibm's exp and log1p
;; (Sun Microsystems' freely distributable libm, as FreeBSD's msun keeps it). These kernels
;; are those algorithms, with their coefficients and the same IEEE operations in the same
;; order, two values per SIMD vector: each branch of the scalar code is computed for both
;; lanes and the lane's own branch selected, so every value is bit for bit what the JS
;; expression gives. Inputs outside the ranges handled here (tiny, huge or special values,
;; and log1p's |f| < 2^-20 case: a few per million) are listed as "tails" for the caller
;; to finish with the JS expression itself.
;;
;; fdlibm notice: Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
;; Developed at SunSoft, a Sun Microsystems, Inc. business. Permission to use, copy,
;; modify, and distribute this software is freely granted, provided that this notice is
;; preserved.
;;
;; Memory: the Philox module's (philox.wat), shared: input doubles at one of its areas,
;; output at another, tail indices at byte 1114112. n ≤ 65,536; an odd n computes one lane
;; past the end, whose tail index (n itself) the caller drops.
(module
  (import "philox" "memory" (memory 21 21))

  ;; exp(x) of the n doubles at byte 589824, into byte 0 (the lognormal kernel's last step).
  ;; Tails: |x| < 2^-28, |x| ≥ 512 (beyond that fdlibm over- or underflows or scales
  ;; twice), x = 1 (V8 returns the double nearest e there), NaN.
  (func (export "exps") (param $n i32) (result i32)
    (local $i i32) (local $end i32) (local $t i32) (local $bits i32) (local $k0 i32)
    (local $x v128) (local $ax v128) (local $neg v128) (local $inA v128) (local $inB v128)
    (local $tk v128) (local $hi v128) (local $lo v128) (local $r v128) (local $tt v128) (local $c v128) (local $q v128)
    (local $twopk v128)
    (local.set $end (i32.shl (i32.shr_u (i32.add (local.get $n) (i32.const 1)) (i32.const 1)) (i32.const 4)))
    (block $done
      (loop $pair
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (v128.load offset=589824 (local.get $i)))
        ;; the high word of |x|, in each i64 lane
        (local.set $ax (v128.and (i64x2.shr_s (local.get $x) (i32.const 32)) (v128.const i64x2 0x7fffffff 0x7fffffff)))
        (local.set $neg (f64x2.lt (local.get $x) (v128.const f64x2 0 0)))
        ;; |x| ≤ 0.5·ln2: k = 0; |x| < 1.5·ln2: k = ±1; else k = (int)(x/ln2 ± 0.5)
        (local.set $inA (i64x2.le_s (local.get $ax) (v128.const i64x2 0x3fd62e42 0x3fd62e42)))
        (local.set $inB (i64x2.lt_s (local.get $ax) (v128.const i64x2 0x3ff0a2b2 0x3ff0a2b2)))
        (local.set $tk (f64x2.trunc (f64x2.add (f64x2.mul (v128.const f64x2 0x1.71547652b82fep+0 0x1.71547652b82fep+0) (local.get $x))
                                               (v128.bitselect (v128.const f64x2 -0.5 -0.5) (v128.const f64x2 0.5 0.5) (local.get $neg)))))
        (local.set $hi (v128.bitselect
          (f64x2.sub (local.get $x) (v128.bitselect (v128.const f64x2 -0x1.62e42feep-1 -0x1.62e42feep-1) (v128.const f64x2 0x1.62e42feep-1 0x1.62e42feep-1) (local.get $neg)))
          (f64x2.sub (local.get $x) (f64x2.mul (local.get $tk) (v128.const f64x2 0x1.62e42feep-1 0x1.62e42feep-1)))
          (local.get $inB)))
        (local.set $lo (v128.bitselect
          (v128.bitselect (v128.const f64x2 -0x1.a39ef35793c76p-33 -0x1.a39ef35793c76p-33) (v128.const f64x2 0x1.a39ef35793c76p-33 0x1.a39ef35793c76p-33) (local.get $neg))
          (f64x2.mul (local.get $tk) (v128.const f64x2 0x1.a39ef35793c76p-33 0x1.a39ef35793c76p-33))
          (local.get $inB)))
        (local.set $tk (v128.bitselect
          (v128.bitselect (v128.const f64x2 -1 -1) (v128.const f64x2 1 1) (local.get $neg))
          (local.get $tk)
          (local.get $inB)))
        (local.set $r (v128.bitselect (local.get $x) (f64x2.sub (local.get $hi) (local.get $lo)) (local.get $inA)))
        (local.set $tt (f64x2.mul (local.get $r) (local.get $r)))
        ;; c = r − t·(P1 + t·(P2 + t·(P3 + t·(P4 + t·P5))))
        (local.set $c (f64x2.add (v128.const f64x2 -0x1.bbd41c5d26bf1p-20 -0x1.bbd41c5d26bf1p-20) (f64x2.mul (local.get $tt) (v128.const f64x2 0x1.6376972bea4d0p-25 0x1.6376972bea4d0p-25))))
        (local.set $c (f64x2.add (v128.const f64x2 0x1.1566aaf25de2cp-14 0x1.1566aaf25de2cp-14) (f64x2.mul (local.get $tt) (local.get $c))))
        (local.set $c (f64x2.add (v128.const f64x2 -0x1.6c16c16bebd93p-9 -0x1.6c16c16bebd93p-9) (f64x2.mul (local.get $tt) (local.get $c))))
        (local.set $c (f64x2.add (v128.const f64x2 0x1.555555555553ep-3 0x1.555555555553ep-3) (f64x2.mul (local.get $tt) (local.get $c))))
        (local.set $c (f64x2.sub (local.get $r) (f64x2.mul (local.get $tt) (local.get $c))))
        ;; q = r·c/(c − 2); fdlibm's (r·c)/(2 − c) is −q exactly (IEEE rounding is symmetric)
        (local.set $q (f64x2.div (f64x2.mul (local.get $r) (local.get $c)) (f64x2.sub (local.get $c) (v128.const f64x2 2 2))))
        ;; 2^k: k + 1023 in the exponent field
        (local.set $twopk (i64x2.add (i64x2.shl (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $tk))) (i32.const 52))
                                     (v128.const i64x2 0x3ff0000000000000 0x3ff0000000000000)))
        (v128.store (local.get $i)
          (v128.bitselect
            ;; k = 0: 1 − (r·c/(c − 2) − r)
            (f64x2.sub (v128.const f64x2 1 1) (f64x2.sub (local.get $q) (local.get $r)))
            ;; else (1 − ((lo − r·c/(2 − c)) − hi))·2^k
            (f64x2.mul (f64x2.sub (v128.const f64x2 1 1) (f64x2.sub (f64x2.add (local.get $lo) (local.get $q)) (local.get $hi))) (local.get $twopk))
            (local.get $inA)))
        ;; tail indices, branch-free: always store, advance only past a tail
        (local.set $bits (i64x2.bitmask (v128.or (v128.or (i64x2.lt_s (local.get $ax) (v128.const i64x2 0x3e300000 0x3e300000))
                                                (i64x2.ge_s (local.get $ax) (v128.const i64x2 0x40800000 0x40800000)))
                                       (f64x2.eq (local.get $x) (v128.const f64x2 1 1)))))
        (local.set $k0 (i32.shr_u (local.get $i) (i32.const 3)))
        (i32.store offset=1114112 (local.get $t) (local.get $k0))
        (local.set $t (i32.add (local.get $t) (i32.shl (i32.and (local.get $bits) (i32.const 1)) (i32.const 2))))
        (i32.store offset=1114112 (local.get $t) (i32.add (local.get $k0) (i32.const 1)))
        (local.set $t (i32.add (local.get $t) (i32.shl (i32.shr_u (local.get $bits) (i32.const 1)) (i32.const 2))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $pair)))
    (i32.shr_u (local.get $t) (i32.const 2)))

  ;; −log1p(−u)·inv of the n doubles u at byte 0, into byte 589824: the exponential
  ;; distribution's inversion. x = −u lies in (−1, 0]. Tails: |x| < 2^-29 (u = 0 among
  ;; them) and log1p's |f| < 2^-20 case.
  (func (export "exponentials") (param $n i32) (param $inv f64) (result i32)
    (local $i i32) (local $end i32) (local $t i32) (local $bits i32) (local $k0 i32)
    (local $x v128) (local $hx v128) (local $inA v128) (local $u v128) (local $hu v128) (local $k v128) (local $c v128)
    (local $big v128) (local $f v128) (local $hfsq v128) (local $s v128) (local $z v128) (local $R v128) (local $kd v128)
    (local $vinv v128)
    (local.set $vinv (f64x2.splat (local.get $inv)))
    (local.set $end (i32.shl (i32.shr_u (i32.add (local.get $n) (i32.const 1)) (i32.const 1)) (i32.const 4)))
    (block $done
      (loop $pair
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (f64x2.neg (v128.load (local.get $i))))
        ;; the high word of x, sign-extended, in each i64 lane
        (local.set $hx (i64x2.shr_s (local.get $x) (i32.const 32)))
        ;; sqrt(2)/2 ≤ 1 + x: k = 0, f = x (fdlibm's hx <= 0xbfd2bec4, as a signed word)
        (local.set $inA (i64x2.le_s (local.get $hx) (v128.const i64x2 0xffffffffbfd2bec4 0xffffffffbfd2bec4)))
        ;; else u = 1 + x, k its exponent, c the correction (x − (u − 1))/u (k < 0 here)
        (local.set $u (f64x2.add (v128.const f64x2 1 1) (local.get $x)))
        (local.set $hu (i64x2.shr_s (local.get $u) (i32.const 32)))
        (local.set $k (i64x2.sub (i64x2.shr_s (local.get $hu) (i32.const 20)) (v128.const i64x2 1023 1023)))
        (local.set $c (f64x2.div (f64x2.sub (local.get $x) (f64x2.sub (local.get $u) (v128.const f64x2 1 1))) (local.get $u)))
        (local.set $hu (v128.and (local.get $hu) (v128.const i64x2 0x000fffff 0x000fffff)))
        ;; u normalized into [sqrt(2)/2, sqrt(2)): u or u/2 (then k + 1, hu = (0x100000 − hu) >> 2)
        (local.set $big (i64x2.ge_s (local.get $hu) (v128.const i64x2 0x6a09e 0x6a09e)))
        (local.set $u (v128.or (v128.and (local.get $u) (v128.const i64x2 0xffffffff 0xffffffff))
                               (i64x2.shl (v128.or (local.get $hu) (v128.bitselect (v128.const i64x2 0x3fe00000 0x3fe00000) (v128.const i64x2 0x3ff00000 0x3ff00000) (local.get $big))) (i32.const 32))))
        (local.set $k (i64x2.sub (local.get $k) (local.get $big)))
        (local.set $hu (v128.bitselect (i64x2.shr_s (i64x2.sub (v128.const i64x2 0x00100000 0x00100000) (local.get $hu)) (i32.const 2)) (local.get $hu) (local.get $big)))
        (local.set $f (v128.bitselect (local.get $x) (f64x2.sub (local.get $u) (v128.const f64x2 1 1)) (local.get $inA)))
        (local.set $hfsq (f64x2.mul (f64x2.mul (v128.const f64x2 0.5 0.5) (local.get $f)) (local.get $f)))
        (local.set $s (f64x2.div (local.get $f) (f64x2.add (v128.const f64x2 2 2) (local.get $f))))
        (local.set $z (f64x2.mul (local.get $s) (local.get $s)))
        ;; R = z·(Lp1 + z·(Lp2 + … + z·Lp7))
        (local.set $R (f64x2.add (v128.const f64x2 0x1.39a09d078c69fp-3 0x1.39a09d078c69fp-3) (f64x2.mul (local.get $z) (v128.const f64x2 0x1.2f112df3e5244p-3 0x1.2f112df3e5244p-3))))
        (local.set $R (f64x2.add (v128.const f64x2 0x1.7466496cb03dep-3 0x1.7466496cb03dep-3) (f64x2.mul (local.get $z) (local.get $R))))
        (local.set $R (f64x2.add (v128.const f64x2 0x1.c71c51d8e78afp-3 0x1.c71c51d8e78afp-3) (f64x2.mul (local.get $z) (local.get $R))))
        (local.set $R (f64x2.add (v128.const f64x2 0x1.2492494229359p-2 0x1.2492494229359p-2) (f64x2.mul (local.get $z) (local.get $R))))
        (local.set $R (f64x2.add (v128.const f64x2 0x1.999999997fa04p-2 0x1.999999997fa04p-2) (f64x2.mul (local.get $z) (local.get $R))))
        (local.set $R (f64x2.add (v128.const f64x2 0x1.5555555555593p-1 0x1.5555555555593p-1) (f64x2.mul (local.get $z) (local.get $R))))
        (local.set $R (f64x2.mul (local.get $z) (local.get $R)))
        ;; k as a double: the low words of its i64 lanes (small integers) converted
        (local.set $kd (f64x2.convert_low_i32x4_s (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (local.get $k) (local.get $k))))
        (v128.store offset=589824 (local.get $i)
          (f64x2.mul
            (f64x2.neg
              (v128.bitselect
                ;; k = 0: f − (hfsq − s·(hfsq + R))
                (f64x2.sub (local.get $f) (f64x2.sub (local.get $hfsq) (f64x2.mul (local.get $s) (f64x2.add (local.get $hfsq) (local.get $R)))))
                ;; else k·ln2_hi − ((hfsq − (s·(hfsq + R) + (k·ln2_lo + c))) − f)
                (f64x2.sub (f64x2.mul (local.get $kd) (v128.const f64x2 0x1.62e42feep-1 0x1.62e42feep-1))
                           (f64x2.sub (f64x2.sub (local.get $hfsq)
                                                 (f64x2.add (f64x2.mul (local.get $s) (f64x2.add (local.get $hfsq) (local.get $R)))
                                                            (f64x2.add (f64x2.mul (local.get $kd) (v128.const f64x2 0x1.a39ef35793c76p-33 0x1.a39ef35793c76p-33)) (local.get $c))))
                                      (local.get $f)))
                (local.get $inA)))
            (local.get $vinv)))
        ;; tail indices, branch-free: always store, advance only past a tail
        (local.set $bits (i64x2.bitmask (v128.or (i64x2.lt_s (v128.and (local.get $hx) (v128.const i64x2 0x7fffffff 0x7fffffff)) (v128.const i64x2 0x3e200000 0x3e200000))
                                       (v128.andnot (i64x2.eq (local.get $hu) (v128.const i64x2 0 0)) (local.get $inA)))))
        (local.set $k0 (i32.shr_u (local.get $i) (i32.const 3)))
        (i32.store offset=1114112 (local.get $t) (local.get $k0))
        (local.set $t (i32.add (local.get $t) (i32.shl (i32.and (local.get $bits) (i32.const 1)) (i32.const 2))))
        (i32.store offset=1114112 (local.get $t) (i32.add (local.get $k0) (i32.const 1)))
        (local.set $t (i32.add (local.get $t) (i32.shl (i32.shr_u (local.get $bits) (i32.const 1)) (i32.const 2))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $pair)))
    (i32.shr_u (local.get $t) (i32.const 2)))
)
