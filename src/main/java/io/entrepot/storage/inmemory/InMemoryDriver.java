package io.entrepot.storage.inmemory;

import io.entrepot.storage.FileInfo;
import io.entrepot.storage.FileWriter;
import io.entrepot.storage.InvalidOffsetException;
import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.WalkVisitor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Keeps every file in the heap, for tests and throw-away registries; everything is lost when the
 * process exits. Directories are not stored: a directory other than the root exists while some
 * file lies below it.
 */
public final class InMemoryDriver implements StorageDriver {

    private final NavigableMap<String, MemoryFile> files = new ConcurrentSkipListMap<>();
    private final Clock clock;

    public InMemoryDriver() {
        this(Clock.systemUTC());
    }

    public InMemoryDriver(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String name() {
        return "inmemory";
    }

    /** One file's bytes; replaced whole by putContent, grown in place by a writer. */
    private static final class MemoryFile {
        private byte[] data = new byte[0];
        private int length;
        private Instant modifiedAt;

        MemoryFile(Instant modifiedAt) {
            this.modifiedAt = modifiedAt;
        }

        synchronized byte[] snapshot() {
            return Arrays.copyOf(data, length);
        }

        synchronized int length() {
            return length;
        }

        synchronized Instant modifiedAt() {
            return modifiedAt;
        }

        synchronized void append(byte[] bytes, int offset, int count, Instant now) {
            if (length + count > data.length) {
                long wanted = Math.max((long) length + count, (long) data.length * 2);
                if (wanted > Integer.MAX_VALUE - 8) {
                    throw new IllegalStateException("inmemory: file larger than 2 GiB");
                }
                data = Arrays.copyOf(data, (int) Math.max(wanted, 1024));
            }
            System.arraycopy(bytes, offset, data, length, count);
            length += count;
            modifiedAt = now;
        }
    }

    private static String directoryPrefix(String path) {
        return path.equals("/") ? "/" : path + "/";
    }

    private boolean isDirectory(String path) {
        String prefix = directoryPrefix(path);
        String next = files.ceilingKey(prefix);
        return next != null && next.startsWith(prefix);
    }

    private MemoryFile file(String path) throws PathNotFoundException {
        MemoryFile file = files.get(path);
        if (file == null) {
            throw new PathNotFoundException(name(), path);
        }
        return file;
    }

    @Override
    public byte[] getContent(String path) throws IOException {
        return file(path).snapshot();
    }

    @Override
    public void putContent(String path, byte[] content) {
        MemoryFile file = new MemoryFile(clock.instant());
        file.append(content, 0, content.length, clock.instant());
        files.put(path, file);
    }

    @Override
    public InputStream reader(String path, long offset) throws IOException {
        byte[] content = file(path).snapshot();
        if (offset < 0 || offset > content.length) {
            throw new InvalidOffsetException(name(), path, offset);
        }
        return new ByteArrayInputStream(content, (int) offset, content.length - (int) offset);
    }

    @Override
    public FileWriter writer(String path, boolean append) {
        MemoryFile file = append ? files.computeIfAbsent(path, p -> new MemoryFile(clock.instant())) : new MemoryFile(clock.instant());
        files.put(path, file);
        return new FileWriter() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                file.append(bytes, offset, length, clock.instant());
            }

            @Override
            public long size() {
                return file.length();
            }

            @Override
            public void commit() {}

            @Override
            public void cancel() {
                files.remove(path, file);
            }
        };
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        MemoryFile file = files.get(path);
        if (file != null) {
            return new FileInfo(path, file.length(), file.modifiedAt(), false);
        }
        if (isDirectory(path)) {
            return new FileInfo(path, 0, latestBelow(path), true);
        }
        throw new PathNotFoundException(name(), path);
    }

    private Instant latestBelow(String path) {
        String prefix = directoryPrefix(path);
        Instant latest = Instant.EPOCH;
        for (MemoryFile file : files.subMap(prefix, true, prefix + Character.MAX_VALUE, false).values()) {
            Instant modified = file.modifiedAt();
            if (modified.isAfter(latest)) {
                latest = modified;
            }
        }
        return latest;
    }

    @Override
    public List<String> list(String path) throws IOException {
        // The root exists even in an empty store, as the root directory of the filesystem driver does.
        boolean directory = path.equals("/") || isDirectory(path);
        if (files.containsKey(path) || !directory) {
            throw new PathNotFoundException(name(), path);
        }
        String prefix = directoryPrefix(path);
        TreeSet<String> children = new TreeSet<>();
        for (String key : files.subMap(prefix, true, prefix + Character.MAX_VALUE, false).keySet()) {
            int slash = key.indexOf('/', prefix.length());
            children.add(slash < 0 ? key : key.substring(0, slash));
        }
        return new ArrayList<>(children);
    }

    @Override
    public void move(String source, String destination) throws IOException {
        MemoryFile file = files.remove(source);
        if (file == null) {
            throw new PathNotFoundException(name(), source);
        }
        files.put(destination, file);
    }

    @Override
    public void delete(String path) throws IOException {
        boolean removed = files.remove(path) != null;
        String prefix = directoryPrefix(path);
        var below = files.subMap(prefix, true, prefix + Character.MAX_VALUE, false);
        removed |= !below.isEmpty();
        below.clear();
        if (!removed) {
            throw new PathNotFoundException(name(), path);
        }
    }

    @Override
    public Optional<String> redirectUrl(String path, String method) {
        return Optional.empty();
    }

    @Override
    public void walk(String path, WalkVisitor visitor) throws IOException {
        walkDirectory(path, visitor);
    }

    private boolean walkDirectory(String path, WalkVisitor visitor) throws IOException {
        for (String child : list(path)) {
            FileInfo info;
            try {
                info = stat(child);
            } catch (PathNotFoundException e) {
                continue;
            }
            WalkVisitor.Decision decision = visitor.visit(info);
            if (decision == WalkVisitor.Decision.STOP) {
                return false;
            }
            if (info.directory() && decision != WalkVisitor.Decision.SKIP_DIRECTORY && !walkDirectory(child, visitor)) {
                return false;
            }
        }
        return true;
    }
}
