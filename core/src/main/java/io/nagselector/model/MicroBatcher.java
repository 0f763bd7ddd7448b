package io.nagselector.model;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Collects single requests from many callers into batches for its workers: a batch is run when it
 * has {@code maxBatch} requests, when one more would exceed {@code maxBatchTokens} padded tokens
 * (count x longest), or when its oldest request has waited {@code maxWait}; requests of similar
 * length are batched together (see {@link #takeDue}). Each request's future completes with its own
 * result. The clock is injected so the batching rules are testable.
 */
public final class MicroBatcher<T, R> implements AutoCloseable {
  /** Monotonic time in nanoseconds. */
  @FunctionalInterface
  public interface Clock {
    long nanos();
  }

  record Request<T, R>(T item, int tokens, long enqueuedAt, CompletableFuture<R> future) {}

  /**
   * Counts since start: batches run, items in them, their tokens, and the padded tokens they cost
   * (count x longest), whose ratio is the batch fill; and the requests waiting now.
   */
  public record Stats(long batches, long items, long tokens, long paddedTokens, int queued) {
    public double meanBatchSize() {
      return batches == 0 ? 0 : (double) items / batches;
    }

    public double fill() {
      return paddedTokens == 0 ? 0 : (double) tokens / paddedTokens;
    }
  }

  private final AtomicLongArray counts = new AtomicLongArray(4);

  private final int maxBatch;
  private final int maxBatchTokens;
  private final long maxWaitNanos;
  private final Function<List<T>, List<R>> runner;
  private final Clock clock;
  private final ArrayDeque<Request<T, R>> pending = new ArrayDeque<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final List<Thread> workers;
  private boolean closed;

  /**
   * @param runner runs one batch and returns one result per item, in order
   */
  public MicroBatcher(
      int maxBatch,
      int maxBatchTokens,
      Duration maxWait,
      Function<List<T>, List<R>> runner,
      Clock clock,
      int workers) {
    if (maxBatch <= 0 || maxBatchTokens <= 0 || maxWait.isNegative() || workers < 0) {
      throw new IllegalArgumentException(
          "batch limits must be positive: max batch "
              + maxBatch
              + ", max batch tokens "
              + maxBatchTokens
              + ", max wait "
              + maxWait
              + ", workers "
              + workers);
    }
    this.maxBatch = maxBatch;
    this.maxBatchTokens = maxBatchTokens;
    this.maxWaitNanos = maxWait.toNanos();
    this.runner = runner;
    this.clock = clock;
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      Thread thread = new Thread(this::work, "nag-batcher-" + i);
      thread.setDaemon(true);
      thread.start();
      threads.add(thread);
    }
    this.workers = List.copyOf(threads);
  }

  /**
   * A batcher on the system clock with {@code workers} threads, each running one batch at a time
   * (the runner must be safe to call concurrently when there are several).
   */
  public static <T, R> MicroBatcher<T, R> start(
      int maxBatch,
      int maxBatchTokens,
      Duration maxWait,
      int workers,
      Function<List<T>, List<R>> runner) {
    if (workers <= 0) {
      throw new IllegalArgumentException("workers must be positive, got " + workers);
    }
    return new MicroBatcher<>(maxBatch, maxBatchTokens, maxWait, runner, System::nanoTime, workers);
  }

  public CompletableFuture<R> submit(T item, int tokens) {
    CompletableFuture<R> future = new CompletableFuture<>();
    lock.lock();
    try {
      if (closed) {
        future.completeExceptionally(new IllegalStateException("the batcher is closed"));
        return future;
      }
      pending.add(new Request<>(item, Math.max(tokens, 1), clock.nanos(), future));
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    return future;
  }

  /**
   * The batch that is due at {@code now}, removed from the queue; empty if none is due yet. It
   * starts with the oldest request (so none waits longer than {@code maxWait} plus one batch) and
   * adds the waiting requests closest to it in length, oldest first among equals, so that little of
   * the batch is padding.
   */
  List<Request<T, R>> takeDue(long now) {
    lock.lock();
    try {
      if (pending.isEmpty()) {
        return List.of();
      }
      Request<T, R> oldest = pending.peek();
      List<Request<T, R>> candidates = new ArrayList<>(pending);
      candidates.sort(Comparator.comparingInt(r -> Math.abs(r.tokens() - oldest.tokens())));
      List<Request<T, R>> batch = new ArrayList<>();
      int longest = 0;
      boolean full = false;
      for (Request<T, R> r : candidates) {
        int widest = Math.max(longest, r.tokens());
        if (!batch.isEmpty() && (long) (batch.size() + 1) * widest > maxBatchTokens) {
          full = true;
          continue;
        }
        batch.add(r);
        longest = widest;
        if (batch.size() == maxBatch) {
          full = true;
          break;
        }
      }
      boolean expired = now - oldest.enqueuedAt() >= maxWaitNanos;
      if (!full && !expired && !closed) {
        return List.of();
      }
      Set<Request<T, R>> taken = Collections.newSetFromMap(new IdentityHashMap<>());
      taken.addAll(batch);
      pending.removeIf(taken::contains);
      return batch;
    } finally {
      lock.unlock();
    }
  }

  public Stats stats() {
    lock.lock();
    try {
      return new Stats(counts.get(0), counts.get(1), counts.get(2), counts.get(3), pending.size());
    } finally {
      lock.unlock();
    }
  }

  /** Runs one batch and completes its futures (all exceptionally if the runner fails). */
  void run(List<Request<T, R>> batch) {
    List<T> items = new ArrayList<>(batch.size());
    batch.forEach(r -> items.add(r.item()));
    int longest = batch.stream().mapToInt(Request::tokens).max().orElse(0);
    counts.incrementAndGet(0);
    counts.addAndGet(1, batch.size());
    counts.addAndGet(2, batch.stream().mapToLong(Request::tokens).sum());
    counts.addAndGet(3, (long) longest * batch.size());
    try {
      List<R> results = runner.apply(items);
      if (results.size() != batch.size()) {
        throw new IllegalStateException(
            "batch runner returned " + results.size() + " results for " + batch.size() + " items");
      }
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).future().complete(results.get(i));
      }
    } catch (RuntimeException e) {
      batch.forEach(r -> r.future().completeExceptionally(e));
    }
  }

  private void work() {
    while (true) {
      List<Request<T, R>> batch;
      lock.lock();
      try {
        while (true) {
          batch = takeDue(clock.nanos());
          if (!batch.isEmpty() || (closed && pending.isEmpty())) {
            break;
          }
          long wait =
              pending.isEmpty()
                  ? Long.MAX_VALUE
                  : pending.peek().enqueuedAt() + maxWaitNanos - clock.nanos();
          changed.awaitNanos(Math.max(wait, 1));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        lock.unlock();
      }
      if (batch.isEmpty()) {
        return;
      }
      run(batch);
    }
  }

  /** Requests already queued are still run; new ones are refused. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    for (Thread worker : workers) {
      try {
        worker.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
