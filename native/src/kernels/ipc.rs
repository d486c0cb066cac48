//! Arrow IPC *streams* (one schema message, N record batches, end-of-stream marker) in and out, and the
//! schema checks every kernel applies to its input.
//!
//! The JVM side reads these bytes with the Arrow Java that Spark bundles, which is 2.0.0 on Spark 3.1
//! (STYLE §0). So we write the IPC format version 5 with no body compression (arrow-ipc is built without
//! its compression features) and refuse to write any data type not on a short list that Arrow Java 2.0
//! is known to read.
use std::io::Cursor;

use arrow::datatypes::{DataType, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use arrow_ipc::reader::StreamReader;
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

/// Reject any column not in `expected`: an unexpected column would otherwise be silently ignored.
pub fn require_only_columns(schema: &Schema, expected: &[&str], context: &str) -> Result<()> {
    for field in schema.fields() {
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

fn column_names(schema: &Schema) -> Vec<&str> {
    schema.fields().iter().map(|f| f.name().as_str()).collect()
}

#[cfg(test)]
mod test;
