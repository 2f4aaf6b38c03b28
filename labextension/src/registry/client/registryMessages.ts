import { defineMessages } from '../../common/messages';

/**
 * What the Registry client tells the user, as messages (see
 * `common/messages.ts`). A call's `what` is one of the actions below: a verb
 * phrase that completes "when trying to …".
 */
export const registryMessage = defineMessages('registry', {
  // actions
  checkKey: trans => trans.__('check the API key'),
  listOrganizations: trans => trans.__('list your organizations'),
  listOrbits: trans => trans.__('list the orbits'),
  listCollections: trans => trans.__('list the collections'),
  createArtifact: trans => trans.__('create the artifact'),
  readArtifact: trans => trans.__('read the artifact'),
  confirmUpload: trans => trans.__('confirm the upload'),
  markUploadFailed: trans => trans.__('mark the upload as failed'),
  getDownloadUrl: trans => trans.__('get the download URL'),
  getPartUrls: trans => trans.__('get the part upload URLs'),
  uploadFile: trans => trans.__('upload the file'),
  startMultipart: trans => trans.__('start the multipart upload'),
  uploadPart: (trans, p) => trans.__('upload part %1 of %2', p.number, p.count),
  completeMultipart: trans => trans.__('complete the multipart upload'),

  // what a 404 was about
  organization: trans => trans.__('organization'),
  orbit: trans => trans.__('orbit'),
  collection: trans => trans.__('collection'),
  artifact: trans => trans.__('artifact'),
  storageObject: trans => trans.__('storage object'),
  resource: trans => trans.__('resource'),

  // HTTP answers
  withDetail: (trans, p) =>
    trans.__('%1 The Registry said: %2', p.message, p.detail),
  unauthorized: (trans, p) =>
    trans.__(
      'The Registry at %1 did not accept the API key. Set a valid key (Settings › Registry Connection…).',
      p.url
    ),
  signedUrlRefused: (trans, p) =>
    trans.__(
      'The storage refused the signed URL to %1 (it may have expired). Push again to get a new one.',
      p.what
    ),
  forbidden: (trans, p) =>
    trans.__(
      'The API key has no permission to %1. Ask an admin of the organization for access, or use a key of that organization.',
      p.what
    ),
  notFound: (trans, p) =>
    trans.__(
      'The %1 was not found when trying to %2. %3',
      p.resource,
      p.what,
      p.advice
    ),
  collectionGone: trans =>
    trans.__('It may have been deleted: choose another collection.'),
  pickAgain: trans =>
    trans.__(
      'It may have been deleted, or the key belongs to another organization: pick again.'
    ),
  reloadLists: trans => trans.__('Reload the lists and try again.'),
  conflict: (trans, p) => trans.__('The Registry refused to %1.', p.what),
  rateLimited: (trans, p) =>
    trans.__(
      'The Registry is receiving too many requests and refused to %1. Wait a minute, then try again.',
      p.what
    ),
  serverError: (trans, p) =>
    trans.__(
      "The Registry at %1 had a server error (HTTP %2) when trying to %3. Try again later; if it keeps failing, tell the Registry's operator.",
      p.url,
      p.status,
      p.what
    ),
  storageServerError: (trans, p) =>
    trans.__(
      "The Registry's storage had a server error (HTTP %1) when trying to %2. Try again later; if it keeps failing, tell the Registry's operator.",
      p.status,
      p.what
    ),
  serverSaid: (trans, p) => trans.__('%1 (%2)', p.message, p.detail),
  rejectedWithDetail: (trans, p) =>
    trans.__('The Registry rejected the request to %1: %2', p.what, p.detail),
  rejected: (trans, p) =>
    trans.__(
      'The Registry rejected the request to %1 (HTTP %2).',
      p.what,
      p.status
    ),

  // no answer, or not the expected one
  unreachable: (trans, p) =>
    trans.__(
      "Could not reach %1 to %2: check the URL, that the Registry is running, and that it allows this site's origin.",
      p.target,
      p.what
    ),
  unreachableFromOrigin: (trans, p) =>
    trans.__(
      "Could not reach %1 to %2: check the URL, that the Registry is running, and that it allows this site's origin (%3).",
      p.target,
      p.what,
      p.origin
    ),
  cancelled: trans => trans.__('The push was cancelled.'),
  missingKey: (trans, p) =>
    trans.__(
      'No API key is set for the Registry at %1: set one (Settings › Registry Connection…). Keys look like dfs_….',
      p.url
    ),
  notJson: (trans, p) =>
    trans.__(
      "%1 answered, but not with JSON: is it the address of the Registry's API (like %2)?",
      p.url,
      p.example
    ),
  multipartUnsupported: (trans, p) =>
    trans.__(
      'This Registry stores files over 500 MB in %1 storage, whose multipart upload the browser does not support yet: push this model with the Python client (luml-api) instead.',
      p.type
    ),
  noUploadId: trans =>
    trans.__(
      'The storage did not return an UploadId when starting the multipart upload: the Registry or its bucket is misconfigured; tell its operator.'
    ),
  noEtag: trans =>
    trans.__(
      "The storage did not let the browser read the part's ETag: its CORS rules must expose the ETag header. Tell the Registry's operator."
    ),
  noItems: (trans, p) =>
    trans.__(
      '%1 sent a collection list without "items": is it a LUML Registry?',
      p.url
    ),
  repeatedCursor: trans =>
    trans.__(
      'The Registry returned the same page cursor twice; the list was cut short.'
    ),

  // a connection test
  connected: (trans, p) =>
    trans.__('Connected to %1. The key works for: %2.', p.url, p.names),
  connectedNoOrganization: (trans, p) =>
    trans.__('Connected to %1, but this key sees no organization.', p.url),

  // the Registry URL a user typed
  urlEmpty: trans => trans.__('The Registry URL is empty.'),
  notAUrl: (trans, p) =>
    trans.__('"%1" is not a URL: write it like %2.', p.text, p.example),
  urlScheme: (trans, p) =>
    trans.__(
      'The Registry URL must start with https:// (or http:// for a local Registry), not %1//.',
      p.protocol
    ),
  urlCredentials: trans =>
    trans.__(
      'Do not put a user name, password or key into the Registry URL: set the API key separately.'
    ),
  urlQuery: trans =>
    trans.__(
      'The Registry URL must not have a query (?…) or fragment (#…): use just the address, like https://api.luml.ai.'
    )
});
