package io.entrepot.storage.filesystem;

import io.entrepot.storage.FileInfo;
import io.entrepot.storage.FileWriter;
import io.entrepot.storage.InvalidOffsetException;
import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.WalkVisitor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;

/**
 * Stores everything under one local directory, with the same file layout as distribution's
 * {@code filesystem} driver, so that either registry can serve a directory the other wrote.
 *
 * <p>Whole-file writes go to a temporary sibling and are renamed into place, which is atomic on
 * POSIX filesystems. Appends go straight to the file: an upload's data file is only ever read
 * up to the size that {@link #stat} reports, so a torn append costs the client a resend from
 * that size, never a corrupt blob.
 *
 * <p>{@code maxthreads} bounds how many calls block on the disk at once, as distribution's
 * option does; streaming reads and writes of an open file are not counted.
 */
public final class FilesystemDriver implements StorageDriver {

    /** Distribution's default for {@code storage.filesystem.maxthreads}. */
    public static final int DEFAULT_MAX_THREADS = 100;
    /** Distribution refuses fewer, because a registry blocks on many small reads per request. */
    public static final int MIN_MAX_THREADS = 25;

    /** Name prefix of putContent's temporary files, which list and walk leave out. */
    static final String TEMP_PREFIX = ".entrepot-tmp-";

    private final Path root;
    private final Semaphore permits;

    public FilesystemDriver(Path root, int maxThreads) throws IOException {
        if (maxThreads < MIN_MAX_THREADS) {
            throw new IllegalArgumentException("maxthreads must be at least " + MIN_MAX_THREADS + ": " + maxThreads);
        }
        this.root = root.toAbsolutePath().normalize();
        this.permits = new Semaphore(maxThreads);
        try {
            Files.createDirectories(this.root);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("filesystem: root directory " + this.root + " exists and is not a directory", e);
        }
    }

    @Override
    public String name() {
        return "filesystem";
    }

    /** Returns the directory everything is stored under. */
    public Path root() {
        return root;
    }

    private Path resolve(String path) {
        return path.equals("/") ? root : root.resolve(path.substring(1));
    }

    @FunctionalInterface
    private interface DiskCall<T> {
        T run() throws IOException;
    }

    private <T> T limited(String path, DiskCall<T> call) throws IOException {
        permits.acquireUninterruptibly();
        try {
            return call.run();
        } catch (NoSuchFileException | NotDirectoryException e) {
            throw new PathNotFoundException(name(), path);
        } catch (FileSystemException e) {
            // Opening a path below a regular file fails with ENOTDIR, which Java reports as a plain
            // FileSystemException. Writing below a regular file fails with FileAlreadyExistsException
            // instead, which stays an I/O error because PathNotFoundException would mislead a writer.
            if (!(e instanceof FileAlreadyExistsException) && hasRegularFileAncestor(path)) {
                throw new PathNotFoundException(name(), path);
            }
            throw e;
        } finally {
            permits.release();
        }
    }

    private boolean hasRegularFileAncestor(String path) {
        Path ancestor = resolve(path).getParent();
        while (ancestor != null && !ancestor.equals(root)) {
            if (Files.isRegularFile(ancestor)) {
                return true;
            }
            ancestor = ancestor.getParent();
        }
        return false;
    }

    @Override
    public byte[] getContent(String path) throws IOException {
        return limited(path, () -> {
            Path file = resolve(path);
            if (Files.isDirectory(file)) {
                throw new PathNotFoundException(name(), path);
            }
            return Files.readAllBytes(file);
        });
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        limited(path, () -> {
            Path target = resolve(path);
            Files.createDirectories(target.getParent());
            Path temp = target.resolveSibling(TEMP_PREFIX + UUID.randomUUID());
            try {
                Files.write(temp, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                renameInto(temp, target);
            } finally {
                Files.deleteIfExists(temp);
            }
            return null;
        });
    }

    @Override
    public InputStream reader(String path, long offset) throws IOException {
        return limited(path, () -> {
            Path file = resolve(path);
            if (Files.isDirectory(file)) {
                throw new PathNotFoundException(name(), path);
            }
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            if (offset < 0 || offset > channel.size()) {
                channel.close();
                throw new InvalidOffsetException(name(), path, offset);
            }
            channel.position(offset);
            return Channels.newInputStream(channel);
        });
    }

    @Override
    public FileWriter writer(String path, boolean append) throws IOException {
        return limited(path, () -> {
            Path file = resolve(path);
            Files.createDirectories(file.getParent());
            FileChannel channel = append
                    ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)
                    : FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            return new ChannelWriter(file, channel);
        });
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        return limited(path, () -> {
            BasicFileAttributes attributes = Files.readAttributes(resolve(path), BasicFileAttributes.class);
            boolean directory = attributes.isDirectory();
            return new FileInfo(path, directory ? 0 : attributes.size(), attributes.lastModifiedTime().toInstant(), directory);
        });
    }

