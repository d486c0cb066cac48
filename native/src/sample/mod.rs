//! Randomness and exact samplers. Integer and rational arithmetic only; randomness only from ChaCha20.
pub mod bernoulli;
pub mod discrete_gaussian;
pub mod discrete_laplace;
pub mod exponential_mechanism;
pub mod lattice;
pub mod rng;
pub mod wide;

pub use bernoulli::{sample_bernoulli_exp_minus, sample_bernoulli_rational};
pub use discrete_gaussian::{sample_discrete_gaussian, DiscreteGaussian};
pub use discrete_laplace::{sample_discrete_laplace, DiscreteLaplace};
pub use exponential_mechanism::{sample_quantile_index, QuantileCell};
pub use lattice::{add_float_noise, Lattice};
pub use rng::{
    os_rng, uniform_below_u128, uniform_below_u64, uniform_rational_below_one, BitSource, QueryKey,
    SecretKey,
};

#[cfg(test)]
mod test;
