package io.entrepot.registry;

import io.entrepot.storage.FileInfo;
import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.WalkVisitor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The list of repositories: every directory under {@code repositories/} that contains a
 * {@code _manifests} directory, as distribution counts them.
 */
public final class Catalog {

    private final StorageDriver driver;

    public Catalog(StorageDriver driver) {
        this.driver = driver;
    }

    /**
     * Returns up to {@code limit} repository names that sort after {@code last} (all when null),
     * in lexical order. Walks the whole repositories tree, so its cost grows with the number of
     * repositories.
     */
    public List<RepositoryName> list(String last, int limit) throws IOException {
        List<RepositoryName> names = new ArrayList<>();
        String prefix = StorageLayout.REPOSITORIES + "/";
        try {
            driver.walk(StorageLayout.REPOSITORIES, (FileInfo info) -> {
                if (!info.directory()) {
                    return WalkVisitor.Decision.CONTINUE;
                }
                String name = info.path().substring(prefix.length());
                String base = name.substring(name.lastIndexOf('/') + 1);
                if (base.startsWith("_")) {
                    if (base.equals("_manifests")) {
                        String repository = name.substring(0, name.length() - "/_manifests".length());
                        if (RepositoryName.isValid(repository)) {
                            names.add(new RepositoryName(repository));
                        }
                    }
                    return WalkVisitor.Decision.SKIP_DIRECTORY;
                }
                return WalkVisitor.Decision.CONTINUE;
            });
        } catch (PathNotFoundException e) {
            return List.of();
        }
        // The walk sorts each directory level, so it visits "a/b" before "a-b". As whole names
        // "a-b" sorts first because '-' is below '/', so the names are sorted again here.
        names.sort(null);
        return names.stream()
                .filter(n -> last == null || n.value().compareTo(last) > 0)
                .limit(limit)
                .toList();
    }

    /** Returns whether the repository has any content: manifests, layers or uploads. */
    public boolean exists(RepositoryName repository) throws IOException {
        try {
            return driver.stat(StorageLayout.repository(repository)).directory();
        } catch (PathNotFoundException e) {
            return false;
        }
    }
}
