//! The JNI edge: the only module that knows about JNI (STYLE §2).
//!
//! Every `Java_sparkdp_bridge_Native_*` function below backs one `@native def` of the Scala class
//! `sparkdp.bridge.Native` (CONTRACTS.md, "JNI"). Each one converts its JNI arguments to plain Rust on its
//! first lines, calls exactly one function of `kernels::edge_ops`, and converts the result back. The body
//! runs inside [`run_at_edge`], which catches panics and turns every `Err` into a pending Java exception
//! (one `match`, in [`throw_error`]), so nothing from Rust can crash the JVM: unwinding into the JVM
//! would abort the whole executor.
//!
//! The workspace keeps `panic = "unwind"` in every profile for this reason (see the workspace Cargo.toml).
#![allow(non_snake_case)] // JNI symbol names are fixed by the Java class and method names.

use std::any::Any;
use std::backtrace::Backtrace;
use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};

use ::jni::objects::{JByteArray, JObject, JString};
use ::jni::sys::{
    jboolean, jbyteArray, jdouble, jdoubleArray, jlong, jobject, jstring, JNI_FALSE, JNI_TRUE,
};
use ::jni::JNIEnv;
use once_cell::sync::Lazy;

use crate::error::{Error, Result};
use crate::kernels::edge_ops;
use crate::{err, fail};

// ---------------------------------------------------------------------------------------------------
// The exported functions, one per method of `sparkdp.bridge.Native`, in CONTRACTS.md order.
// ---------------------------------------------------------------------------------------------------

/// `libraryVersion(): String` — the crate version, e.g. "0.1.0".
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_libraryVersion<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
) -> jstring {
    run_at_edge(&mut env, |env| {
        string_result(env, edge_ops::library_version())
    })
}

/// `newSessionSecret(): Array[Byte]` — 32 bytes from the OS CSPRNG.
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_newSessionSecret<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
) -> jbyteArray {
    run_at_edge(&mut env, |env| {
        let secret = edge_ops::new_session_secret()?;
        byte_array_result(env, &secret)
    })
}

/// `deriveKey(secret: Array[Byte], purpose: String): Array[Byte]` — the 32-byte child key for `purpose`.
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_deriveKey<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    secret: JByteArray<'local>,
    purpose: JString<'local>,
) -> jbyteArray {
    run_at_edge(&mut env, |env| {
        let secret = bytes_arg(env, &secret, "secret")?;
        let purpose = string_arg(env, &purpose, "purpose")?;
        let child_key = edge_ops::derive_key(&secret, &purpose)?;
        byte_array_result(env, &child_key)
    })
}

/// `exactFromDouble(value: Double, setting: String): String` — exact number text ("inf" for +∞).
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_exactFromDouble<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    value: jdouble,
    setting: JString<'local>,
) -> jstring {
    run_at_edge(&mut env, |env| {
        let setting = string_arg(env, &setting, "setting")?;
        let exact = edge_ops::exact_from_double(value, &setting)?;
        string_result(env, &exact)
    })
}

/// `budgetSubtract(remaining: String, requested: String): String` — budget text of `remaining - requested`.
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_budgetSubtract<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    remaining: JString<'local>,
    requested: JString<'local>,
) -> jstring {
    run_at_edge(&mut env, |env| {
        let remaining = string_arg(env, &remaining, "remaining")?;
        let requested = string_arg(env, &requested, "requested")?;
        let left_over = edge_ops::budget_subtract(&remaining, &requested)?;
        string_result(env, &left_over)
    })
}

/// `budgetCovers(remaining: String, requested: String): Boolean`.
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_budgetCovers<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    remaining: JString<'local>,
    requested: JString<'local>,
) -> jboolean {
    run_at_edge(&mut env, |env| {
        let remaining = string_arg(env, &remaining, "remaining")?;
        let requested = string_arg(env, &requested, "requested")?;
        let is_covered = edge_ops::budget_covers(&remaining, &requested)?;
        Ok(if is_covered { JNI_TRUE } else { JNI_FALSE })
    })
}

/// `numberToDouble(number: String, roundUp: Boolean): Double` — outward rounding as asked.
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_numberToDouble<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    number: JString<'local>,
    round_up: jboolean,
) -> jdouble {
    run_at_edge(&mut env, |env| {
        let number = string_arg(env, &number, "number")?;
        let round_up = round_up != JNI_FALSE;
        edge_ops::number_to_double(&number, round_up)
    })
}

