package io.nagselector.dataset;

import java.io.FileNotFoundException;
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
import org.apache.flink.util.TemporaryClassLoaderContext;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * One partition directory of the dataset, through Flink's filesystems (local, S3, ...). Every call
 * runs with the filesystem's own classloader as the context classloader ({@link FileSystemLoader}).
 */
final class PartitionFiles {
  private static final int LISTING_ATTEMPTS = 5;

  private final FileSystem fs;
  private final ClassLoader loader;
  private final Path dir;

  PartitionFiles(Path dir) throws IOException {
    this(dir.getFileSystem(), dir);
  }

  PartitionFiles(FileSystem fs, Path dir) {
    this.fs = fs;
    this.loader = FileSystemLoader.of(fs);
    this.dir = dir;
  }

  /** The directory's files: finished shards, and whether hidden (in-progress) parts remain. */
  record Listing(List<FileStatus> shards, boolean inProgress) {}

  /**
   * The listing, taken again if a file vanished while it was taken: the file sink's committer
   * renames in-progress parts on the same notification, and a local listing asks for each name's
   * status after reading the names.
   */
  Listing list() throws IOException {
    try (var context = TemporaryClassLoaderContext.of(loader)) {
      for (int attempt = 1; ; attempt++) {
        try {
          return listHere();
        } catch (FileNotFoundException vanished) {
          if (attempt == LISTING_ATTEMPTS) {
            throw vanished;
          }
        }
      }
    }
  }

  private Listing listHere() throws IOException {
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
    try (var context = TemporaryClassLoaderContext.of(loader)) {
      if (!fs.exists(manifest)) {
        return "";
      }
      try (InputStream in = fs.open(manifest)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
  }

  /** Replaces the manifest whole: written beside it, then renamed over it. */
  void writeManifest(String text) throws IOException {
    Path manifest = new Path(dir, ManifestEntry.FILE);
    Path next = new Path(dir, "._manifest.jsonl.next");
    try (var context = TemporaryClassLoaderContext.of(loader)) {
      replace(next, manifest, text);
    }
  }

  private void replace(Path next, Path manifest, String text) throws IOException {
    try (OutputStream out = fs.create(next, FileSystem.WriteMode.OVERWRITE)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    // a rename over the old manifest is atomic where the filesystem allows it (local, POSIX);
    // where it refuses to overwrite, the old one goes first and readers may miss it for a moment
    if (!renamedOver(next, manifest)) {
      fs.delete(manifest, false);
      if (!fs.rename(next, manifest)) {
        throw new IOException("cannot rename " + next + " to " + manifest);
      }
    }
  }

  /**
   * Renames {@code from} over {@code to}; false where the filesystem refuses to overwrite: S3A
   * answers false under {@code s3://} and throws that the destination exists under {@code s3a://}.
   */
  private boolean renamedOver(Path from, Path to) throws IOException {
    try {
      return fs.rename(from, to);
    } catch (IOException refused) {
      if (fs.exists(from) && fs.exists(to)) {
        return false;
      }
      throw refused;
    }
  }

  /** A finished shard's rows and tokens, from its footer. */
  ManifestEntry entry(FileStatus shard, long checkpoint) throws IOException {
    try (var context = TemporaryClassLoaderContext.of(loader);
        ParquetFileReader reader = ParquetFileReader.open(new FlinkInputFile(fs, shard))) {
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
