/**
 * The shapes of the Registry API's requests and answers: the fields the
 * product reads (the server may send more). Types only, so every module of
 * the client and its callers can share them without depending on each other.
 */

export interface IOrganization {
  id: string;
  name: string;
  [key: string]: unknown;
}

export interface IOrbit {
  id: string;
  name: string;
  organization_id?: string;
  [key: string]: unknown;
}

export interface ICollection {
  id: string;
  name: string;
  type?: string;
  description?: string;
  [key: string]: unknown;
}

export interface IPage<T> {
  items: T[];
  cursor: string | null;
}

export type ArtifactStatus =
  | 'pending_upload'
  | 'uploaded'
  | 'upload_failed'
  | 'pending_deletion'
  | 'deletion_failed';

export interface IArtifact {
  id: string;
  collection_id: string;
  file_name: string;
  name: string;
  description?: string | null;
  file_hash: string;
  size: number;
  status: ArtifactStatus;
  type?: string;
  tags?: string[] | null;
  manifest?: unknown;
  created_at?: string;
  [key: string]: unknown;
}

export interface IUploadDetails {
  type: 's3' | 'azure' | string;
  url: string;
  multipart: boolean;
  bucket_location: string;
  bucket_secret_id: string;
}

export interface ICreatedArtifact {
  artifact: IArtifact;
  upload_details: IUploadDetails;
}

export interface ICreateArtifactRequest {
  file_name: string;
  name: string;
  description?: string;
  tags?: string[];
  manifest: unknown;
  extra_values: { [key: string]: unknown };
  file_hash: string;
  file_index: { [path: string]: [number, number] };
  size: number;
  type?: 'model' | 'dataset' | 'experiment';
}

/** Where an artifact lives. */
export interface ICollectionRef {
  organizationId: string;
  orbitId: string;
  collectionId: string;
}

/** One part of an S3 multipart upload: its signed URL and byte range. */
export interface IMultipartPart {
  part_number: number;
  url: string;
  start_byte: number;
  end_byte: number;
  part_size: number;
}

/** The multipart plan the API hands out for an upload it has started. */
export interface IMultipartUrls {
  parts: IMultipartPart[];
  complete_url: string;
  upload_id?: string;
}
