//! The operation behind each method of the JNI class `sparkdp.bridge.Native`, in plain Rust: text forms
//! (CONTRACTS.md) and Arrow IPC bytes in, text and bytes out. `jni.rs` converts JNI arguments, calls
//! exactly one of these and converts the result back, so `cargo test` covers all of this without a JVM.
//!
//! Only glue lives here: parsing and formatting are `privacy::text`'s, arithmetic is `privacy`'s,
//! randomness is `sample`'s, batch work is the kernels'.
use crate::error::Result;
use crate::fail;
use crate::privacy::calibration::count_noise;
use crate::privacy::measurement::plan_measurement;
use crate::privacy::plan_text::{
    format_measurement_plan, parse_measurement_plan, parse_partial_spec,
};
use crate::privacy::stability::flat_map::{flat_map_output_change, parse_flat_map};
use crate::privacy::text::{
    format_budget, format_noise_spec, format_number, format_protected_change, parse_budget,
    parse_columns, parse_constraints, parse_measurement_request, parse_mechanism, parse_noise_spec,
    parse_number, parse_protected_change,
};
use crate::privacy::{Budget, ExtRational, Rational};
use crate::sample::SecretKey;

use super::release::{self, ReleaseState};
use super::truncate::{registry, TruncationState};
use super::{add_noise, count_by_key, ipc};

/// `libraryVersion()`: the crate version, e.g. "0.1.0", so the JVM can check it loaded the right library.
pub fn library_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// `newSessionSecret()`: 32 fresh bytes from the OS CSPRNG.
pub fn new_session_secret() -> Result<Vec<u8>> {
    Ok(SecretKey::from_os()?.to_bytes().to_vec())
}

/// `deriveKey(secret, purpose)`: the 32-byte child key of `secret` for `purpose`.
/// `Err(InvalidArgument)` when `secret` is not 32 bytes.
pub fn derive_key(secret: &[u8], purpose: &str) -> Result<Vec<u8>> {
    Ok(SecretKey::from_bytes(secret)?
        .derive(purpose)
        .to_bytes()
        .to_vec())
}

/// `exactFromDouble(value, setting)`: the exact rational value of a user's double as number text;
/// +∞ gives "inf". NaN and negative values are rejected by `Rational::from_f64_exact`, naming `setting`;
/// so is (as `Err(InvalidArgument)`, never `Err(Overflow)`: the value is the user's) a double without an
/// exact u128/u128 form (at least 2^128, or with a bit below 2^-127, e.g. 1e-30); `budgetFromDoubles`
/// rounds those down instead.
pub fn exact_from_double(value: f64, setting: &str) -> Result<String> {
    let exact = if value == f64::INFINITY {
        ExtRational::Infinite
    } else {
        match Rational::from_f64_exact(value, setting) {
            Ok(exact) => ExtRational::Finite(exact),
            Err(crate::error::Error::Overflow(detail)) => fail!(
                InvalidArgument,
                "{detail} (it needs a numerator or denominator beyond 2^128); use a value between \
                 2^-127 and {} with no binary digit below 2^-127",
                Rational::LARGEST_F64
            ),
            Err(other) => return Err(other),
        }
    };
    Ok(format_number(&exact))
}

/// `numberToDouble(number, roundUp)`: number text to the nearest double at or above (`round_up`) or at
/// or below the exact value; "inf" gives +∞ either way.
pub fn number_to_double(number: &str, round_up: bool) -> Result<f64> {
    Ok(match parse_number(number)? {
        ExtRational::Infinite => f64::INFINITY,
        ExtRational::Finite(exact) if round_up => exact.to_f64_round_up(),
        ExtRational::Finite(exact) => exact.to_f64_round_down(),
    })
}

/// `budgetSubtract(remaining, charged)`: `remaining - charged` as budget text, exact when it fits and
/// otherwise rounded toward less remaining (`Budget::subtract_charged`), so it never fails for a budget
/// `budgetCharge` returned. `Err(InsufficientBudget)` when `charged` exceeds `remaining`;
/// `Err(InvalidArgument)` on a type mismatch.
pub fn budget_subtract(remaining: &str, charged: &str) -> Result<String> {
    let remaining = parse_budget(remaining)?;
    let charged = parse_budget(charged)?;
    Ok(format_budget(&remaining.subtract_charged(&charged)?))
}

/// `budgetFromDoubles(kind, a, b)`: budget text of a user's budget ("pure": ε = a; "approx": ε = a, δ = b;
/// "zcdp": ρ = a), with Tumult's validation messages; rounded down where not exactly representable,
/// refused (naming the limit) when too large (`Budget::from_doubles`).
pub fn budget_from_doubles(kind: &str, a: f64, b: f64) -> Result<String> {
    Ok(format_budget(&Budget::from_doubles(kind, a, b)?))
}

