package io.entrepot.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * Wraps every driver so that each one need not repeat the common checks: paths are validated
 * before they reach the backend, every call is timed by a {@link StorageObserver}, and a
 * runtime failure inside a driver becomes an {@link IOException} naming the driver and the path.
 */
public final class CheckedStorageDriver implements StorageDriver {

    private final StorageDriver delegate;
    private final StorageObserver observer;

    public CheckedStorageDriver(StorageDriver delegate, StorageObserver observer) {
        this.delegate = delegate;
        this.observer = observer;
    }

    /** Returns {@code driver} wrapped with path checks and no timing, unless it is wrapped already. */
    public static StorageDriver wrap(StorageDriver driver) {
        return driver instanceof CheckedStorageDriver ? driver : new CheckedStorageDriver(driver, StorageObserver.NONE);
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws IOException;
    }

    private <T> T timed(String action, String path, Call<T> call) throws IOException {
        return timed(action, path, false, call);
    }

    private <T> T timed(String action, String path, boolean rootAllowed, Call<T> call) throws IOException {
        if (!(rootAllowed && path.equals("/")) && !StoragePaths.isValid(path)) {
            throw new InvalidPathException(delegate.name(), path);
        }
        long start = System.nanoTime();
        boolean failed = true;
        try {
            T result = call.run();
            failed = false;
            return result;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (IOException e) {
            // PathNotFoundException is an expected outcome, not a failure of the backend.
            failed = !(e instanceof PathNotFoundException);
            throw e;
        } catch (RuntimeException e) {
            throw new IOException(delegate.name() + ": " + action + " " + path + " failed: " + e, e);
        } finally {
            observer.observe(delegate.name(), action, System.nanoTime() - start, failed);
        }
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public byte[] getContent(String path) throws IOException {
        return timed("GetContent", path, () -> delegate.getContent(path));
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        timed("PutContent", path, () -> {
            delegate.putContent(path, content);
            return null;
        });
    }

    @Override
    public InputStream reader(String path, long offset) throws IOException {
        return timed("Reader", path, () -> delegate.reader(path, offset));
    }

    @Override
    public FileWriter writer(String path, boolean append) throws IOException {
        return timed("Writer", path, () -> delegate.writer(path, append));
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        return timed("Stat", path, () -> delegate.stat(path));
    }

    @Override
    public List<String> list(String path) throws IOException {
        return timed("List", path, true, () -> delegate.list(path));
    }

    @Override
    public void move(String source, String destination) throws IOException {
        if (!StoragePaths.isValid(destination)) {
            throw new InvalidPathException(delegate.name(), destination);
        }
        timed("Move", source, () -> {
            delegate.move(source, destination);
            return null;
        });
    }

    @Override
    public void delete(String path) throws IOException {
        timed("Delete", path, () -> {
            delegate.delete(path);
            return null;
        });
    }

    @Override
    public Optional<String> redirectUrl(String path, String method) throws IOException {
        return timed("RedirectURL", path, () -> delegate.redirectUrl(path, method));
    }

    @Override
    public void walk(String path, WalkVisitor visitor) throws IOException {
        timed("Walk", path, true, () -> {
            delegate.walk(path, visitor);
            return null;
        });
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
