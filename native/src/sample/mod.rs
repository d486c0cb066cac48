//! Randomness and exact samplers. Integer and rational arithmetic only; randomness only from ChaCha20.
pub mod discrete_gaussian;
pub mod discrete_laplace;
pub mod rng;

pub use discrete_gaussian::sample_discrete_gaussian;
pub use discrete_laplace::sample_discrete_laplace;
pub use rng::SecretKey;
