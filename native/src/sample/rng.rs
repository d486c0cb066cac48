//! ChaCha20 CSPRNG seeded from the OS, keyed reproducible streams, and exact uniform integers and
//! rationals.
//!
//! # Key hierarchy (why these are PRF constructions)
//! The ChaCha20 block function `F(key, stream, block) -> 64 bytes` is a pseudorandom function of its
//! 128-bit input `(stream, block)` under a secret 256-bit key; that is the assumption ChaCha20's own
//! security rests on. Every key and stream below is built only from calls to `F`:
//!
//! * [`SecretKey::derive`] is a *cascade* (NMAC-style) of `F` over a prefix-free encoding of the purpose
//!   label: `k₀ = parent`, `kᵢ₊₁ = F(kᵢ, DERIVE_DOMAIN, chunkᵢ)[..32]`, where the chunks are the label's
//!   byte length followed by the label's bytes in 8-byte little-endian words (zero-padded). Two different
//!   labels give chunk sequences of which neither is a prefix of the other (same length ⇒ same number of
//!   chunks and some chunk differs; different length ⇒ the first chunk differs), so the encoding is
//!   injective and prefix-free, and the cascade of a PRF over prefix-free inputs is a PRF (Bellare–Canetti–
//!   Krawczyk 1996). The child is a PRF output, so it is one-way: it reveals nothing about the parent.
//! * [`SecretKey::query_key`] is `F(key, QUERY_DOMAIN, query_index)[..32]`: one PRF call; the stream id
//!   `QUERY_DOMAIN` differs from `DERIVE_DOMAIN`, so query keys and derived keys never come from the
//!   same PRF input.
//! * [`SecretKey::cell_rng`] is the ChaCha20 keystream under the query key with the cell key as the
//!   64-bit stream id (nonce). Distinct cells of one query read disjoint PRF inputs `(cell, 0..)`, so
//!   their streams are computationally independent, and the same triple always gives the same stream:
//!   re-evaluating a DataFrame or retrying a task redraws exactly the same noise.
//! * [`SecretKey::measure_query_key`] separates the measures one aggregation releases per cell (an
//!   average releases a sum and a count): measure 0 is the query key itself (so existing streams and
//!   their golden vectors are unchanged), and measure m ≥ 1 is the query key of the derived key
//!   `derive("measure:m")`. Keys of distinct measures are PRF outputs on distinct inputs of the secret
//!   (`(QUERY_DOMAIN, q)` for measure 0, the cascade under `DERIVE_DOMAIN` for the others), so their
//!   cell streams are computationally independent. (Deriving measure keys from the query key instead
//!   would be wrong: a cell whose key equals the derivation's stream id would read the measure key as
//!   its noise bits.)
use crate::err;
use crate::error::Result;
use crate::privacy::Rational;
use rand_chacha::ChaCha20Rng;
use rand_core::{OsRng, RngCore, SeedableRng};

/// Stream id of the key-derivation cascade ("sparkdpD" in ASCII).
const DERIVE_DOMAIN: u64 = u64::from_be_bytes(*b"sparkdpD");
/// Stream id of the per-query key ("sparkdpQ" in ASCII).
const QUERY_DOMAIN: u64 = u64::from_be_bytes(*b"sparkdpQ");

/// A 256-bit secret. `Debug` never prints the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// The first 32 bytes of ChaCha20 block `block` of stream `stream` under `key`: one PRF evaluation.
fn chacha_prf(key: &[u8; 32], stream: u64, block: u64) -> [u8; 32] {
    let mut rng = ChaCha20Rng::from_seed(*key);
    rng.set_stream(stream);
    // rand_chacha counts 32-bit words; a block is 16 words and the block counter is 64 bits wide.
    rng.set_word_pos(u128::from(block) * 16);
    let mut out = [0u8; 32];
    rng.fill_bytes(&mut out);
    out
}