/// `countNoise(budget: String, change: String, constraints: String, groupbyColumns: String,
/// mechanism: String): String` — noise text.
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_countNoise<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    budget: JString<'local>,
    change: JString<'local>,
    constraints: JString<'local>,
    groupby_columns: JString<'local>,
    mechanism: JString<'local>,
) -> jstring {
    run_at_edge(&mut env, |env| {
        let budget = string_arg(env, &budget, "budget")?;
        let change = string_arg(env, &change, "change")?;
        let constraints = string_arg(env, &constraints, "constraints")?;
        let groupby_columns = string_arg(env, &groupby_columns, "groupbyColumns")?;
        let mechanism = string_arg(env, &mechanism, "mechanism")?;
        let noise = edge_ops::count_noise_text(
            &budget,
            &change,
            &constraints,
            &groupby_columns,
            &mechanism,
        )?;
        string_result(env, &noise)
    })
}

/// `countByKey(ipc: Array[Byte]): Array[Byte]` — IPC stream (`key` Int64 nullable) in, one batch of
/// (`key`, `count`) out.
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_countByKey<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    ipc: JByteArray<'local>,
) -> jbyteArray {
    run_at_edge(&mut env, |env| {
        let ipc = bytes_arg(env, &ipc, "ipc")?;
        let counts_ipc = edge_ops::count_by_key_ipc(&ipc)?;
        byte_array_result(env, &counts_ipc)
    })
}

/// `addNoise(ipc: Array[Byte], secret: Array[Byte], queryIndex: Long, noise: String): Array[Byte]` —
/// IPC stream (`key`, `value`) in, the same with noisy `value` out.
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_addNoise<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    ipc: JByteArray<'local>,
    secret: JByteArray<'local>,
    query_index: jlong,
    noise: JString<'local>,
) -> jbyteArray {
    run_at_edge(&mut env, |env| {
        let ipc = bytes_arg(env, &ipc, "ipc")?;
        let secret = bytes_arg(env, &secret, "secret")?;
        let noise = string_arg(env, &noise, "noise")?;
        let noisy_ipc = edge_ops::add_noise_ipc(&ipc, &secret, query_index, &noise)?;
        byte_array_result(env, &noisy_ipc)
    })
}

/// `planMeasurement(request: String): String` — the plan text of a measurement request.
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_planMeasurement<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    request: JString<'local>,
) -> jstring {
    run_at_edge(&mut env, |env| {
        let request = string_arg(env, &request, "request")?;
        let plan = edge_ops::plan_measurement_text(&request)?;
        string_result(env, &plan)
    })
}

/// `flatMapChange(change: String, flatMap: String): String` — the protected change of a flat map's output.
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_flatMapChange<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    change: JString<'local>,
    flat_map: JString<'local>,
) -> jstring {
    run_at_edge(&mut env, |env| {
        let change = string_arg(env, &change, "change")?;
        let flat_map = string_arg(env, &flat_map, "flatMap")?;
        let output = edge_ops::flat_map_change_text(&change, &flat_map)?;
        string_result(env, &output)
    })
}

/// `joinStability(request: String): String` — the protected change text of a joined table (issue 10,
/// `privacy::stability::join`).
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_joinStability<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    request: JString<'local>,
) -> jstring {
    run_at_edge(&mut env, |env| {
        let request = string_arg(env, &request, "request")?;
        let change = edge_ops::join_stability(&request)?;
        string_result(env, &change)
    })
}

/// `propagateConstraints(request: String): String` — the constraints in force after a transformation
/// (issue 10, constraint placement; `privacy::stability::constraints`).
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_propagateConstraints<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    request: JString<'local>,
) -> jstring {
    run_at_edge(&mut env, |env| {
        let request = string_arg(env, &request, "request")?;
        let constraints = edge_ops::propagate_constraints(&request)?;
        string_result(env, &constraints)
    })
}

/// `budgetFromDoubles(kind: String, a: Double, b: Double): String` — budget text ("pure": ε = a;
/// "approx": ε = a, δ = b; "zcdp": ρ = a).
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_budgetFromDoubles<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    kind: JString<'local>,
    a: jdouble,
    b: jdouble,
) -> jstring {
    run_at_edge(&mut env, |env| {
        let kind = string_arg(env, &kind, "kind")?;
        let budget = edge_ops::budget_from_doubles(&kind, a, b)?;
        string_result(env, &budget)
    })
}

/// `budgetCharge(remaining: String, requested: String): String` — the charged budget text.
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_budgetCharge<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    remaining: JString<'local>,
    requested: JString<'local>,
) -> jstring {
    run_at_edge(&mut env, |env| {
        let remaining = string_arg(env, &remaining, "remaining")?;
        let requested = string_arg(env, &requested, "requested")?;
        let charged = edge_ops::budget_charge(&remaining, &requested)?;
        string_result(env, &charged)
    })
}

