package io.nagselector.dataset;

import java.io.IOException;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.util.WrappingProxy;
import org.apache.flink.util.WrappingProxyUtil;

/**
 * The classloader of the filesystem behind a path (an S3 plugin's own, or Flink's for {@code
 * file://}), to be the context classloader while its streams work. A filesystem is cached for the
 * whole TaskManager, and its pools start their threads from whichever thread first needs one; such
 * a thread inherits the caller's context classloader. Under a task's user-code classloader it would
 * keep that loader after a failover closes it, and the first lookup through it (a {@code
 * ServiceLoader} in the S3 client) would fail every later upload in that JVM.
 */
final class FileSystemLoader {
  private FileSystemLoader() {}

  static ClassLoader of(Path path) throws IOException {
    return of(path.getFileSystem());
  }

  @SuppressWarnings("unchecked")
  static ClassLoader of(FileSystem fs) {
    FileSystem inner =
        fs instanceof WrappingProxy<?> proxy
            ? WrappingProxyUtil.stripProxy((WrappingProxy<FileSystem>) proxy)
            : fs;
    return inner.getClass().getClassLoader();
  }
}
