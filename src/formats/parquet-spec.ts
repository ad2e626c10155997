/**
 * Names from the Parquet format specification (parquet.thrift): enum values, and the
 * Thrift field ids of each struct the writer emits, so that a footer reads like the
 * spec (`ColumnMetaData.DATA_PAGE_OFFSET`) rather than by bare number.
 */

/** Physical types (enum Type). */
export const PhysicalType = { BOOLEAN: 0, INT32: 1, INT64: 2, FLOAT: 4, DOUBLE: 5, BYTE_ARRAY: 6 } as const;
/** Encodings (enum Encoding). */
export const Encoding = { PLAIN: 0, RLE: 3, DELTA_BINARY_PACKED: 5, RLE_DICTIONARY: 8 } as const;
/** Compression codecs (enum CompressionCodec). */
export const Codec = { UNCOMPRESSED: 0, SNAPPY: 1 } as const;
/** Page types (enum PageType). */
export const PageType = { DATA_PAGE: 0, DICTIONARY_PAGE: 2 } as const;
/** Repetition (enum FieldRepetitionType). */
export const Repetition = { REQUIRED: 0, OPTIONAL: 1 } as const;
/** Legacy converted types (enum ConvertedType), written beside logical types for old readers. */
export const ConvertedType = { UTF8: 0, TIMESTAMP_MILLIS: 9 } as const;

/** Thrift field ids, struct by struct. */
export const FileMetaData = { VERSION: 1, SCHEMA: 2, NUM_ROWS: 3, ROW_GROUPS: 4, KEY_VALUE_METADATA: 5, CREATED_BY: 6, COLUMN_ORDERS: 7 } as const;
export const SchemaElement = { TYPE: 1, REPETITION_TYPE: 3, NAME: 4, NUM_CHILDREN: 5, CONVERTED_TYPE: 6, LOGICAL_TYPE: 10 } as const;
/** union LogicalType, and the members used. */
export const LogicalType = { STRING: 1, TIMESTAMP: 8 } as const;
export const TimestampType = { IS_ADJUSTED_TO_UTC: 1, UNIT: 2 } as const;
/** union TimeUnit. */
export const TimeUnit = { MILLIS: 1 } as const;
export const RowGroup = { COLUMNS: 1, TOTAL_BYTE_SIZE: 2, NUM_ROWS: 3, FILE_OFFSET: 5, TOTAL_COMPRESSED_SIZE: 6 } as const;
export const ColumnChunk = { FILE_OFFSET: 2, META_DATA: 3, OFFSET_INDEX_OFFSET: 4, OFFSET_INDEX_LENGTH: 5 } as const;
export const ColumnMetaData = {
  TYPE: 1,
  ENCODINGS: 2,
  PATH_IN_SCHEMA: 3,
  CODEC: 4,
  NUM_VALUES: 5,
  TOTAL_UNCOMPRESSED_SIZE: 6,
  TOTAL_COMPRESSED_SIZE: 7,
  DATA_PAGE_OFFSET: 9,
  DICTIONARY_PAGE_OFFSET: 11,
  STATISTICS: 12,
} as const;
export const Statistics = { MAX: 1, MIN: 2, NULL_COUNT: 3, MAX_VALUE: 5, MIN_VALUE: 6 } as const;
export const KeyValue = { KEY: 1, VALUE: 2 } as const;
/** union ColumnOrder. */
export const ColumnOrder = { TYPE_ORDER: 1 } as const;
export const PageHeader = { TYPE: 1, UNCOMPRESSED_PAGE_SIZE: 2, COMPRESSED_PAGE_SIZE: 3, DATA_PAGE_HEADER: 5, DICTIONARY_PAGE_HEADER: 7 } as const;
export const DataPageHeader = { NUM_VALUES: 1, ENCODING: 2, DEFINITION_LEVEL_ENCODING: 3, REPETITION_LEVEL_ENCODING: 4 } as const;
export const DictionaryPageHeader = { NUM_VALUES: 1, ENCODING: 2 } as const;
export const OffsetIndex = { PAGE_LOCATIONS: 1 } as const;
export const PageLocation = { OFFSET: 1, COMPRESSED_PAGE_SIZE: 2, FIRST_ROW_INDEX: 3 } as const;