/// `planPartition(remaining, requested, change, idDistance, constraints, column: String): String` — the partition plan text.
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_planPartition<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    remaining: JString<'local>,
    requested: JString<'local>,
    change: JString<'local>,
    id_distance: JString<'local>,
    constraints: JString<'local>,
    column: JString<'local>,
) -> jstring {
    run_at_edge(&mut env, |env| {
        let remaining = string_arg(env, &remaining, "remaining")?;
        let requested = string_arg(env, &requested, "requested")?;
        let change = string_arg(env, &change, "change")?;
        let id_distance = string_arg(env, &id_distance, "idDistance")?;
        let constraints = string_arg(env, &constraints, "constraints")?;
        let column = string_arg(env, &column, "column")?;
        let plan = edge_ops::plan_partition(
            &remaining,
            &requested,
            &change,
            &id_distance,
            &constraints,
            &column,
        )?;
        string_result(env, &plan)
    })
}

/// `budgetToDoubles(budget: String, roundUp: Boolean): Array[Double]` — `[ε]`, `[ε, δ]` or `[ρ]`.
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_budgetToDoubles<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    budget: JString<'local>,
    round_up: jboolean,
) -> jdoubleArray {
    run_at_edge(&mut env, |env| {
        let budget = string_arg(env, &budget, "budget")?;
        let round_up = round_up != JNI_FALSE;
        let values = edge_ops::budget_to_doubles(&budget, round_up)?;
        double_array_result(env, &values)
    })
}

/// `truncationOpen(constraints: String, groupingColumns: String): Long` — a truncation handle.
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_truncationOpen<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    constraints: JString<'local>,
    grouping_columns: JString<'local>,
) -> jlong {
    run_at_edge(&mut env, |env| {
        let constraints = string_arg(env, &constraints, "constraints")?;
        let grouping_columns = string_arg(env, &grouping_columns, "groupingColumns")?;
        edge_ops::truncation_open(&constraints, &grouping_columns)
    })
}

/// `truncationOpenPartial(constraints: String, groupingColumns: String, partial: String): Long` — a
/// truncation handle whose finish returns the partial of the plan's `partial=` text.
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_truncationOpenPartial<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    constraints: JString<'local>,
    grouping_columns: JString<'local>,
    partial: JString<'local>,
) -> jlong {
    run_at_edge(&mut env, |env| {
        let constraints = string_arg(env, &constraints, "constraints")?;
        let grouping_columns = string_arg(env, &grouping_columns, "groupingColumns")?;
        let partial = string_arg(env, &partial, "partial")?;
        edge_ops::truncation_open_partial(&constraints, &grouping_columns, &partial)
    })
}

/// `truncationOffer(handle: Long, ipc: Array[Byte]): Unit` — adds one IPC stream of rows.
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_truncationOffer<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    handle: jlong,
    ipc: JByteArray<'local>,
) {
    run_at_edge(&mut env, |env| {
        let ipc = bytes_arg(env, &ipc, "ipc")?;
        edge_ops::truncation_offer(handle, &ipc)
    })
}

/// `truncationFinish(handle: Long): Array[Byte]` — IPC stream of (`fp`, `count`); frees the handle.
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_truncationFinish<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    handle: jlong,
) -> jbyteArray {
    run_at_edge(&mut env, |env| {
        let counts_ipc = edge_ops::truncation_finish(handle)?;
        byte_array_result(env, &counts_ipc)
    })
}

/// `truncationClose(handle: Long): Unit` — frees the handle if still open; idempotent.
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_truncationClose<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    handle: jlong,
) {
    run_at_edge(&mut env, |_env| edge_ops::truncation_close(handle))
}

/// `releaseOpen(plan: String, secret: Array[Byte], queryIndex: Long): Long` — a release-pass handle.
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_releaseOpen<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    plan: JString<'local>,
    secret: JByteArray<'local>,
    query_index: jlong,
) -> jlong {
    run_at_edge(&mut env, |env| {
        let plan = string_arg(env, &plan, "plan")?;
        let secret = bytes_arg(env, &secret, "secret")?;
        edge_ops::release_open(&plan, &secret, query_index)
    })
}

/// `releaseOffer(handle: Long, ipc: Array[Byte]): Unit` — adds one IPC stream of marker and partial rows.
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_releaseOffer<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    handle: jlong,
    ipc: JByteArray<'local>,
) {
    run_at_edge(&mut env, |env| {
        let ipc = bytes_arg(env, &ipc, "ipc")?;
        edge_ops::release_offer(handle, &ipc)
    })
}

