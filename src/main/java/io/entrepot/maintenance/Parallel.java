package io.entrepot.maintenance;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/** Runs storage calls of a maintenance job concurrently, because each one mostly waits on storage latency. */
final class Parallel {

    /** One step applied to each item. */
    @FunctionalInterface
    interface Task<T, R> {
        R apply(T item) throws IOException;
    }

    private Parallel() {}

    /**
     * Applies {@code task} to every item, at most {@code parallelism} at a time, and returns the
     * results in item order. {@code afterEach} runs on the calling thread once per finished item,
     * in order, for progress displays that are not thread-safe.
     *
     * @throws IOException the first failure; items not yet started are skipped
     */
    static <T, R> List<R> map(List<T> items, int parallelism, Task<T, R> task, Runnable afterEach) throws IOException {
        Semaphore permits = new Semaphore(parallelism);
        AtomicBoolean failed = new AtomicBoolean();
        List<R> results = new ArrayList<>(items.size());
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<R>> futures = new ArrayList<>(items.size());
            for (T item : items) {
                futures.add(executor.submit(() -> {
                    permits.acquire();
                    try {
                        return failed.get() ? null : task.apply(item);
                    } catch (IOException | RuntimeException e) {
                        failed.set(true);
                        throw e;
                    } finally {
                        permits.release();
                    }
                }));
            }
            for (Future<R> future : futures) {
                results.add(future.get());
                afterEach.run();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException("maintenance task failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while running maintenance tasks");
        }
        return results;
    }
}
