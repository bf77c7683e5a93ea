package io.entrepot.maintenance;

import io.entrepot.config.RetentionConfig;
import io.entrepot.registry.Digest;
import io.entrepot.registry.Glob;
import io.entrepot.registry.ImmutableTags;
import io.entrepot.registry.Registry;
import io.entrepot.registry.RepositoryName;
import io.entrepot.registry.StorageLayout;
import io.entrepot.registry.Tag;
import io.entrepot.storage.PathNotFoundException;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the {@code retention} rules: removes the tags no rule keeps, then the manifests no tag
 * reaches once they are older than the rule allows. Freed blobs stay until the next garbage
 * collection, which removes them.
 */
public final class Retention {

    private static final Logger log = LoggerFactory.getLogger(Retention.class);
    private static final Logger audit = LoggerFactory.getLogger("io.entrepot.audit");

    /** The decision on one tag, with its reason. */
    public record TagDecision(Tag tag, Digest digest, boolean kept, String reason) {}

    /** The decisions of the rule that applied to one repository. */
    public record RepositoryReport(RepositoryName name, String rule, List<TagDecision> tags, List<Digest> manifestsRemoved) {}

    /** Every repository a rule applied to. */
    public record Report(boolean dryRun, List<RepositoryReport> repositories) {}

    private final Registry registry;
    private final Clock clock;
    private final RetentionConfig config;
    private final ImmutableTags immutable;

    public Retention(Registry registry, Clock clock, RetentionConfig config) {
        this.registry = registry;
        this.clock = clock;
        this.config = config;
        this.immutable = immutableTags(config);
    }

    /** Compiles the configured immutable tag patterns. */
    public static ImmutableTags immutableTags(RetentionConfig config) {
        List<ImmutableTags.Entry> entries = new ArrayList<>();
        for (RetentionConfig.ImmutableTags entry : config.immutableTags()) {
            entries.add(new ImmutableTags.Entry(Glob.of(entry.repositories()), entry.tags().stream().map(Glob::of).toList()));
        }
        return new ImmutableTags(entries);
    }

    /** Applies every rule; with {@code dryRun} only reports. */
    public Report run(boolean dryRun) throws IOException {
        Instant now = clock.instant();
        List<RepositoryReport> reports = new ArrayList<>();
        for (RepositoryName repository : RepositoryScan.repositories(registry.driver())) {
            RetentionConfig.Rule rule = ruleFor(repository);
            if (rule != null) {
                reports.add(apply(repository, rule, now, dryRun));
            }
        }
        log.atInfo().addKeyValue("dry_run", dryRun).addKeyValue("repositories", reports.size())
                .addKeyValue("tags_removed", reports.stream().flatMap(r -> r.tags().stream()).filter(t -> !t.kept()).count())
                .addKeyValue("manifests_removed", reports.stream().mapToInt(r -> r.manifestsRemoved().size()).sum())
                .log("retention finished");
        return new Report(dryRun, reports);
    }

    private RetentionConfig.Rule ruleFor(RepositoryName repository) {
        for (RetentionConfig.Rule rule : config.rules()) {
            if (Glob.of(rule.repositories()).matches(repository.value())) {
                return rule;
            }
        }
        return null;
    }

    private RepositoryReport apply(RepositoryName repository, RetentionConfig.Rule rule, Instant now, boolean dryRun) throws IOException {
        List<TagDecision> decisions = rule.removesTags() ? decideTags(repository, rule, now) : List.of();
        for (TagDecision decision : decisions) {
            if (!decision.kept()) {
                removeTag(repository, decision, dryRun);
            }
        }

        List<Digest> removedManifests = List.of();
        if (rule.removeUntaggedOlderThan() != null) {
            RepositoryScan scan = RepositoryScan.read(registry, repository);
            if (dryRun) {
                // The tags above were not removed, so take them out of the scan to report what a real run removes.
                decisions.stream().filter(d -> !d.kept()).forEach(d -> scan.tagged.remove(d.digest()));
                decisions.stream().filter(TagDecision::kept).forEach(d -> scan.tagged.add(d.digest()));
            }
            removedManifests = new UntaggedManifests(registry).remove(scan, now.minus(rule.removeUntaggedOlderThan()), dryRun);
        }
        return new RepositoryReport(repository, rule.repositories(), decisions, removedManifests);
    }

    /** Decides every tag: kept with the first rule that retains it, or removed. */
    private List<TagDecision> decideTags(RepositoryName repository, RetentionConfig.Rule rule, Instant now) throws IOException {
        List<RetentionRule.Candidate> candidates = candidates(repository);
        List<RetentionRule> rules = new ArrayList<>();
        rules.add(new RetentionRule.KeepImmutable(immutable, repository));
        if (!rule.keepTags().isEmpty()) {
            rules.add(new RetentionRule.KeepMatching(rule.keepTags().stream().map(Glob::of).toList()));
        }
        if (rule.keepLatest() != null) {
            rules.add(new RetentionRule.KeepLatest(rule.keepLatest()));
        }
        if (rule.removeTagsOlderThan() != null) {
            rules.add(new RetentionRule.KeepYoungerThan(rule.removeTagsOlderThan(), now));
        }

        Map<Tag, String> kept = new LinkedHashMap<>();
        for (RetentionRule each : rules) {
            each.apply(candidates).forEach(kept::putIfAbsent);
        }
        List<TagDecision> decisions = new ArrayList<>();
        for (RetentionRule.Candidate candidate : candidates) {
            String reason = kept.get(candidate.tag());
            decisions.add(reason != null
                    ? new TagDecision(candidate.tag(), candidate.digest(), true, reason)
                    : new TagDecision(candidate.tag(), candidate.digest(), false, "no rule keeps it"));
        }
        return decisions;
    }

    private List<RetentionRule.Candidate> candidates(RepositoryName repository) throws IOException {
        List<RetentionRule.Candidate> candidates = new ArrayList<>();
        Set<Tag> seen = new HashSet<>();
        for (Tag tag : registry.tags().list(repository)) {
            var digest = registry.tags().resolve(repository, tag);
            if (digest.isEmpty() || !seen.add(tag)) {
                continue;
            }
            try {
                Instant pushedAt = registry.driver().stat(StorageLayout.tagCurrentLink(repository, tag)).modifiedAt();
                candidates.add(new RetentionRule.Candidate(tag, digest.get(), pushedAt));
            } catch (PathNotFoundException e) {
                // untagged meanwhile
            }
        }
        return candidates;
    }

    private void removeTag(RepositoryName repository, TagDecision decision, boolean dryRun) throws IOException {
        var event = audit.atInfo().addKeyValue("repository", repository).addKeyValue("tag", decision.tag())
                .addKeyValue("digest", decision.digest()).addKeyValue("reason", decision.reason()).addKeyValue("dry_run", dryRun);
        if (dryRun) {
            event.addKeyValue("decision", "would remove tag").log("would remove tag");
            return;
        }
        registry.tags().untag(repository, decision.tag());
        event.addKeyValue("decision", "removed tag").log("removed tag");
    }
}