/// `releaseFinish(handle: Long): Array[Byte]` — IPC stream of (`fp`, `out_0`, ...); frees the handle.
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_releaseFinish<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    handle: jlong,
) -> jbyteArray {
    run_at_edge(&mut env, |env| {
        let released_ipc = edge_ops::release_finish(handle)?;
        byte_array_result(env, &released_ipc)
    })
}

/// `releaseClose(handle: Long): Unit` — frees the handle if still open; idempotent.
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_releaseClose<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    handle: jlong,
) {
    run_at_edge(&mut env, |_env| edge_ops::release_close(handle))
}

/// `panicForTest(): Unit` — panics inside Rust on purpose. It exists so tests (Rust and JVM) can prove
/// that the edge turns a panic into a pending `sparkdp.NativeException` carrying the panic message,
/// instead of aborting the JVM. Never called in production code.
#[no_mangle]
pub extern "system" fn Java_sparkdp_bridge_Native_panicForTest<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
) {
    run_at_edge(&mut env, |_env| -> Result<()> {
        panic!("panicForTest: deliberate panic inside the native library")
    })
}

// ---------------------------------------------------------------------------------------------------
// The shared wrapper: catch panics, map errors to Java exceptions, return a dummy value on failure.
// ---------------------------------------------------------------------------------------------------

/// The value an exported function returns when it has thrown; the JVM ignores it because an exception
/// is pending.
trait JniDefault {
    fn jni_default() -> Self;
}

/// `jstring` and `jbyteArray` are both aliases of `jobject`.
impl JniDefault for jobject {
    fn jni_default() -> Self {
        std::ptr::null_mut()
    }
}

impl JniDefault for jboolean {
    fn jni_default() -> Self {
        JNI_FALSE
    }
}

impl JniDefault for jlong {
    fn jni_default() -> Self {
        0
    }
}

impl JniDefault for jdouble {
    fn jni_default() -> Self {
        0.0
    }
}

impl JniDefault for () {
    fn jni_default() -> Self {}
}

/// Run `body` (argument conversion + one core call + result conversion) and return its value; on `Err`
/// or panic, leave the matching Java exception pending and return `T::jni_default()`.
fn run_at_edge<'local, T: JniDefault>(
    env: &mut JNIEnv<'local>,
    body: impl FnOnce(&mut JNIEnv<'local>) -> Result<T>,
) -> T {
    Lazy::force(&PANIC_HOOK);
    let was_at_edge = AT_EDGE.with(|flag| flag.replace(true));
    LAST_PANIC_CONTEXT.with(Cell::take);
    // AssertUnwindSafe: after a panic we touch nothing `body` may have left half-updated except `env`,
    // whose JNI state stays valid (a panic cannot interrupt a JNI call midway).
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| body(env)));
    AT_EDGE.with(|flag| flag.set(was_at_edge));
    let failure = match outcome {
        Ok(Ok(value)) => return value,
        Ok(Err(failure)) => failure,
        Err(payload) => panic_to_error(payload.as_ref()),
    };
    throw_error(env, &failure);
    T::jni_default()
}

/// The one mapping from Rust errors to Java exception classes (CONTRACTS.md, "Error mapping").
/// If a JNI call made while converting arguments already left a Java exception pending (say an
/// `OutOfMemoryError`), that one is more precise than ours and stays.
fn throw_error(env: &mut JNIEnv, failure: &Error) {
    if env.exception_check().unwrap_or(false) {
        return;
    }
    let class = match failure {
        Error::InvalidArgument(_) => "java/lang/IllegalArgumentException",
        Error::Overflow(_) => "java/lang/ArithmeticException",
        Error::InsufficientBudget(_) => "sparkdp/InsufficientBudgetException",
        Error::UnsupportedQuery(_) => "sparkdp/UnsupportedQueryException",
        Error::Internal(_) => "sparkdp/NativeException",
    };
    throw_exception(env, class, &failure.to_string());
}

/// Throw `class` (JNI binary name, e.g. "sparkdp/NativeException") with `message`. If the class cannot be
/// found (our exception classes missing from the class loader that loaded `Native`), `FindClass` leaves a
/// `NoClassDefFoundError` pending: clear it and throw a `java.lang.RuntimeException` whose message starts
/// with the intended class name, so the caller still gets the message and the JVM never crashes.
fn throw_exception(env: &mut JNIEnv, class: &str, message: &str) {
    if env.throw_new(class, message).is_ok() {
        return;
    }
    let _ = env.exception_clear();
    let fallback_message = format!(
        "{} (class not found, thrown as java.lang.RuntimeException): {message}",
        class.replace('/', ".")
    );
    // Nothing more can be done if even this fails; the function still returns normally.
    let _ = env.throw_new("java/lang/RuntimeException", fallback_message);
}

