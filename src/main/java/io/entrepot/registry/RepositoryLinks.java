package io.entrepot.registry;

import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;

/**
 * The link files that make a stored blob or manifest part of a repository: a file named
 * {@code link} whose content is the digest. One instance serves one kind of link (layers or
 * manifest revisions), chosen by the path function given at construction.
 */
public final class RepositoryLinks {

    private final StorageDriver driver;
    private final BiFunction<RepositoryName, Digest, String> linkPath;

    public RepositoryLinks(StorageDriver driver, BiFunction<RepositoryName, Digest, String> linkPath) {
        this.driver = driver;
        this.linkPath = linkPath;
    }

    /** Returns whether {@code digest} is linked into {@code repository}. */
    public boolean contains(RepositoryName repository, Digest digest) throws IOException {
        try {
            String content = new String(driver.getContent(linkPath.apply(repository, digest)), StandardCharsets.UTF_8).trim();
            return content.equals(digest.toString());
        } catch (PathNotFoundException e) {
            return false;
        }
    }

    /** Links {@code digest} into {@code repository}; linking twice is harmless. */
    public void link(RepositoryName repository, Digest digest) throws IOException {
        driver.putContent(linkPath.apply(repository, digest), digest.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Removes the link; returns false when there was none. */
    public boolean unlink(RepositoryName repository, Digest digest) throws IOException {
        String link = linkPath.apply(repository, digest);
        try {
            // The link sits alone in a directory named after the digest; remove the directory.
            driver.delete(link.substring(0, link.lastIndexOf('/')));
            return true;
        } catch (PathNotFoundException e) {
            return false;
        }
    }

    /** Reads a link file, returning the digest it contains. */
    static Digest readLink(StorageDriver driver, String path) throws IOException {
        return Digest.parse(new String(driver.getContent(path), StandardCharsets.UTF_8).trim());
    }
}
