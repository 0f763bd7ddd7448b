// S3DatasetIT's object store: s3rver on 127.0.0.1, a free port, one bucket, objects under argv[2].
// Prints "PORT <n>" once it listens; runs until killed.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import S3rver from 's3rver';

// s3rver decodes a copy's source key with decodeURI, which leaves %3D (an '=' of
// target=NAME/...) encoded, so it finds no such key; S3 decodes it whole.
const objects = createRequire(import.meta.url)('s3rver/lib/controllers/object');
const copy = objects.putObjectCopy;
objects.putObjectCopy = ctx => {
  const source = ctx.headers['x-amz-copy-source'];
  ctx.headers['x-amz-copy-source'] = encodeURI(decodeURIComponent(source));
  return copy(ctx);
};

const directory = process.argv[2];
const bucket = process.argv[3] ?? 'bucket';
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: false, // a line per request, in the test's s3.log
  directory,
  configureBuckets: [{ name: bucket }],
});

// Completing an upload that is no longer open (already completed) is a 404 NoSuchUpload on S3;
// s3rver answers 500, which S3A retries for minutes. Flink's committer relies on S3's answer
// when it re-commits a recovered file: it then checks that the object is there.
server.middleware.unshift(async (ctx, next) => {
  const uploadId = ctx.query.uploadId;
  if (ctx.method === 'POST' && uploadId && !existsSync(join(directory, bucket, '._S3rver_uploads', uploadId))) {
    ctx.status = 404;
    ctx.type = 'application/xml';
    ctx.body =
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message>' +
      `<UploadId>${uploadId}</UploadId></Error>`;
    return;
  }
  await next();
});

const { port } = await server.run();
console.log(`PORT ${port}`);