impl SecretKey {
    /// 32 bytes from the operating system's CSPRNG (getrandom). Err(Internal) if the OS refuses.
    pub fn from_os() -> Result<Self> {
        let mut bytes = [0u8; 32];
        OsRng
            .try_fill_bytes(&mut bytes)
            .map_err(|e| err!(Internal, "the operating system's random source failed: {e}"))?;
        Ok(SecretKey(bytes))
    }
    /// Exactly 32 bytes, else Err(InvalidArgument) naming the length.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let arr: [u8; 32] = bytes.try_into().map_err(|_| {
            crate::err!(
                InvalidArgument,
                "secret key must be 32 bytes, got {}",
                bytes.len()
            )
        })?;
        Ok(SecretKey(arr))
    }
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }
    /// A child key for one purpose (e.g. "truncation", "noise"); one-way: the child reveals nothing of the
    /// parent, and distinct labels give independent keys (cascade PRF over an injective, prefix-free
    /// encoding of the label; see the module doc).
    pub fn derive(&self, purpose: &str) -> SecretKey {
        let label = purpose.as_bytes();
        // usize -> u64 is lossless on every target we build (64-bit).
        let mut key = chacha_prf(&self.0, DERIVE_DOMAIN, label.len() as u64);
        for chunk in label.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            key = chacha_prf(&key, DERIVE_DOMAIN, u64::from_le_bytes(word));
        }
        SecretKey(key)
    }
    /// The key of one query: one PRF evaluation at `(QUERY_DOMAIN, query_index)`. Kernels that add noise to
    /// many cells of one query can compute it once and call [`QueryKey::cell_rng`] per cell.
    pub fn query_key(&self, query_index: u64) -> QueryKey {
        QueryKey(chacha_prf(&self.0, QUERY_DOMAIN, query_index))
    }
    /// The key of measure `measure_index` of query `query_index` (see the module doc): equal to
    /// [`SecretKey::query_key`] for measure 0, independent of it and of every other measure otherwise.
    /// Use it whenever one aggregation draws noise for more than one value per cell, so that no two
    /// values share a stream.
    pub fn measure_query_key(&self, query_index: u64, measure_index: u64) -> QueryKey {
        if measure_index == 0 {
            self.query_key(query_index)
        } else {
            self.derive(&format!("measure:{measure_index}"))
                .query_key(query_index)
        }
    }

    /// The reproducible stream for one output cell of one query: the same (key, query_index, cell_key)
    /// always gives the same stream; different triples give independent-looking streams.
    /// Equal to `self.query_key(query_index).cell_rng(cell_key)`.
    pub fn cell_rng(&self, query_index: u64, cell_key: i64) -> ChaCha20Rng {
        self.query_key(query_index).cell_rng(cell_key)
    }
}

/// The PRF-derived key of one query (see [`SecretKey::query_key`]). `Debug` never prints the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct QueryKey([u8; 32]);

impl std::fmt::Debug for QueryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QueryKey(<redacted>)")
    }
}

impl QueryKey {
    /// ChaCha20 under this query's key with the cell key's two's-complement bits as the stream id.
    pub fn cell_rng(&self, cell_key: i64) -> ChaCha20Rng {
        let mut rng = ChaCha20Rng::from_seed(self.0);
        rng.set_stream(u64::from_le_bytes(cell_key.to_le_bytes()));
        rng
    }
}

/// A fresh ChaCha20 generator keyed by 32 bytes from the OS. Err(Internal) if the OS refuses.
pub fn os_rng() -> Result<ChaCha20Rng> {
    Ok(ChaCha20Rng::from_seed(SecretKey::from_os()?.0))
}

