package io.modelreg;

/** A registered event listener; {@link #close()} stops delivery. */
public interface Subscription extends AutoCloseable {
  @Override
  void close();
}