/// A panic becomes `Error::Internal` (so `sparkdp.NativeException`): the panic message, where it
/// happened, and the Rust backtrace the hook recorded.
fn panic_to_error(payload: &(dyn Any + Send)) -> Error {
    let panic_message = if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "panic with a payload that is not text".to_string()
    };
    match LAST_PANIC_CONTEXT.with(Cell::take) {
        Some(context) => err!(
            Internal,
            "{panic_message} (native panic at {})\nRust backtrace:\n{}",
            context.location,
            context.backtrace
        ),
        None => err!(Internal, "{panic_message} (native panic)"),
    }
}

// ---------------------------------------------------------------------------------------------------
// The panic hook: record where a panic happened into the exception message instead of printing it.
// ---------------------------------------------------------------------------------------------------

struct PanicContext {
    location: String,
    backtrace: String,
}

thread_local! {
    /// Whether this thread is inside `run_at_edge`, whose `catch_unwind` will turn a panic into an exception.
    static AT_EDGE: Cell<bool> = const { Cell::new(false) };
    /// What the hook recorded about the last panic on this thread inside the edge.
    static LAST_PANIC_CONTEXT: Cell<Option<PanicContext>> = const { Cell::new(None) };
}

/// Installed once, on the first call into the edge. On an executor, stderr is a log file nobody reads
/// next to the exception; so at the edge the hook keeps location and backtrace for the exception
/// message. Panics elsewhere (other threads, tests) go to the previous hook as before.
static PANIC_HOOK: Lazy<()> = Lazy::new(|| {
    let previous_hook = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if AT_EDGE.try_with(Cell::get).unwrap_or(false) {
            let context = PanicContext {
                location: info
                    .location()
                    .map_or_else(|| "an unknown location".to_string(), ToString::to_string),
                // A panic is a bug; its backtrace is worth the cost of capturing it every time.
                backtrace: Backtrace::force_capture().to_string(),
            };
            let _ = LAST_PANIC_CONTEXT.try_with(|last| last.set(Some(context)));
        } else {
            previous_hook(info);
        }
    }));
});

// ---------------------------------------------------------------------------------------------------
// Argument and result conversion.
// ---------------------------------------------------------------------------------------------------

fn bytes_arg(env: &JNIEnv, array: &JByteArray, name: &str) -> Result<Vec<u8>> {
    if array.is_null() {
        fail!(InvalidArgument, "argument '{name}' must not be null");
    }
    env.convert_byte_array(array)
        .map_err(|e| err!(Internal, "cannot read argument '{name}' (byte[]): {e}"))
}

fn string_arg(env: &mut JNIEnv, string: &JString, name: &str) -> Result<String> {
    if string.is_null() {
        fail!(InvalidArgument, "argument '{name}' must not be null");
    }
    let java_str = env
        .get_string(string)
        .map_err(|e| err!(Internal, "cannot read argument '{name}' (String): {e}"))?;
    Ok(java_str.into())
}

fn byte_array_result(env: &JNIEnv, bytes: &[u8]) -> Result<jbyteArray> {
    // jni 0.21's byte_array_from_slice casts the length to i32 unchecked.
    if i32::try_from(bytes.len()).is_err() {
        fail!(
            Internal,
            "result of {} bytes does not fit in a Java byte[]",
            bytes.len()
        );
    }
    let array = env.byte_array_from_slice(bytes).map_err(|e| {
        err!(
            Internal,
            "cannot create the result byte[] ({} bytes): {e}",
            bytes.len()
        )
    })?;
    Ok(array.into_raw())
}

fn double_array_result(env: &JNIEnv, values: &[f64]) -> Result<jdoubleArray> {
    let length = i32::try_from(values.len()).map_err(|_| {
        err!(
            Internal,
            "result of {} doubles does not fit in a Java double[]",
            values.len()
        )
    })?;
    let array = env
        .new_double_array(length)
        .map_err(|e| err!(Internal, "cannot create the result double[]: {e}"))?;
    env.set_double_array_region(&array, 0, values)
        .map_err(|e| err!(Internal, "cannot fill the result double[]: {e}"))?;
    Ok(array.into_raw())
}

fn string_result(env: &JNIEnv, text: &str) -> Result<jstring> {
    let string = env
        .new_string(text)
        .map_err(|e| err!(Internal, "cannot create the result String: {e}"))?;
    Ok(string.into_raw())
}

#[cfg(test)]
mod test;
