package io.entrepot.registry;

import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.StoragePaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** Tags of a repository: each one a link to the digest of the manifest it currently names. */
public final class TagStore {

    private final StorageDriver driver;

    public TagStore(StorageDriver driver) {
        this.driver = driver;
    }

    /** Returns the digest the tag points at, or empty when the tag does not exist. */
    public Optional<Digest> resolve(RepositoryName repository, Tag tag) throws IOException {
        try {
            return Optional.of(RepositoryLinks.readLink(driver, StorageLayout.tagCurrentLink(repository, tag)));
        } catch (PathNotFoundException e) {
            return Optional.empty();
        }
    }

    /** Points {@code tag} at {@code digest}, recording the digest in the tag's history as distribution does. */
    public void tag(RepositoryName repository, Tag tag, Digest digest) throws IOException {
        byte[] link = digest.toString().getBytes(StandardCharsets.UTF_8);
        driver.putContent(StorageLayout.tagIndexLink(repository, tag, digest), link);
        driver.putContent(StorageLayout.tagCurrentLink(repository, tag), link);
    }

    /** Removes the tag; returns false when it did not exist. */
    public boolean untag(RepositoryName repository, Tag tag) throws IOException {
        try {
            driver.delete(StorageLayout.tag(repository, tag));
            return true;
        } catch (PathNotFoundException e) {
            return false;
        }
    }

    /** Returns the repository's tags in lexical order; empty when it has none. */
    public List<Tag> list(RepositoryName repository) throws IOException {
        List<String> paths;
        try {
            paths = driver.list(StorageLayout.tags(repository));
        } catch (PathNotFoundException e) {
            return List.of();
        }
        List<Tag> tags = new ArrayList<>(paths.size());
        for (String path : paths) {
            String name = StoragePaths.baseName(path);
            if (Tag.isValid(name)) {
                tags.add(new Tag(name));
            }
        }
        Collections.sort(tags);
        return tags;
    }

    /** Returns the tags that currently point at {@code digest}. */
    public List<Tag> tagsOf(RepositoryName repository, Digest digest) throws IOException {
        List<Tag> result = new ArrayList<>();
        for (Tag tag : list(repository)) {
            if (resolve(repository, tag).filter(digest::equals).isPresent()) {
                result.add(tag);
            }
        }
        return result;
    }
}