/// DETERMINISTIC AND INSECURE: ChaCha20 seeded from a small integer, for replayable tests and benches only.
/// Never compiled into production builds (test or `insecure-test-seed` feature only).
#[cfg(any(test, feature = "insecure-test-seed"))]
pub fn insecure_seeded_rng_for_tests(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// Uniform on `{0, …, n−1}` without modulo bias. Err(InvalidArgument) when `n == 0`.
pub fn uniform_below_u64<R: RngCore + ?Sized>(rng: &mut R, n: u64) -> Result<u64> {
    if n == 0 {
        crate::fail!(InvalidArgument, "uniform bound n ({n}) must be positive");
    }
    Ok(BitSource::new(rng).uniform_below_u64(n))
}

/// Uniform on `{0, …, n−1}` without modulo bias. Err(InvalidArgument) when `n == 0`.
pub fn uniform_below_u128<R: RngCore + ?Sized>(rng: &mut R, n: u128) -> Result<u128> {
    if n == 0 {
        crate::fail!(InvalidArgument, "uniform bound n ({n}) must be positive");
    }
    Ok(BitSource::new(rng).uniform_below_u128(n))
}

/// A uniform rational in [0, 1) at denominator `denominator`: uniform on `{0, 1/d, 2/d, …, (d−1)/d}`
/// (returned reduced, so `2/4` comes back as `1/2`).
///
/// # Proof Definition
/// For `denominator = d ≥ 1`, returns `Ok(k/d)` where `k` is uniform on `{0, …, d−1}`, each value with
/// probability exactly `1/d` (given uniform bits from `rng`): `k` comes from [`uniform_below_u128`],
/// which has no modulo bias (Lemire's exact rejection up to 2^64, masked rejection above), and
/// `k ↦ k/d` is injective on that set. Err(InvalidArgument) naming the value when `d == 0`.
pub fn uniform_rational_below_one<R: RngCore + ?Sized>(
    rng: &mut R,
    denominator: u128,
) -> Result<Rational> {
    if denominator == 0 {
        crate::fail!(
            InvalidArgument,
            "uniform rational denominator ({denominator}) must be positive"
        );
    }
    let numerator = BitSource::new(rng).uniform_below_u128(denominator);
    Rational::new(numerator, denominator)
}

/// Adapter over a generator that hands out single bits from a cached 64-bit word and exact bounded
/// integers (Lemire's nearly-divisionless method for bounds up to 2^64, masked rejection above).
/// Every value it returns is a deterministic function of the generator's output, so seeded and keyed
/// streams replay exactly on every platform (no floating point anywhere).
pub struct BitSource<'a, R: RngCore + ?Sized> {
    rng: &'a mut R,
    cached_bits: u64,
    cached_bit_count: u32,
}

impl<'a, R: RngCore + ?Sized> BitSource<'a, R> {
    pub fn new(rng: &'a mut R) -> Self {
        BitSource {
            rng,
            cached_bits: 0,
            cached_bit_count: 0,
        }
    }

    /// One fair bit.
    #[inline(always)]
    pub fn bit(&mut self) -> bool {
        if self.cached_bit_count == 0 {
            self.cached_bits = self.rng.next_u64();
            self.cached_bit_count = 64;
        }
        let bit = self.cached_bits & 1 == 1;
        self.cached_bits >>= 1;
        self.cached_bit_count -= 1;
        bit
    }

