package io.entrepot.storage.middleware;

import io.entrepot.storage.FileInfo;
import io.entrepot.storage.FileWriter;
import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.WalkVisitor;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/** A driver that passes every call to another one, for middleware that changes only a few calls. */
abstract class ForwardingStorageDriver implements StorageDriver {

    protected final StorageDriver delegate;

    ForwardingStorageDriver(StorageDriver delegate) {
        this.delegate = delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public byte[] getContent(String path) throws IOException {
        return delegate.getContent(path);
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        delegate.putContent(path, content);
    }

    @Override
    public InputStream reader(String path, long offset) throws IOException {
        return delegate.reader(path, offset);
    }

    @Override
    public FileWriter writer(String path, boolean append) throws IOException {
        return delegate.writer(path, append);
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        return delegate.stat(path);
    }

    @Override
    public List<String> list(String path) throws IOException {
        return delegate.list(path);
    }

    @Override
    public void move(String source, String destination) throws IOException {
        delegate.move(source, destination);
    }

    @Override
    public void delete(String path) throws IOException {
        delegate.delete(path);
    }

    @Override
    public Optional<String> redirectUrl(String path, String method) throws IOException {
        return delegate.redirectUrl(path, method);
    }

    @Override
    public void walk(String path, WalkVisitor visitor) throws IOException {
        delegate.walk(path, visitor);
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
