package io.nagselector.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/** One partition directory of the dataset, through Flink's filesystems (local, S3, ...). */
final class PartitionFiles {
  private final FileSystem fs;
  private final Path dir;

  PartitionFiles(Path dir) throws IOException {
    this.fs = dir.getFileSystem();
    this.dir = dir;
  }

  /** The directory's files: finished shards, and whether hidden (in-progress) parts remain. */
  record Listing(List<FileStatus> shards, boolean inProgress) {}

  Listing list() throws IOException {
    List<FileStatus> shards = new ArrayList<>();
    boolean inProgress = false;
    FileStatus[] files = fs.exists(dir) ? fs.listStatus(dir) : new FileStatus[0];
    for (FileStatus f : files == null ? new FileStatus[0] : files) {
      String name = f.getPath().getName();
      if (name.startsWith("._manifest")) {
        continue; // a manifest being replaced
      } else if (name.startsWith(".")) {
        inProgress = true;
      } else if (name.endsWith(".parquet")) {
        shards.add(f);
      }
    }
    return new Listing(shards, inProgress);
  }

  String readManifest() throws IOException {
    Path manifest = new Path(dir, ManifestEntry.FILE);
    if (!fs.exists(manifest)) {
      return "";
    }
    try (InputStream in = fs.open(manifest)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Replaces the manifest whole: written beside it, then renamed over it. */
  void writeManifest(String text) throws IOException {
    Path manifest = new Path(dir, ManifestEntry.FILE);
    Path next = new Path(dir, "._manifest.jsonl.next");
    try (OutputStream out = fs.create(next, FileSystem.WriteMode.OVERWRITE)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    // a rename over the old manifest is atomic where the filesystem allows it (local, POSIX);
    // where it refuses to overwrite, the old one goes first and readers may miss it for a moment
    if (!fs.rename(next, manifest)) {
      fs.delete(manifest, false);
      if (!fs.rename(next, manifest)) {
        throw new IOException("cannot rename " + next + " to " + manifest);
      }
    }
  }

  /** A finished shard's rows and tokens, from its footer. */
  ManifestEntry entry(FileStatus shard, long checkpoint) throws IOException {
    try (ParquetFileReader reader = ParquetFileReader.open(new FlinkInputFile(fs, shard))) {
      ParquetMetadata footer = reader.getFooter();
      String tokens =
          footer.getFileMetaData().getKeyValueMetaData().get(CountingWriteSupport.TOKENS);
      return new ManifestEntry(
          shard.getPath().getName(),
          reader.getRecordCount(),
          tokens == null ? 0 : Long.parseLong(tokens),
          checkpoint);
    }
  }

  /** Parquet's view of a file on a Flink filesystem. */
  private record FlinkInputFile(FileSystem fs, FileStatus file) implements InputFile {
    @Override
    public long getLength() {
      return file.getLen();
    }

    @Override
    public SeekableInputStream newStream() throws IOException {
      FSDataInputStream in = fs.open(file.getPath());
      return new DelegatingSeekableInputStream(in) {
        @Override
        public long getPos() throws IOException {
          return in.getPos();
        }

        @Override
        public void seek(long newPos) throws IOException {
          in.seek(newPos);
        }
      };
    }
  }
}
