// TaskManagerFailureIT's and S3AsConfiguredIT's object store: s3rver on 127.0.0.1, a free port, one bucket, objects under argv[2].
// Prints "PORT <n>" once it listens; runs until killed.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Transform } from 'node:stream';
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

// S3 takes a SigV4 upload in aws-chunked frames ("<hex size>;chunk-signature=...\r\n<bytes>\r\n",
// ending with a frame of size 0) and stores the bytes; s3rver stores the frames as they came. The
// AWS SDKs send every upload that way over http (S3A unless told otherwise, Presto's s3p:// always).
server.middleware.unshift(async (ctx, next) => {
  if (String(ctx.headers['x-amz-content-sha256']).startsWith('STREAMING-')) {
    ctx.req = ctx.req.pipe(unchunk());
  }
  await next();
});

/** A stream of the bytes inside aws-chunked frames. */
function unchunk() {
  let buffered = Buffer.alloc(0);
  let remaining = -1; // bytes left of the current frame's data; -1: reading a frame's header
  let done = false;
  return new Transform({
    transform(chunk, encoding, callback) {
      buffered = Buffer.concat([buffered, chunk]);
      while (!done) {
        if (remaining < 0) {
          const end = buffered.indexOf('\r\n');
          if (end < 0) break;
          remaining = parseInt(buffered.subarray(0, end).toString('latin1').split(';')[0], 16);
          buffered = buffered.subarray(end + 2);
          done = remaining === 0;
        } else {
          if (buffered.length < remaining + 2) break;
          this.push(buffered.subarray(0, remaining));
          buffered = buffered.subarray(remaining + 2); // the frame's data, then its \r\n
          remaining = -1;
        }
      }
      callback();
    },
  });
}

const { port } = await server.run();
console.log(`PORT ${port}`);