    @Override
    public List<String> list(String path) throws IOException {
        return limited(path, () -> {
            String prefix = path.equals("/") ? "" : path;
            List<String> children = new ArrayList<>();
            try (Stream<Path> entries = Files.list(resolve(path))) {
                entries.map(p -> p.getFileName().toString())
                        .filter(n -> !n.startsWith(TEMP_PREFIX))
                        .forEach(n -> children.add(prefix + "/" + n));
            }
            return children;
        });
    }

    @Override
    public void move(String source, String destination) throws IOException {
        limited(source, () -> {
            Path from = resolve(source);
            if (!Files.isRegularFile(from)) {
                throw new PathNotFoundException(name(), source);
            }
            Path to = resolve(destination);
            Files.createDirectories(to.getParent());
            renameInto(from, to);
            return null;
        });
    }

    private static void renameInto(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("filesystem: cannot rename " + from + " to " + to + " atomically; keep the whole root on one filesystem", e);
        }
    }

    @Override
    public void delete(String path) throws IOException {
        limited(path, () -> {
            Path target = resolve(path);
            if (!Files.exists(target)) {
                throw new PathNotFoundException(name(), path);
            }
            deleteTree(target);
            return null;
        });
    }

    private static void deleteTree(Path target) throws IOException {
        if (Files.isDirectory(target)) {
            try (Stream<Path> entries = Files.list(target)) {
                for (Path child : (Iterable<Path>) entries::iterator) {
                    deleteTree(child);
                }
            } catch (NoSuchFileException e) {
                return; // removed concurrently
            }
        }
        try {
            Files.deleteIfExists(target);
        } catch (DirectoryNotEmptyException e) {
            // A concurrent writer added a child; deleting it too keeps delete's contract.
            deleteTree(target);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("filesystem: cannot delete " + target, e);
        }
    }

    @Override
    public Optional<String> redirectUrl(String path, String method) {
        return Optional.empty();
    }

    @Override
    public void walk(String path, WalkVisitor visitor) throws IOException {
        Path start = resolve(path);
        if (!Files.exists(start)) {
            throw new PathNotFoundException(name(), path);
        }
        walkDirectory(path.equals("/") ? "" : path, start, visitor);
    }

    /** Returns false when the visitor asked to stop. */
    private boolean walkDirectory(String logicalPath, Path directory, WalkVisitor visitor) throws IOException {
        List<Path> children;
        try (Stream<Path> entries = Files.list(directory)) {
            children = entries.filter(p -> !p.getFileName().toString().startsWith(TEMP_PREFIX))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (NoSuchFileException e) {
            return true; // removed while walking
        }
        for (Path child : children) {
            String childPath = logicalPath + "/" + child.getFileName();
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(child, BasicFileAttributes.class);
            } catch (NoSuchFileException e) {
                continue;
            }
            boolean isDirectory = attributes.isDirectory();
            FileInfo info = new FileInfo(childPath, isDirectory ? 0 : attributes.size(), attributes.lastModifiedTime().toInstant(), isDirectory);
            WalkVisitor.Decision decision = visitor.visit(info);
            if (decision == WalkVisitor.Decision.STOP) {
                return false;
            }
            if (isDirectory && decision != WalkVisitor.Decision.SKIP_DIRECTORY && !walkDirectory(childPath, child, visitor)) {
                return false;
            }
        }
        return true;
    }

    /** Appends to one file through a channel; {@code size} counts the bytes already there. */
    private static final class ChannelWriter extends FileWriter {
        private final Path file;
        private final FileChannel channel;
        private final java.io.OutputStream out;
        private long size;
        private boolean closed;

        ChannelWriter(Path file, FileChannel channel) throws IOException {
            this.file = file;
            this.channel = channel;
            this.size = channel.size();
            this.out = new java.io.BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            size++;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
            size += length;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public void commit() throws IOException {
            out.flush();
            channel.force(false);
        }

        @Override
        public void cancel() throws IOException {
            close();
            Files.deleteIfExists(file);
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                out.close();
            }
        }
    }
}
