package io.entrepot.config;

import java.time.Duration;
import java.util.List;

/**
 * Entrepot's own {@code retention} section: rules that remove old tags and untagged manifests,
 * and tag patterns that can never be overwritten or deleted. Patterns are globs in which
 * {@code *} matches within one path segment and {@code **} matches across segments.
 *
 * @param interval time between two scheduled runs inside the server; zero means no schedule
 * @param dryRun scheduled runs only log what they would remove
 * @param rules one rule per repository pattern; the first rule whose pattern matches applies
 * @param immutableTags tag patterns per repository pattern that no push or delete may change
 */
public record RetentionConfig(Duration interval, boolean dryRun, List<Rule> rules, List<ImmutableTags> immutableTags) {

    public static final RetentionConfig NONE = new RetentionConfig(Duration.ZERO, false, List.of(), List.of());

    /**
     * A rule for the repositories its pattern matches. A tag is removed only when no
     * {@code keep} setting retains it and it is older than {@code removeTagsOlderThan} (any age
     * when that is null). A rule with no tag setting removes no tags.
     *
     * @param keepLatest keep this many most recently pushed tags, or null
     * @param keepTags keep tags matching any of these patterns
     * @param removeTagsOlderThan remove tags pushed longer ago than this, or null
     * @param removeUntaggedOlderThan remove manifests no tag reaches once their link is older than this, or null
     */
    public record Rule(String repositories, Integer keepLatest, List<String> keepTags, Duration removeTagsOlderThan,
            Duration removeUntaggedOlderThan) {

        /** Returns whether the rule sets anything that can remove a tag. */
        public boolean removesTags() {
            return keepLatest != null || !keepTags.isEmpty() || removeTagsOlderThan != null;
        }
    }

    /** Tags matching {@code tags} in repositories matching {@code repositories} cannot be overwritten or deleted. */
    public record ImmutableTags(String repositories, List<String> tags) {}
}
