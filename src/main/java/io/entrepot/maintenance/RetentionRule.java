package io.entrepot.maintenance;

import io.entrepot.registry.Digest;
import io.entrepot.registry.Glob;
import io.entrepot.registry.ImmutableTags;
import io.entrepot.registry.RepositoryName;
import io.entrepot.registry.Tag;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One reason to keep tags. A tag that no rule of its policy retains is removed. */
interface RetentionRule {

    /** A tag of one repository, with the digest it names and when it was last pushed. */
    record Candidate(Tag tag, Digest digest, Instant pushedAt) {}

    /** Returns the candidates this rule retains, each with the reason, such as "among the 10 most recent". */
    Map<Tag, String> apply(List<Candidate> candidates);

    /** Keeps the {@code count} most recently pushed tags. */
    record KeepLatest(int count) implements RetentionRule {
        @Override
        public Map<Tag, String> apply(List<Candidate> candidates) {
            Map<Tag, String> kept = new LinkedHashMap<>();
            candidates.stream()
                    .sorted(Comparator.comparing(Candidate::pushedAt).reversed().thenComparing(Candidate::tag))
                    .limit(count)
                    .forEach(c -> kept.put(c.tag(), "among the " + count + " most recently pushed tags"));
            return kept;
        }
    }

    /** Keeps tags that match one of the patterns. */
    record KeepMatching(List<Glob> patterns) implements RetentionRule {
        @Override
        public Map<Tag, String> apply(List<Candidate> candidates) {
            Map<Tag, String> kept = new LinkedHashMap<>();
            for (Candidate candidate : candidates) {
                for (Glob pattern : patterns) {
                    if (pattern.matches(candidate.tag().value())) {
                        kept.put(candidate.tag(), "matches keeptags pattern \"" + pattern + "\"");
                        break;
                    }
                }
            }
            return kept;
        }
    }

    /** Keeps tags pushed less than {@code age} before {@code now}. */
    record KeepYoungerThan(Duration age, Instant now) implements RetentionRule {
        @Override
        public Map<Tag, String> apply(List<Candidate> candidates) {
            Map<Tag, String> kept = new LinkedHashMap<>();
            Instant cutoff = now.minus(age);
            for (Candidate candidate : candidates) {
                if (candidate.pushedAt().isAfter(cutoff)) {
                    kept.put(candidate.tag(), "pushed less than " + age.toHours() + " h ago");
                }
            }
            return kept;
        }
    }

    /** Keeps immutable tags, which nothing may remove. */
    record KeepImmutable(ImmutableTags immutable, RepositoryName repository) implements RetentionRule {
        @Override
        public Map<Tag, String> apply(List<Candidate> candidates) {
            Map<Tag, String> kept = new LinkedHashMap<>();
            for (Candidate candidate : candidates) {
                Glob pattern = immutable.matching(repository, candidate.tag());
                if (pattern != null) {
                    kept.put(candidate.tag(), "immutable (pattern \"" + pattern + "\")");
                }
            }
            return kept;
        }
    }
}
