// Prints every row of the Parquet files given as arguments, one JSON object per line.
import { asyncBufferFromFile, parquetReadObjects, toJson } from 'hyparquet'

for (const path of process.argv.slice(2)) {
  const rows = await parquetReadObjects({ file: await asyncBufferFromFile(path) })
  for (const row of rows) {
    process.stdout.write(JSON.stringify({ shard: path, ...toJson(row) }) + '\n')
  }
}