    #[inline(always)]
    pub fn next_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// Uniform on `{0, …, n−1}`; `n == 0` returns 0 (callers pass n ≥ 1).
    ///
    /// Lemire (2019): for a w-bit uniform x, `⌊x·n / 2^w⌋` is uniform on `{0..n−1}` once the draws whose low
    /// half `x·n mod 2^w` falls below `2^w mod n` are rejected (each output then has exactly
    /// `⌊2^w / n⌋` preimages). w = 16 for n ≤ 2^16 (bits from the cached word), 32 for n ≤ 2^32, else 64.
    #[inline(always)]
    pub fn uniform_below_u64(&mut self, n: u64) -> u64 {
        if n <= 1 << 16 {
            // 16-bit words from the cached word: small bounds (the K of the Bernoulli(exp(−x)) loop, small
            // scales) spend a quarter of the keystream a 64-bit draw would.
            let product = u64::from(self.bits16()) * n;
            if (product & 0xffff) >= n {
                return product >> 16;
            }
            return self.uniform_below_u16_rejection(n, product);
        }
        if n <= 1 << 32 {
            let product = u64::from(self.rng.next_u32()) * n;
            // low ≥ n implies low ≥ 2^32 mod n: accept without computing the remainder (the common case).
            if (product as u32 as u64) >= n {
                return product >> 32;
            }
            return self.uniform_below_u32_rejection(n, product);
        }
        let product = u128::from(self.rng.next_u64()) * u128::from(n);
        if (product as u64) >= n {
            return (product >> 64) as u64;
        }
        self.uniform_below_u64_rejection(n, product)
    }

    /// 16 fresh uniform bits from the cached word (leftover bits below 16 are discarded, never reused).
    #[inline(always)]
    fn bits16(&mut self) -> u16 {
        if self.cached_bit_count < 16 {
            self.cached_bits = self.rng.next_u64();
            self.cached_bit_count = 64;
        }
        let word = self.cached_bits as u16;
        self.cached_bits >>= 16;
        self.cached_bit_count -= 16;
        word
    }

    /// The rare branch of the 16-bit Lemire draw: exact rejection against 2^16 mod n.
    #[cold]
    #[inline(never)]
    fn uniform_below_u16_rejection(&mut self, n: u64, first_product: u64) -> u64 {
        let threshold = (1u64 << 16) % n.max(1); // 2^16 mod n
        let mut product = first_product;
        loop {
            if (product & 0xffff) >= threshold {
                return product >> 16;
            }
            product = u64::from(self.bits16()) * n;
        }
    }

    /// The rare branch of the 32-bit Lemire draw: exact rejection against 2^32 mod n.
    #[cold]
    #[inline(never)]
    fn uniform_below_u32_rejection(&mut self, n: u64, first_product: u64) -> u64 {
        let threshold = (1u64 << 32) % n.max(1); // 2^32 mod n
        let mut product = first_product;
        loop {
            if (product as u32 as u64) >= threshold {
                return product >> 32;
            }
            product = u64::from(self.rng.next_u32()) * n;
        }
    }

    /// The rare branch of the 64-bit Lemire draw: exact rejection against 2^64 mod n.
    #[cold]
    #[inline(never)]
    fn uniform_below_u64_rejection(&mut self, n: u64, first_product: u128) -> u64 {
        let threshold = n.wrapping_neg() % n.max(1); // 2^64 mod n
        let mut product = first_product;
        loop {
            if (product as u64) >= threshold {
                return (product >> 64) as u64;
            }
            product = u128::from(self.rng.next_u64()) * u128::from(n);
        }
    }

    /// Uniform on `{0, …, n−1}`; `n ≤ 1` returns 0. Masked rejection above 2^64: each try accepts with
    /// probability > 1/2.
    #[inline]
    pub fn uniform_below_u128(&mut self, n: u128) -> u128 {
        if n <= 1 {
            return 0;
        }
        if let Ok(small) = u64::try_from(n) {
            return u128::from(self.uniform_below_u64(small));
        }
        let mask = u128::MAX >> (n - 1).leading_zeros();
        loop {
            let high = u128::from(self.rng.next_u64());
            let low = u128::from(self.rng.next_u64());
            let candidate = ((high << 64) | low) & mask;
            if candidate < n {
                return candidate;
            }
        }
    }

    /// Bernoulli(1/k) for k ≥ 1: true iff a uniform draw below k is 0; k = 2 costs one cached bit.
    #[inline(always)]
    pub fn bernoulli_one_over(&mut self, k: u64) -> bool {
        match k {
            0 | 1 => true,
            2 => self.bit(),
            _ => self.uniform_below_u64(k) == 0,
        }
    }
}
