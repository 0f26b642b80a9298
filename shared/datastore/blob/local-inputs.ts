/**
 * A local file or folder put on a datastore content-addressed, at
 * `LocalUpload/<fingerprint>/<name>`: the fingerprint covers the name and every file's content,
 * so the same data submitted again is found committed and not uploaded again.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { checkDatastorePath, formatDatastoreUri } from '../datastore-uri';
import { commitUpload } from './commit-upload';
import type { Datastore } from './datastore';
import { hashLocalTree, treeFingerprint } from './hashed-tree';
import { checkCommitted } from './manifest';
import { localUploadPath } from './output-paths';

export interface LocalUploadResult {
  /** `azureml://datastores/<ds>/paths/LocalUpload/<fingerprint>/<name>` */
  uri: string;
  /** False when the same content was already committed there. */
  uploaded: boolean;
}

export async function uploadLocalInput(ds: Datastore, localPath: string, field: string): Promise<LocalUploadResult> {
  const tree = await hashLocalTree(localPath, field);
  const name = checkDatastorePath(path.basename(localPath), field);
  const single = (await stat(localPath)).isFile();
  const entries = tree.files.map((file) => ({ blobRel: checkDatastorePath(single ? name : `${name}/${file.rel}`, field), file }));
  const fingerprint = treeFingerprint(entries.map((e) => ({ path: e.blobRel, size: e.file.size, hash: e.file.hash })));
  const prefix = localUploadPath(fingerprint);
  const uri = formatDatastoreUri({ datastore: ds.name, path: `${prefix}/${name}` });
  if (!('problem' in (await checkCommitted(ds.container, prefix, fingerprint)))) return { uri, uploaded: false };
  await commitUpload(ds.container, prefix, entries);
  return { uri, uploaded: true };
}
