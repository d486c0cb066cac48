//! Arrow IPC *streams* (one schema message, N record batches, end-of-stream marker) in and out, and the
//! schema checks every kernel applies to its input.
//!
//! The JVM side reads these bytes with the Arrow Java that Spark bundles, which is 2.0.0 on Spark 3.1
//! (STYLE §0). So we write the IPC format version 5 with no body compression (arrow-ipc is built without
//! its compression features) and refuse to write any data type not on a short list that Arrow Java 2.0
//! is known to read.
use std::any::Any;
use std::io::Cursor;
use std::panic;

use arrow::datatypes::{DataType, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use arrow_ipc::reader::StreamReader;
use arrow_ipc::root_as_message;
use arrow_ipc::writer::StreamWriter;

use crate::error::Result;
use crate::{err, fail};

/// Decode one Arrow IPC stream into its schema and all its record batches.
///
/// `context` names the input in error messages, e.g. "countByKey input". Malformed bytes give
/// `Err(InvalidArgument)` saying what was wrong; the reader validates every array it decodes.
pub fn read_stream(ipc_bytes: &[u8], context: &str) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    if ipc_bytes.is_empty() {
        fail!(
            InvalidArgument,
            "{context}: expected an Arrow IPC stream, got 0 bytes"
        );
    }
    check_framing(ipc_bytes).map_err(|what| {
        err!(
            InvalidArgument,
            "{context}: not a valid Arrow IPC stream ({} bytes): {what}",
            ipc_bytes.len()
        )
    })?;
    // arrow-ipc's decoder is not hardened against hostile bytes: besides the lengths `check_framing`
    // guards, malformed messages have made it panic. A panic here means the caller's bytes were bad,
    // so it becomes InvalidArgument rather than an internal error.
    match panic::catch_unwind(|| decode_stream(ipc_bytes, context)) {
        Ok(decoded) => decoded,
        Err(payload) => fail!(
            InvalidArgument,
            "{context}: not a valid Arrow IPC stream ({} bytes): the decoder failed: {}",
            ipc_bytes.len(),
            panic_text(payload.as_ref())
        ),
    }
}

fn decode_stream(ipc_bytes: &[u8], context: &str) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    let reader = StreamReader::try_new(Cursor::new(ipc_bytes), None).map_err(|e| {
        err!(
            InvalidArgument,
            "{context}: not a valid Arrow IPC stream ({} bytes): cannot read the schema message: {e}",
            ipc_bytes.len()
        )
    })?;
    let schema = reader.schema();
    let mut batches = Vec::new();
    for (batch_index, batch) in reader.enumerate() {
        let batch = batch.map_err(|e| {
            err!(
                InvalidArgument,
                "{context}: not a valid Arrow IPC stream: cannot read record batch {batch_index}: {e}"
            )
        })?;
        batches.push(batch);
    }
    Ok((schema, batches))
}

/// Walk the stream's framing — per message: optional continuation marker 0xFFFFFFFF, metadata length,
/// flatbuffer `Message`, body of `bodyLength` bytes; a zero metadata length ends the stream — and check
/// every declared length against the bytes actually there. The decoder allocates whatever a message
/// declares before reading it, so a corrupted length could otherwise ask for gigabytes, and a failed
/// allocation aborts the process (the JVM with it) instead of panicking. `Err` is a description.
fn check_framing(ipc_bytes: &[u8]) -> std::result::Result<(), String> {
    let mut offset = 0usize;
    while offset < ipc_bytes.len() {
        let first_word = read_i32_le(ipc_bytes, offset)?;
        // Streams written since Arrow 0.15 start each message with the continuation marker; older
        // ("legacy") streams start with the length. The decoder accepts both, so we do too.
        let (metadata_length, prefix_length) = if first_word == -1 {
            (read_i32_le(ipc_bytes, offset.saturating_add(4))?, 8usize)
        } else {
            (first_word, 4usize)
        };
        if metadata_length == 0 {
            let end = offset.saturating_add(prefix_length);
            if end < ipc_bytes.len() {
                return Err(format!(
                    "{} unexpected bytes after the end-of-stream marker at byte {offset}",
                    ipc_bytes.len() - end
                ));
            }
            return Ok(());
        }
        let metadata_start = offset.saturating_add(prefix_length);
        let metadata_end = usize::try_from(metadata_length)
            .ok()
            .and_then(|length| metadata_start.checked_add(length))
            .filter(|&end| end <= ipc_bytes.len())
            .ok_or_else(|| {
                format!(
                    "the message at byte {offset} declares {metadata_length} bytes of metadata, but only {} bytes follow",
                    ipc_bytes.len().saturating_sub(metadata_start)
                )
            })?;
        let message = root_as_message(&ipc_bytes[metadata_start..metadata_end]).map_err(|e| {
            format!("the message at byte {offset} is not an Arrow IPC message: {e}")
        })?;
        let body_length = message.bodyLength();
        // Every column type we accept needs at least one bit of body per row, so a row count beyond
        // that is corrupt, and refusing it keeps any allocation sized by the row count bounded.
        if let Some(header) = message.header_as_record_batch() {
            let row_count = header.length();
            if row_count > body_length.saturating_mul(8) {
                return Err(format!(
                    "the record batch at byte {offset} declares {row_count} rows, more than its body of {body_length} bytes can hold"
                ));
            }
        }
        offset = usize::try_from(body_length)
            .ok()
            .and_then(|length| metadata_end.checked_add(length))
            .filter(|&end| end <= ipc_bytes.len())
            .ok_or_else(|| {
                format!(
                    "the message at byte {offset} declares a body of {body_length} bytes, but only {} bytes follow",
                    ipc_bytes.len() - metadata_end
                )
            })?;
    }
    // No end-of-stream marker: the decoder treats the end of the bytes as the end of the stream.
    Ok(())
}

