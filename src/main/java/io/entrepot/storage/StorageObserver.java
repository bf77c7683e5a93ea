package io.entrepot.storage;

/** Receives the duration of every storage driver call, for metrics. */
@FunctionalInterface
public interface StorageObserver {

    StorageObserver NONE = (driver, action, nanos, failed) -> {};

    void observe(String driver, String action, long nanos, boolean failed);
}
