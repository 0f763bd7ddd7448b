package io.nagselector.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Reads '\n'-terminated lines as byte slices of a reused buffer, without decoding them. */
final class LineReader implements AutoCloseable {
  private final InputStream in;
  private byte[] buf = new byte[1 << 16];
  private int start;
  private int end;
  private int lineStart;
  private int lineEnd;
  private long lineNumber;
  private boolean eof;

  LineReader(InputStream in) {
    this.in = in;
  }

  /** Advances to the next line; false at the end of the input. */
  boolean next() throws IOException {
    while (true) {
      for (int i = start; i < end; i++) {
        if (buf[i] == '\n') {
          setLine(start, i);
          start = i + 1;
          return true;
        }
      }
      if (eof) {
        if (start < end) {
          setLine(start, end);
          start = end;
          return true;
        }
        return false;
      }
      fill();
    }
  }

  private void setLine(int from, int to) {
    lineStart = from;
    lineEnd = to > from && buf[to - 1] == '\r' ? to - 1 : to;
    lineNumber++;
  }

  private void fill() throws IOException {
    if (start > 0) {
      System.arraycopy(buf, start, buf, 0, end - start);
      end -= start;
      start = 0;
    }
    if (end == buf.length) {
      buf = Arrays.copyOf(buf, buf.length * 2);
    }
    int n = in.read(buf, end, buf.length - end);
    if (n < 0) {
      eof = true;
    } else {
      end += n;
    }
  }

  byte[] buffer() {
    return buf;
  }

  int offset() {
    return lineStart;
  }

  int length() {
    return lineEnd - lineStart;
  }

  long lineNumber() {
    return lineNumber;
  }

  boolean isBlank() {
    for (int i = lineStart; i < lineEnd; i++) {
      byte b = buf[i];
      if (b != ' ' && b != '\t') {
        return false;
      }
    }
    return true;
  }

  String text() {
    return new String(buf, lineStart, length(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
