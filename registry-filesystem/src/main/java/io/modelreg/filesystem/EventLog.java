package io.modelreg.filesystem;

import io.modelreg.IntegrityException;
import io.modelreg.RegistryEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * One model's append-only event log, {@code events.jsonl}: one JSON object per line, numbered from 1.
 *
 * <p>Readers parse only complete lines and remember how far they got, so polling reads just what is
 * new; a line still being written (or cut off by a crash) is left for later. Appends happen under the
 * model lock; an incomplete last line found then can only be a crash remnant and is cut off first.
 */
final class EventLog {
  private final String model;
  private final Path file;
  private final List<RegistryEvent> events = new ArrayList<>();
  private long consumed;

  EventLog(String model, Path file) {
    this.model = model;
    this.file = file;
  }

  synchronized List<RegistryEvent> after(long sequence) throws IOException {
    refresh();
    if (sequence >= events.size()) {
      return List.of();
    }
    return List.copyOf(events.subList((int) Math.max(0, sequence), events.size()));
  }

  synchronized long last() throws IOException {
    refresh();
    return events.size();
  }

  /** Appends under the model lock, which the caller holds; returns the event with its sequence. */
  synchronized RegistryEvent append(RegistryEvent event) throws IOException {
    refresh();
    RegistryEvent stored = event.withSequence(events.size() + 1L);
    byte[] json = Codec.event(stored);
    ByteBuffer line = ByteBuffer.allocate(json.length + 1).put(json).put((byte) '\n').flip();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      if (ch.size() > consumed) {
        ch.truncate(consumed); // an incomplete line left by a writer that died mid-append
      }
      long position = consumed;
      while (line.hasRemaining()) {
        position += ch.write(line, position);
      }
      ch.force(false);
      consumed = position;
    }
    events.add(stored);
    return stored;
  }

  private void refresh() throws IOException {
    long size;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      size = ch.size();
      if (size < consumed) {
        events.clear(); // replaced or truncated from outside: read it again from the start
        consumed = 0;
      }
      if (size == consumed) {
        return;
      }
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size - consumed, Integer.MAX_VALUE - 16));
      long position = consumed;
      while (buf.hasRemaining()) {
        int n = ch.read(buf, position);
        if (n < 0) {
          break;
        }
        position += n;
      }
      buf.flip();
      parseLines(buf);
    } catch (NoSuchFileException e) {
      events.clear();
      consumed = 0;
    }
  }

  private void parseLines(ByteBuffer buf) {
    ByteArrayOutputStream current = new ByteArrayOutputStream();
    while (buf.hasRemaining()) {
      byte b = buf.get();
      if (b != '\n') {
        current.write(b);
        continue;
      }
      byte[] line = current.toByteArray();
      current.reset();
      long lineNumber = events.size() + 1L;
      RegistryEvent e = Codec.event(model, line, file + " line " + lineNumber);
      if (e.sequence() != lineNumber) {
        throw new IntegrityException("Corrupt registry file " + file + ": line " + lineNumber + " has sequence "
            + e.sequence());
      }
      events.add(e);
      consumed += line.length + 1;
    }
  }
}
