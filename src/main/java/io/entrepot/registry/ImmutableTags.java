package io.entrepot.registry;

import java.util.List;

/** Tags that no push may move and no delete may remove, chosen by repository and tag patterns. */
public final class ImmutableTags {

    /** One pattern pair: tags matching any of {@code tags} in repositories matching {@code repositories}. */
    public record Entry(Glob repositories, List<Glob> tags) {}

    public static final ImmutableTags NONE = new ImmutableTags(List.of());

    private final List<Entry> entries;

    public ImmutableTags(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** Returns the pattern that makes {@code tag} immutable, or null when it is mutable. */
    public Glob matching(RepositoryName repository, Tag tag) {
        for (Entry entry : entries) {
            if (!entry.repositories().matches(repository.value())) {
                continue;
            }
            for (Glob pattern : entry.tags()) {
                if (pattern.matches(tag.value())) {
                    return pattern;
                }
            }
        }
        return null;
    }

    public boolean isImmutable(RepositoryName repository, Tag tag) {
        return matching(repository, tag) != null;
    }
}
