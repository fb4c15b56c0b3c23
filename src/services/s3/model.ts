/**
 * The S3 resources as the store keeps them: buckets, objects, multipart uploads and parts.
 * AWS docs: Amazon S3 API Reference, "Data Types" (API_Bucket.html, API_Object.html,
 * API_MultipartUpload.html, API_Part.html).
 */

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';
/** FULL_OBJECT: checksum of the whole body; COMPOSITE: checksum of the parts' checksums ("...-N"). */
export type ChecksumType = 'FULL_OBJECT' | 'COMPOSITE';

export interface Checksum {
  algorithm: ChecksumAlgorithm;
  /** Base64 of the big-endian digest; composite values end in `-<parts>`. */
  value: string;
  type: ChecksumType;
}

export interface Bucket {
  name: string;
  region: string;
  /** Epoch ms. */
  created: number;
  /** Bucket policy document as stored (JSON text), or null. */
  policy: string | null;
}

/** The representation headers S3 stores with an object and returns on GET/HEAD. */
export interface ObjectMeta {
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  websiteRedirectLocation?: string;
  /** `x-amz-meta-*` names lowercased, without the prefix. */
  user: Record<string, string>;
}

export interface StoredObject {
  bucket: string;
  key: string;
  /** Blob file name; null for an empty or inline body. */
  blob: string | null;
  /** True when the body is kept in the object's own row (small objects). */
  inline: boolean;
  size: number;
  /** Quoted, as S3 returns it. */
  etag: string;
  /** Epoch ms. */
  modified: number;
  storageClass: string;
  checksum: Checksum | null;
  /** Parts count for multipart objects. */
  parts: number | null;
  meta: ObjectMeta;
}

/** What a list returns per object (no body, no representation headers). */
export interface ObjectSummary {
  key: string;
  size: number;
  etag: string;
  modified: number;
  storageClass: string;
  checksumAlgorithm: ChecksumAlgorithm | null;
  checksumType: ChecksumType | null;
}

export interface Upload {
  id: string;
  bucket: string;
  key: string;
  initiated: number;
  storageClass: string;
  checksumAlgorithm: ChecksumAlgorithm | null;
  checksumType: ChecksumType | null;
  meta: ObjectMeta;
}

export interface Part {
  number: number;
  blob: string | null;
  size: number;
  etag: string;
  modified: number;
  /** Base64 digest of the part for the upload's algorithm, when the client sent or asked for one. */
  checksum: string | null;
}