/// `budgetCharge(remaining, requested)`: the budget text a query asking for `requested` is charged
/// (`Budget::charge`: Tumult's tolerance; `Err(InsufficientBudget)` / `Err(InvalidArgument)` with
/// Tumult's messages).
pub fn budget_charge(remaining: &str, requested: &str) -> Result<String> {
    let remaining = parse_budget(remaining)?;
    let requested = parse_budget(requested)?;
    Ok(format_budget(&remaining.charge(&requested)?))
}

/// `planPartition(remaining, requested, change, idDistance, constraints, column)`: what
/// `partition_and_create` charges the parent, gives each child, which change each child's table protects
/// and at which ID distance (`privacy::parallel_composition`; text `charge=…\nchild_budget=…\nchild_change=…
/// \nchild_id_distance=…[\nmax_groups_per_id=…]`).
pub fn plan_partition(
    remaining: &str,
    requested: &str,
    change: &str,
    id_distance: &str,
    constraints: &str,
    column: &str,
) -> Result<String> {
    crate::privacy::parallel_composition::plan_partition_text(
        remaining,
        requested,
        change,
        id_distance,
        constraints,
        column,
    )
}

/// `budgetToDoubles(budget, roundUp)`: `[ε]`, `[ε, δ]` or `[ρ]`, each the nearest double at or above
/// (`round_up`) or at or below the exact value; ∞ stays ∞.
pub fn budget_to_doubles(budget: &str, round_up: bool) -> Result<Vec<f64>> {
    Ok(parse_budget(budget)?.to_doubles(round_up))
}

/// `planMeasurement(request)`: the plan text of a measurement request (COMPILER_INTERFACES.md §2).
pub fn plan_measurement_text(request: &str) -> Result<String> {
    let request = parse_measurement_request(request)?;
    Ok(format_measurement_plan(&plan_measurement(&request)?))
}

/// `flatMapChange(change, flatMap)`: the protected change text of a flat map's output
/// (`privacy::stability::flat_map`; `flatMap` in that module's text form).
pub fn flat_map_change_text(change: &str, flat_map: &str) -> Result<String> {
    let change = parse_protected_change(change)?;
    let flat_map = parse_flat_map(flat_map)?;
    Ok(format_protected_change(&flat_map_output_change(
        &change, &flat_map,
    )?))
}

/// `joinStability(request)`: the protected change text of a joined table (`privacy::stability::join`).
pub fn join_stability(request: &str) -> Result<String> {
    crate::privacy::stability::join::join_stability_text(request)
}

/// `propagateConstraints(request)`: the constraints text in force after a transformation
/// (`privacy::stability::constraints`).
pub fn propagate_constraints(request: &str) -> Result<String> {
    crate::privacy::stability::constraints::propagate_constraints_text(request)
}

/// `budgetCovers(remaining, requested)`: whether `requested` fits in `remaining`.
pub fn budget_covers(remaining: &str, requested: &str) -> Result<bool> {
    let remaining = parse_budget(remaining)?;
    let requested = parse_budget(requested)?;
    remaining.covers(&requested)
}

/// `countNoise(budget, change, constraints, groupbyColumns, mechanism)`: the noise text for a count
/// grouped by `groupby_columns` (columns text) answered with `budget` by `mechanism` ("default",
/// "laplace" or "gaussian", case-insensitive).
pub fn count_noise_text(
    budget: &str,
    protected_change: &str,
    constraints: &str,
    groupby_columns: &str,
    mechanism: &str,
) -> Result<String> {
    let budget = parse_budget(budget)?;
    let protected_change = parse_protected_change(protected_change)?;
    let constraints = parse_constraints(constraints)?;
    let groupby_columns = parse_columns(groupby_columns)?;
    let mechanism = parse_mechanism(mechanism)?;
    Ok(format_noise_spec(&count_noise(
        &budget,
        &protected_change,
        &constraints,
        &groupby_columns,
        mechanism,
    )?))
}

/// `countByKey(ipc)`: partial counts per key; IPC stream in, IPC stream (one batch) out.
pub fn count_by_key_ipc(ipc_bytes: &[u8]) -> Result<Vec<u8>> {
    let (schema, batches) = ipc::read_stream(ipc_bytes, "countByKey input")?;
    let counts = count_by_key(&schema, &batches)?;
    ipc::write_stream(&counts.schema(), &[counts])
}