fn read_i32_le(bytes: &[u8], offset: usize) -> std::result::Result<i32, String> {
    offset
        .checked_add(4)
        .and_then(|end| bytes.get(offset..end))
        .and_then(|word| <[u8; 4]>::try_from(word).ok())
        .map(i32::from_le_bytes)
        .ok_or_else(|| format!("the stream is truncated at byte {offset}, inside a message length"))
}

fn panic_text(payload: &(dyn Any + Send)) -> &str {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text
    } else {
        "a panic without a message"
    }
}

/// Encode a schema and record batches as one Arrow IPC stream that Arrow Java 2.0 can read.
///
/// Every batch must have exactly `schema`. Errors are ours, not the caller's: `Err(Internal)`.
pub fn write_stream(schema: &Schema, batches: &[RecordBatch]) -> Result<Vec<u8>> {
    for field in schema.fields() {
        if !is_readable_by_arrow_java_2(field.data_type()) {
            fail!(
                Internal,
                "refusing to write column '{}' of type {}: not known to be readable by Arrow Java 2.0 (Spark 3.1)",
                field.name(),
                field.data_type()
            );
        }
    }
    let mut writer = StreamWriter::try_new(Vec::new(), schema)
        .map_err(|e| err!(Internal, "cannot start an Arrow IPC stream: {e}"))?;
    for (batch_index, batch) in batches.iter().enumerate() {
        if batch.schema().as_ref() != schema {
            fail!(
                Internal,
                "record batch {batch_index} has schema {:?}, the stream has {:?}",
                batch.schema(),
                schema
            );
        }
        writer.write(batch).map_err(|e| {
            err!(
                Internal,
                "cannot write record batch {batch_index} to an Arrow IPC stream: {e}"
            )
        })?;
    }
    writer
        .finish()
        .map_err(|e| err!(Internal, "cannot finish an Arrow IPC stream: {e}"))?;
    writer
        .into_inner()
        .map_err(|e| err!(Internal, "cannot finish an Arrow IPC stream: {e}"))
}

/// The types we may emit. Deliberately short: add a type only together with the JVM test that
/// round-trips it on Spark 3.1.1 (CONTRACTS.md). Views, run-end encoding and friends are newer than 2.0.
fn is_readable_by_arrow_java_2(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Int64
            | DataType::Int32
            | DataType::Float64
            | DataType::Boolean
            | DataType::Utf8
            | DataType::Binary
    )
}

/// The index of the column `name`, checking it is Int64. `context` names the input in error messages:
/// "countByKey input: expected column 'key' of type Int64, got Utf8".
pub fn require_int64_column(schema: &Schema, name: &str, context: &str) -> Result<usize> {
    let Ok(index) = schema.index_of(name) else {
        fail!(
            InvalidArgument,
            "{context}: expected column '{name}' of type Int64, but there is no column '{name}'; available columns are {:?}",
            column_names(schema)
        );
    };
    let data_type = schema.field(index).data_type();
    if data_type != &DataType::Int64 {
        fail!(
            InvalidArgument,
            "{context}: expected column '{name}' of type Int64, got {data_type}"
        );
    }
    Ok(index)
}

/// Reject any column not in `expected`, and any column name given twice: an unexpected or shadowed
/// column would otherwise be silently ignored.
pub fn require_only_columns(schema: &Schema, expected: &[&str], context: &str) -> Result<()> {
    for (index, field) in schema.fields().iter().enumerate() {
        if schema.fields()[..index]
            .iter()
            .any(|earlier| earlier.name() == field.name())
        {
            fail!(
                InvalidArgument,
                "{context}: column '{}' appears more than once",
                field.name()
            );
        }
        if !expected.contains(&field.name().as_str()) {
            fail!(
                InvalidArgument,
                "{context}: unexpected column '{}'; expected exactly the columns {:?}",
                field.name(),
                expected
            );
        }
    }
    Ok(())
}

/// Check that `batch` has the columns of `schema` (same names and types, in the same order), so that the
/// column indices a kernel found in `schema` are valid in the batch and mean the same column. Batches
/// decoded from one IPC stream always do; the check is for library callers passing both separately.
/// Nullability is not compared: kernels check the actual nulls.
pub fn require_batch_matches_schema(
    schema: &Schema,
    batch: &RecordBatch,
    batch_index: usize,
    context: &str,
) -> Result<()> {
    let batch_schema = batch.schema();
    let is_same = batch_schema.fields().len() == schema.fields().len()
        && batch_schema
            .fields()
            .iter()
            .zip(schema.fields().iter())
            .all(|(got, want)| got.name() == want.name() && got.data_type() == want.data_type());
    if !is_same {
        fail!(
            InvalidArgument,
            "{context}: batch {batch_index} has the columns {:?}, but the schema has {:?}",
            column_names(&batch_schema),
            column_names(schema)
        );
    }
    Ok(())
}

fn column_names(schema: &Schema) -> Vec<&str> {
    schema.fields().iter().map(|f| f.name().as_str()).collect()
}

#[cfg(test)]
mod test;
