//! Parquet encoding of a [`Table`] through Arrow record batches, Snappy-compressed.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, UInt32Array, UInt64Array};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::{ColumnData, OutputError, Table};

/// Largest number of rows per record batch, bounding the extra memory used while writing.
const BATCH_ROWS: usize = 65_536;

/// Writes `table` (whose columns all have `n_rows` values) as Parquet; `path` names errors.
pub(crate) fn write_parquet<W: Write + Send>(
    out: W,
    table: &Table,
    n_rows: usize,
    path: &Path,
) -> Result<(), OutputError> {
    let pq_err = |source| OutputError::Parquet { path: path.to_path_buf(), source };
    let schema = schema(table);
    let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
    let mut writer = ArrowWriter::try_new(out, schema.clone(), Some(props)).map_err(pq_err)?;
    let mut start = 0;
    while start < n_rows {
        let end = n_rows.min(start + BATCH_ROWS);
        let arrays = table.columns.iter().map(|c| slice_array(&c.data, start, end)).collect();
        let batch = RecordBatch::try_new(schema.clone(), arrays)
            .map_err(|source| OutputError::Arrow { path: path.to_path_buf(), source })?;
        writer.write(&batch).map_err(pq_err)?;
        start = end;
    }
    writer.close().map_err(pq_err)?;
    Ok(())
}

/// Arrow schema of the table: one non-null field per column.
fn schema(table: &Table) -> SchemaRef {
    let fields: Vec<Field> = table
        .columns
        .iter()
        .map(|c| {
            let data_type = match c.data {
                ColumnData::U32(_) => DataType::UInt32,
                ColumnData::U64(_) => DataType::UInt64,
                ColumnData::I64(_) => DataType::Int64,
                ColumnData::F64(_) => DataType::Float64,
                ColumnData::Str(_) => DataType::Utf8,
            };
            Field::new(c.name.clone(), data_type, false)
        })
        .collect();
    Arc::new(Schema::new(fields))
}

/// Copies rows `start..end` of a column into an Arrow array.
fn slice_array(data: &ColumnData, start: usize, end: usize) -> ArrayRef {
    match data {
        ColumnData::U32(v) => Arc::new(UInt32Array::from_iter_values(v[start..end].iter().copied())),
        ColumnData::U64(v) => Arc::new(UInt64Array::from_iter_values(v[start..end].iter().copied())),
        ColumnData::I64(v) => Arc::new(Int64Array::from_iter_values(v[start..end].iter().copied())),
        ColumnData::F64(v) => Arc::new(Float64Array::from_iter_values(v[start..end].iter().copied())),
        ColumnData::Str(v) => Arc::new(StringArray::from_iter_values(v[start..end].iter())),
    }
}
