/** Engine version, recorded in manifests and Parquet metadata (kept equal to package.json by a test). */
export const ENGINE_VERSION = '0.1.0';