/// `addNoise(ipc, secret, queryIndex, noise)`: keyed noise added to column `value`; IPC in, IPC out,
/// same schema and row order. `query_index` is a Java long and must not be negative.
pub fn add_noise_ipc(
    ipc_bytes: &[u8],
    secret: &[u8],
    query_index: i64,
    noise: &str,
) -> Result<Vec<u8>> {
    let secret = SecretKey::from_bytes(secret)?;
    let Ok(query_index) = u64::try_from(query_index) else {
        fail!(
            InvalidArgument,
            "queryIndex ({query_index}) must not be negative"
        );
    };
    let noise = parse_noise_spec(noise)?;
    let (schema, batches) = ipc::read_stream(ipc_bytes, "addNoise input")?;
    let noisy_batches = add_noise(&schema, &batches, &secret, query_index, &noise)?;
    ipc::write_stream(&schema, &noisy_batches)
}

/// `truncationOpen(constraints, groupingColumns)`: opens a truncation for `constraints` (constraints
/// text, enforcement order) whose input carries `group_key_<i>`/`group_hash_<i>` for the columns of
/// `grouping_columns` (columns text: the constraints' distinct grouping columns in order of first
/// appearance). Returns the handle (a positive long).
pub fn truncation_open(constraints: &str, grouping_columns: &str) -> Result<i64> {
    let constraints = parse_constraints(constraints)?;
    let grouping_columns = parse_columns(grouping_columns)?;
    registry::open(TruncationState::new(&constraints, &grouping_columns)?)
}

/// `truncationOpenPartial(constraints, groupingColumns, partial)`: [`truncation_open`] whose kept rows
/// feed the partial of `partial` (the plan's `partial=` text, COMPILER_INTERFACES.md §5.1 step 2): its
/// finish returns the partial batch (`fp`, then `privacy::plan::partial_columns`).
pub fn truncation_open_partial(
    constraints: &str,
    grouping_columns: &str,
    partial: &str,
) -> Result<i64> {
    let constraints = parse_constraints(constraints)?;
    let grouping_columns = parse_columns(grouping_columns)?;
    let partial = parse_partial_spec(partial)?;
    registry::open(TruncationState::with_partial(
        &constraints,
        &grouping_columns,
        partial,
    )?)
}

/// `truncationOffer(handle, ipc)`: adds the rows of one IPC stream. A failed offer frees the handle.
pub fn truncation_offer(handle: i64, ipc_bytes: &[u8]) -> Result<()> {
    registry::with_state(handle, |state| {
        let (schema, batches) = ipc::read_stream(ipc_bytes, "truncationOffer input")?;
        state.offer(&schema, &batches)
    })
}

/// `truncationFinish(handle)`: the partial counts (`fp`, `count`) as one IPC stream; frees the handle.
pub fn truncation_finish(handle: i64) -> Result<Vec<u8>> {
    let counts = registry::finish(handle)?;
    ipc::write_stream(&counts.schema(), &[counts])
}

/// `truncationClose(handle)`: frees the handle if still open; idempotent.
pub fn truncation_close(handle: i64) -> Result<()> {
    registry::close(handle);
    Ok(())
}

/// `releaseOpen(plan, secret, queryIndex)`: opens a release pass (COMPILER_INTERFACES.md §5.1 step 3)
/// of the plan text `plan` for query `query_index` (a Java long, not negative) under the 32-byte
/// `secret`. Returns the handle (a positive long).
pub fn release_open(plan: &str, secret: &[u8], query_index: i64) -> Result<i64> {
    let secret = SecretKey::from_bytes(secret)?;
    let Ok(query_index) = u64::try_from(query_index) else {
        fail!(
            InvalidArgument,
            "queryIndex ({query_index}) must not be negative"
        );
    };
    let plan = parse_measurement_plan(plan)?;
    release::registry::open(ReleaseState::new(plan, &secret, query_index)?)
}

/// `releaseOffer(handle, ipc)`: adds the marker and partial rows of one IPC stream. A failed offer frees
/// the handle.
pub fn release_offer(handle: i64, ipc_bytes: &[u8]) -> Result<()> {
    release::registry::with_state(handle, |state| {
        let (schema, batches) = ipc::read_stream(ipc_bytes, "releaseOffer input")?;
        state.offer(&schema, &batches)
    })
}

/// `releaseFinish(handle)`: the released rows (`fp`, `out_0`, ...) as one IPC stream; frees the handle.
pub fn release_finish(handle: i64) -> Result<Vec<u8>> {
    let released = release::registry::finish(handle)?;
    ipc::write_stream(&released.schema(), &[released])
}

/// `releaseClose(handle)`: frees the handle if still open; idempotent.
pub fn release_close(handle: i64) -> Result<()> {
    release::registry::close(handle);
    Ok(())
}

#[cfg(test)]
mod test;
