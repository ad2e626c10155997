;; The transcendental parts of the stochastic block kernels in WebAssembly: exp for the
;; lognormal distribution, log1p for the exponential one, log for the tails of the normal
;; quantile (normal and lognormal).
;;
;; Source of src/distribution/kernels-wasm-bytes.ts (`npm run build:wasm` compiles it with
;; wabt; test/prng-fast.test.ts checks that the committed bytes match this text and that
;; every value equals its JS expression).
;;
;; JavaScript's Math.exp, Math.log and Math.log1p are, in the V8 of Node 20, fdlibm's
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

  ;; The constants, as mutable globals: V8 rebuilds a v128.const from immediates at each use
  ;; inside a loop (three instructions), where a global is one load. Names as in fdlibm
  ;; (exp's P1–P5, log's Lg1–Lg7, which log1p's Lp1–Lp7 equal) and AS 241 (C, D); wN is the
  ;; 32-bit word N in every lane.
  (global $w7fffffff (mut v128) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))
  (global $zero (mut v128) (v128.const f64x2 0 0))
  (global $w3fd62e42 (mut v128) (v128.const i32x4 0x3fd62e42 0x3fd62e42 0x3fd62e42 0x3fd62e42))
  (global $w3ff0a2b2 (mut v128) (v128.const i32x4 0x3ff0a2b2 0x3ff0a2b2 0x3ff0a2b2 0x3ff0a2b2))
  (global $invln2 (mut v128) (v128.const f64x2 0x1.71547652b82fep+0 0x1.71547652b82fep+0))
  (global $minusHalf (mut v128) (v128.const f64x2 -0.5 -0.5))
  (global $half (mut v128) (v128.const f64x2 0.5 0.5))
  (global $minusLn2hi (mut v128) (v128.const f64x2 -0x1.62e42feep-1 -0x1.62e42feep-1))
  (global $ln2hi (mut v128) (v128.const f64x2 0x1.62e42feep-1 0x1.62e42feep-1))
  (global $minusLn2lo (mut v128) (v128.const f64x2 -0x1.a39ef35793c76p-33 -0x1.a39ef35793c76p-33))
  (global $ln2lo (mut v128) (v128.const f64x2 0x1.a39ef35793c76p-33 0x1.a39ef35793c76p-33))
  (global $minusOne (mut v128) (v128.const f64x2 -1 -1))
  (global $one (mut v128) (v128.const f64x2 1 1))
  (global $P4 (mut v128) (v128.const f64x2 -0x1.bbd41c5d26bf1p-20 -0x1.bbd41c5d26bf1p-20))
  (global $P5 (mut v128) (v128.const f64x2 0x1.6376972bea4d0p-25 0x1.6376972bea4d0p-25))
  (global $P3 (mut v128) (v128.const f64x2 0x1.1566aaf25de2cp-14 0x1.1566aaf25de2cp-14))
  (global $P2 (mut v128) (v128.const f64x2 -0x1.6c16c16bebd93p-9 -0x1.6c16c16bebd93p-9))
  (global $P1 (mut v128) (v128.const f64x2 0x1.555555555553ep-3 0x1.555555555553ep-3))
  (global $two (mut v128) (v128.const f64x2 2 2))
  (global $exponentOne (mut v128) (v128.const i64x2 0x3ff0000000000000 0x3ff0000000000000))
  (global $w3e300000 (mut v128) (v128.const i32x4 0x3e300000 0x3e300000 0x3e300000 0x3e300000))
  (global $w407fffff (mut v128) (v128.const i32x4 0x407fffff 0x407fffff 0x407fffff 0x407fffff))
  (global $wbfd2bec4 (mut v128) (v128.const i32x4 0xbfd2bec4 0xbfd2bec4 0xbfd2bec4 0xbfd2bec4))
  (global $w1023 (mut v128) (v128.const i32x4 1023 1023 1023 1023))
  (global $w000fffff (mut v128) (v128.const i32x4 0x000fffff 0x000fffff 0x000fffff 0x000fffff))
  (global $w6a09d (mut v128) (v128.const i32x4 0x6a09d 0x6a09d 0x6a09d 0x6a09d))
  (global $lowWords (mut v128) (v128.const i64x2 0xffffffff 0xffffffff))
  (global $w3fe00000 (mut v128) (v128.const i32x4 0x3fe00000 0x3fe00000 0x3fe00000 0x3fe00000))
  (global $w3ff00000 (mut v128) (v128.const i32x4 0x3ff00000 0x3ff00000 0x3ff00000 0x3ff00000))
  (global $highWords (mut v128) (v128.const i64x2 0xffffffff00000000 0xffffffff00000000))
  (global $w00100000 (mut v128) (v128.const i32x4 0x00100000 0x00100000 0x00100000 0x00100000))
  (global $Lg6 (mut v128) (v128.const f64x2 0x1.39a09d078c69fp-3 0x1.39a09d078c69fp-3))
  (global $Lg7 (mut v128) (v128.const f64x2 0x1.2f112df3e5244p-3 0x1.2f112df3e5244p-3))
  (global $Lg5 (mut v128) (v128.const f64x2 0x1.7466496cb03dep-3 0x1.7466496cb03dep-3))
  (global $Lg4 (mut v128) (v128.const f64x2 0x1.c71c51d8e78afp-3 0x1.c71c51d8e78afp-3))
  (global $Lg3 (mut v128) (v128.const f64x2 0x1.2492494229359p-2 0x1.2492494229359p-2))
  (global $Lg2 (mut v128) (v128.const f64x2 0x1.999999997fa04p-2 0x1.999999997fa04p-2))
  (global $Lg1 (mut v128) (v128.const f64x2 0x1.5555555555593p-1 0x1.5555555555593p-1))
  (global $w3e200000 (mut v128) (v128.const i32x4 0x3e200000 0x3e200000 0x3e200000 0x3e200000))
  (global $w0 (mut v128) (v128.const i32x4 0 0 0 0))
  (global $two52 (mut v128) (v128.const f64x2 0x1p+52 0x1p+52))
  (global $twoMinus52 (mut v128) (v128.const f64x2 0x1p-52 0x1p-52))
  (global $w95f64 (mut v128) (v128.const i32x4 0x95f64 0x95f64 0x95f64 0x95f64))
  (global $w100000 (mut v128) (v128.const i32x4 0x100000 0x100000 0x100000 0x100000))
  (global $w2 (mut v128) (v128.const i32x4 2 2 2 2))
  (global $w3 (mut v128) (v128.const i32x4 3 3 3 3))
  (global $w6147a (mut v128) (v128.const i32x4 0x6147a 0x6147a 0x6147a 0x6147a))
  (global $w6b851 (mut v128) (v128.const i32x4 0x6b851 0x6b851 0x6b851 0x6b851))
  (global $five (mut v128) (v128.const f64x2 5 5))
  (global $onePointSix (mut v128) (v128.const f64x2 0x1.999999999999ap+0 0x1.999999999999ap+0))
  (global $C7 (mut v128) (v128.const f64x2 0x1.9615ac0b7ace9p-11 0x1.9615ac0b7ace9p-11))
  (global $C6 (mut v128) (v128.const f64x2 0x1.744eb6c45ec67p-6 0x1.744eb6c45ec67p-6))
  (global $C5 (mut v128) (v128.const f64x2 0x1.ef2abb9b85c37p-3 0x1.ef2abb9b85c37p-3))
  (global $C4 (mut v128) (v128.const f64x2 0x1.453cc085375b2p+0 0x1.453cc085375b2p+0))
  (global $C3 (mut v128) (v128.const f64x2 0x1.d2ecb1a3d02c4p+1 0x1.d2ecb1a3d02c4p+1))
  (global $C2 (mut v128) (v128.const f64x2 0x1.713f71462256ap+2 0x1.713f71462256ap+2))
  (global $C1 (mut v128) (v128.const f64x2 0x1.2857748cab19bp+2 0x1.2857748cab19bp+2))
  (global $C0 (mut v128) (v128.const f64x2 0x1.6c665fde9526ap+0 0x1.6c665fde9526ap+0))
  (global $D7 (mut v128) (v128.const f64x2 0x1.20d3f686439e4p-30 0x1.20d3f686439e4p-30))
  (global $D6 (mut v128) (v128.const f64x2 0x1.1f18cbfdf2728p-11 0x1.1f18cbfdf2728p-11))
  (global $D5 (mut v128) (v128.const f64x2 0x1.f207a7eab17bfp-7 0x1.f207a7eab17bfp-7))
  (global $D4 (mut v128) (v128.const f64x2 0x1.2f5123394f040p-3 0x1.2f5123394f040p-3))
  (global $D3 (mut v128) (v128.const f64x2 0x1.61292f23385c9p-1 0x1.61292f23385c9p-1))
  (global $D2 (mut v128) (v128.const f64x2 0x1.ad278e6526633p+0 0x1.ad278e6526633p+0))
  (global $D1 (mut v128) (v128.const f64x2 0x1.06cefbb46a449p+1 0x1.06cefbb46a449p+1))
  (global $D0 (mut v128) (v128.const f64x2 0x1p+0 0x1p+0))

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
        ;; the high word of |x| in both i32 lanes of its double
        (local.set $ax (v128.and (i8x16.shuffle 4 5 6 7 4 5 6 7 12 13 14 15 12 13 14 15 (local.get $x) (local.get $x)) (global.get $w7fffffff)))
        (local.set $neg (f64x2.lt (local.get $x) (global.get $zero)))
        ;; |x| ≤ 0.5·ln2: k = 0 ($inA holds its negation); |x| < 1.5·ln2: k = ±1; else k = (int)(x/ln2 ± 0.5)
        (local.set $inA (i32x4.gt_s (local.get $ax) (global.get $w3fd62e42)))
        (local.set $inB (i32x4.lt_s (local.get $ax) (global.get $w3ff0a2b2)))
        (local.set $tk (f64x2.trunc (f64x2.add (f64x2.mul (global.get $invln2) (local.get $x))
                                               (v128.bitselect (global.get $minusHalf) (global.get $half) (local.get $neg)))))
        (local.set $hi (v128.bitselect
          (f64x2.sub (local.get $x) (v128.bitselect (global.get $minusLn2hi) (global.get $ln2hi) (local.get $neg)))
          (f64x2.sub (local.get $x) (f64x2.mul (local.get $tk) (global.get $ln2hi)))
          (local.get $inB)))
        (local.set $lo (v128.bitselect
          (v128.bitselect (global.get $minusLn2lo) (global.get $ln2lo) (local.get $neg))
          (f64x2.mul (local.get $tk) (global.get $ln2lo))
          (local.get $inB)))
        (local.set $tk (v128.bitselect
          (v128.bitselect (global.get $minusOne) (global.get $one) (local.get $neg))
          (local.get $tk)
          (local.get $inB)))
        (local.set $r (v128.bitselect (f64x2.sub (local.get $hi) (local.get $lo)) (local.get $x) (local.get $inA)))
        (local.set $tt (f64x2.mul (local.get $r) (local.get $r)))
        ;; c = r − t·(P1 + t·(P2 + t·(P3 + t·(P4 + t·P5))))
        (local.set $c (f64x2.add (global.get $P4) (f64x2.mul (local.get $tt) (global.get $P5))))
        (local.set $c (f64x2.add (global.get $P3) (f64x2.mul (local.get $tt) (local.get $c))))
        (local.set $c (f64x2.add (global.get $P2) (f64x2.mul (local.get $tt) (local.get $c))))
        (local.set $c (f64x2.add (global.get $P1) (f64x2.mul (local.get $tt) (local.get $c))))
        (local.set $c (f64x2.sub (local.get $r) (f64x2.mul (local.get $tt) (local.get $c))))
        ;; q = r·c/(c − 2); fdlibm's (r·c)/(2 − c) is −q exactly (IEEE rounding is symmetric)
        (local.set $q (f64x2.div (f64x2.mul (local.get $r) (local.get $c)) (f64x2.sub (local.get $c) (global.get $two))))
        ;; 2^k: k + 1023 in the exponent field
        (local.set $twopk (i64x2.add (i64x2.shl (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $tk))) (i32.const 52))
                                     (global.get $exponentOne)))
        (v128.store (local.get $i)
          (v128.bitselect
            ;; k ≠ 0: (1 − ((lo − r·c/(2 − c)) − hi))·2^k
            (f64x2.mul (f64x2.sub (global.get $one) (f64x2.sub (f64x2.add (local.get $lo) (local.get $q)) (local.get $hi))) (local.get $twopk))
            ;; k = 0: 1 − (r·c/(c − 2) − r)
            (f64x2.sub (global.get $one) (f64x2.sub (local.get $q) (local.get $r)))
            (local.get $inA)))
        ;; tail indices, branch-free: always store, advance only past a tail
        (local.set $bits (i64x2.bitmask (v128.or (v128.or (i32x4.lt_s (local.get $ax) (global.get $w3e300000))
                                                (i32x4.gt_s (local.get $ax) (global.get $w407fffff)))
                                       (f64x2.eq (local.get $x) (global.get $one)))))
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
        ;; the high word of x in both i32 lanes of its double: i32x4 arithmetic, and each
        ;; comparison a mask of the whole double
        (local.set $hx (i8x16.shuffle 4 5 6 7 4 5 6 7 12 13 14 15 12 13 14 15 (local.get $x) (local.get $x)))
        ;; sqrt(2)/2 ≤ 1 + x: k = 0, f = x (fdlibm's hx <= 0xbfd2bec4, as a signed word); $inA holds its negation
        (local.set $inA (i32x4.gt_s (local.get $hx) (global.get $wbfd2bec4)))
        ;; else u = 1 + x, k its exponent, c the correction (x − (u − 1))/u (k < 0 here)
        (local.set $u (f64x2.add (global.get $one) (local.get $x)))
        (local.set $hu (i8x16.shuffle 4 5 6 7 4 5 6 7 12 13 14 15 12 13 14 15 (local.get $u) (local.get $u)))
        (local.set $k (i32x4.sub (i32x4.shr_s (local.get $hu) (i32.const 20)) (global.get $w1023)))
        (local.set $c (f64x2.div (f64x2.sub (local.get $x) (f64x2.sub (local.get $u) (global.get $one))) (local.get $u)))
        (local.set $hu (v128.and (local.get $hu) (global.get $w000fffff)))
        ;; u normalized into [sqrt(2)/2, sqrt(2)): u or u/2 (then k + 1, hu = (0x100000 − hu) >> 2)
        (local.set $big (i32x4.gt_s (local.get $hu) (global.get $w6a09d)))
        (local.set $u (v128.or (v128.and (local.get $u) (global.get $lowWords))
                               (v128.and (v128.or (local.get $hu) (v128.bitselect (global.get $w3fe00000) (global.get $w3ff00000) (local.get $big)))
                                         (global.get $highWords))))
        (local.set $k (i32x4.sub (local.get $k) (local.get $big)))
        (local.set $hu (v128.bitselect (i32x4.shr_s (i32x4.sub (global.get $w00100000) (local.get $hu)) (i32.const 2)) (local.get $hu) (local.get $big)))
        (local.set $f (v128.bitselect (f64x2.sub (local.get $u) (global.get $one)) (local.get $x) (local.get $inA)))
        (local.set $hfsq (f64x2.mul (f64x2.mul (global.get $half) (local.get $f)) (local.get $f)))
        (local.set $s (f64x2.div (local.get $f) (f64x2.add (global.get $two) (local.get $f))))
        (local.set $z (f64x2.mul (local.get $s) (local.get $s)))
        ;; R = z·(Lp1 + z·(Lp2 + … + z·Lp7))
        (local.set $R (f64x2.add (global.get $Lg6) (f64x2.mul (local.get $z) (global.get $Lg7))))
        (local.set $R (f64x2.add (global.get $Lg5) (f64x2.mul (local.get $z) (local.get $R))))
        (local.set $R (f64x2.add (global.get $Lg4) (f64x2.mul (local.get $z) (local.get $R))))
        (local.set $R (f64x2.add (global.get $Lg3) (f64x2.mul (local.get $z) (local.get $R))))
        (local.set $R (f64x2.add (global.get $Lg2) (f64x2.mul (local.get $z) (local.get $R))))
        (local.set $R (f64x2.add (global.get $Lg1) (f64x2.mul (local.get $z) (local.get $R))))
        (local.set $R (f64x2.mul (local.get $z) (local.get $R)))
        ;; k as a double: one i32 lane of each double's pair converted
        (local.set $kd (f64x2.convert_low_i32x4_s (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (local.get $k) (local.get $k))))
        (v128.store offset=589824 (local.get $i)
          (f64x2.mul
            (f64x2.neg
              (v128.bitselect
                ;; k ≠ 0: k·ln2_hi − ((hfsq − (s·(hfsq + R) + (k·ln2_lo + c))) − f)
                (f64x2.sub (f64x2.mul (local.get $kd) (global.get $ln2hi))
                           (f64x2.sub (f64x2.sub (local.get $hfsq)
                                                 (f64x2.add (f64x2.mul (local.get $s) (f64x2.add (local.get $hfsq) (local.get $R)))
                                                            (f64x2.add (f64x2.mul (local.get $kd) (global.get $ln2lo)) (local.get $c))))
                                      (local.get $f)))
                ;; k = 0: f − (hfsq − s·(hfsq + R))
                (f64x2.sub (local.get $f) (f64x2.sub (local.get $hfsq) (f64x2.mul (local.get $s) (f64x2.add (local.get $hfsq) (local.get $R)))))
                (local.get $inA)))
            (local.get $vinv)))
        ;; tail indices, branch-free: always store, advance only past a tail
        (local.set $bits (i64x2.bitmask (v128.or (i32x4.lt_s (v128.and (local.get $hx) (global.get $w7fffffff)) (global.get $w3e200000))
                                       (v128.and (i32x4.eq (local.get $hu) (global.get $w0)) (local.get $inA)))))
        (local.set $k0 (i32.shr_u (local.get $i) (i32.const 3)))
        (i32.store offset=1114112 (local.get $t) (local.get $k0))
        (local.set $t (i32.add (local.get $t) (i32.shl (i32.and (local.get $bits) (i32.const 1)) (i32.const 2))))
        (i32.store offset=1114112 (local.get $t) (i32.add (local.get $k0) (i32.const 1)))
        (local.set $t (i32.add (local.get $t) (i32.shl (i32.shr_u (local.get $bits) (i32.const 1)) (i32.const 2))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $pair)))
    (i32.shr_u (local.get $t) (i32.const 2)))

  ;; The tails of the normals (philox.wat's `normals`: the $count indices at byte 1114112, of
  ;; the uniforms at byte 0, values at byte 589824): mean + sd·Φ⁻¹(p) by AS 241's second
  ;; branch, as distribution/normal-quantile.ts computes it — r = sqrt(−log(min(p, 1 − p)))
  ;; with fdlibm's log (Math.log in Node 20), r − 1.6 into the C/D polynomials, the sign of
  ;; p − 0.5 — two tails per SIMD step, gathered and scattered by index. Left for the caller,
  ;; listed again at byte 1114112 (their number is returned): r > 5 (p below e^-25, the third
  ;; branch) and log's |f| < 2^-20 case, a few per million tails.
  (func (export "normalTails") (param $count i32) (param $mean f64) (param $sd f64) (result i32)
    (local $j i32) (local $t i32) (local $i0 i32) (local $i1 i32) (local $bits i32)
    (local $vm v128) (local $vs v128)
    (local $p v128) (local $q v128) (local $x v128) (local $hx v128) (local $k v128) (local $ii v128)
    (local $f v128) (local $s v128) (local $dk v128) (local $z v128) (local $w v128) (local $R v128) (local $hfsq v128)
    (local $L v128) (local $r v128) (local $a v128) (local $b v128) (local $v v128) (local $flag v128)
    (local.set $vm (f64x2.splat (local.get $mean)))
    (local.set $vs (f64x2.splat (local.get $sd)))
    (block $done
      (loop $pair
        (br_if $done (i32.ge_u (local.get $j) (local.get $count)))
        (local.set $i0 (i32.load offset=1114112 (i32.shl (local.get $j) (i32.const 2))))
        ;; an odd count's last tail takes both lanes (its second lane's flag is dropped below)
        (local.set $i1 (select (i32.load offset=1114116 (i32.shl (local.get $j) (i32.const 2))) (local.get $i0)
                               (i32.lt_u (i32.add (local.get $j) (i32.const 1)) (local.get $count))))
        ;; p = openUniform(u) = (floor(u·2^52) + 0.5)·2^-52, q = p − 0.5
        (local.set $p (f64x2.replace_lane 1 (f64x2.splat (f64.load (i32.shl (local.get $i0) (i32.const 3))))
                                            (f64.load (i32.shl (local.get $i1) (i32.const 3)))))
        (local.set $p (f64x2.mul (f64x2.add (f64x2.floor (f64x2.mul (local.get $p) (global.get $two52))) (global.get $half)) (global.get $twoMinus52)))
        (local.set $q (f64x2.sub (local.get $p) (global.get $half)))
        (local.set $x (v128.bitselect (local.get $p) (f64x2.sub (global.get $one) (local.get $p)) (f64x2.lt (local.get $q) (global.get $zero))))
        ;; log(x), x in [2^-53, 0.075]: x = 2^k·(1 + f), 1 + f in [sqrt(2)/2, sqrt(2)), k < 0
        ;; (the high word of x in both i32 lanes of its double)
        (local.set $hx (i8x16.shuffle 4 5 6 7 4 5 6 7 12 13 14 15 12 13 14 15 (local.get $x) (local.get $x)))
        (local.set $k (i32x4.sub (i32x4.shr_s (local.get $hx) (i32.const 20)) (global.get $w1023)))
        (local.set $hx (v128.and (local.get $hx) (global.get $w000fffff)))
        (local.set $ii (v128.and (i32x4.add (local.get $hx) (global.get $w95f64)) (global.get $w100000)))
        (local.set $x (v128.or (v128.and (local.get $x) (global.get $lowWords))
                               (v128.and (v128.or (local.get $hx) (v128.xor (local.get $ii) (global.get $w3ff00000)))
                                         (global.get $highWords))))
        (local.set $k (i32x4.add (local.get $k) (i32x4.shr_s (local.get $ii) (i32.const 20))))
        (local.set $f (f64x2.sub (local.get $x) (global.get $one)))
        ;; left for the caller: |f| < 2^-20 ((0xfffff & (2 + hx)) < 3)
        (local.set $flag (i32x4.lt_s (v128.and (i32x4.add (local.get $hx) (global.get $w2)) (global.get $w000fffff)) (global.get $w3)))
        (local.set $s (f64x2.div (local.get $f) (f64x2.add (global.get $two) (local.get $f))))
        (local.set $dk (f64x2.convert_low_i32x4_s (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (local.get $k) (local.get $k))))
        (local.set $z (f64x2.mul (local.get $s) (local.get $s)))
        (local.set $w (f64x2.mul (local.get $z) (local.get $z)))
        ;; t1 = w·(Lg2 + w·(Lg4 + w·Lg6)), t2 = z·(Lg1 + w·(Lg3 + w·(Lg5 + w·Lg7))), R = t2 + t1
        (local.set $a (f64x2.add (global.get $Lg4) (f64x2.mul (local.get $w) (global.get $Lg6))))
        (local.set $a (f64x2.mul (local.get $w) (f64x2.add (global.get $Lg2) (f64x2.mul (local.get $w) (local.get $a)))))
        (local.set $b (f64x2.add (global.get $Lg5) (f64x2.mul (local.get $w) (global.get $Lg7))))
        (local.set $b (f64x2.add (global.get $Lg3) (f64x2.mul (local.get $w) (local.get $b))))
        (local.set $b (f64x2.mul (local.get $z) (f64x2.add (global.get $Lg1) (f64x2.mul (local.get $w) (local.get $b)))))
        (local.set $R (f64x2.add (local.get $b) (local.get $a)))
        (local.set $hfsq (f64x2.mul (f64x2.mul (global.get $half) (local.get $f)) (local.get $f)))
        (local.set $L (v128.bitselect
          ;; (hx − 0x6147a) | (0x6b851 − hx) > 0: k·ln2_hi − ((hfsq − (s·(hfsq + R) + k·ln2_lo)) − f)
          (f64x2.sub (f64x2.mul (local.get $dk) (global.get $ln2hi))
                     (f64x2.sub (f64x2.sub (local.get $hfsq)
                                           (f64x2.add (f64x2.mul (local.get $s) (f64x2.add (local.get $hfsq) (local.get $R)))
                                                      (f64x2.mul (local.get $dk) (global.get $ln2lo))))
                                (local.get $f)))
          ;; else k·ln2_hi − ((s·(f − R) − k·ln2_lo) − f)
          (f64x2.sub (f64x2.mul (local.get $dk) (global.get $ln2hi))
                     (f64x2.sub (f64x2.sub (f64x2.mul (local.get $s) (f64x2.sub (local.get $f) (local.get $R)))
                                           (f64x2.mul (local.get $dk) (global.get $ln2lo)))
                                (local.get $f)))
          (i32x4.gt_s (v128.or (i32x4.sub (local.get $hx) (global.get $w6147a)) (i32x4.sub (global.get $w6b851) (local.get $hx)))
                      (global.get $w0))))
        ;; r = sqrt(−log(x)); r ≤ 5: x = C(r − 1.6)/D(r − 1.6), negated below the median
        (local.set $r (f64x2.sqrt (f64x2.neg (local.get $L))))
        (local.set $flag (v128.or (local.get $flag) (f64x2.gt (local.get $r) (global.get $five))))
        (local.set $r (f64x2.sub (local.get $r) (global.get $onePointSix)))
        (local.set $a (global.get $C7))
        (local.set $a (f64x2.add (f64x2.mul (local.get $a) (local.get $r)) (global.get $C6)))
        (local.set $a (f64x2.add (f64x2.mul (local.get $a) (local.get $r)) (global.get $C5)))
        (local.set $a (f64x2.add (f64x2.mul (local.get $a) (local.get $r)) (global.get $C4)))
        (local.set $a (f64x2.add (f64x2.mul (local.get $a) (local.get $r)) (global.get $C3)))
        (local.set $a (f64x2.add (f64x2.mul (local.get $a) (local.get $r)) (global.get $C2)))
        (local.set $a (f64x2.add (f64x2.mul (local.get $a) (local.get $r)) (global.get $C1)))
        (local.set $a (f64x2.add (f64x2.mul (local.get $a) (local.get $r)) (global.get $C0)))
        (local.set $b (global.get $D7))
        (local.set $b (f64x2.add (f64x2.mul (local.get $b) (local.get $r)) (global.get $D6)))
        (local.set $b (f64x2.add (f64x2.mul (local.get $b) (local.get $r)) (global.get $D5)))
        (local.set $b (f64x2.add (f64x2.mul (local.get $b) (local.get $r)) (global.get $D4)))
        (local.set $b (f64x2.add (f64x2.mul (local.get $b) (local.get $r)) (global.get $D3)))
        (local.set $b (f64x2.add (f64x2.mul (local.get $b) (local.get $r)) (global.get $D2)))
        (local.set $b (f64x2.add (f64x2.mul (local.get $b) (local.get $r)) (global.get $D1)))
        (local.set $b (f64x2.add (f64x2.mul (local.get $b) (local.get $r)) (global.get $D0)))
        (local.set $v (f64x2.div (local.get $a) (local.get $b)))
        (local.set $v (v128.bitselect (f64x2.neg (local.get $v)) (local.get $v) (f64x2.lt (local.get $q) (global.get $zero))))
        (local.set $v (f64x2.add (local.get $vm) (f64x2.mul (local.get $vs) (local.get $v))))
        (f64.store offset=589824 (i32.shl (local.get $i0) (i32.const 3)) (f64x2.extract_lane 0 (local.get $v)))
        (f64.store offset=589824 (i32.shl (local.get $i1) (i32.const 3)) (f64x2.extract_lane 1 (local.get $v)))
        ;; the flagged tails, listed again in place (never ahead of what is read)
        (local.set $bits (i32.and (i64x2.bitmask (local.get $flag))
                                  (select (i32.const 3) (i32.const 1) (i32.lt_u (i32.add (local.get $j) (i32.const 1)) (local.get $count)))))
        (i32.store offset=1114112 (local.get $t) (local.get $i0))
        (local.set $t (i32.add (local.get $t) (i32.shl (i32.and (local.get $bits) (i32.const 1)) (i32.const 2))))
        (i32.store offset=1114112 (local.get $t) (local.get $i1))
        (local.set $t (i32.add (local.get $t) (i32.shl (i32.shr_u (local.get $bits) (i32.const 1)) (i32.const 2))))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $pair)))
    (i32.shr_u (local.get $t) (i32.const 2)))
)
