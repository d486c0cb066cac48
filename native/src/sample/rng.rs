//! ChaCha20 CSPRNG seeded from the OS, and keyed reproducible streams.
//! CONTRACT STUB: owned by the sampler helper.
use crate::error::Result;
use crate::fail;
use rand_chacha::ChaCha20Rng;

/// A 256-bit secret. `Debug` never prints the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl SecretKey {
    /// 32 bytes from the operating system's CSPRNG.
    pub fn from_os() -> Result<Self> {
        fail!(Internal, "not implemented yet")
    }
    /// Exactly 32 bytes, else Err(InvalidArgument) naming the length.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let arr: [u8; 32] = bytes.try_into().map_err(|_| {
            crate::err!(InvalidArgument, "secret key must be 32 bytes, got {}", bytes.len())
        })?;
        Ok(SecretKey(arr))
    }
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }
    /// A child key for one purpose (e.g. "truncation", "noise"); one-way: the child reveals nothing of the parent.
    pub fn derive(&self, _purpose: &str) -> SecretKey {
        self.clone()
    }
    /// The reproducible stream for one output cell of one query: the same (key, query_index, cell_key)
    /// always gives the same stream; different triples give independent-looking streams.
    pub fn cell_rng(&self, _query_index: u64, _cell_key: i64) -> ChaCha20Rng {
        use rand_core::SeedableRng;
        ChaCha20Rng::from_seed(self.0)
    }
}
